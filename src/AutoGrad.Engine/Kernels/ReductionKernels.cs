using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// Sums over all elements or over a set of dims. Floating sums accumulate in double (float32 input is widened a
/// chunk at a time), which is at least as accurate as PyTorch's cascade sum; integer and bool sums are exact in
/// int64.
/// </summary>
internal static class ReductionKernels
{
    private const int Chunk = 4096;

    /// <summary>
    /// Float sum with double accumulators: each vector of 8 floats is widened to two vectors of 4 doubles in
    /// registers and added to four double accumulators, so the sum is as accurate as summing in double (float
    /// lanes drift by an ulp over a few hundred thousand values) at the cost of a float sum: it is bound by memory.
    /// </summary>
    public static unsafe double SumAll(ReadOnlySpan<float> x)
    {
        int i = 0;
        double total = 0;
        if (Avx.IsSupported && x.Length >= 32)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            var acc2 = Vector256<double>.Zero;
            var acc3 = Vector256<double>.Zero;
            fixed (float* p = x)
            {
                for (; i + 16 <= x.Length; i += 16)
                {
                    var a = Avx.LoadVector256(p + i);
                    var b = Avx.LoadVector256(p + i + 8);
                    acc0 = Avx.Add(acc0, Avx.ConvertToVector256Double(a.GetLower()));
                    acc1 = Avx.Add(acc1, Avx.ConvertToVector256Double(a.GetUpper()));
                    acc2 = Avx.Add(acc2, Avx.ConvertToVector256Double(b.GetLower()));
                    acc3 = Avx.Add(acc3, Avx.ConvertToVector256Double(b.GetUpper()));
                }
            }
            total = Vector256.Sum(Avx.Add(Avx.Add(acc0, acc1), Avx.Add(acc2, acc3)));
        }
        for (; i < x.Length; i++) total += x[i];
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
        var rows = new ReductionRows(shape, reduce);
        foreach (var (offIn, offOut) in rows)
        {
            var row = x.Slice(offIn, rows.Inner);
            if (rows.InnerReduced) dst[offOut] += RowSum(row);
            else AddWidened(dst.Slice(offOut, rows.Inner), row);
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
        var rows = new ReductionRows(shape, reduce);
        foreach (var (offIn, offOut) in rows)
        {
            var row = x.Slice(offIn, rows.Inner);
            if (rows.InnerReduced) dst[offOut] += TensorPrimitives.Sum(row);
            else TensorPrimitives.Add(dst.Slice(offOut, rows.Inner), row, dst.Slice(offOut, rows.Inner));
        }
    }
}

/// <summary>
/// The row structure of a reduction over a dense input: dims coalesced into runs that are all reduced or all
/// kept (so a [N, M] sum over dim 1 is N vector sums of length M), an innermost run of <see cref="Inner"/>
/// elements, and the outer runs walked with an odometer. Enumerates each row's start in the input and its start
/// in the output (the output stride is 0 along reduced runs).
/// </summary>
internal readonly struct ReductionRows
{
    private readonly int[] _sizes;
    private readonly int[] _outStrides;

    public ReductionRows(int[] shape, bool[] reduce)
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
        _sizes = sizes.ToArray();
        _outStrides = new int[sizes.Count];
        int s = 1;
        for (int d = sizes.Count - 1; d >= 0; d--)
        {
            _outStrides[d] = kinds[d] ? 0 : s;
            if (!kinds[d]) s *= sizes[d];
        }
    }

    public int Inner => _sizes[^1];

    public bool InnerReduced => _outStrides[^1] == 0;

    public Enumerator GetEnumerator() => new(this);

    public struct Enumerator
    {
        private readonly int[] _sizes, _outStrides, _index;
        private readonly int _total;
        private int _offIn, _offOut;
        private bool _started;

        internal Enumerator(ReductionRows rows)
        {
            _sizes = rows._sizes;
            _outStrides = rows._outStrides;
            _index = new int[_sizes.Length - 1];
            _total = 1;
            foreach (var n in _sizes) _total *= n;
            _offIn = _offOut = 0;
            _started = false;
        }

        public (int OffsetIn, int OffsetOut) Current => (_offIn, _offOut);

        public bool MoveNext()
        {
            if (!_started) { _started = true; return _total > 0; }
            _offIn += _sizes[^1];
            if (_offIn >= _total) return false;
            for (int d = _index.Length - 1; d >= 0; d--)
            {
                _index[d]++;
                _offOut += _outStrides[d];
                if (_index[d] < _sizes[d]) break;
                _offOut -= _outStrides[d] * _index[d];
                _index[d] = 0;
            }
            return true;
        }
    }
}
