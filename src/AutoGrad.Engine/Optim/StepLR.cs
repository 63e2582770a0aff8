namespace AutoGrad.Optim;

/// <summary>torch.optim.lr_scheduler.StepLR: multiplies every group's lr by gamma every step_size steps.</summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        Require(stepSize > 0, "InvalidOption", $"StepLR's step_size must be a positive integer, but got {stepSize}");
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    /// <summary>Steps between decays (step_size).</summary>
    public int StepSize { get; }

    /// <summary>The factor applied at each decay (gamma).</summary>
    public double Gamma { get; }

    private protected override double[] ComputeLR(int epoch)
    {
        var lrs = CurrentLRs();
        if (epoch == 0 || epoch % StepSize != 0) return lrs;
        return lrs.Select(lr => lr * Gamma).ToArray();
    }

    private protected override IEnumerable<(string, object?)> Settings() => [("step_size", StepSize), ("gamma", Gamma)];
}
