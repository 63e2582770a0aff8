namespace AutoGrad.Kernels;

/// <summary>
/// One operand of an elementwise loop: an array, where element [0, ..., 0] sits, and a stride per dim of the loop's
/// shape (0 on broadcast dims).
/// </summary>
internal readonly record struct Strided<T>(T[] Data, int Offset, int[] Strides)
{
    /// <summary>A tensor's elements as an operand of a loop over <paramref name="shape"/> (which it broadcasts to).</summary>
    public static Strided<T> Of(Tensor t, int[] shape) =>
        new((T[])t.Buffer, t.Offset, t.Rank == shape.Length && Shapes.Equal(t.ShapeSpan, shape) ? t.StridesArray : Layout.BroadcastStrides(t, shape));
}

/// <summary>
/// The row structure of an elementwise loop over a destination and up to two sources, PyTorch's TensorIterator in
/// small: dims are ordered by the destination's memory order (outermost first), size-1 dims dropped, and dims that
/// every operand steps through as one run are merged. What remains is an innermost row (a stride per operand:
/// 1 for contiguous, 0 for a repeated value, anything else for a strided read) and outer dims walked with an
/// odometer that yields each row's start offsets.
/// </summary>
internal sealed class StridedLoop
{
    private readonly int[] _sizes;    // outer dims, outermost first
    private readonly int[] _stridesD;
    private readonly int[] _stridesA;
    private readonly int[] _stridesB;

    public int InnerSize { get; }
    public int InnerStrideD { get; }
    public int InnerStrideA { get; }
    public int InnerStrideB { get; }

    /// <summary>Rows in the loop (the product of the outer sizes).</summary>
    public int Rows { get; }

    private StridedLoop(int[] sizes, int[] sd, int[] sa, int[] sb, int inner, int id, int ia, int ib)
    {
        _sizes = sizes; _stridesD = sd; _stridesA = sa; _stridesB = sb;
        InnerSize = inner; InnerStrideD = id; InnerStrideA = ia; InnerStrideB = ib;
        int rows = 1;
        foreach (var s in sizes) rows *= s;
        Rows = rows;
    }

    /// <summary>
    /// The loop over <paramref name="shape"/> with the destination's and the sources' strides (pass the
    /// destination's strides again for an absent second source).
    /// </summary>
    public static StridedLoop Create(int[] shape, int[] sd, int[] sa, int[] sb)
    {
        int rank = shape.Length;
        // Dims in the destination's memory order, outermost (largest stride) first; ties keep their order.
        var order = new int[rank];
        for (int i = 0; i < rank; i++) order[i] = i;
        for (int i = 1; i < rank; i++)
            for (int j = i; j > 0 && Math.Abs(sd[order[j]]) > Math.Abs(sd[order[j - 1]]); j--)
                (order[j], order[j - 1]) = (order[j - 1], order[j]);

        var sizes = new List<int>(rank);
        var ld = new List<int>(rank);
        var la = new List<int>(rank);
        var lb = new List<int>(rank);
        foreach (int d in order)
        {
            if (shape[d] == 1) continue;
            int last = sizes.Count - 1;
            // Merge into the previous (outer) dim when every operand steps through both as one run.
            if (last >= 0 && ld[last] == sd[d] * shape[d] && la[last] == sa[d] * shape[d] && lb[last] == sb[d] * shape[d])
            {
                sizes[last] *= shape[d];
                ld[last] = sd[d];
                la[last] = sa[d];
                lb[last] = sb[d];
            }
            else
            {
                sizes.Add(shape[d]);
                ld.Add(sd[d]);
                la.Add(sa[d]);
                lb.Add(sb[d]);
            }
        }
        if (sizes.Count == 0) return new StridedLoop([], [], [], [], 1, 1, 0, 0);
        int k = sizes.Count - 1;
        return new StridedLoop(sizes.GetRange(0, k).ToArray(), ld.GetRange(0, k).ToArray(), la.GetRange(0, k).ToArray(),
            lb.GetRange(0, k).ToArray(), sizes[k], ld[k], la[k], lb[k]);
    }

    /// <summary>The operands' strides along the innermost outer dim (zeros when there is no outer dim).</summary>
    public (int D, int A, int B) InnermostOuterStrides =>
        _sizes.Length == 0 ? (0, 0, 0) : (_stridesD[^1], _stridesA[^1], _stridesB[^1]);

    /// <summary>Enumerates rows from <paramref name="firstRow"/> on (rows in row-major order of the outer dims).</summary>
    public Enumerator GetEnumerator(int firstRow = 0) => new(this, firstRow);

    public struct Enumerator
    {
        private readonly StridedLoop _loop;
        private readonly int[] _index;
        private int _offD, _offA, _offB;
        private bool _started, _done;

        internal Enumerator(StridedLoop loop, int firstRow)
        {
            _loop = loop;
            _index = new int[loop._sizes.Length];
            _offD = _offA = _offB = 0;
            // The odometer position of firstRow, innermost outer dim fastest.
            for (int d = _index.Length - 1; d >= 0 && firstRow > 0; d--)
            {
                _index[d] = firstRow % loop._sizes[d];
                firstRow /= loop._sizes[d];
                _offD += _index[d] * loop._stridesD[d];
                _offA += _index[d] * loop._stridesA[d];
                _offB += _index[d] * loop._stridesB[d];
            }
            _started = _done = false;
        }

        /// <summary>
        /// Moves to the next run: the rows from the next one on that continue along the innermost outer dim, at
        /// most <paramref name="max"/>, starting at the given offsets (relative to each operand's own offset).
        /// </summary>
        public bool NextRun(int max, out int offD, out int offA, out int offB, out int count)
        {
            offD = offA = offB = count = 0;
            if (!MoveNext()) return false;
            (offD, offA, offB) = (_offD, _offA, _offB);
            int last = _index.Length - 1;
            count = last < 0 ? 1 : Math.Min(max, _loop._sizes[last] - _index[last]);
            if (count > 1)
            {
                // Stand on the run's last row, so that MoveNext carries on from there.
                _index[last] += count - 1;
                _offD += (count - 1) * _loop._stridesD[last];
                _offA += (count - 1) * _loop._stridesA[last];
                _offB += (count - 1) * _loop._stridesB[last];
            }
            return true;
        }

        private bool MoveNext()
        {
            if (_done) return false;
            if (!_started) { _started = true; return true; }
            for (int d = _index.Length - 1; d >= 0; d--)
            {
                _index[d]++;
                _offD += _loop._stridesD[d];
                _offA += _loop._stridesA[d];
                _offB += _loop._stridesB[d];
                if (_index[d] < _loop._sizes[d]) return true;
                _offD -= _loop._stridesD[d] * _index[d];
                _offA -= _loop._stridesA[d] * _index[d];
                _offB -= _loop._stridesB[d] * _index[d];
                _index[d] = 0;
            }
            _done = true;
            return false;
        }
    }
}
