using AutoGrad.Autograd;

namespace AutoGrad;

/// <summary>How a loss reduces its per-element values (PyTorch's reduction= argument).</summary>
public enum Reduction
{
    Mean,
    Sum,
    None,
}

// Loss functions. mse_loss, nll_loss and binary_cross_entropy_with_logits are single nodes in PyTorch;
// l1_loss and cross_entropy are compositions (abs/mean; log_softmax then nll_loss), so their node names fall out.
public sealed partial class Tensor
{
    public static Reduction ParseReduction(string text) => text?.ToLowerInvariant() switch
    {
        "mean" => Reduction.Mean,
        "sum" => Reduction.Sum,
        "none" => Reduction.None,
        _ => throw TorchException.Value("InvalidReduction", $"{text ?? "None"} is not a valid value for reduction"),
    };

    /// <summary>Mean squared error (MseLossBackward0).</summary>
    public Tensor MseLoss(Tensor target, Reduction reduction = Reduction.Mean)
    {
        Arg.Tensor(target);
        WarnIfTargetSizeDiffers(target);
        Tensor result;
        using (GradMode.NoGrad())
        {
            var diff = Sub(target);
            result = Reduce(diff.Mul(diff), reduction);
        }
        result = result.Detach();
        if (Graph.NeedsGrad(this, target))
            // As derivatives.yaml: self's gradient is mse_loss_backward(grad, self, target), target's the same with
            // the two swapped (so both are MseLossBackwardBackward0 under create_graph).
            Graph.Record(result, "MseLossBackward0", [this, target], [this, target], reduction, static (g, s, state, n) =>
                [n[0] ? MseLossBackward(g, s[0], s[1], state) : null, n[1] ? MseLossBackward(g, s[1], s[0], state) : null]);
        return result;
    }

    /// <summary>Mean absolute error: |input - target| reduced (so MeanBackward0/SumBackward0/AbsBackward0).</summary>
    public Tensor L1Loss(Tensor target, Reduction reduction = Reduction.Mean)
    {
        Arg.Tensor(target);
        WarnIfTargetSizeDiffers(target);
        return Reduce(Sub(target).Abs(), reduction);
    }

    /// <summary>torch.nn.functional's UserWarning when a pointwise loss's target would broadcast against the input.</summary>
    private void WarnIfTargetSizeDiffers(Tensor target)
    {
        if (!Shapes.Equal(_shape, target._shape))
            TorchWarnings.Warn("LossTargetSize",
                $"Using a target size ({Shapes.ToTorchSize(target._shape)}) that is different to the input size ({Shapes.ToTorchSize(_shape)}). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.");
    }

    /// <summary>
    /// Negative log-likelihood of log-probabilities [N, C] (or [C]) at Int64 class targets [N] (or []); targets
    /// equal to <paramref name="ignoreIndex"/> are skipped (NllLossBackward0).
    /// </summary>
    public Tensor NllLoss(Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100)
    {
        Arg.Tensor(target);
        if (target.DType != DType.Int64)
            throw TorchException.Runtime("NllLossTargetDType",
                $"expected scalar type Long but found {target.DType.ScalarTypeName()}");
        if (Rank is < 1 or > 2)
            throw TorchException.Value("NllLossInputRank", Rank == 0
                ? "Expected 1 or more dimensions (got 0)"
                : $"Expected 1 or 2 dimensions (got {Rank})");
        bool batched = Rank == 2;
        int n = batched ? _shape[0] : 1, c = batched ? _shape[1] : _shape[0];
        // PyTorch's order and texts: the batch sizes first (a 0-d target's batch size reads as 0 there), then the
        // target's rank, then a 1-d input's target.
        if (batched && (target.Rank == 0 || target._shape[0] != n))
            throw TorchException.Value("NllLossTargetShape",
                $"Expected input batch_size ({n}) to match target batch_size ({(target.Rank > 0 ? target._shape[0] : 0)}).");
        if (target.Rank > 1)
            throw TorchException.Runtime("NllLossTargetRank", "0D or 1D target tensor expected, multi-target not supported");
        if (!batched && target.Rank != 0)
            throw TorchException.Runtime("NllLossTargetShape",
                $"size mismatch (got input: [{Shapes.Join(_shape)}], target: [{Shapes.Join(target._shape)}])");
        if (!DType.IsFloating())
            throw TorchException.Runtime("NotImplementedForDType", $"\"nll_loss_out_frame\" not implemented for '{DType.ScalarTypeName()}'");
        var targets = (long[])target.Dense;
        // Only the target's element of each row is read (through the strides), not the whole input.
        var x = Buffer;
        int rowStride = batched ? _strides[0] : 0, colStride = _strides[^1];
        var losses = new double[n];
        int counted = 0;
        for (int i = 0; i < n; i++)
        {
            long t = targets[i];
            if (t == ignoreIndex) continue;
            if (t < 0 || t >= c) throw TorchException.Index("NllLossTargetOutOfBounds", $"Target {t} is out of bounds.");
            long at = _offset + (long)i * rowStride + t * colStride;
            losses[i] = -(x is float[] f ? f[at] : ((double[])x)[at]);
            counted++;
        }
        double[] values = reduction switch
        {
            Reduction.None => losses,
            Reduction.Sum => [losses.Sum()],
            _ => [losses.Sum() / counted],
        };
        int[] outShape = reduction == Reduction.None ? (batched ? [n] : []) : [];
        var result = new Tensor(Kernels.CastKernel.Convert(values, DType), outShape, DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "NllLossBackward0", [this], [target], (ShapeArray, reduction, ignoreIndex, counted),
                static (g, s, state, _) =>
                {
                    var (shape, red, ignore, count) = state;
                    return [NllLossGrad(g, s[0], shape, red, ignore, count)];
                });
        return result;
    }

    /// <summary>
    /// nll_loss_backward: -grad (divided by the counted targets for the mean) at each sample's target class, 0
    /// elsewhere. Its derivative in grad is nll_loss of the incoming gradient (NllLossBackwardBackward0); in the
    /// log-probabilities it is zero.
    /// </summary>
    private static Tensor NllLossGrad(Tensor g, Tensor target, int[] shape, Reduction reduction, long ignore, int count)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = NllLossScatter(g, target, shape, reduction, ignore, count);
        if (Graph.NeedsGrad(g))
            Graph.Record(result, "NllLossBackwardBackward0", [g], [target], (reduction, ignore), static (gg, s, state, _) =>
                [gg.NllLoss(s[0], state.reduction, state.ignore)]);
        return result;
    }

    /// <summary>
    /// Zeros, and -grad (over the counted targets for the mean) at each sample's target class, in grad's dtype: one
    /// write per sample, as ATen's nll_loss_backward (the upstream gradient is one value per sample for 'none',
    /// else one for the whole loss).
    /// </summary>
    private static Tensor NllLossScatter(Tensor g, Tensor target, int[] shape, Reduction reduction, long ignore, int count)
    {
        bool batched = shape.Length == 2;
        int n = batched ? shape[0] : 1, c = batched ? shape[1] : shape[0];
        var targets = (long[])target.Dense;
        var upstream = g.ToDoubleArray();
        bool perSample = reduction == Reduction.None && batched, mean = reduction == Reduction.Mean;
        var result = Zeros(shape, g.DType);
        var data = result.Buffer;
        for (int i = 0; i < n; i++)
        {
            if (targets[i] == ignore) continue;
            // -(grad / total_weight) for the mean, else -grad, in the gradient's own type, as ATen computes it.
            double u = upstream[perSample ? i : 0];
            long at = (long)i * c + targets[i];
            if (data is float[] f) f[at] = -(mean ? (float)u / count : (float)u);
            else ((double[])data)[at] = -(mean ? u / count : u);
        }
        return result;
    }

    /// <summary>log_softmax over classes then nll_loss (the top node is NllLossBackward0, as in PyTorch).</summary>
    public Tensor CrossEntropy(Tensor target, Reduction reduction = Reduction.Mean, long ignoreIndex = -100)
    {
        var logProbabilities = LogSoftmax(Rank == 1 ? 0 : 1);
        var loss = logProbabilities.NllLoss(target, reduction, ignoreIndex);
        // Without a graph nothing else holds the log-probabilities: their storage goes back to the pool now, as
        // PyTorch frees the intermediate, instead of waiting for a collection to find it.
        if (logProbabilities.GradFn is null) logProbabilities.Dispose();
        return loss;
    }

    /// <summary>
    /// Sigmoid plus binary cross-entropy in one numerically stable step:
    /// max(x, 0) - x t + log(1 + exp(-|x|)) (BinaryCrossEntropyWithLogitsBackward0).
    /// </summary>
    public Tensor BinaryCrossEntropyWithLogits(Tensor target, Reduction reduction = Reduction.Mean)
    {
        Arg.Tensor(target);
        if (!Shapes.Equal(_shape, target._shape))
            throw TorchException.Value("BceTargetShape",
                $"Target size ({Shapes.ToTorchSize(target._shape)}) must be the same as input size ({Shapes.ToTorchSize(_shape)})");
        Tensor result;
        using (GradMode.NoGrad())
        {
            var x = this;
            var loss = x.Relu().Sub(x.Mul(target)).Add(x.Abs().Neg().Exp().Log1p());
            result = Reduce(loss, reduction);
        }
        result = result.Detach();
        if (Graph.NeedsGrad(this, target))
            Graph.Record(result, "BinaryCrossEntropyWithLogitsBackward0", [this, target], [this, target], reduction,
                static (g, s, state, n) =>
                {
                    var (x, t) = (s[0], s[1]);
                    var scale = state == Reduction.Mean ? g.Div((long)x.NumElements) : g;
                    return [n[0] ? x.Sigmoid().Sub(t).Mul(scale) : null, n[1] ? x.Neg().Mul(scale) : null];
                });
        return result;
    }

    private static Tensor Reduce(Tensor values, Reduction reduction) => reduction switch
    {
        Reduction.Mean => values.Mean(),
        Reduction.Sum => values.Sum(),
        _ => values,
    };
}
