using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// e^x for float32 in float lanes, eight at a time, within 1 ulp of the exact result as PyTorch's own float exp
/// (Sleef's expf8_u10) is; the float64 route (<see cref="ExpWide"/>, four lanes) took twice as long a float, and
/// float exp is what softmax and cross entropy spend their time in. Cody-Waite reduction with a two-part ln 2,
/// Cephes's degree-6 polynomial, and 2^n applied as two factors so results down to float's subnormals are kept.
/// NaN passes through (the clamps return their second operand for NaN); +inf gives inf, -inf gives 0.
/// </summary>
internal static class SingleExp
{
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    // ln 2 in two floats: 15 bits, so that n ln2Hi is exact for |n| <= 150, then the next 24 (to about 2^-43).
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Mid = 1.42860677e-6f;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(ReadOnlySpan<float> x, Span<float> d)
    {
        int i = 0;
        if (IsSupported)
            fixed (float* px = x, pd = d)
                for (; i + 8 <= x.Length; i += 8)
                    Avx.Store(pd + i, Apply(Avx.LoadVector256(px + i)));
        for (; i < x.Length; i++) d[i] = Scalar(x[i]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x)
    {
        // exp(89) overflows and exp(-104) rounds to 0 in float; NaN survives the clamps.
        var v = Avx.Min(Vector256.Create(89f), Avx.Max(Vector256.Create(-104f), x));
        var n = Avx.RoundToNearestInteger(Avx.Multiply(v, Vector256.Create(1.44269504088896341f)));
        // r + rLo = x - n ln 2 to about 2^-36: n * ln2Hi is exact, so rHi is too; what rounding
        // r loses is carried in rLo, with the next bits of ln 2.
        var rHi = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Hi), v);
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Mid), rHi);
        var rLo = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Mid), Avx.Subtract(rHi, r));

        // e^r - 1 - r = r^2 q(r), Cephes's expf coefficients.
        var q = Vector256.Create(1.9875691500e-4f);
        q = Fma.MultiplyAdd(q, r, Vector256.Create(1.3981999507e-3f));
        q = Fma.MultiplyAdd(q, r, Vector256.Create(8.3334519073e-3f));
        q = Fma.MultiplyAdd(q, r, Vector256.Create(4.1665795894e-2f));
        q = Fma.MultiplyAdd(q, r, Vector256.Create(1.6666665459e-1f));
        q = Fma.MultiplyAdd(q, r, Vector256.Create(5.0000001201e-1f));
        // 1 + r + (rLo + r^2 q) with one rounding at the end: 1 + r is split exactly into t and its error (|r| < 1).
        var one = Vector256.Create(1f);
        var t = Avx.Add(one, r);
        var tErr = Avx.Add(Avx.Subtract(one, t), r);
        var small = Fma.MultiplyAdd(Avx.Multiply(r, r), q, rLo);
        var p = Avx.Add(t, Avx.Add(tErr, small));

        // 2^n as 2^(n/2) * 2^(n - n/2): n runs from -150 to 128, beyond one float exponent's range at both ends.
        var ni = Avx.ConvertToVector256Int32(n);
        var half = Avx2.ShiftRightArithmetic(ni, 1);
        var s1 = Avx2.ShiftLeftLogical(Avx2.Add(half, Vector256.Create(127)), 23).AsSingle();
        var s2 = Avx2.ShiftLeftLogical(Avx2.Add(Avx2.Subtract(ni, half), Vector256.Create(127)), 23).AsSingle();
        return Avx.Multiply(Avx.Multiply(p, s1), s2);
    }

    // The tail goes through the same lanes, so an element's result does not depend on where it sits.
    private static float Scalar(float x) => IsSupported ? Apply(Vector256.Create(x)).ToScalar() : MathF.Exp(x);
}
