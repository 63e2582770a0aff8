using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// The float-lane operations of float32 sigmoid's exp, over a vector width: 8 lanes (AVX2 + FMA) or 16 (AVX-512),
/// as <see cref="IDoubleLanes{TSelf}"/> is for double lanes.
/// </summary>
internal interface IFloatLanes<TSelf> where TSelf : struct, IFloatLanes<TSelf>
{
    static abstract TSelf Create(float value);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    static abstract TSelf Divide(TSelf a, TSelf b);
    /// <summary>a * b + c, one rounding.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    static abstract TSelf RoundToNearest(TSelf a);
    static abstract TSelf Floor(TSelf a);
    /// <summary>2^n for integral n in [-126, 127] held as floats.</summary>
    static abstract TSelf Pow2(TSelf n);
    /// <summary>Where <paramref name="condition"/> lanes are all ones, <paramref name="whenTrue"/>.</summary>
    static abstract TSelf Select(TSelf condition, TSelf whenTrue, TSelf whenFalse);
    static abstract TSelf LessThan(TSelf a, TSelf b);
    static abstract TSelf GreaterThan(TSelf a, TSelf b);
}

internal struct FloatLanes8 : IFloatLanes<FloatLanes8>
{
    public Vector256<float> V;
    private FloatLanes8(Vector256<float> v) => V = v;
    public static implicit operator FloatLanes8(Vector256<float> v) => new(v);

    public static FloatLanes8 Create(float value) => new(Vector256.Create(value));
    public static FloatLanes8 Add(FloatLanes8 a, FloatLanes8 b) => new(Avx.Add(a.V, b.V));
    public static FloatLanes8 Subtract(FloatLanes8 a, FloatLanes8 b) => new(Avx.Subtract(a.V, b.V));
    public static FloatLanes8 Multiply(FloatLanes8 a, FloatLanes8 b) => new(Avx.Multiply(a.V, b.V));
    public static FloatLanes8 Divide(FloatLanes8 a, FloatLanes8 b) => new(Avx.Divide(a.V, b.V));
    public static FloatLanes8 MultiplyAdd(FloatLanes8 a, FloatLanes8 b, FloatLanes8 c) => new(Fma.MultiplyAdd(a.V, b.V, c.V));
    public static FloatLanes8 RoundToNearest(FloatLanes8 a) => new(Avx.RoundToNearestInteger(a.V));
    public static FloatLanes8 Floor(FloatLanes8 a) => new(Avx.RoundToNegativeInfinity(a.V));
    public static FloatLanes8 Pow2(FloatLanes8 n) =>
        new(Avx2.ShiftLeftLogical(Avx2.Add(Avx.ConvertToVector256Int32WithTruncation(n.V), Vector256.Create(127)), 23).AsSingle());
    public static FloatLanes8 Select(FloatLanes8 condition, FloatLanes8 whenTrue, FloatLanes8 whenFalse) => new(Avx.BlendVariable(whenFalse.V, whenTrue.V, condition.V));
    public static FloatLanes8 LessThan(FloatLanes8 a, FloatLanes8 b) => new(Avx.CompareLessThan(a.V, b.V));
    public static FloatLanes8 GreaterThan(FloatLanes8 a, FloatLanes8 b) => new(Avx.CompareGreaterThan(a.V, b.V));
}

internal struct FloatLanes16 : IFloatLanes<FloatLanes16>
{
    public Vector512<float> V;
    private FloatLanes16(Vector512<float> v) => V = v;
    public static implicit operator FloatLanes16(Vector512<float> v) => new(v);

    public static FloatLanes16 Create(float value) => new(Vector512.Create(value));
    public static FloatLanes16 Add(FloatLanes16 a, FloatLanes16 b) => new(a.V + b.V);
    public static FloatLanes16 Subtract(FloatLanes16 a, FloatLanes16 b) => new(a.V - b.V);
    public static FloatLanes16 Multiply(FloatLanes16 a, FloatLanes16 b) => new(a.V * b.V);
    public static FloatLanes16 Divide(FloatLanes16 a, FloatLanes16 b) => new(a.V / b.V);
    public static FloatLanes16 MultiplyAdd(FloatLanes16 a, FloatLanes16 b, FloatLanes16 c) => new(Avx512F.FusedMultiplyAdd(a.V, b.V, c.V));
    public static FloatLanes16 RoundToNearest(FloatLanes16 a) => new(Avx512F.RoundScale(a.V, 0));
    public static FloatLanes16 Floor(FloatLanes16 a) => new(Avx512F.RoundScale(a.V, 1));
    public static FloatLanes16 Pow2(FloatLanes16 n) =>
        new(Vector512.ShiftLeft(Avx512F.ConvertToVector512Int32WithTruncation(n.V) + Vector512.Create(127), 23).AsSingle());
    public static FloatLanes16 Select(FloatLanes16 condition, FloatLanes16 whenTrue, FloatLanes16 whenFalse) => new(Vector512.ConditionalSelect(condition.V, whenTrue.V, whenFalse.V));
    public static FloatLanes16 LessThan(FloatLanes16 a, FloatLanes16 b) => new(Vector512.LessThan(a.V, b.V));
    public static FloatLanes16 GreaterThan(FloatLanes16 a, FloatLanes16 b) => new(Vector512.GreaterThan(a.V, b.V));
}
