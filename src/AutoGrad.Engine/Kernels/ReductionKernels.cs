using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>
/// Sums over all elements or over a set of dims. Floating sums accumulate in double (float32 input is summed in
/// vector chunks whose partial sums are added in double), which keeps results within PyTorch's cascade-sum
/// tolerance; integer and bool sums are exact in int64.
/// </summary>
internal static class ReductionKernels
{
    private const int Chunk = 4096;

    public static double SumAll(ReadOnlySpan<float> x)
    {
        double total = 0;
        for (int i = 0; i < x.Length; i += Chunk)
            total += TensorPrimitives.Sum(x.Slice(i, Math.Min(Chunk, x.Length - i)));
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
    /// Sums <paramref name="x"/> (shape <paramref name="shape"/>) over the dims flagged in <paramref name="reduce"/>
    /// into <paramref name="dst"/>, laid out as the kept dims in order. Walks the input once in row-major order:
    /// an innermost reduced run is one vector sum, an innermost kept run is one vector add into the output row.
    /// </summary>
    public static void SumDims(ReadOnlySpan<double> x, int[] shape, bool[] reduce, Span<double> dst)
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
