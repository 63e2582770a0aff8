using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// Vectorized exp in double, accurate to about one ulp: Cody-Waite reduction x = n ln2 + r (|r| &lt;= ln2/2), a
/// degree-11 polynomial for e^r (fitted; its error is below 2e-17 there) evaluated with FMA (Estrin), and 2^n
/// built from the exponent bits (one factor when all four results are normal; two otherwise, so subnormal results
/// come out right, and then overflow, underflow and NaN are fixed up with masks). Measured here, TensorPrimitives' double exp ran at scalar speed on this CPU, which is
/// what libtorch's SLEEF kernels beat by 5-10x.
/// </summary>
internal static class VectorMath
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 0.693147180369123816490;   // 0x3FE62E42FEE00000: n * Ln2Hi is exact for |n| < 2^11
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double MaxArgument = 709.782712893383973096;  // ln(DBL_MAX)
    private const double MinArgument = -745.1332191019412076235; // below: exp underflows to 0
    private const double MinNormalArgument = -708.0;  // e^x is a normal double from here (DBL_MIN is e^-708.4)
    private const double MaxNormalArgument = 709.0;   // and n = round(x log2 e) <= 1023 up to here

    public static bool IsSupported => VectorLoop.IsSupported;

    // e^r = 1 + r + C2 r^2 + C3 r^3 + ... + C11 r^11 on |r| <= ln2/2 (see ExpPolynomial).
    private const double C2 = 0.5000000000000001, C3 = 0.16666666666666669;
    private const double C4 = 0.041666666666624164, C5 = 0.008333333333330065;
    private const double C6 = 0.0013888888917196719, C7 = 0.00019841269863040545;
    private const double C8 = 2.4801521322368692e-05, C9 = 2.7557268480310024e-06;
    private const double C10 = 2.7620075879983367e-07, C11 = 2.5100375832561234e-08;

    public static void Exp(ReadOnlySpan<double> x, Span<double> d) => VectorLoop.MapWide<ExpLanes, double>(x, d);

    /// <summary>1 / (1 + e^-x), with the same exp.</summary>
    public static void Sigmoid(ReadOnlySpan<double> x, Span<double> d) => VectorLoop.MapWide<SigmoidLanes, double>(x, d);

    /// <summary>
    /// float64 tanh (Cephes' split): 1 - 2 / (e^2|x| + 1) with the sign restored for |x| &gt; 0.625, where the
    /// subtraction loses at most a bit; below, x + x^3 P(x^2) / Q(x^2) with Cephes' rational coefficients.
    /// </summary>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> d) => VectorLoop.Map<TanhLanes, double>(x, d);

    private readonly struct ExpLanes : IWideVectorFunction<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Apply(Vector256<double> x) => Exp(x);
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> ApplyWide(Vector512<double> x) => Exp(x);
        public static double Scalar(double x) => Math.Exp(x);
    }

    private readonly struct SigmoidLanes : IWideVectorFunction<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Apply(Vector256<double> x)
        {
            var one = Vector256.Create(1.0);
            return Avx.Divide(one, Avx.Add(one, Exp(Avx.Subtract(Vector256<double>.Zero, x))));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> ApplyWide(Vector512<double> x)
        {
            var one = Vector512.Create(1.0);
            return one / (one + Exp(Vector512<double>.Zero - x));
        }

        public static double Scalar(double x) => 1.0 / (1.0 + Math.Exp(-x));
    }

    private readonly struct TanhLanes : IVectorFunction<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Apply(Vector256<double> v)
        {
            var one = Vector256.Create(1.0);
            var two = Vector256.Create(2.0);
            var z = Avx.And(v, Vector256.Create(0x7FFFFFFFFFFFFFFFL).AsDouble());
            var large = Avx.Subtract(one, Avx.Divide(two, Avx.Add(Exp(Avx.Multiply(two, z)), one)));
            large = Avx.Or(large, Avx.And(v, Vector256.Create(unchecked((long)0x8000000000000000UL)).AsDouble()));
            var s2 = Avx.Multiply(v, v);
            var p = Fma.MultiplyAdd(Fma.MultiplyAdd(Vector256.Create(-9.64399179425052238628E-1), s2,
                Vector256.Create(-9.92877231001918586564E1)), s2, Vector256.Create(-1.61468768441708447952E3));
            var q = Fma.MultiplyAdd(Fma.MultiplyAdd(Fma.MultiplyAdd(one, s2,
                Vector256.Create(1.12811678491632931402E2)), s2, Vector256.Create(2.23548839060100448583E3)), s2,
                Vector256.Create(4.84406305325125486048E3));
            var small = Fma.MultiplyAdd(Avx.Multiply(v, s2), Avx.Divide(p, q), v);
            var result = Avx.BlendVariable(small, large, Avx.CompareGreaterThan(z, Vector256.Create(0.625)));
            // tanh(-0) is -0 (the rational form would give +0); NaN stays NaN through the rational form.
            return Avx.BlendVariable(result, v, Avx.CompareEqual(v, Vector256<double>.Zero));
        }

        public static double Scalar(double x) => Math.Tanh(x);
    }

    /// <summary>
    /// e^x on four lanes. Almost every input has a normal result, and for those the clamps, the fix-ups and the
    /// two-factor power of two are dead weight (a quarter of the instructions): one compare picks the short path
    /// when all four lanes are in [-708, 709], and both paths give the same bits there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector256<double> Exp(Vector256<double> x)
    {
        var normal = Avx.And(Avx.CompareGreaterThanOrEqual(x, Vector256.Create(MinNormalArgument)),
            Avx.CompareLessThanOrEqual(x, Vector256.Create(MaxNormalArgument)));
        return Avx.MoveMask(normal) == 0b1111 ? ExpNormal(x) : ExpAnyRange(x);
    }

    /// <summary>
    /// e^x on eight lanes: <see cref="ExpNormal(Vector512{double})"/> when all are in [-708, 709], else each half
    /// as four lanes (the same bits either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<double> Exp(Vector512<double> x)
    {
        var normal = Vector512.GreaterThanOrEqual(x, Vector512.Create(MinNormalArgument))
            & Vector512.LessThanOrEqual(x, Vector512.Create(MaxNormalArgument));
        return normal.ExtractMostSignificantBits() == 0xFF
            ? ExpNormal(x)
            : Vector512.Create(Exp(x.GetLower()), Exp(x.GetUpper()));
    }

    /// <summary>The arithmetic of <see cref="ExpNormal(Vector256{double})"/> on eight lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> ExpNormal(Vector512<double> x)
    {
        var n = Avx512F.RoundScale(x * Vector512.Create(Log2E), 0x08);   // to nearest, as Avx.RoundToNearestInteger
        var r = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2Hi), x);
        r = Avx512F.FusedMultiplyAddNegated(n, Vector512.Create(Ln2Lo), r);
        var r2 = r * r;
        var r4 = r2 * r2;
        var s0 = Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAdd(r, Vector512.Create(C3), Vector512.Create(C2)), r2,
            Avx512F.FusedMultiplyAdd(r, Vector512.Create(1.0), Vector512.Create(1.0)));
        var s1 = Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAdd(r, Vector512.Create(C7), Vector512.Create(C6)), r2,
            Avx512F.FusedMultiplyAdd(r, Vector512.Create(C5), Vector512.Create(C4)));
        var s2 = Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAdd(r, Vector512.Create(C11), Vector512.Create(C10)), r2,
            Avx512F.FusedMultiplyAdd(r, Vector512.Create(C9), Vector512.Create(C8)));
        var p = Avx512F.FusedMultiplyAdd(Avx512F.FusedMultiplyAdd(s2, r4, s1), r4, s0);
        var biased = (n + Vector512.Create(4503599627371519.0)).AsInt64();
        return p * Avx512F.ShiftLeftLogical(biased, 52).AsDouble();
    }

    /// <summary>e^x for x in [-708, 709]: the result is a normal double, so 2^n is one exponent field.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpNormal(Vector256<double> x)
    {
        var n = Avx.RoundToNearestInteger(Avx.Multiply(x, Vector256.Create(Log2E)));
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Hi), x);
        r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Lo), r);
        var p = Polynomial(r);
        // With 2^52 + 1023 added, n + 1023 sits in the low mantissa bits; shifted into the exponent field.
        var biased = Avx.Add(n, Vector256.Create(4503599627371519.0)).AsInt64();
        return Avx.Multiply(p, Avx2.ShiftLeftLogical(biased, 52).AsDouble());
    }

    /// <summary>e^r on |r| &lt;= ln2/2, see <see cref="ExpPolynomial"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Polynomial(Vector256<double> r)
    {
        var r2 = Avx.Multiply(r, r);
        return ExpPolynomial(r, r2, Avx.Multiply(r2, r2));
    }

    /// <summary>e^x for any x, subnormal results, overflow and NaN included.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpAnyRange(Vector256<double> x)
    {
        var clamped = Avx.Min(Avx.Max(x, Vector256.Create(MinArgument)), Vector256.Create(MaxArgument));
        var n = Avx.RoundToNearestInteger(Avx.Multiply(clamped, Vector256.Create(Log2E)));
        var r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Hi), clamped);
        r = Fma.MultiplyAddNegated(n, Vector256.Create(Ln2Lo), r);

        var p = Polynomial(r);

        // 2^n as two normal factors 2^(n/2) * 2^(n - n/2): n reaches -1075 for subnormal results.
        var ni = Avx2.Subtract(Avx.Add(n, Vector256.Create(6755399441055744.0)).AsInt64(), Vector256.Create(0x4338000000000000L));
        var n1 = ShiftRightArithmetic1(ni);
        var n2 = Avx2.Subtract(ni, n1);
        var bias = Vector256.Create(1023L);
        var s1 = Avx2.ShiftLeftLogical(Avx2.Add(n1, bias), 52).AsDouble();
        var s2 = Avx2.ShiftLeftLogical(Avx2.Add(n2, bias), 52).AsDouble();
        var result = Avx.Multiply(Avx.Multiply(p, s1), s2);

        // Beyond the clamp: +inf above, 0 below; NaN stays NaN.
        result = Avx.BlendVariable(result, Vector256.Create(double.PositiveInfinity), Avx.CompareGreaterThan(x, Vector256.Create(MaxArgument)));
        result = Avx.BlendVariable(result, Vector256<double>.Zero, Avx.CompareLessThan(x, Vector256.Create(MinArgument)));
        return Avx.BlendVariable(result, x, Avx.CompareUnordered(x, x));
    }

    /// <summary>
    /// e^r on |r| &lt;= ln2/2 as 1 + r + r^2 P(r), P of degree 9 fitted to (e^r - 1 - r) / r^2 by Chebyshev
    /// interpolation (mpmath, 50 digits; the coefficients rounded to double): relative error below 2e-17, where a
    /// Taylor polynomial needs degree 13 for 1e-17. Evaluated by Estrin's scheme (pairs, then pairs of pairs):
    /// a dependency chain of 5 operations instead of Horner's 11 FMAs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> ExpPolynomial(Vector256<double> r, Vector256<double> r2, Vector256<double> r4)
    {
        var q0 = Fma.MultiplyAdd(r, Vector256.Create(1.0), Vector256.Create(1.0));
        var q1 = Fma.MultiplyAdd(r, Vector256.Create(C3), Vector256.Create(C2));
        var q2 = Fma.MultiplyAdd(r, Vector256.Create(C5), Vector256.Create(C4));
        var q3 = Fma.MultiplyAdd(r, Vector256.Create(C7), Vector256.Create(C6));
        var q4 = Fma.MultiplyAdd(r, Vector256.Create(C9), Vector256.Create(C8));
        var q5 = Fma.MultiplyAdd(r, Vector256.Create(C11), Vector256.Create(C10));
        var s0 = Fma.MultiplyAdd(q1, r2, q0);
        var s1 = Fma.MultiplyAdd(q3, r2, q2);
        var s2 = Fma.MultiplyAdd(q5, r2, q4);
        return Fma.MultiplyAdd(Fma.MultiplyAdd(s2, r4, s1), r4, s0);
    }

    /// <summary>n &gt;&gt; 1 on signed 64-bit lanes (AVX2 has no 64-bit arithmetic shift): floor(n / 2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<long> ShiftRightArithmetic1(Vector256<long> n)
    {
        var logical = Avx2.ShiftRightLogical(n, 1);
        var sign = Avx2.CompareGreaterThan(Vector256<long>.Zero, n);           // all ones where n < 0
        return Avx2.Or(logical, Avx2.ShiftLeftLogical(sign, 63));
    }
}
