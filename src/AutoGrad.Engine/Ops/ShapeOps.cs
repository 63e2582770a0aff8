using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Ops that rearrange elements: reshape/view, t, expand, plus clone and dtype conversion.
// Storage here is always dense row-major, so reshape never copies; but PyTorch's node names depend on whether it
// could have viewed (ViewBackward0) or had to copy (CloneBackward0 + UnsafeViewBackward0), which
// LogicalStrides lets us decide exactly as PyTorch's computeStride does.
public sealed partial class Tensor
{
    /// <summary>torch.reshape: a view when PyTorch could view, else a copy (one -1 may be inferred).</summary>
    public Tensor Reshape(params int[] shape)
    {
        Arg.Ints(shape);
        var target = Shapes.InferReshape(shape, NumElements);
        var strides = ViewStrides(target);
        if (strides is not null) return ViewCore(target, strides);
        // PyTorch: _unsafe_view(clone(self), shape).
        var copy = Clone();
        var result = new Tensor(copy.Storage, target, DType);
        if (Graph.NeedsGrad(copy))
            Graph.Record(result, "UnsafeViewBackward0", [copy], [], ShapeArray, static (g, _, state, _) => [g.Reshape((int[])state!)]);
        return result;
    }

    /// <summary>torch.Tensor.view: like reshape, but an error where PyTorch could not view the data.</summary>
    public Tensor View(params int[] shape)
    {
        Arg.Ints(shape);
        var target = Shapes.InferReshape(shape, NumElements);
        var strides = ViewStrides(target) ?? throw TorchException.Runtime("ViewNotPossible",
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
        return ViewCore(target, strides);
    }

    private Tensor ViewCore(int[] shape, int[] strides)
    {
        var result = Alias(shape, strides);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ViewBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.Reshape((int[])state!)]);
        return result;
    }

    /// <summary>
    /// PyTorch's computeStride: the strides a view of <paramref name="newShape"/> would have over this tensor's
    /// (logical) strides, or null when no view exists.
    /// </summary>
    private int[]? ViewStrides(int[] newShape)
    {
        var oldShape = _shape;
        var oldStride = LogicalStrides;
        if (oldShape.Length == 0) { var ones = new int[newShape.Length]; Array.Fill(ones, 1); return ones; }
        int numel = NumElements;
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

    /// <summary>torch.Tensor.t: transposes a 2-d tensor; 0-d and 1-d tensors come back as they are (TBackward0).</summary>
    public Tensor T()
    {
        if (Rank > 2)
            throw TorchException.Runtime("TooManyDims", $"t() expects a tensor with <= 2 dimensions, but self is {Rank}D");
        Tensor result;
        if (Rank < 2) result = Alias(_shape, LogicalStrides);
        else
        {
            int rows = _shape[0], cols = _shape[1];
            var dst = Allocate(DType, NumElements);
            TransposeInto(Storage, dst, rows, cols);
            result = new Tensor(dst, [cols, rows], DType, [LogicalStrides[1], LogicalStrides[0]]);
        }
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "TBackward0", [this], [], null, static (g, _, _, _) => [g.T()]);
        return result;
    }

    private static void TransposeInto(Array src, Array dst, int rows, int cols)
    {
        switch (src)
        {
            case float[] s: Transpose(s, (float[])dst, rows, cols); break;
            case double[] s: Transpose(s, (double[])dst, rows, cols); break;
            case long[] s: Transpose(s, (long[])dst, rows, cols); break;
            case bool[] s: Transpose(s, (bool[])dst, rows, cols); break;
        }
    }

    /// <summary>Blocked so that both the reads and the writes stay within a few cache lines per tile.</summary>
    private static void Transpose<T>(T[] src, T[] dst, int rows, int cols)
    {
        const int Block = 32;
        for (int i0 = 0; i0 < rows; i0 += Block)
            for (int j0 = 0; j0 < cols; j0 += Block)
                for (int i = i0; i < Math.Min(i0 + Block, rows); i++)
                    for (int j = j0; j < Math.Min(j0 + Block, cols); j++)
                        dst[j * rows + i] = src[i * cols + j];
    }

    /// <summary>torch.Tensor.expand: broadcasts size-1 dims (and new leading dims) to <paramref name="shape"/>; -1 keeps a size.</summary>
    public Tensor Expand(params int[] shape)
    {
        Arg.Ints(shape);
        // The tensor is named by its legacy type string (torch.FloatTensor, torch.DoubleTensor, torch.LongTensor ...).
        if (shape.Length < Rank)
            throw TorchException.Runtime("ExpandTooFewDims",
                $"expand(torch.{DType.ScalarTypeName()}Tensor{{[{Shapes.Join(_shape)}]}}, size=[{Shapes.Join(shape)}]): the number of sizes provided ({shape.Length}) must be greater or equal to the number of dimensions in the tensor ({Rank})");
        var target = (int[])shape.Clone();
        int lead = shape.Length - Rank;
        for (int d = 0; d < target.Length; d++)
        {
            int own = d >= lead ? _shape[d - lead] : 1;
            if (target[d] == -1)
            {
                if (d < lead) throw TorchException.Runtime("ExpandNegative", $"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {d}");
                target[d] = own;
            }
            if (own != target[d] && own != 1)
                throw TorchException.Runtime("ExpandMismatch",
                    $"The expanded size of the tensor ({target[d]}) must match the existing size ({own}) at non-singleton dimension {d}.  Target sizes: [{Shapes.Join(shape)}].  Tensor sizes: [{Shapes.Join(_shape)}]");
        }
        Shapes.CheckNonNegative(target);   // a size below -1 (or -1 where it has no meaning) is no size
        var result = new Tensor(ExpandData(target), target, DType, ExpandedStrides(target));
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ExpandBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.SumTo((int[])state!)]);
        return result;
    }

    private int[] ExpandedStrides(int[] target)
    {
        var strides = new int[target.Length];
        int lead = target.Length - Rank;
        for (int d = lead; d < target.Length; d++)
            strides[d] = _shape[d - lead] == target[d] ? LogicalStrides[d - lead] : 0;
        return strides;
    }

    /// <summary>
    /// A copy with its own storage (CloneBackward0). Like PyTorch's preserve_format, a transposed tensor's copy keeps
    /// the transposed layout.
    /// </summary>
    public Tensor Clone()
    {
        var result = new Tensor((Array)Storage.Clone(), _shape, DType).WithElementwiseLayout(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "CloneBackward0", [this], [], null, static (g, _, _, _) => [g]);
        return result;
    }

    /// <summary>Converts to another dtype (ToCopyBackward0); the same tensor when the dtype already matches.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var result = new Tensor(CastKernel.Convert(Storage, dtype), _shape, dtype).WithElementwiseLayout(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ToCopyBackward0", [this], [], DType, static (g, _, state, _) => [g.To((DType)state!)]);
        return result;
    }
}
