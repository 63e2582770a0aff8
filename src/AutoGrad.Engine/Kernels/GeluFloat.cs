using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Kernels;

/// <summary>
/// float32 gelu (approximate='none') as PyTorch's vectorized CPU kernel computes it, (x * 0.5) * (1 + erf(x / sqrt 2)),
/// with ATen's Vectorized&lt;float&gt;::erf: Abramowitz and Stegun's 7.1.26, sign(v) (1 - r(t) t e^(-v^2)) for
/// t = 1 / (1 + 0.3275911 |v|), r a degree-4 polynomial (absolute error below 1.5e-7), e^ through
/// <see cref="SingleExp"/>. So its results are PyTorch's own, not the exactly rounded ones (which differ by a few
/// ulp, most near 0). PyTorch 1.13's kernel still used an accurate erf; 2.x's default CPU path for a contiguous
/// float tensor is oneDNN's gelu_erf: all agree to about 5e-7 relative outside the far negative tail, where
/// 1 + erf cancels in any of them (docs/performance.md, design measurements).
/// </summary>
internal readonly struct GeluFloat : IWideVectorFunction<float>
{
    internal const float Alpha = 0.70710678118654752440f;   // M_SQRT1_2
    private const float P = 0.3275911f;
    private const float P1 = 0.254829592f, P2 = -0.284496736f, P3 = 1.421413741f, P4 = -1.453152027f, P5 = 1.061405429f;

    public static void Run(ReadOnlySpan<float> x, Span<float> d) => VectorLoop.MapWide<GeluFloat, float>(x, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x) =>
        x * Vector256.Create(0.5f) * (Vector256.Create(1f) + Erf<Vector256<float>, Lanes256>(x * Vector256.Create(Alpha)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ApplyWide(Vector512<float> x) =>
        x * Vector512.Create(0.5f) * (Vector512.Create(1f) + Erf<Vector512<float>, Lanes512>(x * Vector512.Create(Alpha)));

    // The tail goes through the same lanes, so an element's result does not depend on where it sits.
    public static float Scalar(float x) => VectorLoop.IsSupported
        ? Apply(Vector256.Create(x)).ToScalar()
        : x * 0.5f * (1f + (float)SpecialFunctions.Erf(x * Alpha));

    /// <summary>ATen's Vectorized&lt;float&gt;::erf, operation for operation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static TV Erf<TV, TL>(TV v) where TV : struct where TL : IFloatLanes<TV>
    {
        var sign = TL.And(v, TL.Splat(-0f));
        var abs = TL.Xor(sign, v);
        var t = TL.Divide(TL.Splat(1f), TL.MultiplyAdd(TL.Splat(P), abs, TL.Splat(1f)));
        var r = TL.MultiplyAdd(TL.Splat(P5), t, TL.Splat(P4));
        r = TL.MultiplyAdd(r, t, TL.Splat(P3));
        r = TL.MultiplyAdd(r, t, TL.Splat(P2));
        r = TL.MultiplyAdd(r, t, TL.Splat(P1));
        var e = TL.Negate(TL.Exp(TL.Negate(TL.Multiply(v, v))));
        return TL.Xor(sign, TL.MultiplyAdd(TL.Multiply(e, t), r, TL.Splat(1f)));
    }
}

/// <summary>
/// gelu'(x) for float32 as PyTorch's vectorized GeluBackwardKernelImpl computes it (before the product with the
/// incoming gradient): 0.5 (1 + erf(x / sqrt 2)) + x (sqrt(2/pi) / 2) e^(-x^2 / 2), with <see cref="GeluFloat"/>'s erf.
/// </summary>
internal readonly struct GeluDerivativeFloat : IWideVectorFunction<float>
{
    private const float Alpha = GeluFloat.Alpha;
    private const float Beta = 0.39894228040143267794f;    // M_2_SQRTPI * M_SQRT1_2 * 0.5

    public static void Run(ReadOnlySpan<float> x, Span<float> d) => VectorLoop.MapWide<GeluDerivativeFloat, float>(x, d);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Apply(Vector256<float> x) => Derivative<Vector256<float>, Lanes256>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ApplyWide(Vector512<float> x) => Derivative<Vector512<float>, Lanes512>(x);

    public static float Scalar(float x) => VectorLoop.IsSupported
        ? Apply(Vector256.Create(x)).ToScalar()
        : 0.5f * (1f + (float)SpecialFunctions.Erf(x * Alpha)) + x * (Beta * MathF.Exp(x * x * -0.5f));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Derivative<TV, TL>(TV x) where TV : struct where TL : IFloatLanes<TV>
    {
        var cdf = TL.Multiply(TL.Splat(0.5f), TL.Add(TL.Splat(1f), GeluFloat.Erf<TV, TL>(TL.Multiply(x, TL.Splat(Alpha)))));
        var pdf = TL.Multiply(TL.Splat(Beta), TL.Exp(TL.Multiply(TL.Multiply(x, x), TL.Splat(-0.5f))));
        return TL.Add(cdf, TL.Multiply(x, pdf));
    }
}
