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

/// <summary>
/// torch.maximum: the larger operand, NaN when either is NaN (the vector form says so explicitly, since the
/// hardware max returns its second operand for NaN).
/// </summary>
internal readonly struct MaximumOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => T.IsNaN(x) || T.IsNaN(y) ? x + y : x > y ? x : y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T> =>
        Vector256.ConditionalSelect(Vector256.Equals(x, x) & Vector256.Equals(y, y), Vector256.Max(x, y), x + y);
}

/// <summary>torch.minimum: the smaller operand, NaN when either is NaN.</summary>
internal readonly struct MinimumOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => T.IsNaN(x) || T.IsNaN(y) ? x + y : x < y ? x : y;
    public static Vector256<T> Invoke<T>(Vector256<T> x, Vector256<T> y) where T : unmanaged, INumber<T> =>
        Vector256.ConditionalSelect(Vector256.Equals(x, x) & Vector256.Equals(y, y), Vector256.Min(x, y), x + y);
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
/// Runs a binary operator over two strided operands into a strided destination, broadcasting without copies. The
/// common layouts are one flat loop: every operand laid out like the destination (same strides over a dense range)
/// or a single repeated value. Everything else goes row by row through a <see cref="StridedLoop"/>: rows whose
/// operands are contiguous or repeated run the vector loop, other rows a scalar one.
/// </summary>
internal static class BinaryKernel
{
    /// <summary>
    /// Results from this size on are written around the cache (non-temporal stores): at half the L3 and up, the
    /// destination lines would be evicted before anything reads them, and an ordinary store first reads each line
    /// in (read for ownership), a third more memory traffic for a binary op (docs/performance.md). Below it, results
    /// stay in cache for the ops that read them next.
    /// </summary>
    private const long StreamingBytes = 16L << 20;

    public static unsafe void Run<TOp, T>(Strided<T> a, Strided<T> b, Strided<T> dst, int[] shape)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        int n = Shapes.NumElements(shape);
        if (n == 0) return;
        bool streaming = (long)n * sizeof(T) >= StreamingBytes;
        if (Layout.IsNonOverlappingAndDense(shape, dst.Strides))
        {
            bool aFlat = Same(a.Strides, dst.Strides), bFlat = Same(b.Strides, dst.Strides);
            bool aOne = AllZero(a.Strides), bOne = AllZero(b.Strides);
            // Equal layouts: one flat row; large ones are split into contiguous chunks across threads.
            if (aFlat && bFlat)
            {
                fixed (T* pa = a.Data, pb = b.Data, pd = dst.Data)
                {
                    nint xa = (nint)(pa + a.Offset), xb = (nint)(pb + b.Offset), xd = (nint)(pd + dst.Offset);
                    if (ParallelChunks.Worth(n))
                        ParallelChunks.Run(n, (s, l) => { Row<TOp, T, Contiguous, Contiguous>((T*)xa + s, (T*)xb + s, (T*)xd + s, l, streaming); Fence(streaming); });
                    else { Row<TOp, T, Contiguous, Contiguous>((T*)xa, (T*)xb, (T*)xd, n, streaming); Fence(streaming); }
                }
                return;
            }
            // A single value against a flat operand (x + 2, x * scalar).
            if (aFlat && bOne || aOne && bFlat)
            {
                // The single value is read once into a local, so writing the destination can never change it.
                bool scalarFirst = !(aFlat && bOne);
                var single = scalarFirst ? a : b;
                var vector = scalarFirst ? b : a;
                T scalar = single.Data[single.Offset];
                fixed (T* pv = vector.Data, pd = dst.Data)
                {
                    nint xv = (nint)(pv + vector.Offset), xd = (nint)(pd + dst.Offset);
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
                        RowWithScalar<TOp, T>((T*)xv, &y, (T*)xd, n, scalarFirst, streaming);
                        Fence(streaming);
                    }
                }
                return;
            }
        }

        var loop = StridedLoop.Create(shape, dst.Strides, a.Strides, b.Strides);
        // Large broadcasts split their rows across threads ([1000,1000] + [1000] is 1000 rows of 1000). Rows are
        // not streamed: a row's scalar head and tail share cache lines with its streamed middle, and mixing the two
        // kinds of store on a line made a large row-broadcast add markedly slower.
        if (ParallelChunks.Worth(n) && loop.Rows > 1)
            ParallelChunks.RunRanges(loop.Rows, (first, count) => RunRows<TOp, T>(loop, first, count, a, b, dst));
        else
            RunRows<TOp, T>(loop, 0, loop.Rows, a, b, dst);
    }

    private static bool Same(int[] x, int[] y) => x.AsSpan().SequenceEqual(y);

    private static bool AllZero(int[] strides)
    {
        foreach (var s in strides) if (s != 0) return false;
        return true;
    }

    private static unsafe void RunRows<TOp, T>(StridedLoop loop, int firstRow, int rowCount, Strided<T> a, Strided<T> b, Strided<T> dst)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        if (loop.InnerStrideD != 1)
        {
            RunScalarRows<T, T>(loop, firstRow, rowCount, a, b, dst, static (x, y) => TOp.Invoke(x, y));
            return;
        }
        switch (loop.InnerStrideA, loop.InnerStrideB)
        {
            case (1, 1): RunRows<TOp, T, Contiguous, Contiguous>(loop, firstRow, rowCount, a, b, dst); break;
            case (1, 0): RunRows<TOp, T, Contiguous, Repeated>(loop, firstRow, rowCount, a, b, dst); break;
            case (0, 1): RunRows<TOp, T, Repeated, Contiguous>(loop, firstRow, rowCount, a, b, dst); break;
            case (0, 0): RunRows<TOp, T, Repeated, Repeated>(loop, firstRow, rowCount, a, b, dst); break;
            default: RunScalarRows<T, T>(loop, firstRow, rowCount, a, b, dst, static (x, y) => TOp.Invoke(x, y)); break;
        }
    }

    /// <summary>
    /// Rows [firstRow, firstRow + rowCount), taken as runs along the innermost outer dim: within a run the rows lie at
    /// linear offsets, so the odometer moves once a run ([1000,1000] + [1000] is one run of 1000 rows, [100,10,1000] +
    /// [10,1000] 100 runs of 10).
    /// </summary>
    private static unsafe void RunRows<TOp, T, TX, TY>(StridedLoop loop, int firstRow, int rowCount, Strided<T> a, Strided<T> b, Strided<T> dst)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T> where TX : IOperand where TY : IOperand
    {
        int inner = loop.InnerSize;
        var (strideD, strideA, strideB) = loop.InnermostOuterStrides;
        var rows = loop.GetEnumerator(firstRow);
        // Pinned once for all rows: a [1000,1000] + [1000] add is 1000 short rows, and per-row span and pinning
        // overhead was a measurable part of it.
        fixed (T* pa0 = a.Data, pb0 = b.Data, pd0 = dst.Data)
        {
            T* pa = pa0 + a.Offset, pb = pb0 + b.Offset, pd = pd0 + dst.Offset;
            for (int done = 0; done < rowCount && rows.NextRun(rowCount - done, out int offD, out int offA, out int offB, out int count);
                 done += count)
                LinearRows<TOp, T, TX, TY>(pa + offA, strideA, pb + offB, strideB, pd + offD, strideD, count, inner);
        }
    }

    /// <summary>
    /// Rows at linear offsets. A method of its own on purpose: inlined into the odometer loop, the row loop shared
    /// registers with it and spilled to the stack around every row (measured in docs/performance.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static unsafe void LinearRows<TOp, T, TX, TY>(T* pa, int strideA, T* pb, int strideB, T* pd, int strideD, int rows, int inner)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T> where TX : IOperand where TY : IOperand
    {
        for (int r = 0; r < rows; r++, pa += strideA, pb += strideB, pd += strideD)
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
    /// TensorPrimitives' per-call setup showed; this loop runs at a plain copy's speed of the same bytes. The destination is brought to a 32-byte boundary first, so no
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

    /// <summary>
    /// The same traversal for an operator given as a scalar function (ops without a vector form, comparisons into
    /// Bool): row by row, any strides.
    /// </summary>
    public static void RunScalar<T, TOut>(Strided<T> a, Strided<T> b, Strided<TOut> dst, int[] shape, Func<T, T, TOut> op)
    {
        int n = Shapes.NumElements(shape);
        if (n == 0) return;
        var loop = StridedLoop.Create(shape, dst.Strides, a.Strides, b.Strides);
        RunScalarRows(loop, 0, loop.Rows, a, b, dst, op);
    }

    private static void RunScalarRows<T, TOut>(StridedLoop loop, int firstRow, int rowCount, Strided<T> a, Strided<T> b,
        Strided<TOut> dst, Func<T, T, TOut> op)
    {
        int inner = loop.InnerSize, sa = loop.InnerStrideA, sb = loop.InnerStrideB, sd = loop.InnerStrideD;
        var rows = loop.GetEnumerator(firstRow);
        T[] x = a.Data, y = b.Data;
        TOut[] d = dst.Data;
        for (int done = 0; done < rowCount && rows.NextRun(1, out int offD, out int offA, out int offB, out _); done++)
        {
            int ia = a.Offset + offA, ib = b.Offset + offB, id = dst.Offset + offD;
            for (int i = 0; i < inner; i++, ia += sa, ib += sb, id += sd) d[id] = op(x[ia], y[ib]);
        }
    }
}
