using System.Numerics.Tensors;
using AutoGrad.Autograd;
using AutoGrad.NN;

namespace AutoGrad;

// F.layer_norm and F.batch_norm, each one node as in PyTorch (NativeLayerNormBackward0, NativeBatchNormBackward0).
// The forward computes statistics in double and rounds once to the input's dtype; the backward formulas are written
// with differentiable tensor ops, so gradients of gradients (create_graph) are exact too:
//   x̂ = (x - mean) * rstd,  dx = rstd * (g·w - mean(g·w) - x̂ * mean(g·w * x̂)),  dw = Σ g * x̂,  db = Σ g
// with the means taken over the normalized elements (layer norm: the trailing dims; batch norm: every dim but the
// channel dim 1). Batch norm in eval mode normalizes with fixed running statistics, so there dx = g · w · rstd.
public sealed partial class Tensor
{
    /// <summary>
    /// F.layer_norm: normalizes over the trailing dims given by <paramref name="normalizedShape"/> (biased variance),
    /// then scales by <paramref name="weight"/> and shifts by <paramref name="bias"/> when given.
    /// </summary>
    public static Tensor LayerNorm(Tensor input, int[] normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        CheckLayerNormInputs(input, normalizedShape, weight, bias);
        int k = normalizedShape.Length, lead = input.Rank - k;
        int cols = Shapes.NumElements(normalizedShape), rows = Shapes.NumElements(input._shape.AsSpan(0, lead));
        var w = weight?.ToDoubleArray();
        var b = bias?.ToDoubleArray();
        var means = new double[rows];
        var rstds = new double[rows];
        var result = Empty(input._shape, input.DType);
        if (cols > 0)
        {
            // Each row through a double scratch row: statistics and the affine map in double, rounded once at the end.
            var source = input.IsCompact ? input : input.Contiguous();
            var scratch = new double[cols];
            for (int row = 0; row < rows; row++)
            {
                if (source.Buffer is float[] xf) TensorPrimitives.ConvertChecked<float, double>(xf.AsSpan(row * cols, cols), scratch);
                else ((double[])source.Buffer).AsSpan(row * cols, cols).CopyTo(scratch);
                double mean = TensorPrimitives.Sum<double>(scratch) / cols;
                TensorPrimitives.Subtract(scratch, mean, scratch);
                double rstd = 1 / Math.Sqrt(TensorPrimitives.SumOfSquares<double>(scratch) / cols + eps);
                means[row] = mean;
                rstds[row] = rstd;
                TensorPrimitives.Multiply(scratch, rstd, scratch);
                if (w is not null) TensorPrimitives.Multiply(scratch, w, scratch);
                if (b is not null) TensorPrimitives.Add(scratch, b, scratch);
                if (result.Buffer is float[] yf) TensorPrimitives.ConvertTruncating<double, float>(scratch, yf.AsSpan(row * cols, cols));
                else scratch.CopyTo(((double[])result.Buffer).AsSpan(row * cols, cols));
            }
        }
        var inputs = Present(input, weight, bias);
        if (Graph.NeedsGrad(inputs))
        {
            var statShape = input._shape[..lead].Concat(Enumerable.Repeat(1, k)).ToArray();
            var mean = FromDoubles(means, statShape, input.DType);
            var rstd = FromDoubles(rstds, statShape, input.DType);
            Tensor[] saved = weight is null ? [input, mean, rstd] : [input, mean, rstd, weight];
            var normDims = Enumerable.Range(lead, k).ToArray();
            var leadDims = Enumerable.Range(0, lead).ToArray();
            Graph.Record(result, "NativeLayerNormBackward0", inputs, saved, (normDims, leadDims, weight is not null, bias is not null, eps),
                static (g, s, state, n) =>
                {
                    var (norm, leading, hasWeight, hasBias, e) = state;
                    var (x, mean, rstd) = Statistics(s[0], s[1], s[2], norm, e);
                    var xhat = x.Sub(mean).Mul(rstd);
                    var grads = new List<Tensor?>
                    {
                        n[0] ? NormalizedInputGrad(hasWeight ? g.Mul(s[3]) : g, xhat, rstd, norm) : null,
                    };
                    if (hasWeight) grads.Add(n[1] ? SumOver(g.Mul(xhat), leading) : null);
                    if (hasBias) grads.Add(n[^1] ? SumOver(g, leading) : null);
                    return grads.ToArray();
                });
        }
        return result;
    }

    /// <summary>
    /// F.batch_norm over channel dim 1 of a [N, C] or [N, C, L...] input. In training (or without running
    /// statistics) it normalizes with the batch's mean and biased variance and, when running statistics are given,
    /// updates them in place: running = momentum * batch + (1 - momentum) * running, with the unbiased variance. In
    /// eval it normalizes with the running statistics.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null,
        Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
    {
        Arg.Tensor(input);
        if (input.Rank < 2)
            throw TorchException.Value("BatchNormInputRank", $"expected 2D or more input (got {input.Rank}D input)");
        int channels = input._shape[1];
        CheckChannelCount("running_mean", runningMean, channels);
        CheckChannelCount("running_var", runningVar, channels);
        CheckChannelCount("weight", weight, channels);
        CheckChannelCount("bias", bias, channels);
        int outer = input._shape[0], inner = Shapes.NumElements(input._shape.AsSpan(2));
        long perChannel = (long)outer * inner;
        if (training && perChannel == 1)
            throw TorchException.Value("BatchNormSingleValue",
                $"Expected more than 1 value per channel when training, got input size {Shapes.ToTorchSize(input._shape)}");
        bool batchStats = training || runningMean is null || runningVar is null;
        if (!input.DType.IsFloating())
            throw TorchException.Runtime("NotImplementedForDType", $"\"batch_norm\" not implemented for '{input.DType.ScalarTypeName()}'");

        // [N, C] input is read a row at a time into a double row (no double copy of the whole input); other ranks
        // are read from one.
        var x = new ChannelRows(input, channels, inner);
        var mean = new double[channels];
        var rstd = new double[channels];
        if (batchStats)
        {
            var variance = new double[channels];
            var sums = new double[channels];
            ForEachChannelRun(x, outer, channels, inner, (row, _) => TensorPrimitives.Add(sums, row, sums),
                (run, c, _) => { foreach (var v in run) sums[c] += v; });
            for (int c = 0; c < channels; c++) mean[c] = perChannel > 0 ? sums[c] / perChannel : double.NaN;
            var squares = new double[channels];
            var centered = new double[channels];
            ForEachChannelRun(x, outer, channels, inner, (row, _) =>
                {
                    TensorPrimitives.Subtract(row, mean, centered);
                    TensorPrimitives.MultiplyAdd(centered, centered, squares, squares);
                },
                (run, c, _) => { foreach (var v in run) squares[c] += (v - mean[c]) * (v - mean[c]); });
            for (int c = 0; c < channels; c++)
            {
                variance[c] = perChannel > 0 ? squares[c] / perChannel : double.NaN;
                rstd[c] = 1 / Math.Sqrt(variance[c] + eps);
            }
            if (training && runningMean is not null && runningVar is not null)
            {
                var rm = runningMean.ToDoubleArray();
                var rv = runningVar.ToDoubleArray();
                for (int c = 0; c < channels; c++)
                {
                    double unbiased = variance[c] * perChannel / (perChannel - 1);
                    rm[c] = momentum * mean[c] + (1 - momentum) * rm[c];
                    rv[c] = momentum * unbiased + (1 - momentum) * rv[c];
                }
                using (GradMode.NoGrad())
                {
                    runningMean.Copy_(FromDoubles(rm, runningMean._shape, runningMean.DType));
                    runningVar.Copy_(FromDoubles(rv, runningVar._shape, runningVar.DType));
                }
            }
        }
        else
        {
            var rm = runningMean!.ToDoubleArray();
            var rv = runningVar!.ToDoubleArray();
            for (int c = 0; c < channels; c++)
            {
                mean[c] = rm[c];
                rstd[c] = 1 / Math.Sqrt(rv[c] + eps);
            }
        }

        var w = weight?.ToDoubleArray();
        var b = bias?.ToDoubleArray();
        var result = Empty(input._shape, input.DType);
        var (yFloat, yDouble) = (result.Buffer as float[], result.Buffer as double[]);
        // The normalized values of a row (or a channel's run) go straight into the result, rounded once to its dtype.
        var normalized = new double[inner == 1 ? channels : inner];
        void Store(int start, int count)
        {
            if (yFloat is not null) TensorPrimitives.ConvertTruncating<double, float>(normalized.AsSpan(0, count), yFloat.AsSpan(start, count));
            else normalized.AsSpan(0, count).CopyTo(yDouble.AsSpan(start, count));
        }
        ForEachChannelRun(x, outer, channels, inner, (row, o) =>
            {
                TensorPrimitives.Subtract(row, mean, normalized);
                TensorPrimitives.Multiply(normalized, rstd, normalized);
                if (w is not null) TensorPrimitives.Multiply(normalized, w, normalized);
                if (b is not null) TensorPrimitives.Add(normalized, b, normalized);
                Store(o * channels, channels);
            },
            (run, c, start) =>
            {
                for (int k = 0; k < run.Length; k++)
                {
                    double v = (run[k] - mean[c]) * rstd[c];
                    if (w is not null) v *= w[c];
                    if (b is not null) v += b[c];
                    normalized[k] = v;
                }
                Store(start, run.Length);
            });
        var inputs = Present(input, weight, bias);
        if (Graph.NeedsGrad(inputs))
        {
            var statShape = new int[input.Rank];
            Array.Fill(statShape, 1);
            statShape[1] = channels;
            var meanT = FromDoubles(mean, statShape, input.DType);
            var rstdT = FromDoubles(rstd, statShape, input.DType);
            Tensor[] saved = weight is null ? [input, meanT, rstdT] : [input, meanT, rstdT, weight];
            var reduce = Enumerable.Range(0, input.Rank).Where(d => d != 1).ToArray();
            Graph.Record(result, "NativeBatchNormBackward0", inputs, saved, (reduce, statShape, batchStats, weight is not null, bias is not null, eps),
                static (g, s, state, n) =>
                {
                    var (red, shape, useBatch, hasWeight, hasBias, e) = state;
                    var (x, mean, rstd) = useBatch ? Statistics(s[0], s[1], s[2], red, e) : (s[0], s[1], s[2]);
                    var w = hasWeight ? s[3].Reshape(shape) : null;
                    var xhat = x.Sub(mean).Mul(rstd);
                    Tensor? dx = null;
                    if (n[0])
                    {
                        var gw = w is null ? g : g.Mul(w);
                        dx = useBatch ? NormalizedInputGrad(gw, xhat, rstd, red) : gw.Mul(rstd);
                    }
                    var grads = new List<Tensor?> { dx };
                    if (hasWeight) grads.Add(n[1] ? g.Mul(xhat).Sum(red) : null);
                    if (hasBias) grads.Add(n[^1] ? g.Sum(red) : null);
                    return grads.ToArray();
                });
        }
        return result;
    }

    /// <summary>
    /// The saved mean and rstd, or, when the backward pass is itself recorded (create_graph) and x requires grad,
    /// the same statistics recomputed from x with differentiable ops: they depend on x, and second derivatives must
    /// see that dependence.
    /// </summary>
    private static (Tensor X, Tensor Mean, Tensor Rstd) Statistics(Tensor x, Tensor mean, Tensor rstd, int[] dims, double eps)
    {
        if (!GradMode.IsEnabled || !x.RequiresGrad) return (x, mean, rstd);
        var m = x.Mean(dims, keepDim: true);
        var centered = x.Sub(m);
        return (x, m, centered.Mul(centered).Mean(dims, keepDim: true).Add(eps).Rsqrt());
    }

    /// <summary>rstd * (gw - mean(gw) - x̂ * mean(gw * x̂)), the means over <paramref name="dims"/>.</summary>
    private static Tensor NormalizedInputGrad(Tensor gw, Tensor xhat, Tensor rstd, int[] dims) =>
        gw.Sub(gw.Mean(dims, keepDim: true)).Sub(xhat.Mul(gw.Mul(xhat).Mean(dims, keepDim: true))).Mul(rstd);

    private static Tensor SumOver(Tensor t, int[] dims) => dims.Length == 0 ? t : t.Sum(dims);

    private static Tensor[] Present(Tensor input, Tensor? weight, Tensor? bias)
    {
        var list = new List<Tensor> { input };
        if (weight is not null) list.Add(weight);
        if (bias is not null) list.Add(bias);
        return list.ToArray();
    }

    /// <summary>Visits a contiguous [outer, channels, inner] layout in memory order: (channel, flat index).</summary>
    /// <summary>
    /// Walks x [outer, channels, inner] in memory order: for [N, C] input (inner 1) one row of channels at a time
    /// (<paramref name="row"/>, vectorized across the channels by the caller, each channel's elements still taken
    /// in order), else each channel's run of inner elements (<paramref name="run"/>, with its start in x).
    /// </summary>
    private static void ForEachChannelRun(ChannelRows x, int outer, int channels, int inner, RowAction row, RunAction run)
    {
        if (inner == 1)
        {
            for (int o = 0; o < outer; o++) row(x.Row(o), o);
            return;
        }
        for (int o = 0, i = 0; o < outer; o++)
            for (int c = 0; c < channels; c++, i += inner) run(x.Whole.AsSpan(i, inner), c, i);
    }

    /// <summary>A batch-norm input as double values: [N, C] a row at a time through one row buffer, else whole.</summary>
    private sealed class ChannelRows(Tensor input, int channels, int inner)
    {
        private readonly Tensor _input = inner == 1 && !input.IsCompact ? input.Contiguous() : input;
        private readonly double[] _row = new double[channels];
        private double[]? _whole;

        public double[] Whole => _whole ??= _input.ToDoubleArray();

        public ReadOnlySpan<double> Row(int o)
        {
            if (_input.Buffer is float[] f) TensorPrimitives.ConvertChecked<float, double>(f.AsSpan(o * channels, channels), _row);
            else ((double[])_input.Buffer).AsSpan(o * channels, channels).CopyTo(_row);
            return _row;
        }
    }

    private delegate void RowAction(ReadOnlySpan<double> row, int index);

    private delegate void RunAction(ReadOnlySpan<double> run, int channel, int start);

    private static void CheckChannelCount(string name, Tensor? t, int channels)
    {
        if (t is not null && t.NumElements != channels)
            throw TorchException.Runtime("BatchNormChannelMismatch", $"{name} should contain {channels} elements not {t.NumElements}");
    }

    /// <summary>_check_layer_norm_inputs: PyTorch's checks and messages.</summary>
    private static void CheckLayerNormInputs(Tensor input, int[] normalizedShape, Tensor? weight, Tensor? bias)
    {
        Arg.Tensor(input, op: "LayerNorm");
        Arg.Ints(normalizedShape, "normalized_shape", "LayerNorm");
        if (normalizedShape.Length == 0)
            throw TorchException.Runtime("LayerNormEmptyShape",
                "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = []");
        if (weight is not null && !Shapes.Equal(weight._shape, normalizedShape))
            throw TorchException.Runtime("LayerNormWeightShape",
                $"Expected weight to be of same shape as normalized_shape, but got weight of shape [{Shapes.Join(weight._shape)}] and normalized_shape = [{Shapes.Join(normalizedShape)}]");
        if (bias is not null && !Shapes.Equal(bias._shape, normalizedShape))
            throw TorchException.Runtime("LayerNormBiasShape",
                $"Expected bias to be of same shape as normalized_shape, but got bias of shape [{Shapes.Join(bias._shape)}] and normalized_shape = [{Shapes.Join(normalizedShape)}]");
        int lead = input.Rank - normalizedShape.Length;
        if (lead < 0 || !Shapes.Equal(input._shape.AsSpan(lead), normalizedShape))
            throw TorchException.Runtime("LayerNormInputShape",
                $"Given normalized_shape=[{Shapes.Join(normalizedShape)}], expected input with shape [*{string.Concat(normalizedShape.Select(s => ", " + PythonRepr.Int(s)))}], but got input of size[{Shapes.Join(input._shape)}]");
        if (!input.DType.IsFloating())
            throw TorchException.Runtime("LayerNormNonFloating", $"\"LayerNormKernelImpl\" not implemented for '{input.DType.ScalarTypeName()}'");
        foreach (var p in new[] { weight, bias })
            if (p is not null && p.DType != input.DType)
                throw TorchException.Runtime("LayerNormDTypeMismatch",
                    $"expected scalar type {input.DType.ScalarTypeName()} but found {p.DType.ScalarTypeName()}");
    }
}
