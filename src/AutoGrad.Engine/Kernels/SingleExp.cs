using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// e^x for float32 in float lanes, eight at a time, within 1 ulp of the exact result as PyTorch's own float exp
/// (Sleef's expf8_u10) is; the float64 route (<see cref="ExpWide"/>, four lanes) took about 1.8 times as long
/// (docs/performance.md, design measurements). Cody-Waite reduction with a two-part ln 2,
/// Cephes's degree-6 polynomial, and 2^n applied as two factors where results reach float's subnormals or beyond.
/// NaN passes through; +inf gives inf, -inf gives 0.
/// </summary>
internal readonly struct SingleExp : IWideVectorFunction<float>
{
    // ln 2 in two floats: 15 bits, so that n ln2Hi is exact for |n| <= 150, then the next 24 (to about 2^-43).
    private const float Ln2Hi = 0.693145751953125f;
    private const float Ln2Mid = 1.42860677e-6f;
    private const float Log2E = 1.44269504088896341f;

    // e^r - 1 - r = r^2 q(r), Cephes's expf coefficients.
    private const float Q0 = 5.0000001201e-1f, Q1 = 1.6666665459e-1f, Q2 = 4.1665795894e-2f;
    private const float Q3 = 8.3334519073e-3f, Q4 = 1.3981999507e-3f, Q5 = 1.9875691500e-4f;

    public static void Run(ReadOnlySpan<float> x, Span<float> d) => VectorLoop.MapWide<SingleExp, float>(x, d);

    /// <summary>
    /// Almost every input has a normal result: one compare picks the short path (no clamps, 2^n as one factor) when
    /// all eight lanes are in [-87, 88], and both paths give the same bits there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x)
    {
        var normal = Avx.And(Avx.CompareGreaterThanOrEqual(x, Vector256.Create(-87f)),
            Avx.CompareLessThanOrEqual(x, Vector256.Create(88f)));
        if (Avx.MoveMask(normal) == 0xFF)
        {
            var n = Avx.RoundToNearestInteger(Avx.Multiply(x, Vector256.Create(Log2E)));
            var scale = Avx2.ShiftLeftLogical(Avx2.Add(Avx.ConvertToVector256Int32(n), Vector256.Create(127)), 23).AsSingle();
            return Avx.Multiply(Reduced(x, n), scale);
        }
        return AnyRange(x);
    }

    /// <summary>The short path of <see cref="Apply"/> on sixteen lanes when all are in [-87, 88]; else each half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ApplyWide(Vector512<float> x)
    {
        var normal = Vector512.GreaterThanOrEqual(x, Vector512.Create(-87f)) & Vector512.LessThanOrEqual(x, Vector512.Create(88f));
        if (normal.ExtractMostSignificantBits() != 0xFFFF) return Vector512.Create(Apply(x.GetLower()), Apply(x.GetUpper()));
        var n = Avx512F.RoundScale(x * Vector512.Create(Log2E), 0x08);   // to nearest, as Avx.RoundToNearestInteger
        var scale = Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(n) + Vector512.Create(127), 23).AsSingle();

        // Reduced's arithmetic, below.
        var rHi = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2Hi), x);
        var r = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2Mid), rHi);
        var rLo = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2Mid), rHi - r);
        var q = FloatPolynomial.Horner<Lanes512, Vector512<float>>(r, Q5, Q4, Q3, Q2, Q1, Q0);
        var one = Vector512.Create(1f);
        var t = one + r;
        var tErr = (one - t) + r;
        var small = Avx512F.FusedMultiplyAdd(r * r, q, rLo);
        return (t + (tErr + small)) * scale;
    }

    // The tail goes through the same lanes, so an element's result does not depend on where it sits.
    public static float Scalar(float x) => VectorLoop.IsSupported ? Apply(Vector256.Create(x)).ToScalar() : MathF.Exp(x);

    /// <summary>e^(x - n ln 2), |x - n ln 2| &lt;= ln2/2, rounded once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Reduced(Vector256<float> v, Vector256<float> n)
    {
        // r + rLo = x - n ln 2 to about 2^-36: n ln2Hi is exact, so rHi is too; what rounding r loses is carried
        // in rLo, with the next bits of ln 2.
        var rHi = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Hi), v);
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Mid), rHi);
        var rLo = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Mid), Avx.Subtract(rHi, r));

        var q = FloatPolynomial.Horner<Lanes256, Vector256<float>>(r, Q5, Q4, Q3, Q2, Q1, Q0);
        // 1 + r + (rLo + r^2 q) with one rounding at the end: 1 + r is split exactly into t and its error (|r| < 1).
        var one = Vector256.Create(1f);
        var t = Avx.Add(one, r);
        var tErr = Avx.Add(Avx.Subtract(one, t), r);
        var small = Fma.MultiplyAdd(Avx.Multiply(r, r), q, rLo);
        return Avx.Add(t, Avx.Add(tErr, small));
    }

    /// <summary>e^x for any x: subnormal results, overflow, underflow and NaN.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Vector256<float> AnyRange(Vector256<float> x)
    {
        // exp(89) overflows and exp(-104) rounds to 0 in float; NaN survives the clamps (they return their second
        // operand for NaN).
        var v = Avx.Min(Vector256.Create(89f), Avx.Max(Vector256.Create(-104f), x));
        var n = Avx.RoundToNearestInteger(Avx.Multiply(v, Vector256.Create(Log2E)));
        var p = Reduced(v, n);
        // 2^n as 2^(n/2) * 2^(n - n/2): n runs from -150 to 128, beyond one float exponent's range at both ends.
        var ni = Avx.ConvertToVector256Int32(n);
        var half = Avx2.ShiftRightArithmetic(ni, 1);
        var s1 = Avx2.ShiftLeftLogical(Avx2.Add(half, Vector256.Create(127)), 23).AsSingle();
        var s2 = Avx2.ShiftLeftLogical(Avx2.Add(Avx2.Subtract(ni, half), Vector256.Create(127)), 23).AsSingle();
        return Avx.Multiply(Avx.Multiply(p, s1), s2);
    }
}
