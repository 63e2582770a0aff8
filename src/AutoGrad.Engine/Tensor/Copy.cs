using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Copies and dtype conversions: clone, to, the internal cast, and the strided copy behind copy_, in-place ops on
// views and the adjoints of slicing.
public sealed partial class Tensor
{
    /// <summary>
    /// A copy with its own storage (CloneBackward0). Like PyTorch's preserve_format, a dense tensor's copy keeps its
    /// layout (a transposed tensor's copy is transposed); anything else is copied row-major.
    /// </summary>
    public Tensor Clone()
    {
        var result = NewLike(DType);
        result.CopyValuesFrom(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "CloneBackward0", [this], [], static (g, _, _) => [g]);
        return result;
    }

    /// <summary>Converts to another dtype (ToCopyBackward0); the same tensor when the dtype already matches.</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return this;
        var result = Cast(dtype);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ToCopyBackward0", [this], [], DType, static (g, _, state, _) => [g.To(state)]);
        return result;
    }

    /// <summary>The same values in another dtype, without recording (a data conversion); this tensor if it already is.</summary>
    internal Tensor Cast(DType dtype)
    {
        if (dtype == DType) return this;
        var result = NewLike(dtype);
        result.CopyValuesFrom(this);
        return result;
    }

    /// <summary>An uninitialized tensor of this shape: this tensor's layout when it is dense, else row-major.</summary>
    private Tensor NewLike(DType dtype) =>
        !IsContiguous() && Layout.IsNonOverlappingAndDense(_shape, _strides)
            ? EmptyStrided(_shape, _strides, dtype)
            : Empty(_shape, dtype);

    /// <summary>This tensor's elements in row-major order as an array of <paramref name="dtype"/> (no graph).</summary>
    internal Array StorageAs(DType dtype) => DType == dtype ? Dense : CastKernel.Convert(Dense, dtype);

    /// <summary>
    /// Writes <paramref name="source"/> (broadcast to this shape, converted to this dtype) into this tensor's
    /// elements through its strides: the data movement of copy_, without version or graph bookkeeping.
    /// </summary>
    internal void CopyValuesFrom(Tensor source)
    {
        if (!Shapes.IsExpandableTo(source._shape, _shape))
            throw TorchException.Runtime("CopyShapeMismatch",
                $"The size of tensor a ({(_shape.Length > 0 ? _shape[^1] : 1)}) must match the size of tensor b ({(source._shape.Length > 0 ? source._shape[^1] : 1)}) at non-singleton dimension {Math.Max(_shape.Length - 1, 0)}");
        switch (source._storage.Data)
        {
            case float[]: CopyFrom<float>(source); break;
            case double[]: CopyFrom<double>(source); break;
            case long[]: CopyFrom<long>(source); break;
            default: CopyFrom<bool>(source); break;
        }
    }

    private void CopyFrom<TIn>(Tensor source)
    {
        var src = Strided<TIn>.Of(source, _shape);
        switch (_storage.Data)
        {
            case float[]: UnaryKernel.Map(src, Strided<float>.Of(this, _shape), _shape, CastKernel.Convert); break;
            case double[]: UnaryKernel.Map(src, Strided<double>.Of(this, _shape), _shape, CastKernel.Convert); break;
            case long[]: UnaryKernel.Map(src, Strided<long>.Of(this, _shape), _shape, CastKernel.Convert); break;
            default: UnaryKernel.Map(src, Strided<bool>.Of(this, _shape), _shape, CastKernel.Convert); break;
        }
    }

    /// <summary>
    /// Adds <paramref name="source"/> into this tensor's elements one at a time, so that elements sharing a storage
    /// location (an expanded view) each receive their part: the scatter-add of as_strided's backward.
    /// </summary>
    internal void AccumulateValuesFrom(Tensor source)
    {
        var values = source.Cast(DType).Expand(_shape).Dense;
        var data = _storage.Data;
        for (int i = 0; i < NumElements; i++)
        {
            int at = StorageIndex(i);
            switch (data)
            {
                case float[] f: f[at] += ((float[])values)[i]; break;
                case double[] d: d[at] += ((double[])values)[i]; break;
                case long[] l: l[at] += ((long[])values)[i]; break;
                case bool[] b: b[at] |= ((bool[])values)[i]; break;
            }
        }
    }
}
