namespace AutoGrad;

/// <summary>
/// Stride arithmetic, as ATen does it: contiguity, PyTorch's computeStride (can a reshape be a view?), and the
/// layout TensorIterator gives the result of an elementwise op (it follows its inputs' memory order, so
/// x.t().exp() is "transposed" too and a later reshape of it copies, as in PyTorch).
/// </summary>
internal static class Layout
{
    /// <summary>PyTorch's is_contiguous: row-major strides on every dim of size other than 1.</summary>
    public static bool IsContiguous(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            int size = shape[d];
            if (size == 0) return true;
            if (size != 1)
            {
                if (strides[d] != expected) return false;
                expected *= size;
            }
        }
        return true;
    }

    /// <summary>
    /// PyTorch's is_non_overlapping_and_dense: the elements fill a contiguous range of the storage exactly once,
    /// in some order of the dims (a permuted row-major layout).
    /// </summary>
    public static bool IsNonOverlappingAndDense(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        int rank = shape.Length;
        if (rank == 0) return true;
        if (IsContiguous(shape, strides)) return true;
        Span<int> perm = rank <= 16 ? stackalloc int[rank] : new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        // Sort dims by stride, size-1 dims last (their stride does not matter).
        for (int i = 1; i < rank; i++)
            for (int j = i; j > 0 && Before(perm[j], perm[j - 1], shape, strides); j--)
                (perm[j], perm[j - 1]) = (perm[j - 1], perm[j]);
        int expected = 1;
        foreach (int d in perm)
        {
            if (shape[d] == 1) continue;
            if (strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;

        static bool Before(int a, int b, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
        {
            if (shape[a] == 1) return false;
            if (shape[b] == 1) return true;
            return strides[a] < strides[b];
        }
    }

    /// <summary>
    /// PyTorch's has_internal_overlap as in-place ops use it: an expanded dim (stride 0, size &gt; 1) makes several
    /// elements one storage location. Other strided views (slices with steps, diagonals) never overlap here.
    /// </summary>
    public static bool HasInternalOverlap(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        for (int d = 0; d < shape.Length; d++)
            if (strides[d] == 0 && shape[d] > 1) return true;
        return false;
    }

    /// <summary>
    /// The strides of a view of <paramref name="newShape"/> over a tensor of <paramref name="oldShape"/> and
    /// <paramref name="oldStride"/> (ATen's computeStride), or null when no view exists and reshape must copy.
    /// </summary>
    public static int[]? ViewStrides(int[] oldShape, int[] oldStride, int numel, int[] newShape)
    {
        if (oldShape.Length == 0) { var ones = new int[newShape.Length]; Array.Fill(ones, 1); return ones; }
        if (numel == 0)
            return Shapes.Equal(oldShape, newShape) ? (int[])oldStride.Clone() : Shapes.ContiguousStrides(newShape);
        var newStride = new int[newShape.Length];
        int viewD = newShape.Length - 1;
        long chunkBaseStride = oldStride[^1];
        long tensorNumel = 1, viewNumel = 1;
        for (int tensorD = oldShape.Length - 1; tensorD >= 0; tensorD--)
        {
            tensorNumel *= oldShape[tensorD];
            if (tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStride[tensorD - 1] != tensorNumel * chunkBaseStride))
            {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1))
                {
                    newStride[viewD] = (int)(viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (tensorD > 0)
                {
                    chunkBaseStride = oldStride[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD != -1 ? null : newStride;
    }

    /// <summary>
    /// The strides TensorIterator gives an elementwise result (reorder_dimensions, then dense strides in that
    /// order), or null when they are the row-major ones. The first operand that orders a pair of dims decides it.
    /// </summary>
    public static int[]? ElementwiseStrides(int[] shape, Tensor[] operands)
    {
        int ndim = shape.Length;
        if (ndim < 2) return null;
        bool allContiguous = true;
        foreach (var op in operands) allContiguous &= op.NumElements <= 1 || op.IsContiguous();
        if (allContiguous) return null;

        var strides = new int[operands.Length][];
        for (int k = 0; k < operands.Length; k++) strides[k] = BroadcastStrides(operands[k], shape);

        // perm[0] is the fastest-moving dim. Start from C order and insertion-sort by the operands' strides,
        // where the first operand that orders a pair of dims decides it (ambiguous pairs keep their order).
        var perm = new int[ndim];
        for (int i = 0; i < ndim; i++) perm[i] = ndim - 1 - i;
        for (int i = 1; i < ndim; i++)
        {
            int dim1 = i;
            for (int dim0 = i - 1; dim0 >= 0; dim0--)
            {
                int comparison = ShouldSwap(perm[dim0], perm[dim1], strides, shape);
                if (comparison > 0)
                {
                    (perm[dim0], perm[dim1]) = (perm[dim1], perm[dim0]);
                    dim1 = dim0;
                }
                else if (comparison < 0) break;
            }
        }

        bool inverted = true;
        for (int j = 0; j < ndim; j++) inverted &= perm[j] == ndim - 1 - j;
        if (inverted) return null;
        var result = new int[ndim];
        int next = 1;
        for (int j = 0; j < ndim; j++)
        {
            result[perm[j]] = next;
            next *= Math.Max(shape[perm[j]], 1);
        }
        return result;
    }

    /// <summary>1 when dim0 should move after dim1, -1 when it stays before, 0 when no operand can tell.</summary>
    private static int ShouldSwap(int dim0, int dim1, int[][] strides, int[] shape)
    {
        foreach (var s in strides)
        {
            int s0 = s[dim0], s1 = s[dim1];
            if (s0 == 0 || s1 == 0) continue; // broadcast in one of the dims: this operand has no opinion
            if (s0 < s1) return -1;
            if (s0 > s1) return 1;
            if (shape[dim0] > shape[dim1]) return 1; // equal strides: the smaller dim goes first
        }
        return 0;
    }

    /// <summary>
    /// A tensor's strides stretched to <paramref name="shape"/> (which it broadcasts to): 0 on broadcast and on
    /// missing leading dims.
    /// </summary>
    public static int[] BroadcastStrides(Tensor t, int[] shape)
    {
        var result = new int[shape.Length];
        int lead = shape.Length - t.Rank;
        var own = t.StridesArray;
        for (int d = 0; d < t.Rank; d++)
            result[lead + d] = t.ShapeSpan[d] == 1 && shape[lead + d] != 1 ? 0 : own[d];
        return result;
    }

    /// <summary>How many storage elements a layout spans from its offset (the largest index + 1; 0 when empty).</summary>
    public static int Extent(ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        long last = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 0) return 0;
            last += (long)(shape[d] - 1) * strides[d];
        }
        return (int)(last + 1);
    }
}
