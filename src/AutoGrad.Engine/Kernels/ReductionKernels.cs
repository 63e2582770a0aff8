using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace AutoGrad.Kernels;

/// <summary>
/// Sums over all elements or over a set of dims. Floating sums accumulate in double (float32 input is widened a
/// chunk at a time), which is at least as accurate as PyTorch's cascade sum; integer and bool sums are exact in
/// int64.
/// </summary>
internal static class ReductionKernels
{
    private const int Chunk = 4096;

    public static double SumAll(ReadOnlySpan<float> x)
    {
        // Widen to double a cache-sized chunk at a time and sum in double: float lanes accumulating thousands of
        // values drift by several ulps, double ones do not.
        Span<double> wide = stackalloc double[512];
        double total = 0;
        for (int i = 0; i < x.Length; i += wide.Length)
        {
            int n = Math.Min(wide.Length, x.Length - i);
            TensorPrimitives.ConvertTruncating<float, double>(x.Slice(i, n), wide[..n]);
            total += TensorPrimitives.Sum<double>(wide[..n]);
        }
        return total;
    }

    public static double SumAll(ReadOnlySpan<double> x)
    {
        // Pairwise over chunks: each chunk is a vectorized sum, chunk sums combine in a balanced tree.
        if (x.Length <= Chunk) return TensorPrimitives.Sum(x);
        int half = (x.Length / 2 + Chunk - 1) / Chunk * Chunk;
        return SumAll(x[..half]) + SumAll(x[half..]);
    }

    public static long SumAll(ReadOnlySpan<long> x) => TensorPrimitives.Sum(x);

    public static long SumAll(ReadOnlySpan<bool> x)
    {
        long n = 0;
        foreach (var b in x) if (b) n++;
        return n;
    }

    /// <summary>
    /// Whole-array sums, split across threads for large arrays. The split is into fixed blocks whose partial sums
    /// are added in block order, so the result is the same bits whatever the thread count.
    /// </summary>
    public static double SumAll(float[] x) => ParallelSum(x.Length, (s, l) => SumAll(x.AsSpan(s, l)));

    public static double SumAll(double[] x) => ParallelSum(x.Length, (s, l) => SumAll(x.AsSpan(s, l)));

    private const int ParallelBlock = 1 << 16;

    private static double ParallelSum(int n, Func<int, int, double> sumRange)
    {
        if (n < ParallelChunks.Threshold) return sumRange(0, n);
        // Large arrays are always summed in the same blocks, threaded or not, so the bits never depend on threads.
        int blocks = (n + ParallelBlock - 1) / ParallelBlock;
        var partial = new double[blocks];
        void SumBlock(int b)
        {
            int start = b * ParallelBlock;
            partial[b] = sumRange(start, Math.Min(ParallelBlock, n - start));
        }
        if (Parallelism.NumThreads > 1) Parallel.For(0, blocks, Parallelism.Options, SumBlock);
        else for (int b = 0; b < blocks; b++) SumBlock(b);
        double total = 0;
        foreach (var p in partial) total += p;
        return total;
    }

    /// <summary>
    /// Sums a float or double tensor <paramref name="x"/> (shape <paramref name="shape"/>) over the dims flagged in
    /// <paramref name="reduce"/> into double accumulators <paramref name="dst"/>, laid out as the kept dims in order.
    /// Walks the input once in row-major order: an innermost reduced run is one vector sum, an innermost kept run
    /// is widened to double a chunk at a time and added into the output row (no full-size double copy).
    /// </summary>
    public static void SumDims<T>(ReadOnlySpan<T> x, int[] shape, bool[] reduce, Span<double> dst) where T : unmanaged
    {
        dst.Clear();
        if (x.Length == 0) return;
        var (sizes, outStrides) = Layout(shape, reduce);
        int rank = sizes.Length;
        int inner = sizes[rank - 1];
        bool innerReduced = outStrides[rank - 1] == 0;
        var index = new int[rank - 1];
        int offOut = 0;
        for (int offIn = 0; offIn < x.Length; offIn += inner)
        {
            var row = x.Slice(offIn, inner);
            if (innerReduced) dst[offOut] += RowSum(row);
            else AddWidened(dst.Slice(offOut, inner), row);
            for (int d = rank - 2; d >= 0; d--)
            {
                index[d]++;
                offOut += outStrides[d];
                if (index[d] < sizes[d]) break;
                offOut -= outStrides[d] * index[d];
                index[d] = 0;
            }
        }
    }

    private static double RowSum<T>(ReadOnlySpan<T> row) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? SumAll(MemoryMarshal.Cast<T, float>(row))
            : SumAll(MemoryMarshal.Cast<T, double>(row));

    private static void AddWidened<T>(Span<double> dst, ReadOnlySpan<T> row) where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            TensorPrimitives.Add(dst, MemoryMarshal.Cast<T, double>(row), dst);
            return;
        }
        var f = MemoryMarshal.Cast<T, float>(row);
        Span<double> wide = stackalloc double[256];
        for (int i = 0; i < f.Length; i += wide.Length)
        {
            int n = Math.Min(wide.Length, f.Length - i);
            TensorPrimitives.ConvertTruncating<float, double>(f.Slice(i, n), wide[..n]);
            TensorPrimitives.Add(dst.Slice(i, n), wide[..n], dst.Slice(i, n));
        }
    }

    public static void SumDims(ReadOnlySpan<long> x, int[] shape, bool[] reduce, Span<long> dst)
    {
        dst.Clear();
        if (x.Length == 0) return;
        var (sizes, outStrides) = Layout(shape, reduce);
        int rank = sizes.Length;
        int inner = sizes[rank - 1];
        bool innerReduced = outStrides[rank - 1] == 0;
        var index = new int[rank - 1];
        int offOut = 0;
        for (int offIn = 0; offIn < x.Length; offIn += inner)
        {
            var row = x.Slice(offIn, inner);
            if (innerReduced) dst[offOut] += TensorPrimitives.Sum(row);
            else TensorPrimitives.Add(dst.Slice(offOut, inner), row, dst.Slice(offOut, inner));
            for (int d = rank - 2; d >= 0; d--)
            {
                index[d]++;
                offOut += outStrides[d];
                if (index[d] < sizes[d]) break;
                offOut -= outStrides[d] * index[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>
    /// Coalesced dims of the input and, for each, the stride of the output (0 where reduced). Adjacent dims merge
    /// when both are reduced or both are kept, so a [N, M] sum over dim 1 is N vector sums of length M.
    /// </summary>
    private static (int[] Sizes, int[] OutStrides) Layout(int[] shape, bool[] reduce)
    {
        var sizes = new List<int>();
        var kinds = new List<bool>();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            if (kinds.Count > 0 && kinds[^1] == reduce[d]) sizes[^1] *= shape[d];
            else { sizes.Add(shape[d]); kinds.Add(reduce[d]); }
        }
        if (sizes.Count == 0) { sizes.Add(1); kinds.Add(true); }
        var outStrides = new int[sizes.Count];
        int s = 1;
        for (int d = sizes.Count - 1; d >= 0; d--)
        {
            outStrides[d] = kinds[d] ? 0 : s;
            if (!kinds[d]) s *= sizes[d];
        }
        return (sizes.ToArray(), outStrides);
    }
}
