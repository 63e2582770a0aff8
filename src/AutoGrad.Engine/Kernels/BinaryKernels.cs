using System.Numerics;
using System.Numerics.Tensors;

namespace AutoGrad.Kernels;

/// <summary>
/// An elementwise binary operator in the three forms a broadcast row needs: two spans, span and scalar,
/// scalar and span. Each form is one TensorPrimitives call (a vector loop with a scalar remainder).
/// </summary>
internal interface IBinaryOperator
{
    static abstract T Invoke<T>(T x, T y) where T : unmanaged, INumber<T>;
    static abstract void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T>;
    static abstract void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T>;
    static abstract void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T>;
}

internal readonly struct AddOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x + y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Add(y, x, d);
}

internal readonly struct SubtractOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x - y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Subtract(x, y, d);
}

internal readonly struct MultiplyOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x * y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Multiply(y, x, d);
}

internal readonly struct DivideOperator : IBinaryOperator
{
    public static T Invoke<T>(T x, T y) where T : unmanaged, INumber<T> => x / y;
    public static void Invoke<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Divide(x, y, d);
    public static void Invoke<T>(ReadOnlySpan<T> x, T y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Divide(x, y, d);
    public static void Invoke<T>(T x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, INumber<T> => TensorPrimitives.Divide(x, y, d);
}

/// <summary>
/// Runs a binary operator over two broadcast operands into a dense output, without materializing the broadcast:
/// dims are coalesced, and each innermost row is one kernel call whose operands are either contiguous (stride 1)
/// or a single repeated value (stride 0).
/// </summary>
internal static class BinaryKernel
{
    public static void Run<TOp, T>(T[] a, int[] aShape, T[] b, int[] bShape, T[] dst, int[] outShape)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        int n = dst.Length;
        if (n == 0) return;
        // Fast paths: equal layouts, and a tensor with a single value (x + 2, x * scalar); large ones are split
        // into contiguous chunks across threads.
        if (a.Length == n && b.Length == n)
        {
            if (ParallelChunks.Worth(n)) ParallelChunks.Run(n, (s, l) => TOp.Invoke<T>(a.AsSpan(s, l), b.AsSpan(s, l), dst.AsSpan(s, l)));
            else TOp.Invoke<T>(a, b, dst);
            return;
        }
        if (b.Length == 1 && a.Length == n)
        {
            T y = b[0];
            if (ParallelChunks.Worth(n)) ParallelChunks.Run(n, (s, l) => TOp.Invoke<T>(a.AsSpan(s, l), y, dst.AsSpan(s, l)));
            else TOp.Invoke<T>(a, y, dst);
            return;
        }
        if (a.Length == 1 && b.Length == n)
        {
            T x = a[0];
            if (ParallelChunks.Worth(n)) ParallelChunks.Run(n, (s, l) => TOp.Invoke<T>(x, b.AsSpan(s, l), dst.AsSpan(s, l)));
            else TOp.Invoke<T>(x, b, dst);
            return;
        }

        var loop = BroadcastLoop.Create(outShape, aShape, bShape);
        int rows = n / loop.InnerSize;
        // Large broadcasts split their rows across threads ([1000,1000] + [1000] is 1000 rows of 1000).
        if (ParallelChunks.Worth(n) && rows > 1)
            ParallelChunks.RunRanges(rows, (first, count) => RunRows<TOp, T>(loop, first, count, a, b, dst));
        else
            RunRows<TOp, T>(loop, 0, rows, a, b, dst);
    }

    private static void RunRows<TOp, T>(BroadcastLoop loop, int firstRow, int rowCount, T[] a, T[] b, T[] dst)
        where TOp : IBinaryOperator where T : unmanaged, INumber<T>
    {
        int inner = loop.InnerSize;
        int offD = firstRow * inner;
        var rows = loop.GetEnumerator(firstRow);
        for (int r = 0; r < rowCount && rows.MoveNext(); r++)
        {
            var (offA, offB) = rows.Current;
            var d = dst.AsSpan(offD, inner);
            switch (loop.InnerStrideA, loop.InnerStrideB)
            {
                case (1, 1): TOp.Invoke<T>(a.AsSpan(offA, inner), b.AsSpan(offB, inner), d); break;
                case (1, 0): TOp.Invoke<T>(a.AsSpan(offA, inner), b[offB], d); break;
                case (0, 1): TOp.Invoke<T>(a[offA], b.AsSpan(offB, inner), d); break;
                default: d.Fill(TOp.Invoke(a[offA], b[offB])); break;
            }
            offD += inner;
        }
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
