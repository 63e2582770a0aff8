using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// A float32 function evaluated in double lanes: <see cref="Apply{V}"/> on 4 or 8 widened values,
/// <see cref="Scalar"/> for the remainder. Its relative error must stay far below float's half ulp (6e-8), so that rounding the double
/// result back to float gives the correctly rounded float in all but the rarest cases.
/// </summary>
internal interface IWideFunction
{
    static abstract V Apply<V>(V x) where V : struct, IDoubleLanes<V>;
    static abstract double Scalar(double x);
}

/// <summary>
/// Runs a float32 elementwise function through double lanes without leaving registers: eight floats are loaded,
/// widened to two double vectors, computed, rounded back and stored. (The earlier path widened 1024 floats into a
/// stack buffer, ran the float64 kernel over it and narrowed again: three passes over memory and the full float64
/// polynomial, about 2 ns a float for exp.)
/// </summary>
internal static class FloatViaDouble
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run<TF>(ReadOnlySpan<float> x, Span<float> d) where TF : IWideFunction
    {
        int i = 0;
        fixed (float* px = x, pd = d)
        {
            if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
                for (; i + 8 <= x.Length; i += 8)
                {
                    Lanes8 wide = Avx512F.ConvertToVector512Double(Avx.LoadVector256(px + i));
                    Avx.Store(pd + i, Avx512F.ConvertToVector256Single(TF.Apply(wide).V));
                }
            else if (VectorMath.IsSupported)
                for (; i + 4 <= x.Length; i += 4)
                {
                    Lanes4 wide = Avx.ConvertToVector256Double(Sse.LoadVector128(px + i));
                    Sse.Store(pd + i, Avx.ConvertToVector128Single(TF.Apply(wide).V));
                }
        }
        for (; i < x.Length; i++) d[i] = (float)TF.Scalar(x[i]);
    }
}

/// <summary>
/// e^x for float arguments. Every float input's result is a normal double, so this is leaner than
/// <see cref="VectorMath"/>'s float64 exp: the argument is clamped to [-200, 200] (far outside float's range, so
/// the rounded result is still 0 or infinity there, and tanh's e^2x never overflows),
/// one FMA reduces it (n ln2 with double's ln2 is off by under 1e-14 relative for |n| &lt;= 289), a degree-11
/// Taylor polynomial (truncation below 1e-14 on |r| &lt;= ln2/2) and a single power-of-two factor finish it.
/// NaN passes through: the clamps are ordered so that a NaN operand wins, and the polynomial keeps it.
/// </summary>
internal readonly struct ExpWide : IWideFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Apply<V>(V x) where V : struct, IDoubleLanes<V>
    {
        // max/min return their second operand when either is NaN.
        var v = V.Min(V.Create(200.0), V.Max(V.Create(-200.0), x));
        var n = V.RoundToNearest(V.Multiply(v, V.Create(1.4426950408889634)));
        var r = V.MultiplyAddNegated(n, V.Create(0.6931471805599453), v);
        var r2 = V.Multiply(r, r);
        return V.Multiply(VectorMath.TaylorExp11(r, r2, V.Multiply(r2, r2)), V.Pow2(n));
    }

    public static double Scalar(double x) => Math.Exp(x);
}

/// <summary>
/// tanh as 1 - 2 / (e^2x + 1), and the series x - x^3/3 + 2x^5/15 below |x| = 1e-3 where that form cancels:
/// relative error about 1e-13 at worst (near |x| = 1e-3), which the rounding to float absorbs. Not a float64 tanh
/// (that is <see cref="TanhF64"/>).
/// </summary>
internal readonly struct TanhWide : IWideFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static V Apply<V>(V x) where V : struct, IDoubleLanes<V>
    {
        var one = V.Create(1.0);
        var two = V.Create(2.0);
        var t = V.Subtract(one, V.Divide(two, V.Add(ExpWide.Apply(V.Multiply(two, x)), one)));
        var x2 = V.Multiply(x, x);
        var series = V.MultiplyAddNegated(V.Multiply(x, x2), V.MultiplyAddNegated(x2, V.Create(2.0 / 15.0), V.Create(1.0 / 3.0)), x);
        var result = V.Select(V.LessThan(V.Abs(x), V.Create(1e-3)), series, t);
        // tanh(-0) is -0; the series' FMA would round it to +0.
        return V.Select(V.Equal(x, V.Create(0.0)), x, result);
    }

    public static double Scalar(double x) => Math.Tanh(x);
}
