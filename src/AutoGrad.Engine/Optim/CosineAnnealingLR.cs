namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.lr_scheduler.CosineAnnealingLR: anneals every group's lr from its initial value to eta_min along half a
/// cosine over T_max steps, then back up, and so on. Computed as PyTorch does, recursively from the current lr
/// (its chainable form), not from the closed form, so the values are PyTorch's to the last bit.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        Require(tMax > 0, "InvalidOption", $"CosineAnnealingLR's T_max must be a positive integer, but got {tMax}");
        TMax = tMax;
        EtaMin = etaMin;
        Start();
    }

    /// <summary>Steps in half a cosine period (T_max).</summary>
    public int TMax { get; }

    /// <summary>The lowest learning rate (eta_min).</summary>
    public double EtaMin { get; }

    private protected override double[] ComputeLR(int epoch)
    {
        var lrs = CurrentLRs();
        if (epoch == 0) return lrs;
        var baseLRs = BaseLRs;
        var result = new double[lrs.Length];
        if (StepCount == 0 && epoch > 0)
        {
            // Only when a schedule starts part-way (PyTorch's last_epoch argument): the closed form.
            for (int i = 0; i < lrs.Length; i++)
                result[i] = EtaMin + (baseLRs[i] - EtaMin) * (1 + Math.Cos(epoch * Math.PI / TMax)) / 2;
        }
        else if ((epoch - 1 - TMax) % (2 * TMax) == 0)
        {
            for (int i = 0; i < lrs.Length; i++)
                result[i] = lrs[i] + (baseLRs[i] - EtaMin) * (1 - Math.Cos(Math.PI / TMax)) / 2;
        }
        else
        {
            for (int i = 0; i < lrs.Length; i++)
                result[i] = (1 + Math.Cos(Math.PI * epoch / TMax)) / (1 + Math.Cos(Math.PI * (epoch - 1) / TMax)) * (lrs[i] - EtaMin) + EtaMin;
        }
        return result;
    }

    private protected override IEnumerable<(string, object?)> Settings() => [("T_max", TMax), ("eta_min", EtaMin)];
}
