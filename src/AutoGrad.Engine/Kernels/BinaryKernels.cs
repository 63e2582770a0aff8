using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace AutoGrad.Kernels;

/// <summary>
/// An elementwise binary operator on scalars and on vectors, for the row loop every binary op runs through.
/// </summary>
internal interface IBinaryOperator
{
    static abstract T Invoke<T>(T x, T y) where T : unmanaged, INumber<T>;
    static abstract Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T>;
}

internal readonly struct AddOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x + y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T> => x + y;
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x - y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T> => x - y;
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x * y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T> => x * y;
}

internal readonly struct DivideOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x / y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T> => x / y;
}

/// <summary>How a row reads one operand: element j of a contiguous run, or one value repeated.</summary>
internal interface IOperand
{
    static abstract unsafe Vector256<T> Vector<T>(T* p, int j) where T : unmanaged;
    static abstract unsafe T Scalar<T>(T* p, int j) where T : unmanaged;
    static abstract bool Repeats { get; }
}

internal readonly struct Contiguous : IOperand
{
    public static unsafe Vector256<T> Vector<T>(T* p, int j) where T : unmanaged => Vector256.Load(p + j);
    public static unsafe T Scalar<T>(T* p, int j) where T : unmanaged => p[j];
    public static bool Repeats => false;
}

internal readonly struct Repeated : IOperand
{
    public static unsafe Vector256<T> Vector<T>(T* p, int j) where T : unmanaged => Vector256.Create(*p);
    public static unsafe T Scalar<T>(T* p, int j) where T : unmanaged => *p;
    public static bool Repeats => true;
}

/// <summary>
/// Runs a binary operator over two broadcast operands into a dense output, without materializing the broadcast:
/// dims are coalesced, and each innermost row is one kernel call whose operands are either contiguous (stride 1)
/// or a single repeated value (stride 0).
/// </summary>
internal static class BinaryKernel
{
    /// <summary>
    /// Results from this size on are written around the cache (non-temporal stores): at half the L3 and up, the
    /// destination lines would be evicted before anything reads them, and an ordinary store first reads each line
    /// in (read for ownership), a third more memory traffic for a binary op. A 1e7-float add into a reused buffer:
    /// 3.69 ms with ordinary stores, 2.56 ms streaming (a plain copy of 1e7 floats: 2.74 ms). Below it, results
    /// stay in cache for the ops that read them next (TensorPrimitives streams from 256 KB, which made 1e6 adds
    /// memory-bound).
    /// </summary>
    private const long StreamingBytes = 16L << 20;

    public static unsafe void Run<TOp, T>(T[] a, int[] aShape, T[] b, int[] bShape, T[] dst, int[] outShape)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        int n = dst.Length;
        if (n == 0) return;
        bool streaming = (long)n * sizeof(T) >= StreamingBytes;
        // Fast paths: equal layouts, and a tensor with a single value (x + 2, x * scalar), each one row; large
        // ones are split into contiguous chunks across threads. (TensorPrimitives' span loops are not used:
        // past a size threshold they store around the cache, which left a 1e6 add bound by memory writes, no
        // faster on two threads than on one.)
        if (a.Length == n && b.Length == n)
        {
            fixed (T* pa = a, pb = b, pd = dst)
            {
                nint xa = (nint)pa, xb = (nint)pb, xd = (nint)pd;
                if (ParallelChunks.Worth(n))
                    ParallelChunks.Run(n, (s, l) => { Row<TOp, T, Contiguous, Contiguous>((T*)xa + s, (T*)xb + s, (T*)xd + s, l, streaming); Fence(streaming); });
                else { Row<TOp, T, Contiguous, Contiguous>(pa, pb, pd, n, streaming); Fence(streaming); }
            }
            return;
        }
        if (a.Length == n && b.Length == 1 || a.Length == 1 && b.Length == n)
        {
            // The single value is read once into a local, so writing the destination can never change it.
            T scalar = a.Length == 1 ? a[0] : b[0];
            T[] vector = a.Length == 1 ? b : a;
            fixed (T* pv = vector, pd = dst)
            {
                nint xv = (nint)pv, xd = (nint)pd;
                bool scalarFirst = a.Length == 1 && n > 1;
                if (ParallelChunks.Worth(n))
                    ParallelChunks.Run(n, (s, l) =>
                    {
                        T y = scalar;
                        RowWithScalar<TOp, T>((T*)xv + s, &y, (T*)xd + s, l, scalarFirst, streaming);
                        Fence(streaming);
                    });
                else
                {
                    T y = scalar;
                    RowWithScalar<TOp, T>(pv, &y, pd, n, scalarFirst, streaming);
                    Fence(streaming);
                }
            }
            return;
        }

        var loop = BroadcastLoop.Create(outShape, aShape, bShape);
        int rows = n / loop.InnerSize;
        // Large broadcasts split their rows across threads ([1000,1000] + [1000] is 1000 rows of 1000). Rows are
        // not streamed: a row's scalar head and tail share cache lines with its streamed middle, and mixing the two
        // kinds of store on a line made a [10000,1000] + [1000] add 1.8x slower (5.65 ms against 3.0-3.2 ms).
        if (ParallelChunks.Worth(n) && rows > 1)
            ParallelChunks.RunRanges(rows, (first, count) => RunRows<TOp, T>(loop, first, count, a, b, dst));
        else
            RunRows<TOp, T>(loop, 0, rows, a, b, dst);
    }

    private static unsafe void RunRows<TOp, T>(BroadcastLoop loop, int firstRow, int rowCount, T[] a, T[] b, T[] dst)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        switch (loop.InnerStrideA, loop.InnerStrideB)
        {
            case (1, 1): RunRows<TOp, T, Contiguous, Contiguous>(loop, firstRow, rowCount, a, b, dst); break;
            case (1, 0): RunRows<TOp, T, Contiguous, Repeated>(loop, firstRow, rowCount, a, b, dst); break;
            case (0, 1): RunRows<TOp, T, Repeated, Contiguous>(loop, firstRow, rowCount, a, b, dst); break;
            default: RunRows<TOp, T, Repeated, Repeated>(loop, firstRow, rowCount, a, b, dst); break;  // a one-element output
        }
    }

    /// <summary>
    /// Rows [firstRow, firstRow + rowCount), taken as runs along the innermost outer dim: within a run the rows lie at
    /// linear offsets, so the odometer moves once a run ([1000,1000] + [1000] is one run of 1000 rows, [100,10,1000] +
    /// [10,1000] 100 runs of 10).
    /// </summary>
    private static unsafe void RunRows<TOp, T, TX, TY>(BroadcastLoop loop, int firstRow, int rowCount, T[] a, T[] b, T[] dst)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T> where TX : IOperand where TY : IOperand
    {
        int inner = loop.InnerSize;
        var (strideA, strideB) = loop.InnermostOuterStrides;
        var rows = loop.GetEnumerator(firstRow);
        // Pinned once for all rows: a [1000,1000] + [1000] add is 1000 short rows, and per-row span and pinning
        // overhead was a measurable part of it.
        fixed (T* pa = a, pb = b, pd = dst)
        {
            T* d = pd + (long)firstRow * inner;
            for (int done = 0; done < rowCount && rows.NextRun(rowCount - done, out int offA, out int offB, out int count);
                 done += count, d += (long)count * inner)
                LinearRows<TOp, T, TX, TY>(pa + offA, strideA, pb + offB, strideB, d, count, inner);
        }
    }

    /// <summary>
    /// Rows at linear offsets. A method of its own on purpose: inlined into the odometer loop, the row loop shared
    /// registers with it and spilled to the stack around every row, which made a [1000,1000] + [1000] float add
    /// 7-8% slower than the same loop alone (91 against 85 us on one thread, 48 against 44 on two).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void LinearRows<TOp, T, TX, TY>(T* pa, int strideA, T* pb, int strideB, T* pd, int rows, int inner)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T> where TX : IOperand where TY : IOperand
    {
        for (int r = 0; r < rows; r++, pa += strideA, pb += strideB, pd += inner)
        {
            // A value repeated along the row is read into a local first: the destination may be an operand's
            // storage (add_ writes into its own), and writing the row must not change the value it adds.
            T x = *pa, y = *pb;
            Row<TOp, T, TX, TY>(TX.Repeats ? &x : pa, TY.Repeats ? &y : pb, pd, inner, streaming: false);
        }
    }

    /// <summary>
    /// Streaming stores are weakly ordered: each thread makes its own visible before the op returns or joins.
    /// </summary>
    private static void Fence(bool streaming)
    {
        if (streaming && Sse.IsSupported) Sse.StoreFence();
    }

    /// <summary>
    /// One broadcast row, both operands contiguous. Rows are short (a [1000,1000] + [1000] add is 1000 rows), so
    /// TensorPrimitives' per-call setup showed (0.122 ns an element against 0.086 for this loop, which is what a
    /// plain copy of the same bytes takes here). The destination is brought to a 32-byte boundary first, so no
    /// store splits a cache line. Head and tail are overlapping unaligned vectors, except when the destination is
    /// an operand (add_ writes into its own storage): an element computed twice would then be added twice, so
    /// they are scalar there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Row<TOp, T, TX, TY>(T* px, T* py, T* pd, int n, bool streaming)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T> where TX : IOperand where TY : IOperand
    {
        int j = 0;
        if (Vector256.IsHardwareAccelerated && n >= 2 * Vector256<T>.Count)
        {
            int w = Vector256<T>.Count;
            int head = (int)((32 - ((nint)pd & 31)) & 31) / sizeof(T);
            bool distinct = pd != px && pd != py;
            if (distinct)
            {
                // One unaligned vector covers the head; the aligned loop then redoes part of it from intact inputs.
                Vector256.Store(TOp.Invoke(TX.Vector(px, 0), TY.Vector(py, 0)), pd);
                j = head;
            }
            for (; j < head; j++) pd[j] = TOp.Invoke(TX.Scalar(px, j), TY.Scalar(py, j));
            if (streaming)
            {
                for (; j + 2 * w <= n; j += 2 * w)
                {
                    Vector256.StoreAlignedNonTemporal(TOp.Invoke(TX.Vector(px, j), TY.Vector(py, j)), pd + j);
                    Vector256.StoreAlignedNonTemporal(TOp.Invoke(TX.Vector(px, j + w), TY.Vector(py, j + w)), pd + j + w);
                }
            }
            for (; j + 4 * w <= n; j += 4 * w)
            {
                Vector256.StoreAligned(TOp.Invoke(TX.Vector(px, j), TY.Vector(py, j)), pd + j);
                Vector256.StoreAligned(TOp.Invoke(TX.Vector(px, j + w), TY.Vector(py, j + w)), pd + j + w);
                Vector256.StoreAligned(TOp.Invoke(TX.Vector(px, j + 2 * w), TY.Vector(py, j + 2 * w)), pd + j + 2 * w);
                Vector256.StoreAligned(TOp.Invoke(TX.Vector(px, j + 3 * w), TY.Vector(py, j + 3 * w)), pd + j + 3 * w);
            }
            for (; j + w <= n; j += w)
                Vector256.StoreAligned(TOp.Invoke(TX.Vector(px, j), TY.Vector(py, j)), pd + j);
            if (j < n && distinct)
            {
                Vector256.Store(TOp.Invoke(TX.Vector(px, n - w), TY.Vector(py, n - w)), pd + n - w);
                j = n;
            }
        }
        for (; j < n; j++) pd[j] = TOp.Invoke(TX.Scalar(px, j), TY.Scalar(py, j));
    }

    /// <summary>A row with one operand a single value (<paramref name="scalar"/> points at a private copy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RowWithScalar<TOp, T>(T* vector, T* scalar, T* pd, int n, bool scalarFirst, bool streaming)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        if (scalarFirst) Row<TOp, T, Repeated, Contiguous>(scalar, vector, pd, n, streaming);
        else Row<TOp, T, Contiguous, Repeated>(vector, scalar, pd, n, streaming);
    }

    /// <summary>Same traversal for an operator given as a scalar function (used where no span form exists).</summary>
    public static void RunScalar<T>(T[] a, int[] aShape, T[] b, int[] bShape, T[] dst, int[] outShape, Func<T, T, T> op)
    {
        int n = dst.Length;
        if (n == 0) return;
        var loop = BroadcastLoop.Create(outShape, aShape, bShape);
        int inner = loop.InnerSize, sa = loop.InnerStrideA, sb = loop.InnerStrideB;
        int offD = 0;
        foreach (var (offA, offB) in loop)
        {
            for (int i = 0; i < inner; i++) dst[offD + i] = op(a[offA + i * sa], b[offB + i * sb]);
            offD += inner;
        }
    }
}

/// <summary>
/// The row structure of a broadcast binary op: after dropping size-1 dims and merging dims that are contiguous
/// for both operands, an innermost row (stride 0 or 1 per operand) and outer dims walked with an odometer.
/// Enumerates the start offset of each row in the two operands.
/// </summary>
internal readonly struct BroadcastLoop
{
    private readonly int[] _sizes;    // outer dims, outermost first
    private readonly int[] _stridesA;
    private readonly int[] _stridesB;

    public int InnerSize { get; }
    public int InnerStrideA { get; }
    public int InnerStrideB { get; }

    private BroadcastLoop(int[] sizes, int[] sa, int[] sb, int inner, int ia, int ib)
    {
        _sizes = sizes; _stridesA = sa; _stridesB = sb;
        InnerSize = inner; InnerStrideA = ia; InnerStrideB = ib;
    }

    public static BroadcastLoop Create(int[] outShape, int[] aShape, int[] bShape)
    {
        var sa = Shapes.BroadcastStrides(aShape, outShape);
        var sb = Shapes.BroadcastStrides(bShape, outShape);
        var sizes = new List<int>(outShape.Length);
        var la = new List<int>(outShape.Length);
        var lb = new List<int>(outShape.Length);
        for (int d = 0; d < outShape.Length; d++)
        {
            if (outShape[d] == 1) continue;
            int last = sizes.Count - 1;
            // Merge into the previous (outer) dim when both operands step through them as one run.
            if (last >= 0 && la[last] == sa[d] * outShape[d] && lb[last] == sb[d] * outShape[d])
            {
                sizes[last] *= outShape[d];
                la[last] = sa[d];
                lb[last] = sb[d];
            }
            else
            {
                sizes.Add(outShape[d]);
                la.Add(sa[d]);
                lb.Add(sb[d]);
            }
        }
        if (sizes.Count == 0) return new BroadcastLoop([], [], [], 1, 0, 0);
        int k = sizes.Count - 1;
        return new BroadcastLoop(sizes.GetRange(0, k).ToArray(), la.GetRange(0, k).ToArray(), lb.GetRange(0, k).ToArray(),
            sizes[k], la[k], lb[k]);
    }

    /// <summary>The operands' strides along the innermost outer dim (0 and 0 when there is no outer dim).</summary>
    public (int A, int B) InnermostOuterStrides =>
        _sizes.Length == 0 ? (0, 0) : (_stridesA[^1], _stridesB[^1]);

    public Enumerator GetEnumerator() => new(this, 0);

    /// <summary>Enumerates from row <paramref name="firstRow"/> on (rows in row-major order of the outer dims).</summary>
    public Enumerator GetEnumerator(int firstRow) => new(this, firstRow);

    public struct Enumerator
    {
        private readonly BroadcastLoop _loop;
        private readonly int[] _index;
        private int _offA, _offB;
        private bool _started, _done;

        internal Enumerator(BroadcastLoop loop, int firstRow)
        {
            _loop = loop;
            _index = new int[loop._sizes.Length];
            _offA = _offB = 0;
            // The odometer position of firstRow, innermost outer dim fastest.
            for (int d = _index.Length - 1; d >= 0 && firstRow > 0; d--)
            {
                _index[d] = firstRow % loop._sizes[d];
                firstRow /= loop._sizes[d];
                _offA += _index[d] * loop._stridesA[d];
                _offB += _index[d] * loop._stridesB[d];
            }
            _started = _done = false;
        }

        public (int OffsetA, int OffsetB) Current => (_offA, _offB);

        /// <summary>
        /// Moves to the next run: the rows from the next one on that continue along the innermost outer dim, at
        /// most <paramref name="max"/>, starting at <paramref name="offA"/> and <paramref name="offB"/>. The move
        /// after it starts after the run's last row.
        /// </summary>
        public bool NextRun(int max, out int offA, out int offB, out int count)
        {
            offA = offB = count = 0;
            if (!MoveNext()) return false;
            (offA, offB) = (_offA, _offB);
            int last = _index.Length - 1;
            count = last < 0 ? 1 : Math.Min(max, _loop._sizes[last] - _index[last]);
            if (count > 1)
            {
                // Stand on the run's last row, so that MoveNext carries on from there.
                _index[last] += count - 1;
                _offA += (count - 1) * _loop._stridesA[last];
                _offB += (count - 1) * _loop._stridesB[last];
            }
            return true;
        }

        public bool MoveNext()
        {
            if (_done) return false;
            if (!_started) { _started = true; return true; }
            for (int d = _index.Length - 1; d >= 0; d--)
            {
                _index[d]++;
                _offA += _loop._stridesA[d];
                _offB += _loop._stridesB[d];
                if (_index[d] < _loop._sizes[d]) return true;
                _offA -= _loop._stridesA[d] * _index[d];
                _offB -= _loop._stridesB[d] * _index[d];
                _index[d] = 0;
            }
            _done = true;
            return false;
        }
    }
}
