using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Kernels;

/// <summary>
/// softmax and log_softmax along the last dim of a contiguous tensor, a row at a time, as PyTorch's vectorized
/// lastdim kernels compute them in the input's own type: the row's max; e^(x - max) through the vectorized exp
/// (<see cref="SingleExp"/>, <see cref="VectorMath"/>), summed in the same pass; then e * (1 / sum), or
/// (x - max) - log(sum). Rows are split across the worker threads when the tensor is large.
/// </summary>
internal static unsafe class SoftmaxKernels
{
    public static void LastDim<T>(T[] x, T[] y, int cols, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = x.Length / cols;
        if (ParallelChunks.Worth(x.Length) && rows > 1)
            ParallelChunks.RunRanges(rows, (first, count) => Rows(x, y, first, count, cols, log));
        else
            Rows(x, y, 0, rows, cols, log);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows<T>(T[] x, T[] y, int first, int count, int cols, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* px = x, py = y)
            for (int r = first; r < first + count; r++)
            {
                var row = new ReadOnlySpan<T>(px + (long)r * cols, cols);
                var output = new Span<T>(py + (long)r * cols, cols);
                T max = TensorPrimitives.Max(row);
                T sum = ExpShiftedSum(row, output, max, store: !log);
                if (log)
                {
                    // (x - max) - log(sum): PyTorch's two roundings.
                    TensorPrimitives.Subtract(row, max, output);
                    TensorPrimitives.Subtract(output, T.Log(sum), output);
                }
                else
                    TensorPrimitives.Multiply(output, T.One / sum, output);
            }
    }

    /// <summary>The sum of e^(x - max) over the row, written to <paramref name="y"/> as well when <paramref name="store"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static T ExpShiftedSum<T>(ReadOnlySpan<T> x, Span<T> y, T max, bool store) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0, n = x.Length;
        T sum = T.Zero;
        fixed (T* px = x, py = y)
        {
            if (VectorLoop.UseWideLanes)
            {
                var acc = Vector512<T>.Zero;
                var m = Vector512.Create(max);
                for (; i + Vector512<T>.Count <= n; i += Vector512<T>.Count)
                {
                    var e = Exp(Vector512.Load(px + i) - m);
                    if (store) e.Store(py + i);
                    acc += e;
                }
                sum += Vector512.Sum(acc);
            }
            if (VectorLoop.IsSupported)
            {
                var acc = Vector256<T>.Zero;
                var m = Vector256.Create(max);
                for (; i + Vector256<T>.Count <= n; i += Vector256<T>.Count)
                {
                    var e = Exp(Vector256.Load(px + i) - m);
                    if (store) e.Store(py + i);
                    acc += e;
                }
                sum += Vector256.Sum(acc);
            }
            for (; i < n; i++)
            {
                T e = ScalarExp(px[i] - max);
                if (store) py[i] = e;
                sum += e;
            }
        }
        return sum;
    }

    /// <summary>The tail's exp: float32 through the same lanes (so a value's result does not depend on where it sits), float64 Math.Exp.</summary>
    private static T ScalarExp<T>(T v) where T : unmanaged, IFloatingPointIeee754<T> =>
        typeof(T) == typeof(float) ? T.CreateTruncating(SingleExp.Scalar(float.CreateTruncating(v))) : T.Exp(v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<T> Exp<T>(Vector512<T> v) where T : unmanaged =>
        typeof(T) == typeof(float) ? SingleExp.ApplyWide(v.AsSingle()).As<float, T>() : VectorMath.Exp(v.AsDouble()).As<double, T>();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Exp<T>(Vector256<T> v) where T : unmanaged =>
        typeof(T) == typeof(float) ? SingleExp.Apply(v.AsSingle()).As<float, T>() : VectorMath.Exp(v.AsDouble()).As<double, T>();
}
