using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// A float32 function evaluated in double lanes: <see cref="Apply"/> on four widened values, <see cref="Scalar"/>
/// for the remainder. Its relative error must stay far below float's half ulp (6e-8), so that rounding the double
/// result back to float gives the correctly rounded float in all but the rarest cases.
/// </summary>
internal interface IWideFunction
{
    static abstract Vector256<double> Apply(Vector256<double> x);
    static abstract double Scalar(double x);
}

/// <summary>
/// Runs a float32 elementwise function through double lanes without leaving registers: eight floats are loaded,
/// widened to two double vectors, computed, rounded back and stored. (The earlier path widened 1024 floats into a
/// stack buffer, ran the float64 kernel over it and narrowed again: three passes over memory and the full float64
/// polynomial.)
/// </summary>
internal static class FloatViaDouble
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run<TF>(ReadOnlySpan<float> x, Span<float> d) where TF : IWideFunction
    {
        int i = 0;
        if (VectorMath.IsSupported)
            fixed (float* px = x, pd = d)
                for (; i + 8 <= x.Length; i += 8)
                {
                    var lo = TF.Apply(Avx.ConvertToVector256Double(Sse.LoadVector128(px + i)));
                    var hi = TF.Apply(Avx.ConvertToVector256Double(Sse.LoadVector128(px + i + 4)));
                    Sse.Store(pd + i, Avx.ConvertToVector128Single(lo));
                    Sse.Store(pd + i + 4, Avx.ConvertToVector128Single(hi));
                }
        for (; i < x.Length; i++) d[i] = (float)TF.Scalar(x[i]);
    }
}

/// <summary>
/// e^x for float arguments. Every float input's result is a normal double, so this is leaner than
/// <see cref="VectorMath"/>'s float64 exp: the argument is clamped to [-200, 200] (far outside float's range, so
/// the rounded result is still 0 or infinity there, and tanh's e^2x never overflows),
/// one FMA reduces it (n ln2 with double's ln2 is off by under 1e-14 relative for |n| &lt;= 289), a degree-9
/// polynomial and a single power-of-two factor finish it.
/// NaN passes through: the clamps are ordered so that a NaN operand wins, and the polynomial keeps it.
/// </summary>
internal readonly struct ExpWide : IWideFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Apply(Vector256<double> x)
    {
        // max/min return their second operand when either is NaN.
        var v = Avx.Min(Vector256.Create(200.0), Avx.Max(Vector256.Create(-200.0), x));
        var n = Avx.RoundToNearestInteger(Avx.Multiply(v, Vector256.Create(1.4426950408889634)));
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(0.6931471805599453), v);

        var r2 = Avx.Multiply(r, r);
        var p = Polynomial(r, r2, Avx.Multiply(r2, r2));

        // 2^n: with 2^52 + 1023 added, n + 1023 sits in the low mantissa bits; shifted into the exponent field.
        var biased = Avx.Add(n, Vector256.Create(4503599627371519.0)).AsInt64();
        return Avx.Multiply(p, Avx2.ShiftLeftLogical(biased, 52).AsDouble());
    }

    /// <summary>
    /// e^r on |r| &lt;= ln2/2 as 1 + r + r^2 P(r), P of degree 7 fitted to (e^r - 1 - r) / r^2 by Chebyshev
    /// interpolation (mpmath, 50 digits): relative error below 7.4e-14, far inside float's half ulp (6e-8), so
    /// rounding to float still gives the correctly rounded float (none of 2e6 random inputs differed); two
    /// multiply-adds fewer than the float64 exp's degree 11. The
    /// leading 1 + r is exact in form, so the error shrinks as r^2 near 0, where tanh's 1 - 2/(e^2x + 1) cancels.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Polynomial(Vector256<double> r, Vector256<double> r2, Vector256<double> r4)
    {
        var q0 = Fma.MultiplyAdd(r, Vector256.Create(1.0), Vector256.Create(1.0));
        var q1 = Fma.MultiplyAdd(r, Vector256.Create(0.16666666666662586), Vector256.Create(0.4999999999995511));
        var q2 = Fma.MultiplyAdd(r, Vector256.Create(0.00833333334420298), Vector256.Create(0.04166666678626573));
        var q3 = Fma.MultiplyAdd(r, Vector256.Create(0.00019841224599656011), Vector256.Create(0.0013888839110572009));
        var q4 = Fma.MultiplyAdd(r, Vector256.Create(2.7617564785876086e-06), Vector256.Create(2.4867870179687727e-05));
        var s0 = Fma.MultiplyAdd(q1, r2, q0);
        var s1 = Fma.MultiplyAdd(q3, r2, q2);
        return Fma.MultiplyAdd(Fma.MultiplyAdd(q4, r4, s1), r4, s0);
    }

    public static double Scalar(double x) => Math.Exp(x);
}

/// <summary>
/// tanh as 1 - 2 / (e^2x + 1), and the series x - x^3/3 + 2x^5/15 below |x| = 1e-3 where that form cancels:
/// relative error about 1e-13 at worst (near |x| = 1e-3), which the rounding to float absorbs. Not a float64 tanh
/// (that is <see cref="VectorMath.Tanh"/>).
/// </summary>
internal readonly struct TanhWide : IWideFunction
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Apply(Vector256<double> x)
    {
        var one = Vector256.Create(1.0);
        var two = Vector256.Create(2.0);
        var t = Avx.Subtract(one, Avx.Divide(two, Avx.Add(ExpWide.Apply(Avx.Multiply(two, x)), one)));
        var x2 = Avx.Multiply(x, x);
        var series = Fma.MultiplyAddNegated(Avx.Multiply(x, x2),
            Fma.MultiplyAddNegated(x2, Vector256.Create(2.0 / 15.0), Vector256.Create(1.0 / 3.0)), x);
        var isSmall = Avx.CompareLessThan(Avx.And(x, Vector256.Create(0x7FFFFFFFFFFFFFFFL).AsDouble()), Vector256.Create(1e-3));
        var result = Avx.BlendVariable(t, series, isSmall);
        // tanh(-0) is -0; the series' FMA would round it to +0.
        return Avx.BlendVariable(result, x, Avx.CompareEqual(x, Vector256<double>.Zero));
    }

    public static double Scalar(double x) => Math.Tanh(x);
}
