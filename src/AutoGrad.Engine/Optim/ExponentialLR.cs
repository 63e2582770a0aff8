namespace AutoGrad.Optim;

/// <summary>torch.optim.lr_scheduler.ExponentialLR: multiplies every group's lr by gamma at every step.</summary>
public sealed class ExponentialLR : LRScheduler
{
    public ExponentialLR(Optimizer optimizer, double gamma) : base(optimizer)
    {
        Gamma = gamma;
        Start();
    }

    /// <summary>The factor applied at each step (gamma).</summary>
    public double Gamma { get; }

    private protected override double[] ComputeLR(int epoch)
    {
        var lrs = CurrentLRs();
        return epoch == 0 ? lrs : lrs.Select(lr => lr * Gamma).ToArray();
    }

    private protected override IEnumerable<(string, object?)> Settings() => [("gamma", Gamma)];
}
