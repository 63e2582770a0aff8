using AutoGrad.Autograd;
using AutoGrad.Kernels;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad;

// Reductions beyond sum and mean: max/min (with indices), argmax/argmin, amax/amin, logsumexp, var/std, norm, prod,
// and the dim-wise normalizers softmax/log_softmax. Values are computed in double over "lanes": the reduced dims
// are moved last, so each output element reduces one contiguous run. max/min and softmax over the last dim of a
// contiguous tensor (the usual case) skip the lanes and run a row at a time in the tensor's own type.
public sealed partial class Tensor
{
    /// <summary>The values and their positions from a reduction over one dim (torch.return_types.max).</summary>
    public readonly record struct ValuesIndices(Tensor Values, Tensor Indices);

    // ---- max / min --------------------------------------------------------------------------------------------

    /// <summary>The largest element (MaxBackward1: ties share the gradient evenly). NaN wins, as in PyTorch.</summary>
    public Tensor Max() => ExtremeAll(isMax: true, "max", "MaxBackward1");

    public Tensor Min() => ExtremeAll(isMax: false, "min", "MinBackward1");

    /// <summary>Largest values along a dim and their indices (MaxBackward0: the gradient goes to the index).</summary>
    public ValuesIndices Max(int dim, bool keepDim = false) => ExtremeDim(dim, keepDim, isMax: true, "MaxBackward0");

    public ValuesIndices Min(int dim, bool keepDim = false) => ExtremeDim(dim, keepDim, isMax: false, "MinBackward0");

    /// <summary>Index of the largest element of the flattened tensor (Int64, never differentiable).</summary>
    public Tensor ArgMax() => Flatten().ExtremeDim(0, false, true, null).Indices.Reshape([]);

    public Tensor ArgMax(int dim, bool keepDim = false) => ExtremeDim(dim, keepDim, true, null).Indices;

    public Tensor ArgMin() => Flatten().ExtremeDim(0, false, false, null).Indices.Reshape([]);

    public Tensor ArgMin(int dim, bool keepDim = false) => ExtremeDim(dim, keepDim, false, null).Indices;

    /// <summary>Max over dims (AmaxBackward0: ties in a slice share its gradient evenly).</summary>
    public Tensor Amax(int[]? dims = null, bool keepDim = false) => ExtremeDims(dims ?? [], keepDim, isMax: true, "amax", "AmaxBackward0");

    public Tensor Amin(int[]? dims = null, bool keepDim = false) => ExtremeDims(dims ?? [], keepDim, isMax: false, "amin", "AminBackward0");

    private Tensor ExtremeAll(bool isMax, string name, string node)
    {
        if (NumElements == 0)
            throw TorchException.Runtime("ReduceEmpty",
                $"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.");
        var values = (double[])StorageAs(DType.Float64);
        double best = values[0];
        foreach (var v in values)
        {
            if (double.IsNaN(v)) { best = v; break; }
            if (isMax ? v > best : v < best) best = v;
        }
        var result = new Tensor(CastKernel.Convert(new[] { best }, DType), [], DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, node, [this], [this, result], static (g, s, _) =>
            {
                var mask = s[0].Eq(s[1]).LogicalOr(s[0].IsNaNMask().LogicalAnd(s[1].IsNaNMask())).Cast(g.DType);
                return [mask.Mul(g.Div(mask.Sum()))];
            });
        return result;
    }

    private ValuesIndices ExtremeDim(int dim, bool keepDim, bool isMax, string? node)
    {
        int d = Shapes.WrapDim(dim, Rank);
        if (Rank > 0 && _shape[d] == 0)
            throw TorchException.Index("ReduceEmptyDim",
                $"{(isMax ? "max" : "min")}(): Expected reduction dim {d} to have non-zero size.");
        var reduce = new bool[Rank];
        if (Rank > 0) reduce[d] = true;
        var outShape = ReducedShape(_shape, reduce, keepDim);
        Tensor values, indices;
        if (Rank > 0 && d == Rank - 1 && IsCompact && DType.IsFloating() && NumElements > 0)
        {
            // The usual case (the class of each row: max over the last dim of a contiguous tensor): a row at a time.
            values = Empty(outShape, DType);
            indices = Empty(outShape, DType.Int64);
            if (DType == DType.Float32) ExtremeRows((float[])Buffer, values.Fillable<float>(), indices.Fillable<long>(), _shape[d], isMax);
            else ExtremeRows((double[])Buffer, values.Fillable<double>(), indices.Fillable<long>(), _shape[d], isMax);
        }
        else
        {
            var (lanes, count) = Lanes(reduce);
            int groups = count == 0 ? 0 : lanes.Length / count;
            var best = new double[groups];
            var index = new long[groups];
            for (int gi = 0; gi < groups; gi++)
            {
                int start = gi * count;
                double b = lanes[start];
                long bi = 0;
                for (int k = 0; k < count; k++)
                {
                    double v = lanes[start + k];
                    if (double.IsNaN(v)) { b = v; bi = k; break; }
                    if (isMax ? v > b : v < b) { b = v; bi = k; }
                }
                best[gi] = b;
                index[gi] = bi;
            }
            values = new Tensor(CastKernel.Convert(best, DType), outShape, DType);
            indices = new Tensor(index, outShape, DType.Int64);
        }
        if (node is not null && Graph.NeedsGrad(this))
            Graph.Record(values, node, [this], [indices], (ShapeArray, d, keepDim), static (g, s, state, _) =>
            {
                var (shape, dd, keep) = state;
                return [g.ScatterToIndices(s[0], shape, dd, keep)];
            });
        return new ValuesIndices(values, indices);
    }

    /// <summary>
    /// Each row's extreme value and the index of its first occurrence, as PyTorch's max/min(dim): the vectorized
    /// max (or min), NaN if the row has one, then the first element equal to it (float's Equals holds NaN equal to
    /// NaN and -0 equal to +0); the value is read back from there, so -0 and +0 come out as PyTorch's scan gives.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ExtremeRows<T>(T[] x, Span<T> values, Span<long> indices, int cols, bool isMax)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int r = 0; r < values.Length; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            T extreme = isMax ? TensorPrimitives.Max<T>(row) : TensorPrimitives.Min<T>(row);
            int at = IndexOfFirst(row, extreme);
            indices[r] = at;
            values[r] = row[at];
        }
    }

    /// <summary>The first index holding <paramref name="value"/> (== compares, so -0 finds +0 too), or the first NaN for NaN.</summary>
    private static int IndexOfFirst<T>(ReadOnlySpan<T> row, T value) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool nan = T.IsNaN(value);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var target = Vector256.Create(value);
            for (; i + Vector256<T>.Count <= row.Length; i += Vector256<T>.Count)
            {
                var v = Vector256.Create(row.Slice(i, Vector256<T>.Count));
                var hit = nan ? ~Vector256.Equals(v, v) : Vector256.Equals(v, target);
                uint bits = Vector256.ExtractMostSignificantBits(hit);
                if (bits != 0) return i + BitOperations.TrailingZeroCount(bits);
            }
        }
        for (; i < row.Length; i++)
            if (nan ? T.IsNaN(row[i]) : row[i] == value) return i;
        return -1;
    }

    private Tensor ExtremeDims(int[] dims, bool keepDim, bool isMax, string name, string node)
    {
        var reduce = ReducedDims(dims, Rank);
        var (lanes, count) = Lanes(reduce);
        if (count == 0 && NumElements == 0 || count == 0)
            throw TorchException.Index("ReduceEmptyDim",
                $"{name}(): Expected reduction dim to have non-zero size.");
        int groups = lanes.Length / count;
        var best = new double[groups];
        for (int gi = 0; gi < groups; gi++)
        {
            double b = lanes[gi * count];
            for (int k = 0; k < count; k++)
            {
                double v = lanes[gi * count + k];
                if (double.IsNaN(v)) { b = v; break; }
                if (isMax ? v > b : v < b) b = v;
            }
            best[gi] = b;
        }
        var result = new Tensor(CastKernel.Convert(best, DType), ReducedShape(_shape, reduce, keepDim), DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, node, [this], [this, result], (ShapeArray, reduce, keepDim), static (g, s, state, _) =>
            {
                var (shape, reduced, keep) = state;
                var r = s[1].UnsqueezeReduced(shape, reduced, keep);
                var mask = s[0].Eq(r).Cast(g.DType);
                var count = mask.Sum(DimsOf(reduced), keepDim: true);
                return [g.UnsqueezeReduced(shape, reduced, keep).Div(count).Mul(mask)];
            });
        return result;
    }

    /// <summary>The adjoint of taking one index per lane: zeros with the gradient at those indices.</summary>
    private Tensor ScatterToIndices(Tensor indices, int[] shape, int d, bool keepDim)
    {
        // A 0-d input is one lane of one element: its gradient is the output's.
        if (shape.Length == 0) return this;
        var g = keepDim ? this : Unsqueeze(d);
        var idx = keepDim ? indices : indices.Unsqueeze(d);
        var result = Zeros(shape, DType);
        int outer = 1, inner = 1, size = shape[d];
        for (int k = 0; k < d; k++) outer *= shape[k];
        for (int k = d + 1; k < shape.Length; k++) inner *= shape[k];
        var ix = (long[])idx.Dense;
        var gData = g.Dense;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                Array.Copy(gData, o * inner + i, result.Buffer, (o * size + (int)ix[o * inner + i]) * inner + i, 1);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ValueSelectingReductionBackwardBackward0", [this], [indices], (d, keepDim), static (gg, s, state, _) =>
            {
                var (dd, keep) = state;
                return [gg.GatherIndices(s[0], dd, keep)];
            });
        return result;
    }

    private Tensor GatherIndices(Tensor indices, int d, bool keepDim)
    {
        var idx = keepDim ? indices : indices.Unsqueeze(d);
        int outer = 1, inner = 1, size = _shape[d];
        for (int k = 0; k < d; k++) outer *= _shape[k];
        for (int k = d + 1; k < Rank; k++) inner *= _shape[k];
        var dst = Allocate(DType, outer * inner);
        var ix = (long[])idx.Dense;
        var source = Dense;
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < inner; i++)
                Array.Copy(source, (o * size + (int)ix[o * inner + i]) * inner + i, dst, o * inner + i, 1);
        var result = new Tensor(dst, idx.ShapeArray, DType);
        return keepDim ? result : result.Squeeze(d);
    }

    // ---- logsumexp, var, std, norm, prod ---------------------------------------------------------------------

    /// <summary>log(sum(exp(x))) over dims, computed stably by shifting by the max (LogsumexpBackward0).</summary>
    public Tensor LogSumExp(int[] dims, bool keepDim = false)
    {
        var x = FloatingInput();
        var reduce = ReducedDims(dims, Rank);
        var (lanes, count) = x.Lanes(reduce);
        var outShape = ReducedShape(_shape, reduce, keepDim);
        var values = new double[Shapes.NumElements(outShape)];
        for (int gi = 0; gi < values.Length; gi++)
        {
            var lane = lanes.AsSpan(gi * count, count);
            double m = double.NegativeInfinity;
            foreach (var v in lane) m = Math.Max(m, v);
            if (double.IsInfinity(m)) { values[gi] = m; continue; }
            double s = 0;
            foreach (var v in lane) s += Math.Exp(v - m);
            values[gi] = m + Math.Log(s);
        }
        var result = new Tensor(CastKernel.Convert(values, x.DType), outShape, x.DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "LogsumexpBackward0", [this], [this, result], (ShapeArray, reduce, keepDim), static (g, s, state, _) =>
            {
                var (shape, reduced, keep) = state;
                var r = s[1].UnsqueezeReduced(shape, reduced, keep);
                return [g.UnsqueezeReduced(shape, reduced, keep).Mul(s[0].Sub(r).Exp())];
            });
        return result;
    }

    public Tensor LogSumExp(int dim, bool keepDim = false) => LogSumExp([dim], keepDim);

    /// <summary>Variance over dims with Bessel's correction by default (VarBackward0).</summary>
    public Tensor Var(int[]? dims = null, double correction = 1, bool keepDim = false) => Moment(dims, correction, keepDim, std: false);

    /// <summary>Standard deviation over dims (StdBackward0).</summary>
    public Tensor Std(int[]? dims = null, double correction = 1, bool keepDim = false) => Moment(dims, correction, keepDim, std: true);

    private Tensor Moment(int[]? dims, double correction, bool keepDim, bool std)
    {
        if (!DType.IsFloating())
            throw TorchException.Runtime("VarNonFloating",
                $"std and var only support floating point and complex dtypes");
        var reduce = ReducedDims(dims ?? [], Rank);
        var (lanes, count) = Lanes(reduce);
        var outShape = ReducedShape(_shape, reduce, keepDim);
        var values = new double[Shapes.NumElements(outShape)];
        for (int gi = 0; gi < values.Length; gi++)
        {
            var lane = lanes.AsSpan(gi * count, count);
            double mean = 0;
            foreach (var v in lane) mean += v;
            mean /= count;
            double ss = 0;
            foreach (var v in lane) ss += (v - mean) * (v - mean);
            double variance = ss / Math.Max(count - correction, 0);
            values[gi] = std ? Math.Sqrt(variance) : variance;
        }
        var result = new Tensor(CastKernel.Convert(values, DType), outShape, DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, std ? "StdBackward0" : "VarBackward0", [this], [this, result], (ShapeArray, reduce, keepDim, correction, std),
                static (g, s, state, _) =>
                {
                    var (shape, reduced, keep, c, isStd) = state;
                    long n = 1;
                    for (int d = 0; d < shape.Length; d++) if (reduced[d]) n *= shape[d];
                    var x = s[0];
                    var centered = x.Sub(x.Mean(DimsOf(reduced), keepDim: true));
                    var gk = g.UnsqueezeReduced(shape, reduced, keep);
                    // std_backward is var_backward of grad / (2 std): the same node order as PyTorch's.
                    if (isStd) gk = gk.Div(s[1].UnsqueezeReduced(shape, reduced, keep).Mul(2L));
                    return [centered.Mul(gk).Mul(2.0 / Math.Max(n - c, 0))];
                });
        return result;
    }

    /// <summary>The p-norm over dims, p = 2 by default (LinalgVectorNormBackward0, as torch.norm gives).</summary>
    public Tensor Norm(double p = 2, int[]? dims = null, bool keepDim = false)
    {
        if (!DType.IsFloating())
            throw TorchException.Runtime("NormNonFloating",
                $"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {DType.ScalarTypeName()}");
        var x = this;
        var reduce = ReducedDims(dims ?? [], Rank);
        var (lanes, count) = x.Lanes(reduce);
        var outShape = ReducedShape(_shape, reduce, keepDim);
        var values = new double[Shapes.NumElements(outShape)];
        for (int gi = 0; gi < values.Length; gi++)
        {
            var lane = lanes.AsSpan(gi * count, count);
            double acc = 0;
            if (double.IsPositiveInfinity(p)) foreach (var v in lane) acc = Math.Max(acc, Math.Abs(v));
            else if (p == 0) foreach (var v in lane) acc += v != 0 ? 1 : 0;
            else
            {
                foreach (var v in lane) acc += Math.Pow(Math.Abs(v), p);
                acc = Math.Pow(acc, 1 / p);
            }
            values[gi] = acc;
        }
        var result = new Tensor(CastKernel.Convert(values, x.DType), outShape, x.DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "LinalgVectorNormBackward0", [this], [this, result], (ShapeArray, reduce, keepDim, p),
                static (g, s, state, _) =>
                {
                    var (shape, reduced, keep, pp) = state;
                    var x = s[0];
                    var norm = s[1].UnsqueezeReduced(shape, reduced, keep);
                    var gk = g.UnsqueezeReduced(shape, reduced, keep);
                    var zero = ZerosScalar(g.DType);
                    Tensor grad;
                    if (pp == 0) grad = ZerosLike(x).Mul(gk);
                    else if (pp == 1) grad = x.Sign().Mul(gk);
                    else if (pp == 2) grad = Where(norm.Eq(0L), zero, x.Div(norm)).Mul(gk);
                    else if (double.IsPositiveInfinity(pp))
                    {
                        var mask = x.Abs().Eq(norm).Cast(g.DType);
                        grad = x.Sign().Mul(mask).Div(mask.Sum(DimsOf(reduced), keepDim: true)).Mul(gk);
                    }
                    else grad = Where(norm.Eq(0L), zero, x.Mul(x.Abs().Pow(pp - 2)).Div(norm.Pow(pp - 1))).Mul(gk);
                    return [grad];
                });
        return result;
    }

    /// <summary>Product of all elements (ProdBackward0).</summary>
    public Tensor Prod() => ProdCore(AllDims(Rank), keepDim: false, "ProdBackward0");

    /// <summary>Product along one dim (ProdBackward1).</summary>
    public Tensor Prod(int dim, bool keepDim = false) => ProdCore(ReducedDims([dim], Rank), keepDim, "ProdBackward1");

    private Tensor ProdCore(bool[] reduce, bool keepDim, string node)
    {
        var dtype = DType == DType.Bool ? DType.Int64 : DType;
        var (lanes, count) = Lanes(reduce);
        var outShape = ReducedShape(_shape, reduce, keepDim);
        var values = new double[Shapes.NumElements(outShape)];
        for (int gi = 0; gi < values.Length; gi++)
        {
            double prod = 1;
            for (int k = 0; k < count; k++) prod *= lanes[gi * count + k];
            values[gi] = prod;
        }
        var result = new Tensor(CastKernel.Convert(values, dtype), outShape, dtype);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, node, [this], [this, result], (ShapeArray, reduce, keepDim), static (g, s, state, _) =>
            {
                var (shape, reduced, keep) = state;
                // PyTorch's prod_backward: a 0-d input passes the gradient on; without zeros, d prod / d x_i is
                // grad * (prod / x_i); with zeros, the product of the other elements.
                if (shape.Length == 0) return [g];
                var x = s[0];
                var gk = g.UnsqueezeReduced(shape, reduced, keep);
                if (!x.Eq(0L).Any())
                    return [gk.Mul(s[1].UnsqueezeReduced(shape, reduced, keep).Div(x))];
                return [gk.Mul(x.ProductOfOthers(reduced))];
            });
        return result;
    }

    /// <summary>For each element, the product of the other elements of its lane (prefix times suffix products).</summary>
    private Tensor ProductOfOthers(bool[] reduce)
    {
        var perm = LaneOrder(reduce);
        var (lanes, count) = Lanes(reduce);
        var others = new double[lanes.Length];
        for (int start = 0; start < lanes.Length; start += Math.Max(count, 1))
        {
            double prefix = 1;
            for (int k = 0; k < count; k++) { others[start + k] = prefix; prefix *= lanes[start + k]; }
            double suffix = 1;
            for (int k = count - 1; k >= 0; k--) { others[start + k] *= suffix; suffix *= lanes[start + k]; }
        }
        var laneShape = perm.Select(d => _shape[d]).ToArray();
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[perm[i]] = i;
        using (GradMode.NoGrad())
            return new Tensor(CastKernel.Convert(others, DType), laneShape, DType).Permute(inverse);
    }

    internal bool Any()
    {
        foreach (var b in (bool[])Cast(DType.Bool).Dense) if (b) return true;
        return false;
    }

    internal Tensor IsNaNMask() => MapValues(static v => double.IsNaN(v) ? 1 : 0).Cast(DType.Bool);

    public Tensor LogicalOr(Tensor other) => Compare<LogicalOrOperator>(this, other);

    // ---- softmax --------------------------------------------------------------------------------------------

    /// <summary>exp(x - max) / sum over dim (SoftmaxBackward0).</summary>
    public Tensor Softmax(int dim) => SoftmaxCore(dim, log: false);

    /// <summary>x - logsumexp over dim (LogSoftmaxBackward0).</summary>
    public Tensor LogSoftmax(int dim) => SoftmaxCore(dim, log: true);

    private Tensor SoftmaxCore(int dim, bool log)
    {
        if (!DType.IsFloating())
            throw TorchException.Runtime("SoftmaxNonFloating",
                $"\"{(log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl")}\" not implemented for '{DType.ScalarTypeName()}'");
        int d = Shapes.WrapDim(dim, Rank);
        var result = Rank > 0 && d == Rank - 1 && IsCompact && NumElements > 0 ? SoftmaxLastDim(log) : SoftmaxAnyDim(d, log);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", [this], [result], (d, log), static (g, s, state, _) =>
            {
                var (dd, isLog) = state;
                return [isLog ? LogSoftmaxBackwardData(g, s[0], dd) : SoftmaxBackwardData(g, s[0], dd)];
            });
        return result;
    }

    /// <summary>The usual case, softmax over the last dim of a contiguous tensor: a vectorized pass per row.</summary>
    private Tensor SoftmaxLastDim(bool log)
    {
        var result = Empty(_shape, DType);
        if (DType == DType.Float32) SoftmaxKernels.LastDim((float[])Buffer, result.Fillable<float>(), _shape[^1], log);
        else SoftmaxKernels.LastDim((double[])Buffer, result.Fillable<double>(), _shape[^1], log);
        return result;
    }

    /// <summary>Any dim and layout: each lane gathered in double, reduced, and scattered back.</summary>
    private Tensor SoftmaxAnyDim(int d, bool log)
    {
        var reduce = new bool[Rank];
        if (Rank > 0) reduce[d] = true;
        var (lanes, count) = Lanes(reduce);
        var outLanes = new double[lanes.Length];
        for (int start = 0; start < lanes.Length; start += Math.Max(count, 1))
        {
            var lane = lanes.AsSpan(start, count);
            double m = double.NegativeInfinity;
            foreach (var v in lane) m = Math.Max(m, v);
            double s = 0;
            foreach (var v in lane) s += Math.Exp(v - m);
            for (int k = 0; k < count; k++)
                outLanes[start + k] = log ? lane[k] - m - Math.Log(s) : Math.Exp(lane[k] - m) / s;
        }
        return FromLanes(outLanes, reduce);
    }

    // ---- lanes ----------------------------------------------------------------------------------------------

    /// <summary>Kept dims first, then reduced dims: the order that makes every reduction lane contiguous.</summary>
    private int[] LaneOrder(bool[] reduce)
    {
        var order = new List<int>();
        for (int d = 0; d < Rank; d++) if (!reduce[d]) order.Add(d);
        for (int d = 0; d < Rank; d++) if (reduce[d]) order.Add(d);
        return order.ToArray();
    }

    /// <summary>The elements as double, rearranged so that each reduction lane is one contiguous run.</summary>
    private (double[] Lanes, int Count) Lanes(bool[] reduce)
    {
        int count = 1;
        for (int d = 0; d < Rank; d++) if (reduce[d]) count *= _shape[d];
        var perm = LaneOrder(reduce);
        var own = Shapes.ContiguousStrides(_shape);
        var shape = perm.Select(d => _shape[d]).ToArray();
        var strides = perm.Select(d => own[d]).ToArray();
        var gathered = StridedCopy.Gather(StorageAs(DType.Float64), shape, strides, 0);
        return ((double[])gathered, count);
    }

    /// <summary>The inverse of <see cref="Lanes"/>: a tensor of this shape and dtype from lane-ordered values.</summary>
    private Tensor FromLanes(double[] lanes, bool[] reduce)
    {
        var perm = LaneOrder(reduce);
        var laneShape = perm.Select(d => _shape[d]).ToArray();
        var inverse = new int[Rank];
        for (int i = 0; i < Rank; i++) inverse[perm[i]] = i;
        var laneStrides = Shapes.ContiguousStrides(laneShape);
        var readStrides = inverse.Select(i => laneStrides[i]).ToArray();
        var data = StridedCopy.Gather(lanes, _shape, readStrides, 0);
        return new Tensor(CastKernel.Convert(data, DType), _shape, DType);
    }

    private static int[] DimsOf(bool[] reduced)
    {
        var dims = new List<int>();
        for (int d = 0; d < reduced.Length; d++) if (reduced[d]) dims.Add(d);
        return dims.ToArray();
    }
}
