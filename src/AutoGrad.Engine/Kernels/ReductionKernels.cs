using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
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
    /// registers and added to one of eight double accumulators, so the sum is as accurate as summing in double
    /// (float lanes drift by an ulp over a few hundred thousand values). Eight independent accumulators hide the
    /// add latency, so it runs at the speed of a float sum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe double SumAll(ReadOnlySpan<float> x)
    {
        int i = 0;
        double total = 0;
        if (Avx.IsSupported && x.Length >= 32)
        {
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default,
                a4 = default, a5 = default, a6 = default, a7 = default;
            fixed (float* p = x)
            {
                for (; i + 32 <= x.Length; i += 32)
                {
                    var v0 = Avx.LoadVector256(p + i);
                    var v1 = Avx.LoadVector256(p + i + 8);
                    var v2 = Avx.LoadVector256(p + i + 16);
                    var v3 = Avx.LoadVector256(p + i + 24);
                    a0 = Avx.Add(a0, Avx.ConvertToVector256Double(v0.GetLower()));
                    a1 = Avx.Add(a1, Avx.ConvertToVector256Double(v0.GetUpper()));
                    a2 = Avx.Add(a2, Avx.ConvertToVector256Double(v1.GetLower()));
                    a3 = Avx.Add(a3, Avx.ConvertToVector256Double(v1.GetUpper()));
                    a4 = Avx.Add(a4, Avx.ConvertToVector256Double(v2.GetLower()));
                    a5 = Avx.Add(a5, Avx.ConvertToVector256Double(v2.GetUpper()));
                    a6 = Avx.Add(a6, Avx.ConvertToVector256Double(v3.GetLower()));
                    a7 = Avx.Add(a7, Avx.ConvertToVector256Double(v3.GetUpper()));
                }
            }
            var sum = Avx.Add(Avx.Add(Avx.Add(a0, a1), Avx.Add(a2, a3)), Avx.Add(Avx.Add(a4, a5), Avx.Add(a6, a7)));
            total = Vector256.Sum(sum);
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

    /// <summary>dst += row, the row widened to double on the fly (8 floats -> 2 x 4 doubles per step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddWidened<T>(Span<double> dst, ReadOnlySpan<T> row) where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            TensorPrimitives.Add(dst, MemoryMarshal.Cast<T, double>(row), dst);
            return;
        }
        var f = MemoryMarshal.Cast<T, float>(row);
        int i = 0;
        if (Avx.IsSupported)
        {
            fixed (float* src = f)
            fixed (double* d = dst)
            {
                for (; i + 8 <= f.Length; i += 8)
                {
                    var v = Avx.LoadVector256(src + i);
                    Avx.Store(d + i, Avx.Add(Avx.LoadVector256(d + i), Avx.ConvertToVector256Double(v.GetLower())));
                    Avx.Store(d + i + 4, Avx.Add(Avx.LoadVector256(d + i + 4), Avx.ConvertToVector256Double(v.GetUpper())));
                }
            }
        }
        for (; i < f.Length; i++) dst[i] += f[i];
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
