using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// A floating-point elementwise function. The float64 form is the kernel; the float32 form widens to double in
/// stack chunks, applies it, and rounds back, so float results are correctly rounded in nearly every case (the
/// vectorized float transcendentals are off by up to ~1e-5 relative, enough to change PyTorch's 4th decimal).
/// Exact operations (neg, abs, sqrt, relu) work on float directly, and so does exp (<see cref="SingleExp"/>: within
/// 1 ulp, as PyTorch's own, at twice the speed).
/// </summary>
internal interface IUnaryOperator
{
    static abstract void Invoke(ReadOnlySpan<double> x, Span<double> d);
    static abstract void Invoke(ReadOnlySpan<float> x, Span<float> d);
}

internal static class UnaryKernel
{
    private const int Chunk = 1024;

    // AggressiveOptimization: a method with stackalloc cannot be moved to optimized code mid-loop (no OSR), so at
    // tier 0 this loop ran 4x slower than its parts until the method had been called 30 times.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ViaDouble<TOp>(ReadOnlySpan<float> x, Span<float> d) where TOp : IUnaryOperator
    {
        Span<double> buffer = stackalloc double[Chunk];
        for (int i = 0; i < x.Length; i += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - i);
            var b = buffer[..n];
            Widen(x.Slice(i, n), b);
            TOp.Invoke(b, b);
            Narrow(b, d.Slice(i, n));
        }
    }

    /// <summary>float to double, 4 lanes at a time (TensorPrimitives.ConvertTruncating was scalar-speed here).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Widen(ReadOnlySpan<float> x, Span<double> d)
    {
        int i = 0;
        if (Avx.IsSupported)
            fixed (float* px = x)
            fixed (double* pd = d)
                for (; i + 4 <= x.Length; i += 4)
                    Avx.Store(pd + i, Avx.ConvertToVector256Double(Sse.LoadVector128(px + i)));
        for (; i < x.Length; i++) d[i] = x[i];
    }

    /// <summary>double to float (round to nearest), 4 lanes at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Narrow(ReadOnlySpan<double> x, Span<float> d)
    {
        int i = 0;
        if (Avx.IsSupported)
            fixed (double* px = x)
            fixed (float* pd = d)
                for (; i + 4 <= x.Length; i += 4)
                    Sse.Store(pd + i, Avx.ConvertToVector128Single(Avx.LoadVector256(px + i)));
        for (; i < x.Length; i++) d[i] = (float)x[i];
    }

    /// <summary>
    /// dst = f(src) elementwise over <paramref name="shape"/>, any strides. <paramref name="f"/> works on runs of
    /// contiguous elements: one flat run when both are laid out alike over a dense range (split across threads when
    /// large), else row by row, strided rows gathered into a buffer first.
    /// </summary>
    public static void Map<TIn, TOut>(Strided<TIn> src, Strided<TOut> dst, int[] shape, SpanMap<TIn, TOut> f)
    {
        int n = Shapes.NumElements(shape);
        if (n == 0) return;
        if (Layout.IsNonOverlappingAndDense(shape, dst.Strides))
        {
            if (src.Strides.AsSpan().SequenceEqual(dst.Strides))
            {
                TIn[] x = src.Data;
                TOut[] d = dst.Data;
                int xo = src.Offset, dOff = dst.Offset;
                if (ParallelChunks.Worth(n)) ParallelChunks.Run(n, (s, l) => f(x.AsSpan(xo + s, l), d.AsSpan(dOff + s, l)));
                else f(x.AsSpan(xo, n), d.AsSpan(dOff, n));
                return;
            }
            if (IsRepeated(src.Strides))
            {
                // One value everywhere (an expanded scalar): computed once, then filled.
                Span<TOut> one = new TOut[1];
                f(src.Data.AsSpan(src.Offset, 1), one);
                dst.Data.AsSpan(dst.Offset, n).Fill(one[0]);
                return;
            }
        }
        var loop = StridedLoop.Create(shape, dst.Strides, src.Strides, dst.Strides);
        if (ParallelChunks.Worth(n) && loop.Rows > 1)
            ParallelChunks.RunRanges(loop.Rows, (first, count) => MapRows(loop, first, count, src, dst, f));
        else
            MapRows(loop, 0, loop.Rows, src, dst, f);
    }

    private static bool IsRepeated(int[] strides)
    {
        foreach (var s in strides) if (s != 0) return false;
        return true;
    }

    private static void MapRows<TIn, TOut>(StridedLoop loop, int firstRow, int rowCount, Strided<TIn> src, Strided<TOut> dst,
        SpanMap<TIn, TOut> f)
    {
        int inner = loop.InnerSize, sa = loop.InnerStrideA, sd = loop.InnerStrideD;
        bool direct = sa == 1 && sd == 1;
        TIn[]? gathered = direct || sa == 1 ? null : ArrayPool<TIn>.Shared.Rent(inner);
        TOut[]? computed = direct || sd == 1 ? null : ArrayPool<TOut>.Shared.Rent(inner);
        try
        {
            var rows = loop.GetEnumerator(firstRow);
            for (int done = 0; done < rowCount && rows.NextRun(1, out int offD, out int offA, out _, out _); done++)
            {
                int ia = src.Offset + offA, id = dst.Offset + offD;
                ReadOnlySpan<TIn> x;
                if (gathered is null) x = src.Data.AsSpan(ia, inner);
                else
                {
                    for (int i = 0; i < inner; i++, ia += sa) gathered[i] = src.Data[ia];
                    x = gathered.AsSpan(0, inner);
                }
                if (computed is null) f(x, dst.Data.AsSpan(id, inner));
                else
                {
                    f(x, computed.AsSpan(0, inner));
                    for (int i = 0; i < inner; i++, id += sd) dst.Data[id] = computed[i];
                }
            }
        }
        finally
        {
            if (gathered is not null) ArrayPool<TIn>.Shared.Return(gathered);
            if (computed is not null) ArrayPool<TOut>.Shared.Return(computed);
        }
    }
}

/// <summary>A function over a run of contiguous elements (the unit every elementwise kernel works in).</summary>
internal delegate void SpanMap<TIn, TOut>(ReadOnlySpan<TIn> x, Span<TOut> d);

// Transcendentals. float64 exp and sigmoid use VectorMath's FMA exp (about 1 ulp; TensorPrimitives' double exp ran
// at scalar speed here), float64 tanh its Cephes-style split (within 4 ulp). float32 exp, sigmoid and tanh run in
// double lanes in registers (FloatViaDouble: a leaner exp for float's range, ~1e-13 relative error), except float32
// sigmoid, which reproduces PyTorch's float kernel bit for bit (SigmoidFloat). log, sin and cos use TensorPrimitives'
// double kernels (within 4 ulp of Math.* on 2e6 random inputs), float32 through a widened stack buffer. Every other
// float32 result agrees with the correctly rounded float on every tested input (tests pin that); libtorch's own
// float exp and tanh agree with the correctly rounded float on 99.1% and 99.96% of 1e6 random inputs.

internal readonly struct ExpOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => VectorMath.Exp(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => SingleExp.Run(x, d);
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
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => VectorMath.Tanh(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => FloatViaDouble.Run<TanhWide>(x, d);
}

internal readonly struct SigmoidOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => VectorMath.Sigmoid(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => SigmoidFloat.Run(x, d);
}

internal readonly struct SqrtOperator : IUnaryOperator, IExactFunction
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => ExactMap.Run<SqrtOperator, double>(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => ExactMap.Run<SqrtOperator, float>(x, d);
    public static Vector256<T> Vector<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Sqrt(x);
    public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Sqrt(x);
}

internal readonly struct NegOperator : IUnaryOperator, IExactFunction
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => ExactMap.Run<NegOperator, double>(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => ExactMap.Run<NegOperator, float>(x, d);
    public static Vector256<T> Vector<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
    public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => -x;
}

internal readonly struct AbsOperator : IUnaryOperator, IExactFunction
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => ExactMap.Run<AbsOperator, double>(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => ExactMap.Run<AbsOperator, float>(x, d);
    public static Vector256<T> Vector<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> => Vector256.Abs(x);
    public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => T.Abs(x);
}

/// <summary>max(x, 0), keeping NaN as NaN (torch.relu propagates NaN), and +0 for -0 as PyTorch gives.</summary>
internal readonly struct ReluOperator : IUnaryOperator, IExactFunction
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) => ExactMap.Run<ReluOperator, double>(x, d);
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) => ExactMap.Run<ReluOperator, float>(x, d);

    // x where x > 0 or x is NaN (x != x), else +0.
    public static Vector256<T> Vector<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T> =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero) | ~Vector256.Equals(x, x), x, Vector256<T>.Zero);

    public static T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T> => x > T.Zero || T.IsNaN(x) ? x : T.Zero;
}

/// <summary>An exact elementwise function (one correctly rounded IEEE operation or none) on vectors and scalars.</summary>
internal interface IExactFunction
{
    static abstract Vector256<T> Vector<T>(Vector256<T> x) where T : unmanaged, IFloatingPointIeee754<T>;
    static abstract T Scalar<T>(T x) where T : unmanaged, IFloatingPointIeee754<T>;
}

/// <summary>
/// The loop for exact functions: Vector256 with stores aligned to 32 bytes. (TensorPrimitives' span loops switch
/// to non-temporal stores past a size threshold, which makes a 1e6 element op bound by memory writes and no
/// faster on two threads than on one; see BinaryKernel.)
/// </summary>
internal static class ExactMap
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run<TF, T>(ReadOnlySpan<T> x, Span<T> d)
        where TF : IExactFunction where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length, j = 0;
        fixed (T* px = x, pd = d)
        {
            if (Vector256.IsHardwareAccelerated && n >= 2 * Vector256<T>.Count)
            {
                int w = Vector256<T>.Count;
                int head = (int)((32 - ((nint)pd & 31)) & 31) / sizeof(T);
                for (; j < head; j++) pd[j] = TF.Scalar(px[j]);
                for (; j + 2 * w <= n; j += 2 * w)
                {
                    Vector256.StoreAligned(TF.Vector(Vector256.Load(px + j)), pd + j);
                    Vector256.StoreAligned(TF.Vector(Vector256.Load(px + j + w)), pd + j + w);
                }
                for (; j + w <= n; j += w) Vector256.StoreAligned(TF.Vector(Vector256.Load(px + j)), pd + j);
            }
            for (; j < n; j++) pd[j] = TF.Scalar(px[j]);
        }
    }
}

/// <summary>sign(x) as PyTorch: -1, 0 or 1, NaN stays NaN (0 for -0).</summary>
internal readonly struct SignOperator : IUnaryOperator
{
    public static void Invoke(ReadOnlySpan<double> x, Span<double> d) { for (int i = 0; i < x.Length; i++) d[i] = double.IsNaN(x[i]) ? double.NaN : x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; }
    public static void Invoke(ReadOnlySpan<float> x, Span<float> d) { for (int i = 0; i < x.Length; i++) d[i] = float.IsNaN(x[i]) ? float.NaN : x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; }
}
