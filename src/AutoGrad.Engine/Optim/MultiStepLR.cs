namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.lr_scheduler.MultiStepLR: multiplies every group's lr by gamma at each milestone step; a milestone
/// listed n times applies gamma to the power n.
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> _counts = [];

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        Milestones = milestones.ToArray();
        foreach (int m in Milestones) _counts[m] = _counts.GetValueOrDefault(m) + 1;
        Gamma = gamma;
        Start();
    }

    /// <summary>The steps at which lr decays, as given (milestones).</summary>
    public IReadOnlyList<int> Milestones { get; }

    /// <summary>The factor applied at each milestone (gamma).</summary>
    public double Gamma { get; }

    private protected override double[] ComputeLR(int epoch)
    {
        var lrs = CurrentLRs();
        if (!_counts.TryGetValue(epoch, out int count)) return lrs;
        return lrs.Select(lr => lr * Math.Pow(Gamma, count)).ToArray();
    }

    private protected override IEnumerable<(string, object?)> Settings() =>
        [("milestones", Milestones.Cast<object>().ToList()), ("gamma", Gamma)];
}
