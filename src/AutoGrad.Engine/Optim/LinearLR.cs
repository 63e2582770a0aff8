namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.lr_scheduler.LinearLR: scales every group's lr by a factor that moves linearly from start_factor to
/// end_factor over total_iters steps (a warm-up when start_factor &lt; end_factor), then leaves it.
/// </summary>
public sealed class LinearLR : LRScheduler
{
    public LinearLR(Optimizer optimizer, double startFactor = 1.0 / 3, double endFactor = 1.0, int totalIters = 5) : base(optimizer)
    {
        Require(!(startFactor > 1.0 || startFactor <= 0), "InvalidOption",
            "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
        Require(!(endFactor > 1.0 || endFactor < 0), "InvalidOption",
            "Ending multiplicative factor expected to be between 0 and 1.");
        StartFactor = startFactor;
        EndFactor = endFactor;
        TotalIters = totalIters;
        Start();
    }

    /// <summary>The factor at step 0 (start_factor).</summary>
    public double StartFactor { get; }

    /// <summary>The factor from step total_iters on (end_factor).</summary>
    public double EndFactor { get; }

    /// <summary>Steps over which the factor moves (total_iters).</summary>
    public int TotalIters { get; }

    private protected override double[] ComputeLR(int epoch)
    {
        var lrs = CurrentLRs();
        if (epoch == 0) return lrs.Select(lr => lr * StartFactor).ToArray();
        if (epoch > TotalIters) return lrs;
        return lrs.Select(lr => lr * (1.0 + (EndFactor - StartFactor)
            / (TotalIters * StartFactor + (epoch - 1) * (EndFactor - StartFactor)))).ToArray();
    }

    private protected override IEnumerable<(string, object?)> Settings() =>
        [("start_factor", StartFactor), ("end_factor", EndFactor), ("total_iters", TotalIters)];
}
