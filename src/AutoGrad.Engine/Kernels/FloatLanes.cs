using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// float lanes of one width (<see cref="Lanes256"/>, <see cref="Lanes512"/>), so that a polynomial is written once
/// for both widths: .NET 8 has no width-generic fused multiply-add. The JIT specializes each use for its struct,
/// so the code is the same as written against the intrinsics directly.
/// </summary>
internal interface IFloatLanes<TV> where TV : struct
{
    static abstract TV Splat(float value);

    /// <summary>a * b + c rounded once.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    static abstract TV Add(TV a, TV b);
    static abstract TV Multiply(TV a, TV b);
    static abstract TV Divide(TV a, TV b);
    static abstract TV Negate(TV a);
    static abstract TV And(TV a, TV b);
    static abstract TV Xor(TV a, TV b);

    /// <summary>e^a through <see cref="SingleExp"/>.</summary>
    static abstract TV Exp(TV a);
}

internal readonly struct Lanes256 : IFloatLanes<Vector256<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Splat(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Fma.MultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Negate(Vector256<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Xor(Vector256<float> a, Vector256<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Exp(Vector256<float> a) => SingleExp.Apply(a);
}

internal readonly struct Lanes512 : IFloatLanes<Vector512<float>>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Splat(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) =>
        Avx512F.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Negate(Vector512<float> a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Xor(Vector512<float> a, Vector512<float> b) => a ^ b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Exp(Vector512<float> a) => SingleExp.ApplyWide(a);
}

internal static class FloatPolynomial
{
    /// <summary>c5 x^5 + c4 x^4 + ... + c0 by Horner's rule, one fused multiply-add a step, starting at c5 x + c4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Horner<TL, TV>(TV x, float c5, float c4, float c3, float c2, float c1, float c0)
        where TL : IFloatLanes<TV> where TV : struct
    {
        var p = TL.MultiplyAdd(TL.Splat(c5), x, TL.Splat(c4));
        p = TL.MultiplyAdd(p, x, TL.Splat(c3));
        p = TL.MultiplyAdd(p, x, TL.Splat(c2));
        p = TL.MultiplyAdd(p, x, TL.Splat(c1));
        return TL.MultiplyAdd(p, x, TL.Splat(c0));
    }
}
