using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// The vector sum of a contiguous float or double run, in an order fixed by element index alone.
/// <para>
/// The order: the run is cut into groups of one vector (8 floats or 4 doubles) and blocks of 64 groups; within a
/// block, group g adds into chain g mod 8, lane by lane, in group order (8 values per chain lane, starting from 0).
/// Each block's 8 chains are then added into 4 double accumulators (chain c into accumulator c mod 4; float chains
/// are widened first, lanes j and j+4 added), the accumulators summed lane-wise as (d0 + d1) + (d2 + d3) and the
/// lanes as (l0 + l1) + (l2 + l3), and the last &lt;8 (or &lt;4) elements added to that in double, in order.
/// Float runs of 8 values keep the error within a few float ulps of each block's magnitude, well inside PyTorch's
/// own cascade sum's, and the double accumulators see one value per chain per block.
/// </para>
/// <para>
/// Why the aligned path: .NET arrays are only 8-byte aligned, and a 32-byte load that straddles two cache lines
/// (every other one, on a misaligned array) made the L3-bound 1e6 sums about 15% slower than on aligned data, where
/// libtorch, whose allocator aligns to 64 bytes, always is. So the loads start at the first 32-byte boundary, h
/// elements in: an aligned load then holds lanes h.. of one group and lanes ..h-1 of the next, which belong to the
/// next chain. Each physical accumulator therefore carries chain c's upper lanes and chain c+1's lower lanes, in
/// the same per-lane order as the plain loop; the block's chains are reassembled with a blend, and the double
/// accumulators rotated back into lane order once at the end. The last block ends with masked loads that read
/// nothing past the last group. The sum is thus bit for bit the same wherever the array happens to sit in memory
/// (the tests pin this against a scalar spelling of the order), and the same on one thread or many (the split
/// points are element indices). Runs shorter than 16 groups, and runs that already start on a boundary, take the
/// plain loop.
/// </para>
/// </summary>
internal static class VectorSum
{
    private const int Chains = 8;
    private const int GroupsPerBlock = 64;

    public static unsafe double Sum(ReadOnlySpan<float> x)
    {
        if (!Avx2.IsSupported)
        {
            double s = 0;
            foreach (var v in x) s += v;
            return s;
        }
        fixed (float* p = x) return SumFloat(p, x.Length);
    }

    public static unsafe double Sum(ReadOnlySpan<double> x)
    {
        if (!Avx2.IsSupported) return TensorPrimitives.Sum(x);
        fixed (double* p = x) return SumDouble(p, x.Length);
    }

    /// <summary>The most runs read in turn by <see cref="RunSums(ReadOnlySpan{float}, int, Span{double}, int)"/>.</summary>
    public const int MaxStreams = 4;

    /// <summary>
    /// sums[r] = the sum of x[r * length .. (r + 1) * length) (the last run may be shorter), each run exactly as
    /// <see cref="Sum(ReadOnlySpan{float})"/>. With <paramref name="streams"/> above 1, that many runs are read in
    /// turn, a block (2 KB) of each: one core then has several memory streams in flight instead of one, and a
    /// 1e7-float sum from memory ran about a quarter faster (1.01 -> 0.76 ms here; 1e7 doubles 2.84 -> 2.24 ms).
    /// Each run keeps its own accumulators, so the bits are those of summing the runs one by one. For data in
    /// cache it does not pay: a run's state then lives in memory between blocks (2 ns a block, 5-8% of a 1e6 sum),
    /// so callers ask for streams only for data beyond the cache; rows (runs end to end) are one stream already.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunSums(ReadOnlySpan<float> x, int length, Span<double> sums, int streams = 1)
    {
        CheckRuns(x.Length, length, sums.Length);
        if (!Avx2.IsSupported)
        {
            for (int r = 0; r < sums.Length; r++) sums[r] = Sum(x.Slice(r * length, RunLength(x.Length, length, r)));
            return;
        }
        fixed (float* p = x)
        {
            streams = Math.Clamp(streams, 1, MaxStreams);
            if (streams == 1)
            {
                for (int r = 0; r < sums.Length; r++) sums[r] = SumFloat(p + (nint)r * length, RunLength(x.Length, length, r));
                return;
            }
            for (int r = 0; r < sums.Length; r += streams)
            {
                var r0 = new FloatRun(p + (nint)r * length, RunLength(x.Length, length, r));
                var r1 = new FloatRun(p + (nint)(r + 1) * length, streams > 1 ? RunLength(x.Length, length, r + 1) : 0);
                var r2 = new FloatRun(p + (nint)(r + 2) * length, streams > 2 ? RunLength(x.Length, length, r + 2) : 0);
                var r3 = new FloatRun(p + (nint)(r + 3) * length, streams > 3 ? RunLength(x.Length, length, r + 3) : 0);
                while (!(r0.Done && r1.Done && r2.Done && r3.Done))
                {
                    if (!r0.Done) r0.Step();
                    if (!r1.Done) r1.Step();
                    if (!r2.Done) r2.Step();
                    if (!r3.Done) r3.Step();
                }
                sums[r] = r0.Finish();
                if (streams > 1 && r + 1 < sums.Length) sums[r + 1] = r1.Finish();
                if (streams > 2 && r + 2 < sums.Length) sums[r + 2] = r2.Finish();
                if (streams > 3 && r + 3 < sums.Length) sums[r + 3] = r3.Finish();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunSums(ReadOnlySpan<double> x, int length, Span<double> sums, int streams = 1)
    {
        CheckRuns(x.Length, length, sums.Length);
        if (!Avx2.IsSupported)
        {
            for (int r = 0; r < sums.Length; r++) sums[r] = Sum(x.Slice(r * length, RunLength(x.Length, length, r)));
            return;
        }
        fixed (double* p = x)
        {
            streams = Math.Clamp(streams, 1, MaxStreams);
            if (streams == 1)
            {
                for (int r = 0; r < sums.Length; r++) sums[r] = SumDouble(p + (nint)r * length, RunLength(x.Length, length, r));
                return;
            }
            for (int r = 0; r < sums.Length; r += streams)
            {
                var r0 = new DoubleRun(p + (nint)r * length, RunLength(x.Length, length, r));
                var r1 = new DoubleRun(p + (nint)(r + 1) * length, streams > 1 ? RunLength(x.Length, length, r + 1) : 0);
                var r2 = new DoubleRun(p + (nint)(r + 2) * length, streams > 2 ? RunLength(x.Length, length, r + 2) : 0);
                var r3 = new DoubleRun(p + (nint)(r + 3) * length, streams > 3 ? RunLength(x.Length, length, r + 3) : 0);
                while (!(r0.Done && r1.Done && r2.Done && r3.Done))
                {
                    if (!r0.Done) r0.Step();
                    if (!r1.Done) r1.Step();
                    if (!r2.Done) r2.Step();
                    if (!r3.Done) r3.Step();
                }
                sums[r] = r0.Finish();
                if (streams > 1 && r + 1 < sums.Length) sums[r + 1] = r1.Finish();
                if (streams > 2 && r + 2 < sums.Length) sums[r + 2] = r2.Finish();
                if (streams > 3 && r + 3 < sums.Length) sums[r + 3] = r3.Finish();
            }
        }
    }

    /// <summary>Every run but the last is whole, and the last holds at least one element.</summary>
    private static void CheckRuns(int n, int length, int runs)
    {
        if (length <= 0 || runs < 0 || (long)runs * length < n || (n > 0 && (long)(runs - 1) * length >= n))
            throw new ArgumentOutOfRangeException(nameof(runs), $"{runs} runs of {length} do not cover {n} elements");
    }

    /// <summary>Elements in run r (0 past the last run: a run that is done before it starts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int RunLength(int n, int length, int r) => (int)Math.Clamp(n - (long)r * length, 0, length);

    /// <summary>
    /// Elements before the first 32-byte boundary, and whether the aligned path takes the run: data already on a
    /// boundary takes the plain loop (the same loads, without the blends and masks), and so do runs shorter than
    /// 16 groups.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool AlignedPath(void* p, int size, int groups, out int h)
    {
        h = (int)((32 - ((nuint)p & 31)) & 31) / size;
        return h != 0 && groups >= 2 * Chains && ((nuint)p & (nuint)(size - 1)) == 0;
    }

    /// <summary>The whole float run, its state in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SumFloat(float* p, int n)
    {
        Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
        int groups = n / 8, end = groups * 8, g = 0;
        bool aligned = AlignedPath(p, sizeof(float), groups, out int h);
        if (aligned)
        {
            var high = HighLanes(h);
            var carried = FirstCarried(p, h, high);
            for (; 8 * (g + GroupsPerBlock) + h <= end; g += GroupsPerBlock)
                AlignedBlock(p + h + 8 * g, high, ref carried, ref d0, ref d1, ref d2, ref d3);
            if (g < groups) LastAlignedBlock(p + h + 8 * g, end - h - 8 * g, high, carried, ref d0, ref d1, ref d2, ref d3);
            g = groups;
        }
        for (; g + GroupsPerBlock <= groups; g += GroupsPerBlock)
            PlainFloatBlock(p + 8 * g, GroupsPerBlock, ref d0, ref d1, ref d2, ref d3);
        if (g < groups) PlainFloatBlock(p + 8 * g, groups - g, ref d0, ref d1, ref d2, ref d3);
        return FinishFloat(p, n, aligned, h, d0, d1, d2, d3);
    }

    /// <summary>
    /// One float run's sum in progress, advanced a block (64 groups) per <see cref="Step"/> so that several runs
    /// can be read in turn; between blocks its whole state is the double accumulators and the carried lanes.
    /// </summary>
    private unsafe struct FloatRun
    {
        private readonly float* _p;
        private readonly int _n, _groups, _end, _h;
        private readonly bool _aligned;
        private readonly Vector256<float> _high;
        private Vector256<float> _carried;
        private Vector256<double> _d0, _d1, _d2, _d3;
        private int _g;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public FloatRun(float* p, int n)
        {
            _p = p;
            _n = n;
            _groups = n / 8;
            _end = _groups * 8;
            _aligned = AlignedPath(p, sizeof(float), _groups, out _h);
            if (_aligned)
            {
                _high = HighLanes(_h);
                _carried = FirstCarried(p, _h, _high);
            }
        }

        public readonly bool Done => _g >= _groups;

        /// <summary>The next block of (up to) 64 groups, in the same order as <see cref="SumFloat"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Step()
        {
            // Through locals: updating the fields in place chained each add through a store and a reload.
            Vector256<double> d0 = _d0, d1 = _d1, d2 = _d2, d3 = _d3;
            if (!_aligned)
            {
                int count = Math.Min(GroupsPerBlock, _groups - _g);
                PlainFloatBlock(_p + 8 * _g, count, ref d0, ref d1, ref d2, ref d3);
                _g += count;
            }
            else if (8 * (_g + GroupsPerBlock) + _h <= _end)
            {
                var carried = _carried;
                AlignedBlock(_p + _h + 8 * _g, _high, ref carried, ref d0, ref d1, ref d2, ref d3);
                _carried = carried;
                _g += GroupsPerBlock;
            }
            else
            {
                LastAlignedBlock(_p + _h + 8 * _g, _end - _h - 8 * _g, _high, _carried, ref d0, ref d1, ref d2, ref d3);
                _g = _groups;
            }
            (_d0, _d1, _d2, _d3) = (d0, d1, d2, d3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly double Finish() => FinishFloat(_p, _n, _aligned, _h, _d0, _d1, _d2, _d3);
    }

    /// <summary>The float lanes h.. of a load at the first boundary (which belong to the next group).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> HighLanes(int h) =>
        Avx2.CompareGreaterThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(7 - h)).AsSingle();

    /// <summary>
    /// The upper lanes carried into the first block: elements 0..h-1 of the run, by a masked load that never
    /// reads memory before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> FirstCarried(float* p, int h, Vector256<float> high) => Avx.MaskLoad(p + h - 8, high);

    /// <summary>
    /// A whole block of 64 groups by aligned loads from q (the block's start plus h), whose last load reaches h
    /// elements into the next block: its upper lanes are carried into the next block's chain 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AlignedBlock(float* q, Vector256<float> high, ref Vector256<float> carried,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<float>.Zero;
        Vector256<float> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
        var c7 = Avx.Add(zero, carried);
        for (float* stop = q + 8 * (GroupsPerBlock - Chains); q < stop; q += 8 * Chains)
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
        c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
        c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 8));
        c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 16));
        c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 24));
        c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 32));
        c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 40));
        c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 48));
        var last = Avx.LoadAlignedVector256(q + 56);
        c7 = Avx.Add(c7, Avx.AndNot(high, last));
        carried = Avx.And(high, last);
        Reassemble(c0, c1, c2, c3, c4, c5, c6, c7, high, ref d0, ref d1, ref d2, ref d3);
    }

    /// <summary>
    /// The last, possibly partial, aligned block, <paramref name="left"/> elements from q to the end of the last
    /// group: whole rounds of 8 loads, then one round of masked loads that reads nothing past the last group
    /// (adding 0 to a chain leaves its bits unchanged: a chain that starts from +0 is never -0).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void LastAlignedBlock(float* q, int left, Vector256<float> high, Vector256<float> carried,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<float>.Zero;
        Vector256<float> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
        var c7 = Avx.Add(zero, carried);
        for (; left >= 8 * Chains; left -= 8 * Chains, q += 8 * Chains)
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
        if (left > 0)
        {
            var lane = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
            var limit = Vector256.Create(left);
            c0 = Avx.Add(c0, Avx.MaskLoad(q, Avx2.CompareGreaterThan(limit, lane).AsSingle()));
            c1 = Avx.Add(c1, Avx.MaskLoad(q + 8, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(8))).AsSingle()));
            c2 = Avx.Add(c2, Avx.MaskLoad(q + 16, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(16))).AsSingle()));
            c3 = Avx.Add(c3, Avx.MaskLoad(q + 24, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(24))).AsSingle()));
            c4 = Avx.Add(c4, Avx.MaskLoad(q + 32, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(32))).AsSingle()));
            c5 = Avx.Add(c5, Avx.MaskLoad(q + 40, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(40))).AsSingle()));
            c6 = Avx.Add(c6, Avx.MaskLoad(q + 48, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(48))).AsSingle()));
            c7 = Avx.Add(c7, Avx.MaskLoad(q + 56, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(56))).AsSingle()));
        }
        Reassemble(c0, c1, c2, c3, c4, c5, c6, c7, high, ref d0, ref d1, ref d2, ref d3);
    }

    /// <summary>The run's sum: the accumulators back in lane order, added up, then the last &lt;8 elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double FinishFloat(float* p, int n, bool aligned, int h,
        Vector256<double> d0, Vector256<double> d1, Vector256<double> d2, Vector256<double> d3)
    {
        if (aligned)
        {
            // The double accumulators were kept in the loads' lane order: float lane p held chain lane p + h
            // (mod 8), and widening adds lanes p and p + 4, so double lane j holds lane pair j + h (mod 4); pair m
            // moves back from lane m - h.
            var rotation = DoubleLaneRotation(-h & 3);
            d0 = Rotate(d0, rotation);
            d1 = Rotate(d1, rotation);
            d2 = Rotate(d2, rotation);
            d3 = Rotate(d3, rotation);
        }
        double total = Total(d0, d1, d2, d3);
        for (int i = n / 8 * 8; i < n; i++) total += p[i];
        return total;
    }

    /// <summary>One aligned load into each chain accumulator.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Round(float* q, ref Vector256<float> c0, ref Vector256<float> c1, ref Vector256<float> c2,
        ref Vector256<float> c3, ref Vector256<float> c4, ref Vector256<float> c5, ref Vector256<float> c6, ref Vector256<float> c7)
    {
        c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
        c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 8));
        c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 16));
        c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 24));
        c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 32));
        c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 40));
        c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 48));
        c7 = Avx.Add(c7, Avx.LoadAlignedVector256(q + 56));
    }

    /// <summary>
    /// Chain k = lanes h.. of accumulator k and lanes ..h-1 of accumulator k-1, widened and added into the double
    /// accumulators, still in the loads' lane order (rotated once at the end).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reassemble(Vector256<float> c0, Vector256<float> c1, Vector256<float> c2, Vector256<float> c3,
        Vector256<float> c4, Vector256<float> c5, Vector256<float> c6, Vector256<float> c7, Vector256<float> high,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        d0 = Avx.Add(d0, Widen(Avx.BlendVariable(c0, c7, high)));
        d1 = Avx.Add(d1, Widen(Avx.BlendVariable(c1, c0, high)));
        d2 = Avx.Add(d2, Widen(Avx.BlendVariable(c2, c1, high)));
        d3 = Avx.Add(d3, Widen(Avx.BlendVariable(c3, c2, high)));
        d0 = Avx.Add(d0, Widen(Avx.BlendVariable(c4, c3, high)));
        d1 = Avx.Add(d1, Widen(Avx.BlendVariable(c5, c4, high)));
        d2 = Avx.Add(d2, Widen(Avx.BlendVariable(c6, c5, high)));
        d3 = Avx.Add(d3, Widen(Avx.BlendVariable(c7, c6, high)));
    }

    /// <summary>Groups [0, groups) of a block at q, in the documented order, with unaligned loads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PlainFloatBlock(float* q, int groups,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<float>.Zero;
        Vector256<float> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        int g = 0;
        for (; g + Chains <= groups; g += Chains, q += 64)
        {
            c0 = Avx.Add(c0, Avx.LoadVector256(q));
            c1 = Avx.Add(c1, Avx.LoadVector256(q + 8));
            c2 = Avx.Add(c2, Avx.LoadVector256(q + 16));
            c3 = Avx.Add(c3, Avx.LoadVector256(q + 24));
            c4 = Avx.Add(c4, Avx.LoadVector256(q + 32));
            c5 = Avx.Add(c5, Avx.LoadVector256(q + 40));
            c6 = Avx.Add(c6, Avx.LoadVector256(q + 48));
            c7 = Avx.Add(c7, Avx.LoadVector256(q + 56));
        }
        int rest = groups - g;
        if (rest > 0) c0 = Avx.Add(c0, Avx.LoadVector256(q));
        if (rest > 1) c1 = Avx.Add(c1, Avx.LoadVector256(q + 8));
        if (rest > 2) c2 = Avx.Add(c2, Avx.LoadVector256(q + 16));
        if (rest > 3) c3 = Avx.Add(c3, Avx.LoadVector256(q + 24));
        if (rest > 4) c4 = Avx.Add(c4, Avx.LoadVector256(q + 32));
        if (rest > 5) c5 = Avx.Add(c5, Avx.LoadVector256(q + 40));
        if (rest > 6) c6 = Avx.Add(c6, Avx.LoadVector256(q + 48));
        d0 = Avx.Add(d0, Widen(c0));
        d1 = Avx.Add(d1, Widen(c1));
        d2 = Avx.Add(d2, Widen(c2));
        d3 = Avx.Add(d3, Widen(c3));
        d0 = Avx.Add(d0, Widen(c4));
        d1 = Avx.Add(d1, Widen(c5));
        d2 = Avx.Add(d2, Widen(c6));
        d3 = Avx.Add(d3, Widen(c7));
    }

    /// <summary>The 8 lanes of a float chain, widened and added pairwise into 4 double lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Widen(Vector256<float> v) =>
        Avx.Add(Avx.ConvertToVector256Double(v.GetLower()), Avx.ConvertToVector256Double(v.GetUpper()));

    /// <summary>The double run: the float run's order over 4-double groups; the chains need no widening.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SumDouble(double* p, int n)
    {
        Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
        int groups = n / 4, end = groups * 4, g = 0;
        bool aligned = AlignedPath(p, sizeof(double), groups, out int h);
        if (aligned)
        {
            var high = HighLanesDouble(h);
            var carried = Avx.MaskLoad(p + h - 4, high);
            for (; 4 * (g + GroupsPerBlock) + h <= end; g += GroupsPerBlock)
                AlignedBlock(p + h + 4 * g, high, ref carried, ref d0, ref d1, ref d2, ref d3);
            if (g < groups) LastAlignedBlock(p + h + 4 * g, end - h - 4 * g, high, carried, ref d0, ref d1, ref d2, ref d3);
            g = groups;
        }
        for (; g + GroupsPerBlock <= groups; g += GroupsPerBlock)
            PlainDoubleBlock(p + 4 * g, GroupsPerBlock, ref d0, ref d1, ref d2, ref d3);
        if (g < groups) PlainDoubleBlock(p + 4 * g, groups - g, ref d0, ref d1, ref d2, ref d3);
        return FinishDouble(p, n, aligned, h, d0, d1, d2, d3);
    }

    private unsafe struct DoubleRun
    {
        private readonly double* _p;
        private readonly int _n, _groups, _end, _h;
        private readonly bool _aligned;
        private readonly Vector256<double> _high;
        private Vector256<double> _carried;
        private Vector256<double> _d0, _d1, _d2, _d3;
        private int _g;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public DoubleRun(double* p, int n)
        {
            _p = p;
            _n = n;
            _groups = n / 4;
            _end = _groups * 4;
            _aligned = AlignedPath(p, sizeof(double), _groups, out _h);
            if (_aligned)
            {
                _high = HighLanesDouble(_h);
                _carried = Avx.MaskLoad(p + _h - 4, _high);
            }
        }

        public readonly bool Done => _g >= _groups;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Step()
        {
            Vector256<double> d0 = _d0, d1 = _d1, d2 = _d2, d3 = _d3;
            if (!_aligned)
            {
                int count = Math.Min(GroupsPerBlock, _groups - _g);
                PlainDoubleBlock(_p + 4 * _g, count, ref d0, ref d1, ref d2, ref d3);
                _g += count;
            }
            else if (4 * (_g + GroupsPerBlock) + _h <= _end)
            {
                var carried = _carried;
                AlignedBlock(_p + _h + 4 * _g, _high, ref carried, ref d0, ref d1, ref d2, ref d3);
                _carried = carried;
                _g += GroupsPerBlock;
            }
            else
            {
                LastAlignedBlock(_p + _h + 4 * _g, _end - _h - 4 * _g, _high, _carried, ref d0, ref d1, ref d2, ref d3);
                _g = _groups;
            }
            (_d0, _d1, _d2, _d3) = (d0, d1, d2, d3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly double Finish() => FinishDouble(_p, _n, _aligned, _h, _d0, _d1, _d2, _d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> HighLanesDouble(int h) =>
        Avx2.CompareGreaterThan(Vector256.Create(0L, 1, 2, 3), Vector256.Create(3L - h)).AsDouble();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AlignedBlock(double* q, Vector256<double> high, ref Vector256<double> carried,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<double>.Zero;
        Vector256<double> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
        var c7 = Avx.Add(zero, carried);
        for (double* stop = q + 4 * (GroupsPerBlock - Chains); q < stop; q += 4 * Chains)
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
        c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
        c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 4));
        c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 8));
        c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 12));
        c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 16));
        c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 20));
        c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 24));
        var last = Avx.LoadAlignedVector256(q + 28);
        c7 = Avx.Add(c7, Avx.AndNot(high, last));
        carried = Avx.And(high, last);
        Reassemble(c0, c1, c2, c3, c4, c5, c6, c7, high, ref d0, ref d1, ref d2, ref d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void LastAlignedBlock(double* q, int left, Vector256<double> high, Vector256<double> carried,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<double>.Zero;
        Vector256<double> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
        var c7 = Avx.Add(zero, carried);
        for (; left >= 4 * Chains; left -= 4 * Chains, q += 4 * Chains)
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
        if (left > 0)
        {
            var lane = Vector256.Create(0L, 1, 2, 3);
            var limit = Vector256.Create((long)left);
            c0 = Avx.Add(c0, Avx.MaskLoad(q, Avx2.CompareGreaterThan(limit, lane).AsDouble()));
            c1 = Avx.Add(c1, Avx.MaskLoad(q + 4, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(4L))).AsDouble()));
            c2 = Avx.Add(c2, Avx.MaskLoad(q + 8, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(8L))).AsDouble()));
            c3 = Avx.Add(c3, Avx.MaskLoad(q + 12, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(12L))).AsDouble()));
            c4 = Avx.Add(c4, Avx.MaskLoad(q + 16, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(16L))).AsDouble()));
            c5 = Avx.Add(c5, Avx.MaskLoad(q + 20, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(20L))).AsDouble()));
            c6 = Avx.Add(c6, Avx.MaskLoad(q + 24, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(24L))).AsDouble()));
            c7 = Avx.Add(c7, Avx.MaskLoad(q + 28, Avx2.CompareGreaterThan(limit, Avx2.Add(lane, Vector256.Create(28L))).AsDouble()));
        }
        Reassemble(c0, c1, c2, c3, c4, c5, c6, c7, high, ref d0, ref d1, ref d2, ref d3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double FinishDouble(double* p, int n, bool aligned, int h,
        Vector256<double> d0, Vector256<double> d1, Vector256<double> d2, Vector256<double> d3)
    {
        if (aligned)
        {
            // Lane j of the accumulators holds chain lane j + h (mod 4): chain lane m moves back from lane m - h.
            var rotation = DoubleLaneRotation(-h & 3);
            d0 = Rotate(d0, rotation);
            d1 = Rotate(d1, rotation);
            d2 = Rotate(d2, rotation);
            d3 = Rotate(d3, rotation);
        }
        double total = Total(d0, d1, d2, d3);
        for (int i = n / 4 * 4; i < n; i++) total += p[i];
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Round(double* q, ref Vector256<double> c0, ref Vector256<double> c1, ref Vector256<double> c2,
        ref Vector256<double> c3, ref Vector256<double> c4, ref Vector256<double> c5, ref Vector256<double> c6, ref Vector256<double> c7)
    {
        c0 = Avx.Add(c0, Avx.LoadAlignedVector256(q));
        c1 = Avx.Add(c1, Avx.LoadAlignedVector256(q + 4));
        c2 = Avx.Add(c2, Avx.LoadAlignedVector256(q + 8));
        c3 = Avx.Add(c3, Avx.LoadAlignedVector256(q + 12));
        c4 = Avx.Add(c4, Avx.LoadAlignedVector256(q + 16));
        c5 = Avx.Add(c5, Avx.LoadAlignedVector256(q + 20));
        c6 = Avx.Add(c6, Avx.LoadAlignedVector256(q + 24));
        c7 = Avx.Add(c7, Avx.LoadAlignedVector256(q + 28));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reassemble(Vector256<double> c0, Vector256<double> c1, Vector256<double> c2, Vector256<double> c3,
        Vector256<double> c4, Vector256<double> c5, Vector256<double> c6, Vector256<double> c7, Vector256<double> high,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        d0 = Avx.Add(d0, Avx.BlendVariable(c0, c7, high));
        d1 = Avx.Add(d1, Avx.BlendVariable(c1, c0, high));
        d2 = Avx.Add(d2, Avx.BlendVariable(c2, c1, high));
        d3 = Avx.Add(d3, Avx.BlendVariable(c3, c2, high));
        d0 = Avx.Add(d0, Avx.BlendVariable(c4, c3, high));
        d1 = Avx.Add(d1, Avx.BlendVariable(c5, c4, high));
        d2 = Avx.Add(d2, Avx.BlendVariable(c6, c5, high));
        d3 = Avx.Add(d3, Avx.BlendVariable(c7, c6, high));
    }

    /// <summary>The accumulators' sum in a spelled-out order (Vector256.Sum leaves its order to the runtime).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Total(Vector256<double> d0, Vector256<double> d1, Vector256<double> d2, Vector256<double> d3)
    {
        var s = Avx.Add(Avx.Add(d0, d1), Avx.Add(d2, d3));
        return (s.GetElement(0) + s.GetElement(1)) + (s.GetElement(2) + s.GetElement(3));
    }

    /// <summary>The permutation (of float pairs) that moves double lane (j + k) mod 4 to lane j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> DoubleLaneRotation(int k) =>
        Avx2.Add(
            Avx2.ShiftLeftLogical(Avx2.And(Avx2.Add(Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3), Vector256.Create(k)), Vector256.Create(3)), 1),
            Vector256.Create(0, 1, 0, 1, 0, 1, 0, 1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> Rotate(Vector256<double> v, Vector256<int> rotation) =>
        Avx2.PermuteVar8x32(v.AsSingle(), rotation).AsDouble();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PlainDoubleBlock(double* q, int groups,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
    {
        var zero = Vector256<double>.Zero;
        Vector256<double> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        int g = 0;
        for (; g + Chains <= groups; g += Chains, q += 32)
        {
            c0 = Avx.Add(c0, Avx.LoadVector256(q));
            c1 = Avx.Add(c1, Avx.LoadVector256(q + 4));
            c2 = Avx.Add(c2, Avx.LoadVector256(q + 8));
            c3 = Avx.Add(c3, Avx.LoadVector256(q + 12));
            c4 = Avx.Add(c4, Avx.LoadVector256(q + 16));
            c5 = Avx.Add(c5, Avx.LoadVector256(q + 20));
            c6 = Avx.Add(c6, Avx.LoadVector256(q + 24));
            c7 = Avx.Add(c7, Avx.LoadVector256(q + 28));
        }
        int rest = groups - g;
        if (rest > 0) c0 = Avx.Add(c0, Avx.LoadVector256(q));
        if (rest > 1) c1 = Avx.Add(c1, Avx.LoadVector256(q + 4));
        if (rest > 2) c2 = Avx.Add(c2, Avx.LoadVector256(q + 8));
        if (rest > 3) c3 = Avx.Add(c3, Avx.LoadVector256(q + 12));
        if (rest > 4) c4 = Avx.Add(c4, Avx.LoadVector256(q + 16));
        if (rest > 5) c5 = Avx.Add(c5, Avx.LoadVector256(q + 20));
        if (rest > 6) c6 = Avx.Add(c6, Avx.LoadVector256(q + 24));
        d0 = Avx.Add(d0, c0);
        d1 = Avx.Add(d1, c1);
        d2 = Avx.Add(d2, c2);
        d3 = Avx.Add(d3, c3);
        d0 = Avx.Add(d0, c4);
        d1 = Avx.Add(d1, c5);
        d2 = Avx.Add(d2, c6);
        d3 = Avx.Add(d3, c7);
    }
}
