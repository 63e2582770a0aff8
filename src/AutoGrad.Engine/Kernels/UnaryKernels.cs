using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>
/// A floating-point elementwise function. The float64 form is the kernel; the float32 form widens to double in
/// stack chunks, applies it, and rounds back, so float results are correctly rounded in nearly every case (the
/// vectorized float transcendentals are off by up to ~1e-5 relative, enough to change PyTorch's 4th decimal).
/// Exact operations (neg, abs, sqrt, relu) work on float directly.
/// </summary>
internal interface IUnaryOperator
{
    static abstract void Invoke(ReadOnlySpan<double> x, Span<double> d);
    static abstract void Invoke(ReadOnlySpan<float> x, Span<float> d);
}

internal static class UnaryKernel
{
    private const int Chunk = 256;

    public static void ViaDouble<TOp>(ReadOnlySpan<float> x, Span<float> d) where TOp : IUnaryOperator
    {
        Span<double> buffer = stackalloc double[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var b = buffer[..n];
            TensorPrimitives.ConvertTruncating<float, double>(x.Slice(i, n), b);
            TOp.Invoke(b, b);
            TensorPrimitives.ConvertTruncating<double, float>(b, d.Slice(i, n));
        }
    }

    public static Array Run<TOp>(Array input) where TOp : IUnaryOperator
    {
        switch (input)
        {
            case float[] f: { var r = new float[f.Length]; TOp.Invoke(f, r); return r; }
            case double[] d: { var r = new double[d.Length]; TOp.Invoke(d, r); return r; }
            default: throw new InvalidOperationException("unary float kernel on a non-floating array");
        }
    }
}

// Transcendentals: scalar Math calls on double (correctly rounded to within an ulp, like PyTorch's SLEEF paths).
// Vectorizing them is worth it only where a test shows the vector form agrees with this scalar reference.

internal readonly struct ExpOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = Math.Exp(x[i]); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<ExpOperator>(x, d);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = Math.Log(x[i]); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<LogOperator>(x, d);
}

internal readonly struct SinOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = Math.Sin(x[i]); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<SinOperator>(x, d);
}

internal readonly struct CosOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = Math.Cos(x[i]); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<CosOperator>(x, d);
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = Math.Tanh(x[i]); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<TanhOperator>(x, d);
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = 1.0 / (1.0 + Math.Exp(-x[i])); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<SigmoidOperator>(x, d);
}

internal readonly struct SqrtOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Sqrt(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Sqrt(x, d);
}

internal readonly struct NegOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Negate(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Negate(x, d);
}

internal readonly struct AbsOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Abs(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => TensorPrimitives.Abs(x, d);
}

/// <summary>max(x, 0), keeping NaN as NaN (torch.relu propagates NaN).</summary>
internal readonly struct ReluOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = x[i] > 0 || double.IsNaN(x[i]) ? x[i] : 0.0; }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) { for (int i = 0; i < x.Length; i++) d[i] = x[i] > 0 || float.IsNaN(x[i]) ? x[i] : 0f; }
}

/// <summary>sign(x) as PyTorch: -1, 0 or 1, NaN stays NaN (0 for -0).</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = double.IsNaN(x[i]) ? double.NaN : x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) { for (int i = 0; i < x.Length; i++) d[i] = float.IsNaN(x[i]) ? float.NaN : x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; }
}
