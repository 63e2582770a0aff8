using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// The vector sum of a contiguous float or double run, in an order fixed by element index alone.
/// <para>
/// The order: the run is cut into groups of one vector (8 floats or 4 doubles) and blocks of 128 groups; within a
/// block, group g adds into chain g mod 8, lane by lane, in group order (16 values per chain lane, starting from 0).
/// Each block's 8 chains are then added into 4 double accumulators (chain c into accumulator c mod 4; float chains
/// are widened first, lanes j and j+4 added), the accumulators summed lane-wise as (d0 + d1) + (d2 + d3) and the
/// lanes as (l0 + l1) + (l2 + l3), and the last &lt;8 (or &lt;4) elements added to that in double, in order.
/// Float runs of 16 values keep the error within a few float ulps of each block's magnitude, well inside PyTorch's
/// own cascade sum's, and the double accumulators see one value per chain per block. Why 128 groups: each block
/// ends in a reassembly that widens its 8 chains to double (about 56 instructions); at 64 groups that was a
/// quarter of a 1000-float sum's time in L1, and 128 made 1e6-float sums 7-11% and 1000-float rows 4% faster
/// (256 gained nothing more).
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
/// <para>
/// One generic spelling serves both element types: <see cref="ILanes{T}"/> holds the little that differs (masks,
/// masked loads, and how a chain enters the double accumulators), and the JIT compiles each instantiation to the
/// same code the two hand-written copies had.
/// </para>
/// </summary>
internal static class VectorSum
{
    private const int Chains = 8;
    private const int GroupsPerBlock = 128;

    public static unsafe double Sum(ReadOnlySpan<float> x)
    {
        if (!Avx2.IsSupported)
        {
            double s = 0;
            foreach (var v in x) s += v;
            return s;
        }
        fixed (float* p = x) return SumRun<float, FloatLanes, NoReadAhead>(p, x.Length);
    }

    public static unsafe double Sum(ReadOnlySpan<double> x)
    {
        if (!Avx2.IsSupported) return TensorPrimitives.Sum(x);
        fixed (double* p = x) return SumRun<double, DoubleLanes, NoReadAhead>(p, x.Length);
    }

    /// <summary>
    /// sums[r] = the sum of x[r * length .. (r + 1) * length) (the last run may be shorter), each run exactly as
    /// <see cref="Sum(ReadOnlySpan{float})"/>. With <paramref name="readAhead"/>, the loops prefetch
    /// <see cref="ReadAhead.Bytes"/> ahead of their loads: for data from memory rather than cache (the hardware
    /// prefetcher alone left a 1e7-float sum at two thirds of the memory's speed here); the bits do not change.
    /// </summary>
    public static void RunSums(ReadOnlySpan<float> x, int length, Span<double> sums, bool readAhead = false) =>
        RunSums<float, FloatLanes>(x, length, sums, readAhead);

    public static void RunSums(ReadOnlySpan<double> x, int length, Span<double> sums, bool readAhead = false) =>
        RunSums<double, DoubleLanes>(x, length, sums, readAhead);

    private static unsafe void RunSums<T, L>(ReadOnlySpan<T> x, int length, Span<double> sums, bool readAhead)
        where T : unmanaged where L : ILanes<T>
    {
        CheckRuns(x.Length, length, sums.Length);
        if (!Avx2.IsSupported)
        {
            for (int r = 0; r < sums.Length; r++)
            {
                var run = x.Slice(r * length, RunLength(x.Length, length, r));
                sums[r] = typeof(T) == typeof(float) ? Sum(MemoryMarshal.Cast<T, float>(run)) : Sum(MemoryMarshal.Cast<T, double>(run));
            }
            return;
        }
        fixed (T* p = x)
        {
            if (readAhead) RunSums<T, L, ReadAhead>(p, x.Length, length, sums);
            else RunSums<T, L, NoReadAhead>(p, x.Length, length, sums);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunSums<T, L, A>(T* p, int n, int length, Span<double> sums)
        where T : unmanaged where L : ILanes<T> where A : IReadAhead
    {
        int w = Vector256<T>.Count;
        // Rows that all start at the same distance from a boundary (on one, too): one aligned stream.
        if (sums.Length > 1 && length % w == 0 && (long)length * sizeof(T) % 32 == 0 && (long)sums.Length * length == n
            && length / w >= 2 * Chains && ((nuint)p & (nuint)(sizeof(T) - 1)) == 0)
        {
            AlignedRows<T, L, A>(p, length, (int)((32 - ((nuint)p & 31)) & 31) / sizeof(T), sums);
            return;
        }
        for (int r = 0; r < sums.Length; r++) sums[r] = SumRun<T, L, A>(p + (nint)r * length, RunLength(n, length, r));
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
    private static unsafe bool AlignedPath<T>(T* p, int groups, out int h) where T : unmanaged
    {
        h = (int)((32 - ((nuint)p & 31)) & 31) / sizeof(T);
        return h != 0 && groups >= 2 * Chains && ((nuint)p & (nuint)(sizeof(T) - 1)) == 0;
    }

    /// <summary>The whole run, its state in registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe double SumRun<T, L, A>(T* p, int n) where T : unmanaged where L : ILanes<T> where A : IReadAhead
    {
        int width = Vector256<T>.Count;
        Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
        int groups = n / width, end = groups * width, g = 0;
        bool aligned = AlignedPath(p, groups, out int h);
        if (aligned)
        {
            var high = L.High(h);
            var carried = L.MaskLoad(p + h - width, high);
            for (; width * (g + GroupsPerBlock) + h <= end; g += GroupsPerBlock)
                AlignedBlock<T, L, A>(p + h + width * g, high, ref carried, ref d0, ref d1, ref d2, ref d3);
            if (g < groups) LastAlignedBlock<T, L>(p + h + width * g, end - h - width * g, high, ref carried, false, ref d0, ref d1, ref d2, ref d3);
            g = groups;
        }
        for (; g + GroupsPerBlock <= groups; g += GroupsPerBlock)
            PlainBlock<T, L, A>(p + width * g, GroupsPerBlock, ref d0, ref d1, ref d2, ref d3);
        if (g < groups) PlainBlock<T, L, A>(p + width * g, groups - g, ref d0, ref d1, ref d2, ref d3);
        return FinishRun(p, n, aligned, h, d0, d1, d2, d3);
    }

    /// <summary>
    /// The rows of a matrix whose rows all start h elements before a 32-byte boundary (a row a whole number of vectors
    /// and of 32 bytes long), each summed as <see cref="SumRun"/> sums it, read as one aligned stream: a row's last
    /// aligned load also holds the next row's first h elements, which pass into that row as a block's carried lanes
    /// pass into the next block. No row but the first and the last pays a masked load, nor recomputes its masks
    /// (misaligned rows in L3 about 8% faster, rows on a boundary a little). With h = 0 the blends keep every lane and nothing
    /// is carried, which is the plain loop's order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AlignedRows<T, L, A>(T* p, int length, int h, Span<double> sums)
        where T : unmanaged where L : ILanes<T> where A : IReadAhead
    {
        int w = Vector256<T>.Count;
        var high = L.High(h);
        var carried = L.MaskLoad(p + h - w, high);
        for (int r = 0; r < sums.Length; r++)
        {
            T* row = p + (nint)r * length;
            Vector256<double> d0 = default, d1 = default, d2 = default, d3 = default;
            int g = 0;
            for (; w * (g + GroupsPerBlock) + h <= length; g += GroupsPerBlock)
                AlignedBlock<T, L, A>(row + h + w * g, high, ref carried, ref d0, ref d1, ref d2, ref d3);
            // The last row's partial vector would reach past the data: a masked load, as for a lone run.
            LastAlignedBlock<T, L>(row + h + w * g, length - h - w * g, high, ref carried, r + 1 < sums.Length,
                ref d0, ref d1, ref d2, ref d3);
            sums[r] = FinishRun(row, length, aligned: h != 0, h, d0, d1, d2, d3);
        }
    }

    /// <summary>
    /// A whole block of 128 groups by aligned loads from q (the block's start plus h), whose last load reaches h
    /// elements into the next block: its upper lanes are carried into the next block's chain 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AlignedBlock<T, L, A>(T* q, Vector256<T> high, ref Vector256<T> carried,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
        where T : unmanaged where L : ILanes<T> where A : IReadAhead
    {
        int w = Vector256<T>.Count;
        var zero = Vector256<T>.Zero;
        Vector256<T> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
        var c7 = zero + carried;
        // Rounds 1-7 (a block always has them), then the eighth with its last load split.
        T* stop = q + w * (GroupsPerBlock - Chains);
        do
        {
            A.Touch(q);
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
            q += w * Chains;
        }
        while (q < stop);
        c0 += Vector256.LoadAligned(q);
        c1 += Vector256.LoadAligned(q + w);
        c2 += Vector256.LoadAligned(q + 2 * w);
        c3 += Vector256.LoadAligned(q + 3 * w);
        c4 += Vector256.LoadAligned(q + 4 * w);
        c5 += Vector256.LoadAligned(q + 5 * w);
        c6 += Vector256.LoadAligned(q + 6 * w);
        var last = Vector256.LoadAligned(q + 7 * w);
        c7 += Vector256.AndNot(last, high);
        carried = last & high;
        Reassemble<T, L>(c0, c1, c2, c3, c4, c5, c6, c7, high, ref d0, ref d1, ref d2, ref d3);
    }

    /// <summary>
    /// The last, possibly partial, aligned block, <paramref name="left"/> elements from q to the end of the last
    /// group: whole rounds of 8 loads, then one round that reads nothing past the last group (its partial vector by a
    /// masked load: adding 0 to a chain leaves its bits unchanged, a chain that starts from +0 is never -0). With
    /// <paramref name="carryOut"/> the data goes on past the run (the next row of a matrix): the partial vector is
    /// loaded whole, and its upper lanes, the next run's first elements, are left in <paramref name="carried"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void LastAlignedBlock<T, L>(T* q, int left, Vector256<T> high, ref Vector256<T> carried, bool carryOut,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
        where T : unmanaged where L : ILanes<T>
    {
        int w = Vector256<T>.Count;
        var zero = Vector256<T>.Zero;
        Vector256<T> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero;
        var c7 = zero + carried;
        for (; left >= w * Chains; left -= w * Chains, q += w * Chains)
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7);
        if (left > 0)
        {
            var limit = L.Limit(left);
            TailLoad<T, L>(ref c0, q, left, 0, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c1, q, left, w, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c2, q, left, 2 * w, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c3, q, left, 3 * w, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c4, q, left, 4 * w, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c5, q, left, 5 * w, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c6, q, left, 6 * w, limit, high, ref carried, carryOut);
            TailLoad<T, L>(ref c7, q, left, 7 * w, limit, high, ref carried, carryOut);
        }
        Reassemble<T, L>(c0, c1, c2, c3, c4, c5, c6, c7, high, ref d0, ref d1, ref d2, ref d3);
    }

    /// <summary>
    /// The last round's load into one chain, the vector at q + first: whole (an aligned load), partial (a masked
    /// load of the lanes below <paramref name="left"/>; with <paramref name="carryOut"/>, a whole load split at the
    /// aligned path's lane h, the upper lanes carried out), or past the end (nothing). Branching beats eight masked
    /// loads: the rows of a matrix all take the same branches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void TailLoad<T, L>(ref Vector256<T> chain, T* q, int left, int first, Vector256<T> limit,
        Vector256<T> high, ref Vector256<T> carried, bool carryOut)
        where T : unmanaged where L : ILanes<T>
    {
        if (left >= first + Vector256<T>.Count) chain += Vector256.LoadAligned(q + first);
        else if (left > first)
        {
            if (carryOut)
            {
                var last = Vector256.LoadAligned(q + first);
                chain += Vector256.AndNot(last, high);
                carried = last & high;
            }
            else chain += L.MaskLoad(q + first, L.Below(limit, first));
        }
    }

    /// <summary>
    /// One load into each chain accumulator: aligned loads (which fault on a misaligned address, so a wrong pointer
    /// cannot pass unnoticed) on the aligned path, plain ones on the plain loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Round<T>(T* q, ref Vector256<T> c0, ref Vector256<T> c1, ref Vector256<T> c2,
        ref Vector256<T> c3, ref Vector256<T> c4, ref Vector256<T> c5, ref Vector256<T> c6, ref Vector256<T> c7,
        bool aligned = true)
        where T : unmanaged
    {
        int w = Vector256<T>.Count;
        c0 += aligned ? Vector256.LoadAligned(q) : Vector256.Load(q);
        c1 += aligned ? Vector256.LoadAligned(q + w) : Vector256.Load(q + w);
        c2 += aligned ? Vector256.LoadAligned(q + 2 * w) : Vector256.Load(q + 2 * w);
        c3 += aligned ? Vector256.LoadAligned(q + 3 * w) : Vector256.Load(q + 3 * w);
        c4 += aligned ? Vector256.LoadAligned(q + 4 * w) : Vector256.Load(q + 4 * w);
        c5 += aligned ? Vector256.LoadAligned(q + 5 * w) : Vector256.Load(q + 5 * w);
        c6 += aligned ? Vector256.LoadAligned(q + 6 * w) : Vector256.Load(q + 6 * w);
        c7 += aligned ? Vector256.LoadAligned(q + 7 * w) : Vector256.Load(q + 7 * w);
    }

    /// <summary>
    /// Chain k = lanes h.. of accumulator k and lanes ..h-1 of accumulator k-1, added into the double accumulators,
    /// still in the loads' lane order (rotated once at the end).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Reassemble<T, L>(Vector256<T> c0, Vector256<T> c1, Vector256<T> c2, Vector256<T> c3,
        Vector256<T> c4, Vector256<T> c5, Vector256<T> c6, Vector256<T> c7, Vector256<T> high,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
        where T : unmanaged where L : ILanes<T> =>
        AddChains<T, L>(L.Blend(c0, c7, high), L.Blend(c1, c0, high), L.Blend(c2, c1, high), L.Blend(c3, c2, high),
            L.Blend(c4, c3, high), L.Blend(c5, c4, high), L.Blend(c6, c5, high), L.Blend(c7, c6, high),
            ref d0, ref d1, ref d2, ref d3);

    /// <summary>A block's chains into the double accumulators: chain c into accumulator c mod 4, in chain order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddChains<T, L>(Vector256<T> c0, Vector256<T> c1, Vector256<T> c2, Vector256<T> c3,
        Vector256<T> c4, Vector256<T> c5, Vector256<T> c6, Vector256<T> c7,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
        where T : unmanaged where L : ILanes<T>
    {
        d0 += L.Widen(c0);
        d1 += L.Widen(c1);
        d2 += L.Widen(c2);
        d3 += L.Widen(c3);
        d0 += L.Widen(c4);
        d1 += L.Widen(c5);
        d2 += L.Widen(c6);
        d3 += L.Widen(c7);
    }

    /// <summary>Groups [0, groups) of a block at q, in the documented order, with unaligned loads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PlainBlock<T, L, A>(T* q, int groups,
        ref Vector256<double> d0, ref Vector256<double> d1, ref Vector256<double> d2, ref Vector256<double> d3)
        where T : unmanaged where L : ILanes<T> where A : IReadAhead
    {
        int w = Vector256<T>.Count;
        var zero = Vector256<T>.Zero;
        Vector256<T> c0 = zero, c1 = zero, c2 = zero, c3 = zero, c4 = zero, c5 = zero, c6 = zero, c7 = zero;
        int g = 0;
        for (; g + Chains <= groups; g += Chains, q += w * Chains)
        {
            A.Touch(q);
            Round(q, ref c0, ref c1, ref c2, ref c3, ref c4, ref c5, ref c6, ref c7, aligned: false);
        }
        int rest = groups - g;
        if (rest > 0) c0 += Vector256.Load(q);
        if (rest > 1) c1 += Vector256.Load(q + w);
        if (rest > 2) c2 += Vector256.Load(q + 2 * w);
        if (rest > 3) c3 += Vector256.Load(q + 3 * w);
        if (rest > 4) c4 += Vector256.Load(q + 4 * w);
        if (rest > 5) c5 += Vector256.Load(q + 5 * w);
        if (rest > 6) c6 += Vector256.Load(q + 6 * w);
        AddChains<T, L>(c0, c1, c2, c3, c4, c5, c6, c7, ref d0, ref d1, ref d2, ref d3);
    }

    /// <summary>The run's sum: the accumulators back in lane order, added up, then the last partial group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double FinishRun<T>(T* p, int n, bool aligned, int h,
        Vector256<double> d0, Vector256<double> d1, Vector256<double> d2, Vector256<double> d3) where T : unmanaged
    {
        // The accumulators added lane-wise in a spelled-out order (Vector256.Sum leaves its order to the runtime).
        var sum = (d0 + d1) + (d2 + d3);
        if (aligned)
        {
            // The double accumulators were kept in the loads' lane order. Doubles: lane j holds chain lane j + h
            // (mod 4). Floats: float lane p held chain lane p + h (mod 8), and widening adds lanes p and p + 4, so
            // double lane j holds lane pair j + h (mod 4). Either way lane m moves back from lane m - h; the
            // lane-wise sum commutes with that move, so one permute of the sum does it.
            sum = Rotate(sum, DoubleLaneRotation(-h & 3));
        }
        double total = (sum.GetElement(0) + sum.GetElement(1)) + (sum.GetElement(2) + sum.GetElement(3));
        for (int i = n / Vector256<T>.Count * Vector256<T>.Count; i < n; i++)
            total += typeof(T) == typeof(float) ? ((float*)p)[i] : ((double*)p)[i];
        return total;
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

    /// <summary>What differs between float and double runs.</summary>
    private interface ILanes<T> where T : unmanaged
    {
        /// <summary>The lanes h.. of a load at the first boundary (which belong to the next group).</summary>
        static abstract Vector256<T> High(int h);

        /// <summary><paramref name="left"/> in every lane (as integers of the lane's width), for <see cref="Below"/>.</summary>
        static abstract Vector256<T> Limit(int left);

        /// <summary>The lanes k with first + k below the <paramref name="limit"/>.</summary>
        static abstract Vector256<T> Below(Vector256<T> limit, int first);

        /// <summary>A load of the masked lanes only; the others read nothing and are 0.</summary>
        static abstract unsafe Vector256<T> MaskLoad(T* p, Vector256<T> mask);

        /// <summary>A chain as it enters the double accumulators.</summary>
        static abstract Vector256<double> Widen(Vector256<T> chain);

        /// <summary>Lanes of <paramref name="b"/> where the mask is set, else of <paramref name="a"/> (one blend).</summary>
        static abstract Vector256<T> Blend(Vector256<T> a, Vector256<T> b, Vector256<T> mask);
    }

    private readonly struct FloatLanes : ILanes<float>
    {
        private static Vector256<int> Lane => Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> High(int h) => Avx2.CompareGreaterThan(Lane, Vector256.Create(7 - h)).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Limit(int left) => Vector256.Create(left).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Below(Vector256<float> limit, int first) =>
            Avx2.CompareGreaterThan(limit.AsInt32(),
                Vector256.Create(first, first + 1, first + 2, first + 3, first + 4, first + 5, first + 6, first + 7)).AsSingle();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<float> MaskLoad(float* p, Vector256<float> mask) => Avx.MaskLoad(p, mask);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Blend(Vector256<float> a, Vector256<float> b, Vector256<float> mask) => Avx.BlendVariable(a, b, mask);

        /// <summary>The 8 lanes widened and added pairwise (j and j + 4) into 4 double lanes.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Widen(Vector256<float> chain) =>
            Avx.ConvertToVector256Double(chain.GetLower()) + Avx.ConvertToVector256Double(chain.GetUpper());
    }

    private readonly struct DoubleLanes : ILanes<double>
    {
        private static Vector256<long> Lane => Vector256.Create(0L, 1, 2, 3);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> High(int h) => Avx2.CompareGreaterThan(Lane, Vector256.Create(3L - h)).AsDouble();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Limit(int left) => Vector256.Create((long)left).AsDouble();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Below(Vector256<double> limit, int first) =>
            Avx2.CompareGreaterThan(limit.AsInt64(), Vector256.Create(first, first + 1L, first + 2L, first + 3L)).AsDouble();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe Vector256<double> MaskLoad(double* p, Vector256<double> mask) => Avx.MaskLoad(p, mask);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Blend(Vector256<double> a, Vector256<double> b, Vector256<double> mask) => Avx.BlendVariable(a, b, mask);

        /// <summary>Double chains enter as they are.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Widen(Vector256<double> chain) => chain;
    }
}

/// <summary>What a sum's block loop does before each round of eight vector loads (256 bytes).</summary>
internal interface IReadAhead
{
    static abstract unsafe void Touch(void* q);
}

/// <summary>Nothing: data in cache.</summary>
internal readonly struct NoReadAhead : IReadAhead
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Touch(void* q) { }
}

/// <summary>
/// Prefetches the four cache lines <see cref="Bytes"/> ahead of the round: for data from memory, where the hardware
/// prefetcher alone kept too few lines in flight (docs/performance.md, design measurements). A prefetch past the end
/// of the data is harmless: it never faults.
/// </summary>
internal readonly struct ReadAhead : IReadAhead
{
    public const int Bytes = 16 << 10;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Touch(void* q)
    {
        byte* b = (byte*)q + Bytes;
        Sse.Prefetch0(b);
        Sse.Prefetch0(b + 64);
        Sse.Prefetch0(b + 128);
        Sse.Prefetch0(b + 192);
    }
}
