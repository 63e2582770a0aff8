namespace AutoGrad;

/// <summary>
/// The strides PyTorch's TensorIterator gives the result of an elementwise op (reorder_dimensions followed by
/// contiguous strides in that order): the result follows its inputs' memory layout, so x.t() + 1 and x.t().exp()
/// are "transposed" too. Storage here stays row-major; only <see cref="Tensor.LogicalStrides"/> records this, so
/// that a later reshape or view decides between viewing and copying as PyTorch does.
/// </summary>
internal static class ElementwiseLayout
{
    /// <summary>The result's strides, or null when they are the contiguous ones.</summary>
    public static int[]? OutputStrides(int[] shape, Tensor[] operands)
    {
        int ndim = shape.Length;
        if (ndim < 2) return null;
        bool allContiguous = true;
        foreach (var op in operands) allContiguous &= IsContiguous(op);
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
            next *= shape[perm[j]];
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

    /// <summary>Logical strides stretched to the result shape (0 on broadcast and missing leading dims).</summary>
    private static int[] BroadcastStrides(Tensor t, int[] shape)
    {
        var result = new int[shape.Length];
        int lead = shape.Length - t.Rank;
        for (int d = 0; d < t.Rank; d++)
            result[lead + d] = t.ShapeSpan[d] == 1 && shape[lead + d] != 1 ? 0 : t.LogicalStrides[d];
        return result;
    }

    /// <summary>PyTorch's is_contiguous: contiguous strides on every dim of size other than 1.</summary>
    internal static bool IsContiguous(Tensor t)
    {
        int expected = 1;
        for (int d = t.Rank - 1; d >= 0; d--)
        {
            int size = t.ShapeSpan[d];
            if (size != 1)
            {
                if (t.LogicalStrides[d] != expected) return false;
                expected *= size;
            }
        }
        return true;
    }
}
