using System.Buffers;
using System.Numerics.Tensors;
using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// sum and mean, over all elements (SumBackward0 / MeanBackward0) or over dims (SumBackward1 / MeanBackward1).
// Integer and bool sums are int64; mean needs a floating dtype, as in PyTorch.
public sealed partial class Tensor
{
    public Tensor Sum()
    {
        var result = SumKernel(this, AllDims(Rank), keepDim: false);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "SumBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.Expand(state)]);
        return result;
    }

    public Tensor Sum(int[] dims, bool keepDim = false)
    {
        var reduce = ReducedDims(dims, Rank);
        var result = SumKernel(this, reduce, keepDim);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "SumBackward1", [this], [], (ShapeArray, reduce, keepDim),
                static (g, _, state, _) =>
                {
                    var (shape, reduced, keep) = state;
                    return [g.UnsqueezeReduced(shape, reduced, keep).Expand(shape)];
                });
        return result;
    }

    public Tensor Sum(int dim, bool keepDim = false) => Sum([dim], keepDim);

    public Tensor Mean()
    {
        CheckMeanDType();
        var result = MeanKernel(this, AllDims(Rank), keepDim: false);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "MeanBackward0", [this], [], ShapeArray, static (g, _, state, _) =>
            {
                var shape = state;
                return [g.Expand(shape).Div((long)Math.Max(Shapes.NumElements(shape), 0))];
            });
        return result;
    }

    public Tensor Mean(int[] dims, bool keepDim = false)
    {
        CheckMeanDType();
        var reduce = ReducedDims(dims, Rank);
        var result = MeanKernel(this, reduce, keepDim);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "MeanBackward1", [this], [], (ShapeArray, reduce, keepDim),
                static (g, _, state, _) =>
                {
                    var (shape, reduced, keep) = state;
                    long count = 1;
                    for (int d = 0; d < shape.Length; d++) if (reduced[d]) count *= shape[d];
                    return [g.UnsqueezeReduced(shape, reduced, keep).Expand(shape).Div(count)];
                });
        return result;
    }

    public Tensor Mean(int dim, bool keepDim = false) => Mean([dim], keepDim);

    private void CheckMeanDType()
    {
        if (!DType.IsFloating())
            throw TorchException.Runtime("MeanNonFloating",
                $"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {DType.ScalarTypeName()}");
    }

    /// <summary>
    /// Sums this tensor down to <paramref name="shape"/>, which it must be expandable from (at::sum_to: a 0-d shape
    /// is sum(), SumBackward0 in a create_graph gradient, as in PyTorch).
    /// </summary>
    internal Tensor SumTo(int[] shape)
    {
        if (Shapes.Equal(_shape, shape)) return this;
        if (shape.Length == 0) return Sum();
        int lead = Rank - shape.Length;
        var dims = new List<int>();
        for (int d = 0; d < lead; d++) dims.Add(d);
        for (int d = 0; d < shape.Length; d++)
            if (shape[d] == 1 && _shape[lead + d] != 1) dims.Add(lead + d);
        var r = dims.Count > 0 ? Sum(dims.ToArray(), keepDim: true) : this;
        return Shapes.Equal(r._shape, shape) ? r : r.Reshape(shape);
    }

    private static bool[] AllDims(int rank)
    {
        var all = new bool[rank];
        Array.Fill(all, true);
        return all;
    }

    /// <summary>Validates and wraps a dim list into a mask; PyTorch's messages for range and repeats.</summary>
    internal static bool[] ReducedDims(int[]? dims, int rank)
    {
        var mask = new bool[rank];
        // None, as in torch.sum(x, None), or no dims: every dim.
        if (dims is null || dims.Length == 0) { Array.Fill(mask, true); return mask; }
        foreach (var dim in dims)
        {
            int d = Shapes.WrapDim(dim, rank);
            if (rank == 0) continue;
            if (mask[d])
                throw TorchException.Runtime("DuplicateDim", $"dim {d} appears multiple times in the list of dims");
            mask[d] = true;
        }
        return mask;
    }

    private static int[] ReducedShape(int[] shape, bool[] reduce, bool keepDim)
    {
        var result = new List<int>(shape.Length);
        for (int d = 0; d < shape.Length; d++)
            if (!reduce[d]) result.Add(shape[d]);
            else if (keepDim) result.Add(1);
        return result.ToArray();
    }

    /// <summary>Puts size-1 dims back where a reduction without keepdim removed them.</summary>
    private Tensor UnsqueezeReduced(int[] inputShape, bool[] reduced, bool keepDim)
    {
        if (keepDim || inputShape.Length == 0) return this;
        return Reshape(ReducedShape(inputShape, reduced, keepDim: true));
    }

    private static Tensor SumKernel(Tensor x, bool[] reduce, bool keepDim)
    {
        var outShape = ReducedShape(x._shape, reduce, keepDim);
        bool all = Array.TrueForAll(reduce, r => r);
        switch (x.DType)
        {
            case DType.Float32:
            {
                var sums = SumToDouble(x, reduce, all, outShape);
                var result = (float[])Allocate(DType.Float32, Shapes.NumElements(outShape));
                // Rounded to float a vector at a time (the same round-to-nearest as a cast).
                TensorPrimitives.ConvertTruncating<double, float>(sums.AsSpan(0, result.Length), result);
                ArrayPool<double>.Shared.Return(sums);
                return new Tensor(result, outShape, DType.Float32);
            }
            case DType.Float64:
                return new Tensor(SumToDouble(x, reduce, all, outShape), outShape, DType.Float64);
            default:
            {
                var values = (long[])x.StorageAs(DType.Int64);
                var dst = new long[Shapes.NumElements(outShape)];
                if (all) dst[0] = ReductionKernels.SumAll(values);
                else ReductionKernels.SumDims(values, x._shape, reduce, dst);
                return new Tensor(dst, outShape, DType.Int64);
            }
        }
    }

    /// <summary>
    /// The sums in double accumulators: for float32 in a pooled scratch buffer (at least as long as the output; the
    /// caller rounds it into the result and returns it to the pool), for float64 in the result's own storage.
    /// A fresh scratch array per call cost a fifth of the sum itself on a [1000, 1000] matrix: new memory is cold,
    /// and clearing it went to DRAM.
    /// </summary>
    private static double[] SumToDouble(Tensor x, bool[] reduce, bool all, int[] outShape)
    {
        int n = Shapes.NumElements(outShape);
        bool single = x.DType == DType.Float32;
        var dst = single ? ArrayPool<double>.Shared.Rent(Math.Max(n, 1)) : (double[])Allocate(DType.Float64, n);
        if (single)
        {
            if (all) dst[0] = x.IsDense ? ReductionKernels.SumAll((float[])x.Buffer, x.Offset, x.NumElements) : ReductionKernels.SumAll(x.DenseData<float>());
            else ReductionKernels.SumDims(x.DenseData<float>(), x._shape, reduce, dst);
        }
        else
        {
            if (all) dst[0] = x.IsDense ? ReductionKernels.SumAll((double[])x.Buffer, x.Offset, x.NumElements) : ReductionKernels.SumAll(x.DenseData<double>());
            else ReductionKernels.SumDims(x.DenseData<double>(), x._shape, reduce, dst);
        }
        return dst;
    }

    /// <summary>
    /// Sum, rounded to the dtype, then divided in the dtype: the same two roundings as PyTorch's
    /// sum(...).div_(count).
    /// </summary>
    private static Tensor MeanKernel(Tensor x, bool[] reduce, bool keepDim)
    {
        var outShape = ReducedShape(x._shape, reduce, keepDim);
        long count = 1;
        for (int d = 0; d < x.Rank; d++) if (reduce[d]) count *= x._shape[d];
        var sums = SumToDouble(x, reduce, Array.TrueForAll(reduce, r => r), outShape);
        // No sum tensor, count tensor and quotient tensor: the sums are rounded to the dtype and divided in place.
        if (x.DType == DType.Float32)
        {
            var means = (float[])Allocate(DType.Float32, Shapes.NumElements(outShape));
            float divisor = count;
            TensorPrimitives.ConvertTruncating<double, float>(sums.AsSpan(0, means.Length), means);
            TensorPrimitives.Divide(means, divisor, means);
            ArrayPool<double>.Shared.Return(sums);
            return new Tensor(means, outShape, DType.Float32);
        }
        double divisorD = count;
        for (int i = 0; i < sums.Length; i++) sums[i] /= divisorD;
        return new Tensor(sums, outShape, DType.Float64);
    }
}
