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
            case float[] f:
            {
                var r = new float[f.Length];
                if (ParallelChunks.Worth(f.Length)) ParallelChunks.Run(f.Length, (s, l) => TOp.Invoke(f.AsSpan(s, l), r.AsSpan(s, l)));
                else TOp.Invoke(f, r);
                return r;
            }
            case double[] d:
            {
                var r = new double[d.Length];
                if (ParallelChunks.Worth(d.Length)) ParallelChunks.Run(d.Length, (s, l) => TOp.Invoke(d.AsSpan(s, l), r.AsSpan(s, l)));
                else TOp.Invoke(d, r);
                return r;
            }
            default: throw new InvalidOperationException("unary float kernel on a non-floating array");
        }
    }
}

// Transcendentals. Measured against Math.* on 2e6 random inputs in [-20, 20]: TensorPrimitives' double exp,
// log, sigmoid, sin and cos are within 4 ulp (PyTorch's SLEEF kernels promise 1 ulp; both are far below what
// prints or what a gradient check sees), and after rounding to float they agreed with the correctly rounded
// float result on every input. Its double tanh is off by up to ~1e-11 relative near 0, so the float64 tanh
// stays on Math.Tanh while float32 tanh (where 1e-11 vanishes in the rounding) uses the vector form.

internal readonly struct ExpOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Exp(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<ExpOperator>(x, d);
}

internal readonly struct LogOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Log(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<LogOperator>(x, d);
}

internal readonly struct SinOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Sin(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<SinOperator>(x, d);
}

internal readonly struct CosOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Cos(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<CosOperator>(x, d);
}

internal readonly struct TanhOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = Math.Tanh(x[i]); }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => UnaryKernel.ViaDouble<VectorTanh>(x, d);

    /// <summary>The vector double tanh, precise enough only as the wide stage of the float32 kernel.</summary>
    private readonly struct VectorTanh : IUnaryOperator
    {
        public static void Invoke(ReadOnlySpan<double> x, Span<double> d)
        {
            // The vector form loses all relative accuracy for tiny |x| (tanh(1e-30) came out as -0): there, the
            // series x - x^3/3 + 2x^5/15 is exact to double precision. x and d may be the same buffer, so the
            // inputs are kept aside first when any of them needs the series.
            bool anySmall = false;
            foreach (var v in x) anySmall |= Math.Abs(v) < 1e-3;
            if (!anySmall) { TensorPrimitives.Tanh(x, d); return; }
            Span<double> inputs = x.Length <= 256 ? stackalloc double[x.Length] : new double[x.Length];
            x.CopyTo(inputs);
            TensorPrimitives.Tanh(inputs, d);
            for (int i = 0; i < inputs.Length; i++)
            {
                double v = inputs[i];
                if (Math.Abs(v) < 1e-3)
                {
                    double v2 = v * v;
                    d[i] = v - v * v2 * (1.0 / 3.0 - v2 * (2.0 / 15.0));
                }
            }
        }

        public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => throw new NotSupportedException();
    }
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => TensorPrimitives.Sigmoid(x, d);
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
