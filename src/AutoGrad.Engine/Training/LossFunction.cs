using AutoGrad.Autograd;
using AutoGrad.Ops;

namespace AutoGrad.Training;

/// <summary>How a loss's predictions count as right or wrong, for the accuracy a training loop reports.</summary>
public enum AccuracyKind
{
    /// <summary>No accuracy (regression losses, and losses given as code).</summary>
    None,

    /// <summary>Class scores [N, C, ...] against class indices [N, ...]: the arg max over dim 1 is the prediction.</summary>
    Classes,

    /// <summary>Logits against 0/1 targets of the same shape: a logit above 0 predicts 1.</summary>
    BinaryLogits,
}

/// <summary>
/// A loss for a training loop: prediction and target in, a scalar tensor out. <see cref="FromName"/> takes the losses
/// of the op table by name (CrossEntropy, MseLoss, ... with their default options, reduction='mean'); the
/// constructor takes any function.
/// </summary>
public sealed class LossFunction
{
    private readonly Func<Tensor, Tensor?, Tensor> _compute;

    public LossFunction(string name, Func<Tensor, Tensor?, Tensor> compute, AccuracyKind accuracy = AccuracyKind.None)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(compute);
        Name = name;
        _compute = compute;
        Accuracy = accuracy;
    }

    public string Name { get; }

    /// <summary>Whether and how predictions are scored (classification losses).</summary>
    public AccuracyKind Accuracy { get; }

    /// <summary>Whether the loss needs a target (the op table's losses do; code may not).</summary>
    public bool NeedsTarget { get; private init; }

    /// <summary>The losses of the op table: its ops that take a -Target, sorted by name.</summary>
    public static IReadOnlyList<string> Names { get; } =
        OpTable.All.Where(op => op.Requires(OpArgs.Target)).Select(op => op.Name).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A loss of the op table by name (any case); an unknown name lists the valid ones.</summary>
    public static LossFunction FromName(string name)
    {
        if (!OpTable.TryGet(name, out var op) || !op.Requires(OpArgs.Target))
            throw TorchException.Value("UnknownLoss",
                $"Unknown loss '{name}'. Valid losses: {string.Join(", ", Names)}.");
        var accuracy = op.Name switch
        {
            "CrossEntropy" or "NllLoss" => AccuracyKind.Classes,
            "BinaryCrossEntropyWithLogits" => AccuracyKind.BinaryLogits,
            _ => AccuracyKind.None,
        };
        return new LossFunction(op.Name, (prediction, target) => (Tensor)op.Apply(new OpCall(prediction) { Target = target }), accuracy)
        {
            NeedsTarget = true,
        };
    }

    /// <summary>The loss of one batch.</summary>
    public Tensor Compute(Tensor prediction, Tensor? target) => _compute(Arg.Tensor(prediction, "input", Name), target);

    /// <summary>
    /// How many predictions of a batch are right, and how many were scored: (correct, counted), or null when the
    /// loss has no accuracy or the shapes do not fit its rule.
    /// </summary>
    public (long Correct, long Counted)? CountCorrect(Tensor prediction, Tensor? target)
    {
        Arg.Tensor(prediction, "input", Name);
        if (target is null) return null;
        using var _ = GradMode.NoGrad();
        switch (Accuracy)
        {
            case AccuracyKind.Classes:
                {
                    if (prediction.Rank < 2 || target.DType != DType.Int64) return null;
                    var expected = prediction.Shape.Where((_, d) => d != 1).ToArray();
                    if (!Shapes.Equal(expected, target.Shape)) return null;
                    long correct = Convert.ToInt64(prediction.ArgMax(1).Eq(target).Sum().Item());
                    return (correct, target.NumElements);
                }
            case AccuracyKind.BinaryLogits:
                {
                    if (!Shapes.Equal(prediction.Shape, target.Shape)) return null;
                    long correct = Convert.ToInt64(prediction.Gt(0.0).Eq(target.Gt(0.5)).Sum().Item());
                    return (correct, target.NumElements);
                }
            default:
                return null;
        }
    }

    public override string ToString() => Name;
}
