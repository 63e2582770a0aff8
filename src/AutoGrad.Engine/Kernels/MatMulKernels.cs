using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>
/// C[m,n] = A[m,k] @ B[k,n] on dense row-major storage. Each output row is built as a sum of scaled rows of B
/// (one vectorized multiply-add per A element), which streams B and C contiguously.
/// </summary>
internal static class MatMulKernels
{
    public static void MatMul<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, INumber<T>
    {
        c.Clear();
        for (int i = 0; i < m; i++)
        {
            var row = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                T s = a[i * k + p];
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), s, row, row);
            }
        }
    }
}
