using System.Buffers;
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
    /// <summary>
    /// Float sum in double accumulators: <see cref="VectorSum"/> over runs of at most <see cref="Leaf"/> elements,
    /// the run sums combined in a balanced tree so that very long rows lose no accuracy. Widening every vector to
    /// double instead (an exact double sum) ran at the speed of the float-to-double converts, twice libtorch's time.
    /// </summary>
    public static double SumAll(ReadOnlySpan<float> x)
    {
        if (x.Length <= Leaf) return VectorSum.Sum(x);
        int half = (x.Length / 2 + Leaf - 1) / Leaf * Leaf;
        return SumAll(x[..half]) + SumAll(x[half..]);
    }

    public static double SumAll(ReadOnlySpan<double> x)
    {
        if (x.Length <= Leaf) return VectorSum.Sum(x);
        int half = (x.Length / 2 + Leaf - 1) / Leaf * Leaf;
        return SumAll(x[..half]) + SumAll(x[half..]);
    }

    /// <summary>The longest run summed in one pass (the parallel split's block, so a block is one leaf).</summary>
    private const int Leaf = ParallelBlock;

    public static long SumAll(ReadOnlySpan<long> x) => TensorPrimitives.Sum(x);

    public static long SumAll(ReadOnlySpan<bool> x)
    {
        long n = 0;
        foreach (var b in x) if (b) n++;
        return n;
    }

    /// <summary>
    /// Whole-array sums: fixed blocks of <see cref="ParallelBlock"/> elements, each a vector sum, their partial sums
    /// added in block order, so the result is the same bits whatever the thread count. Large arrays split across
    /// threads as one contiguous run of blocks per thread (each core streams its own range), and a range beyond the
    /// cache is read with software prefetch (<see cref="ReadAheadBytes"/>).
    /// </summary>
    public static double SumAll(float[] x) => BlockedSum(x, 0, x.Length);

    public static double SumAll(double[] x) => BlockedSum(x, 0, x.Length);

    /// <summary>The blocked sum of <paramref name="length"/> elements from <paramref name="offset"/>.</summary>
    public static double SumAll<T>(T[] x, int offset, int length) where T : unmanaged => BlockedSum(x, offset, length);

    private const int ParallelBlock = 1 << 16;

    /// <summary>
    /// A thread's range of blocks from this size on comes from memory, not cache (half the L3 and up, as for
    /// <see cref="BinaryKernel"/>'s streamed results), and is summed with software prefetch
    /// (<see cref="VectorSum.RunSums(ReadOnlySpan{float}, int, Span{double}, bool)"/>); in cache the prefetches would
    /// only cost instructions (docs/performance.md, design measurements).
    /// </summary>
    private const long ReadAheadBytes = 16L << 20;

    private static double BlockedSum<T>(T[] x, int offset, int n) where T : unmanaged
    {
        if (n <= ParallelBlock) return RowSum<T>(x.AsSpan(offset, n));
        int blocks = (n + ParallelBlock - 1) / ParallelBlock;
        var partial = new double[blocks];
        if (ParallelChunks.Worth(n)) ParallelChunks.RunRanges(blocks, (first, count) => BlockSums(x, offset, n, first, count, partial));
        else BlockSums(x, offset, n, 0, blocks, partial);
        double total = 0;
        foreach (var p in partial) total += p;
        return total;
    }

    /// <summary>partial[b] = the sum of block b, for blocks [first, first + count).</summary>
    private static void BlockSums<T>(T[] x, int offset, int n, int first, int count, double[] partial) where T : unmanaged
    {
        int start = first * ParallelBlock;
        var run = x.AsSpan(offset + start, Math.Min(count * ParallelBlock, n - start));
        bool readAhead = (long)run.Length * Unsafe.SizeOf<T>() >= ReadAheadBytes;
        if (typeof(T) == typeof(float)) VectorSum.RunSums(MemoryMarshal.Cast<T, float>(run), ParallelBlock, partial.AsSpan(first, count), readAhead);
        else VectorSum.RunSums(MemoryMarshal.Cast<T, double>(run), ParallelBlock, partial.AsSpan(first, count), readAhead);
    }

    /// <summary>
    /// Sums a float or double tensor <paramref name="x"/> (shape <paramref name="shape"/>) over the dims flagged in
    /// <paramref name="reduce"/> into double accumulators <paramref name="dst"/>, laid out as the kept dims in order.
    /// Walks the input once in row-major order: an innermost reduced run is one vector sum; rows that add into the
    /// same output row (an innermost kept run) are summed 8 at a time (in float for float32, then widened) and
    /// added once (<see cref="SumRowGroup(ReadOnlySpan{float}, int, int, Span{double})"/>). The two common shapes,
    /// [kept, reduced] and [reduced, kept] after coalescing, go straight to their loops, split across threads when
    /// large (by output rows, or by column strips); every output element is summed in the same order either way, so
    /// the bits do not depend on the thread count.
    /// </summary>
    public static void SumDims<T>(T[] x, int[] shape, bool[] reduce, double[] dst) where T : unmanaged
    {
        Array.Clear(dst);
        if (x.Length == 0) return;
        var rows = new ReductionRows(shape, reduce);
        if (rows.TwoRuns(out int outer, out int inner))
        {
            bool parallel = ParallelChunks.Worth(x.Length);
            if (rows.InnerReduced)
            {
                if (parallel && outer >= 2) ParallelChunks.RunRanges(outer, (start, count) => SumEachRow(x, inner, start, count, dst));
                else SumEachRow(x, inner, 0, outer, dst);
            }
            else if (parallel && inner >= 128)
                ParallelChunks.RunRanges(inner, (start, count) => SumColumnStrip<T>(x, outer, inner, start, count, dst));
            else SumColumns<T>(x, outer, inner, 0, dst.AsSpan(0, inner));
            return;
        }
        SumRows<T>(x, rows, dst);
    }

    /// <summary>dst[r] = the sum of row r of a [rows, inner] matrix, for rows [start, start + count).</summary>
    private static void SumEachRow<T>(T[] x, int inner, int start, int count, double[] dst) where T : unmanaged
    {
        var rows = x.AsSpan(start * inner, count * inner);
        var sums = dst.AsSpan(start, count);
        // Rows up to a leaf long go to the vector sum directly, without the per-row calls in between.
        if (inner > Leaf)
            for (int r = 0; r < count; r++) sums[r] = RowSum<T>(rows.Slice(r * inner, inner));
        else if (typeof(T) == typeof(float)) VectorSum.RunSums(MemoryMarshal.Cast<T, float>(rows), inner, sums);
        else VectorSum.RunSums(MemoryMarshal.Cast<T, double>(rows), inner, sums);
    }

    private static void SumRows<T>(ReadOnlySpan<T> x, ReductionRows rows, Span<double> dst) where T : unmanaged
    {
        int inner = rows.Inner;
        if (rows.InnerReduced)
        {
            foreach (var (offIn, offOut) in rows) dst[offOut] += RowSum(x.Slice(offIn, inner));
            return;
        }
        // Rows bound for the same output row are consecutive in memory (the reduced run sits just outside the
        // kept inner run); they go to SumRowGroup in groups of up to 8.
        int groupStart = 0, groupRows = 0, groupOut = 0;
        foreach (var (offIn, offOut) in rows)
        {
            if (groupRows == RowGroup || (groupRows > 0 && offOut != groupOut))
            {
                SumRowGroup(x[groupStart..], inner, groupRows, dst.Slice(groupOut, inner));
                groupRows = 0;
            }
            if (groupRows == 0) { groupStart = offIn; groupOut = offOut; }
            groupRows++;
        }
        SumRowGroup(x[groupStart..], inner, groupRows, dst.Slice(groupOut, inner));
    }

    /// <summary>sums[i] += sum over r of x[r, start + i] for the columns [start, start + sums.Length) of a
    /// [rows, cols] matrix.</summary>
    private static void SumColumns<T>(T[] x, int rows, int cols, int start, Span<double> sums) where T : unmanaged
    {
        for (int r = 0; r < rows; r += RowGroup)
            SumRowGroup<T>(x.AsSpan(r * cols + start), cols, Math.Min(RowGroup, rows - r), sums);
    }

    /// <summary>
    /// <see cref="SumColumns{T}"/> for one thread's strip of columns, summed into a buffer of the thread's own and
    /// copied to dst once. Summed in place, the cache line of dst that holds both strips' edge columns was written by
    /// both threads once per row group: a [1000,1000] float32 dim-0 sum on two threads ran at one thread's speed
    /// whenever dst's two halves met inside a line, as 7 of 8 placements do (false sharing). The sums are the
    /// same (dst starts at zero either way).
    /// </summary>
    private static void SumColumnStrip<T>(T[] x, int rows, int cols, int start, int count, double[] dst)
        where T : unmanaged
    {
        // A line's worth of padding on each side: another thread's buffer may sit right after this one.
        double[] own = ArrayPool<double>.Shared.Rent(count + 16);
        try
        {
            var sums = own.AsSpan(8, count);
            sums.Clear();
            SumColumns<T>(x, rows, cols, start, sums);
            sums.CopyTo(dst.AsSpan(start, count));
        }
        finally
        {
            ArrayPool<double>.Shared.Return(own);
        }
    }

    private const int RowGroup = 8;

    private static void SumRowGroup<T>(ReadOnlySpan<T> x, int stride, int rows, Span<double> dst) where T : unmanaged
    {
        if (typeof(T) == typeof(float)) SumRowGroup(MemoryMarshal.Cast<T, float>(x), stride, rows, dst);
        else SumRowGroup(MemoryMarshal.Cast<T, double>(x), stride, rows, dst);
    }

    /// <summary>
    /// dst[c] += x[0, c] + x[1, c] + ... + x[rows - 1, c] for the rows (at most 8, <paramref name="stride"/> apart)
    /// of a float matrix: the rows are added in float in registers, in row order, and the column sums widened and
    /// added once. Widening every row cost as much as the converts themselves; 8-row float runs keep the error
    /// within a few ulps of the run's magnitude. The vector strips start at the first row's first 32-byte boundary
    /// (a load that straddles two cache lines costs a second one); the columns before it take the scalar loop, in
    /// the same order, so the bits are the same however the columns are split or placed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumRowGroup(ReadOnlySpan<float> x, int stride, int rows, Span<double> dst)
    {
        if (rows == 0) return;
        int n = dst.Length;
        fixed (float* p = x)
        fixed (double* d = dst)
        {
            int c = 0;
            if (Avx.IsSupported)
            {
                int head = Math.Min(n, (int)((32 - ((nuint)p & 31)) & 31) / sizeof(float));
                for (; c < head; c++) d[c] += ColumnSum(p + c, stride, rows);
                // 32 columns at a time: four accumulators stay in registers while the rows stream past.
                for (; c + 32 <= n; c += 32)
                {
                    float* q = p + c;
                    var v0 = Avx.LoadVector256(q);
                    var v1 = Avx.LoadVector256(q + 8);
                    var v2 = Avx.LoadVector256(q + 16);
                    var v3 = Avx.LoadVector256(q + 24);
                    for (int r = 1; r < rows; r++)
                    {
                        q += stride;
                        v0 = Avx.Add(v0, Avx.LoadVector256(q));
                        v1 = Avx.Add(v1, Avx.LoadVector256(q + 8));
                        v2 = Avx.Add(v2, Avx.LoadVector256(q + 16));
                        v3 = Avx.Add(v3, Avx.LoadVector256(q + 24));
                    }
                    AddWidened(d + c, v0);
                    AddWidened(d + c + 8, v1);
                    AddWidened(d + c + 16, v2);
                    AddWidened(d + c + 24, v3);
                }
                for (; c + 8 <= n; c += 8)
                {
                    var v = Avx.LoadVector256(p + c);
                    for (int r = 1; r < rows; r++) v = Avx.Add(v, Avx.LoadVector256(p + r * stride + c));
                    AddWidened(d + c, v);
                }
            }
            for (; c < n; c++) d[c] += ColumnSum(p + c, stride, rows);
        }
    }

    /// <summary>One column of a row group, in the vector loop's order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe float ColumnSum(float* p, int stride, int rows)
    {
        float v = p[0];
        for (int r = 1; r < rows; r++) v += p[r * stride];
        return v;
    }

    /// <summary>d[0..8] += the 8 floats of v, widened.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AddWidened(double* d, Vector256<float> v)
    {
        Avx.Store(d, Avx.Add(Avx.LoadVector256(d), Avx.ConvertToVector256Double(v.GetLower())));
        Avx.Store(d + 4, Avx.Add(Avx.LoadVector256(d + 4), Avx.ConvertToVector256Double(v.GetUpper())));
    }

    /// <summary>
    /// The double version: dst[c] += ((x[0, c] + x[1, c]) + ...) + x[rows - 1, c], 16 columns in registers at a
    /// time, from the first 32-byte boundary. Adding each row straight into dst instead read and wrote the
    /// destination once per row, and split its loads across cache lines.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SumRowGroup(ReadOnlySpan<double> x, int stride, int rows, Span<double> dst)
    {
        if (rows == 0) return;
        int n = dst.Length;
        fixed (double* p = x)
        fixed (double* d = dst)
        {
            int c = 0;
            if (Avx.IsSupported)
            {
                int head = Math.Min(n, (int)((32 - ((nuint)p & 31)) & 31) / sizeof(double));
                for (; c < head; c++) d[c] += ColumnSum(p + c, stride, rows);
                for (; c + 16 <= n; c += 16)
                {
                    double* q = p + c;
                    var v0 = Avx.LoadVector256(q);
                    var v1 = Avx.LoadVector256(q + 4);
                    var v2 = Avx.LoadVector256(q + 8);
                    var v3 = Avx.LoadVector256(q + 12);
                    for (int r = 1; r < rows; r++)
                    {
                        q += stride;
                        v0 = Avx.Add(v0, Avx.LoadVector256(q));
                        v1 = Avx.Add(v1, Avx.LoadVector256(q + 4));
                        v2 = Avx.Add(v2, Avx.LoadVector256(q + 8));
                        v3 = Avx.Add(v3, Avx.LoadVector256(q + 12));
                    }
                    Avx.Store(d + c, Avx.Add(Avx.LoadVector256(d + c), v0));
                    Avx.Store(d + c + 4, Avx.Add(Avx.LoadVector256(d + c + 4), v1));
                    Avx.Store(d + c + 8, Avx.Add(Avx.LoadVector256(d + c + 8), v2));
                    Avx.Store(d + c + 12, Avx.Add(Avx.LoadVector256(d + c + 12), v3));
                }
                for (; c + 4 <= n; c += 4)
                {
                    var v = Avx.LoadVector256(p + c);
                    for (int r = 1; r < rows; r++) v = Avx.Add(v, Avx.LoadVector256(p + r * stride + c));
                    Avx.Store(d + c, Avx.Add(Avx.LoadVector256(d + c), v));
                }
            }
            for (; c < n; c++) d[c] += ColumnSum(p + c, stride, rows);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double ColumnSum(double* p, int stride, int rows)
    {
        double v = p[0];
        for (int r = 1; r < rows; r++) v += p[r * stride];
        return v;
    }

    private static double RowSum<T>(ReadOnlySpan<T> row) where T : unmanaged =>
        typeof(T) == typeof(float)
            ? SumAll(MemoryMarshal.Cast<T, float>(row))
            : SumAll(MemoryMarshal.Cast<T, double>(row));

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

    /// <summary>True when the coalesced input is two runs, one kept and one reduced: [outer, inner].</summary>
    public bool TwoRuns(out int outer, out int inner)
    {
        outer = _sizes.Length == 2 ? _sizes[0] : 0;
        inner = _sizes[^1];
        return _sizes.Length == 2;
    }

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
