using AutoGrad.Printing;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.lr_scheduler.ReduceLROnPlateau: watches a metric passed to <see cref="Step(double)"/> and multiplies
/// every group's lr by factor (not below min_lr) once the metric has not improved for more than patience steps,
/// then waits cooldown steps before counting again. Unlike the other schedulers it takes no initial step and sets
/// no 'initial_lr'.
/// </summary>
public sealed class ReduceLROnPlateau : LRScheduler
{
    private readonly double[] _minLRs;

    public ReduceLROnPlateau(Optimizer optimizer, string mode = "min", double factor = 0.1, int patience = 10, double threshold = 1e-4,
        string thresholdMode = "rel", int cooldown = 0, double[]? minLR = null, double eps = 1e-8) : base(optimizer)
    {
        Require(factor < 1.0, "InvalidOption", "Factor should be < 1.0.");
        minLR ??= [0];
        int groups = optimizer.ParamGroups.Count;
        Require(minLR.Length == 1 || minLR.Length == groups, "InvalidOption", $"expected {groups} min_lrs, got {minLR.Length}");
        Require(mode is "min" or "max", "InvalidOption", $"mode {mode} is unknown!");
        Require(thresholdMode is "rel" or "abs", "InvalidOption", $"threshold mode {thresholdMode} is unknown!");
        _minLRs = minLR.Length == 1 ? Enumerable.Repeat(minLR[0], groups).ToArray() : (double[])minLR.Clone();
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        Eps = eps;
        Best = mode == "min" ? double.PositiveInfinity : double.NegativeInfinity;
        LastEpoch = 0;
        RecordLastLR();
    }

    /// <summary>'min': a lower metric is better (a loss); 'max': a higher one is (an accuracy).</summary>
    public string Mode { get; }

    /// <summary>The factor applied to lr at each reduction (factor).</summary>
    public double Factor { get; }

    /// <summary>Steps without improvement tolerated before a reduction (patience).</summary>
    public int Patience { get; }

    /// <summary>How much better a metric must be to count as an improvement (threshold).</summary>
    public double Threshold { get; }

    /// <summary>'rel': better by a fraction of the best; 'abs': by an amount (threshold_mode).</summary>
    public string ThresholdMode { get; }

    /// <summary>Steps to wait after a reduction before counting bad steps again (cooldown).</summary>
    public int Cooldown { get; }

    /// <summary>The lowest lr of each group (min_lrs).</summary>
    public IReadOnlyList<double> MinLRs => _minLRs;

    /// <summary>The smallest change of lr worth making (eps).</summary>
    public double Eps { get; }

    /// <summary>The best metric seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>Steps since the last improvement (num_bad_epochs).</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Cooldown steps still to wait (cooldown_counter).</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>Needs the metric: call <see cref="Step(double)"/>.</summary>
    public override void Step() =>
        throw TorchException.Type("MissingMetric", "step() missing 1 required positional argument: 'metrics'");

    /// <summary>The metric as a one-element tensor (a loss), as PyTorch's float(metrics) reads it.</summary>
    public void Step(Tensor metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        Step(Convert.ToDouble(metrics.Item(), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Takes one step with the latest value of the watched metric (scheduler.step(metrics)).</summary>
    public void Step(double metrics)
    {
        lock (Optimizer.Gate) StepLocked(metrics);
    }

    private void StepLocked(double metrics)
    {
        LastEpoch++;
        if (IsBetter(metrics, Best))
        {
            Best = metrics;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            NumBadEpochs = 0; // bad steps during cooldown do not count
        }
        if (NumBadEpochs > Patience)
        {
            ReduceLR();
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        RecordLastLR();
    }

    private void ReduceLR()
    {
        var groups = Optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++)
        {
            double oldLR = groups[i].LR;
            double reduced = oldLR * Factor;
            double newLR = _minLRs[i] > reduced ? _minLRs[i] : reduced; // Python's max(reduced, min_lr)
            if (oldLR - newLR > Eps) groups[i].LR = newLR;
        }
    }

    private bool IsBetter(double a, double best) => (Mode, ThresholdMode) switch
    {
        ("min", "rel") => a < best * (1.0 - Threshold),
        ("min", _) => a < best - Threshold,
        (_, "rel") => a > best * (Threshold + 1.0),
        _ => a > best + Threshold,
    };

    private protected override double[] ComputeLR(int epoch) => CurrentLRs();

    private protected override IEnumerable<(string, object?)> Settings() =>
    [
        ("mode", Mode), ("factor", Factor), ("patience", Patience), ("threshold", Threshold), ("threshold_mode", ThresholdMode),
        ("cooldown", Cooldown), ("min_lrs", _minLRs.Cast<object>().ToList()), ("eps", Eps), ("best", Best),
        ("num_bad_epochs", NumBadEpochs),
    ];
}
