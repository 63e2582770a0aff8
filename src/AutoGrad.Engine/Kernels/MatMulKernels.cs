using System.Numerics;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>
/// C[m,n] = A[m,k] @ B[k,n] on dense row-major storage. Each output row is built as a sum of scaled rows of B
/// (one vectorized multiply-add per A element), which streams B and C contiguously.
/// </summary>
internal static class MatMulKernels
{
    /// <summary>m*n*k from which the blocked kernel is used (tuned by the benchmarks; tests force both paths).</summary>
    internal static long GemmThreshold = 16 * 16 * 16;

    /// <summary>
    /// C[m,n] = op(A) @ op(B) where op transposes a stored [k, m] A or [n, k] B (transposed views are read in place).
    /// </summary>
    public static void MatMul<T>(ReadOnlySpan<T> a, bool transA, ReadOnlySpan<T> b, bool transB, Span<T> c, int m, int k, int n)
        where T : unmanaged, INumber<T>
    {
        c = c[..(m * n)];
        // Past a few thousand multiply-adds the packed FMA kernel wins; below, packing costs more than it saves.
        if ((long)m * n * k >= GemmThreshold && Gemm.IsSupported)
        {
            if (typeof(T) == typeof(float))
            {
                Gemm.Run(MemoryMarshal.Cast<T, float>(a), MemoryMarshal.Cast<T, float>(b), MemoryMarshal.Cast<T, float>(c), m, k, n, transA, transB);
                return;
            }
            if (typeof(T) == typeof(double))
            {
                Gemm.Run(MemoryMarshal.Cast<T, double>(a), MemoryMarshal.Cast<T, double>(b), MemoryMarshal.Cast<T, double>(c), m, k, n, transA, transB);
                return;
            }
        }
        if (!transA && !transB)
        {
            // Each output row as a sum of scaled rows of B (one vectorized multiply-add per A element).
            c.Clear();
            for (int i = 0; i < m; i++)
            {
                var row = c.Slice(i * n, n);
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[i * k + p], row, row);
            }
            return;
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                    sum += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
                c[i * n + j] = sum;
            }
    }
}
