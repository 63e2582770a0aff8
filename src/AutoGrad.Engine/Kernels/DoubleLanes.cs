using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// The double-lane operations the vector transcendentals need, over a vector width: written once against this
/// interface, each function runs as 4 lanes (AVX2 + FMA) or 8 lanes (AVX-512). On this Zen 4 a 512-bit operation
/// executes as two 256-bit halves, but half as many instructions pass the front end, which is what these
/// instruction-bound kernels are limited by.
/// </summary>
internal interface IDoubleLanes<TSelf> where TSelf : struct, IDoubleLanes<TSelf>
{
    static abstract TSelf Create(double value);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    static abstract TSelf Divide(TSelf a, TSelf b);
    /// <summary>a * b + c, one rounding.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>c - a * b, one rounding.</summary>
    static abstract TSelf MultiplyAddNegated(TSelf a, TSelf b, TSelf c);
    /// <summary>min(a, b) / max(a, b) as the x86 instructions: the second operand when either is NaN.</summary>
    static abstract TSelf Min(TSelf a, TSelf b);
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf RoundToNearest(TSelf a);
    static abstract TSelf Floor(TSelf a);
    static abstract TSelf Abs(TSelf a);
    /// <summary>The sign bit of <paramref name="sign"/> on <paramref name="magnitude"/> (which must be positive).</summary>
    static abstract TSelf WithSignOf(TSelf magnitude, TSelf sign);
    /// <summary>Where <paramref name="condition"/> lanes are all ones, <paramref name="whenTrue"/>.</summary>
    static abstract TSelf Select(TSelf condition, TSelf whenTrue, TSelf whenFalse);
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
    static abstract TSelf Equal(TSelf a, TSelf b);
    /// <summary>All ones where a or b is NaN.</summary>
    static abstract TSelf Unordered(TSelf a, TSelf b);
    /// <summary>2^n for integral n in [-1022, 1023] held as doubles: n + 1023 placed in the exponent field (with
    /// 2^52 + 1023 added, n + 1023 sits in the low mantissa bits; a shift by 52 moves it up).</summary>
    static abstract TSelf Pow2(TSelf n);
}

internal struct Lanes4 : IDoubleLanes<Lanes4>
{
    public Vector256<double> V;
    private Lanes4(Vector256<double> v) => V = v;
    public static implicit operator Lanes4(Vector256<double> v) => new(v);

    public static Lanes4 Create(double value) => new(Vector256.Create(value));
    public static Lanes4 Add(Lanes4 a, Lanes4 b) => new(Avx.Add(a.V, b.V));
    public static Lanes4 Subtract(Lanes4 a, Lanes4 b) => new(Avx.Subtract(a.V, b.V));
    public static Lanes4 Multiply(Lanes4 a, Lanes4 b) => new(Avx.Multiply(a.V, b.V));
    public static Lanes4 Divide(Lanes4 a, Lanes4 b) => new(Avx.Divide(a.V, b.V));
    public static Lanes4 MultiplyAdd(Lanes4 a, Lanes4 b, Lanes4 c) => new(Fma.MultiplyAdd(a.V, b.V, c.V));
    public static Lanes4 MultiplyAddNegated(Lanes4 a, Lanes4 b, Lanes4 c) => new(Fma.MultiplyAddNegated(a.V, b.V, c.V));
    public static Lanes4 Min(Lanes4 a, Lanes4 b) => new(Avx.Min(a.V, b.V));
    public static Lanes4 Max(Lanes4 a, Lanes4 b) => new(Avx.Max(a.V, b.V));
    public static Lanes4 RoundToNearest(Lanes4 a) => new(Avx.RoundToNearestInteger(a.V));
    public static Lanes4 Floor(Lanes4 a) => new(Avx.RoundToNegativeInfinity(a.V));
    public static Lanes4 Abs(Lanes4 a) => new(Avx.And(a.V, Vector256.Create(0x7FFFFFFFFFFFFFFFL).AsDouble()));
    public static Lanes4 WithSignOf(Lanes4 magnitude, Lanes4 sign) =>
        new(Avx.Or(magnitude.V, Avx.And(sign.V, Vector256.Create(unchecked((long)0x8000000000000000UL)).AsDouble())));
    public static Lanes4 Select(Lanes4 condition, Lanes4 whenTrue, Lanes4 whenFalse) => new(Avx.BlendVariable(whenFalse.V, whenTrue.V, condition.V));
    public static Lanes4 LessThan(Lanes4 a, Lanes4 b) => new(Avx.CompareLessThan(a.V, b.V));
    public static Lanes4 GreaterThan(Lanes4 a, Lanes4 b) => new(Avx.CompareGreaterThan(a.V, b.V));
    public static Lanes4 Equal(Lanes4 a, Lanes4 b) => new(Avx.CompareEqual(a.V, b.V));
    public static Lanes4 Unordered(Lanes4 a, Lanes4 b) => new(Avx.CompareUnordered(a.V, b.V));
    public static Lanes4 Pow2(Lanes4 n) =>
        new(Avx2.ShiftLeftLogical(Avx.Add(n.V, Vector256.Create(4503599627371519.0)).AsInt64(), 52).AsDouble());
}

internal struct Lanes8 : IDoubleLanes<Lanes8>
{
    public Vector512<double> V;
    private Lanes8(Vector512<double> v) => V = v;
    public static implicit operator Lanes8(Vector512<double> v) => new(v);

    public static Lanes8 Create(double value) => new(Vector512.Create(value));
    public static Lanes8 Add(Lanes8 a, Lanes8 b) => new(a.V + b.V);
    public static Lanes8 Subtract(Lanes8 a, Lanes8 b) => new(a.V - b.V);
    public static Lanes8 Multiply(Lanes8 a, Lanes8 b) => new(a.V * b.V);
    public static Lanes8 Divide(Lanes8 a, Lanes8 b) => new(a.V / b.V);
    public static Lanes8 MultiplyAdd(Lanes8 a, Lanes8 b, Lanes8 c) => new(Avx512F.FusedMultiplyAdd(a.V, b.V, c.V));
    public static Lanes8 MultiplyAddNegated(Lanes8 a, Lanes8 b, Lanes8 c) => new(Avx512F.FusedMultiplyAddNegated(a.V, b.V, c.V));
    public static Lanes8 Min(Lanes8 a, Lanes8 b) => new(Avx512F.Min(a.V, b.V));
    public static Lanes8 Max(Lanes8 a, Lanes8 b) => new(Avx512F.Max(a.V, b.V));
    public static Lanes8 RoundToNearest(Lanes8 a) => new(Avx512F.RoundScale(a.V, 0));
    public static Lanes8 Floor(Lanes8 a) => new(Avx512F.RoundScale(a.V, 1));
    public static Lanes8 Abs(Lanes8 a) => new(Vector512.Abs(a.V));
    public static Lanes8 WithSignOf(Lanes8 magnitude, Lanes8 sign) =>
        new(magnitude.V | (sign.V & Vector512.Create(unchecked((long)0x8000000000000000UL)).AsDouble()));
    public static Lanes8 Select(Lanes8 condition, Lanes8 whenTrue, Lanes8 whenFalse) => new(Vector512.ConditionalSelect(condition.V, whenTrue.V, whenFalse.V));
    public static Lanes8 LessThan(Lanes8 a, Lanes8 b) => new(Vector512.LessThan(a.V, b.V));
    public static Lanes8 GreaterThan(Lanes8 a, Lanes8 b) => new(Vector512.GreaterThan(a.V, b.V));
    public static Lanes8 Equal(Lanes8 a, Lanes8 b) => new(Vector512.Equals(a.V, b.V));
    public static Lanes8 Unordered(Lanes8 a, Lanes8 b) => new(~(Vector512.Equals(a.V, a.V) & Vector512.Equals(b.V, b.V)));
    public static Lanes8 Pow2(Lanes8 n) =>
        new(Vector512.ShiftLeft((n.V + Vector512.Create(4503599627371519.0)).AsInt64(), 52).AsDouble());
}
