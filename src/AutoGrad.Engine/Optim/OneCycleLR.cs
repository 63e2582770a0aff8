namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.lr_scheduler.OneCycleLR: the 1cycle policy, stepped once per batch. lr rises from max_lr/div_factor
/// to max_lr over the first pct_start of the steps and falls to initial_lr/final_div_factor by the end (three_phase:
/// back to the initial lr first, then down); momentum (or Adam's beta1) moves the opposite way between
/// max_momentum and base_momentum. Stepping past total_steps is an error, as in PyTorch.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    private readonly record struct Phase(double EndStep, string StartLR, string EndLR, string StartMomentum, string EndMomentum);

    private readonly Phase[] _phases;
    private readonly bool _useBeta1;

    public OneCycleLR(Optimizer optimizer, double[] maxLR, int? totalSteps = null, int? epochs = null, int? stepsPerEpoch = null,
        double pctStart = 0.3, string annealStrategy = "cos", bool cycleMomentum = true, double[]? baseMomentum = null,
        double[]? maxMomentum = null, double divFactor = 25.0, double finalDivFactor = 1e4, bool threePhase = false)
        : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(maxLR);
        if (totalSteps is null && epochs is null && stepsPerEpoch is null)
            throw TorchException.Value("InvalidOption", "You must define either total_steps OR (epochs AND steps_per_epoch)");
        if (totalSteps is { } total)
        {
            Require(total > 0, "InvalidOption", $"Expected positive integer total_steps, but got {total}");
            TotalSteps = total;
        }
        else
        {
            Require(epochs > 0, "InvalidOption", $"Expected positive integer epochs, but got {Show(epochs)}");
            Require(stepsPerEpoch > 0, "InvalidOption", $"Expected positive integer steps_per_epoch, but got {Show(stepsPerEpoch)}");
            long steps = (long)epochs!.Value * stepsPerEpoch!.Value;
            // Python's int has no limit; an int step count does, and must not wrap around to a small or negative one.
            Require(steps <= int.MaxValue, "InvalidOption",
                $"epochs * steps_per_epoch = {steps} steps is more than a step counter holds ({int.MaxValue})");
            TotalSteps = (int)steps;
        }

        _phases = threePhase
            ?
            [
                new(pctStart * TotalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                new(2 * pctStart * TotalSteps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                new(TotalSteps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
            :
            [
                new(pctStart * TotalSteps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                new(TotalSteps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ];

        Require(!(pctStart < 0 || pctStart > 1) && !double.IsNaN(pctStart), "InvalidOption",
            $"Expected float between 0 and 1 pct_start, but got {Printing.PythonRepr.Number(pctStart)}");
        Require(annealStrategy is "cos" or "linear", "InvalidOption",
            $"anneal_strategy must be one of 'cos' or 'linear', instead got {annealStrategy}");
        PctStart = pctStart;
        AnnealStrategy = annealStrategy;
        DivFactor = divFactor;
        FinalDivFactor = finalDivFactor;
        ThreePhase = threePhase;
        CycleMomentum = cycleMomentum;

        var maxLRs = PerGroup(optimizer, "max_lr", maxLR);
        double[]? maxMomentums = null, baseMomentums = null;
        if (cycleMomentum)
        {
            var defaults = optimizer.Defaults;
            if (!defaults.Contains("momentum") && !defaults.Contains("betas"))
                throw TorchException.Value("InvalidOption", "optimizer must support momentum or beta1 with `cycle_momentum` option enabled");
            _useBeta1 = defaults.Contains("betas");
            maxMomentums = PerGroup(optimizer, "max_momentum", maxMomentum ?? [0.95]);
            baseMomentums = PerGroup(optimizer, "base_momentum", baseMomentum ?? [0.85]);
        }

        var groups = optimizer.ParamGroups;
        for (int i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            group["initial_lr"] = maxLRs[i] / divFactor;
            group["max_lr"] = maxLRs[i];
            group["min_lr"] = maxLRs[i] / divFactor / finalDivFactor;
            if (cycleMomentum)
            {
                SetMomentum(group, maxMomentums![i]);
                group["max_momentum"] = maxMomentums[i];
                group["base_momentum"] = baseMomentums![i];
            }
        }
        Start();
    }

    private static string Show(int? value) => value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "None";

    /// <summary>The number of steps in the cycle (total_steps, or epochs * steps_per_epoch).</summary>
    public int TotalSteps { get; }

    /// <summary>The fraction of the cycle spent raising lr (pct_start).</summary>
    public double PctStart { get; }

    /// <summary>'cos' or 'linear' (anneal_strategy).</summary>
    public string AnnealStrategy { get; }

    public double DivFactor { get; }

    public double FinalDivFactor { get; }

    public bool ThreePhase { get; }

    public bool CycleMomentum { get; }

    public override void Step()
    {
        lock (Optimizer.Gate)   // the check and the step as one (the lock is reentrant: base.Step takes it again)
        {
            int next = LastEpoch + 1;
            if (next > TotalSteps)
                throw TorchException.Value("TooManySteps", $"Tried to step {next} times. The specified number of total steps is {TotalSteps}");
            base.Step();
        }
    }

    private protected override double[] ComputeLR(int epoch)
    {
        var groups = Optimizer.ParamGroups;
        var lrs = new double[groups.Count];
        for (int g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            double start = 0;
            for (int i = 0; i < _phases.Length; i++)
            {
                var phase = _phases[i];
                if (epoch <= phase.EndStep || i == _phases.Length - 1)
                {
                    double span = phase.EndStep - start;
                    if (span == 0) throw TorchException.Runtime("DivisionByZero", "float division by zero");
                    double pct = (epoch - start) / span;
                    lrs[g] = Anneal(GroupNumber(group, phase.StartLR), GroupNumber(group, phase.EndLR), pct);
                    if (CycleMomentum)
                        SetMomentum(group, Anneal(GroupNumber(group, phase.StartMomentum), GroupNumber(group, phase.EndMomentum), pct));
                    break;
                }
                start = phase.EndStep;
            }
        }
        return lrs;
    }

    private double Anneal(double start, double end, double pct) => AnnealStrategy == "cos"
        ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
        : (end - start) * pct + start;

    private void SetMomentum(ParamGroup group, double momentum)
    {
        if (_useBeta1)
        {
            var betas = (double[])group["betas"]!;
            group["betas"] = new[] { momentum, betas[1] };
        }
        else
        {
            group["momentum"] = momentum;
        }
    }

    private protected override IEnumerable<(string, object?)> Settings() =>
    [
        ("total_steps", TotalSteps), ("pct_start", PctStart), ("anneal_strategy", AnnealStrategy), ("cycle_momentum", CycleMomentum),
        ("div_factor", DivFactor), ("final_div_factor", FinalDivFactor), ("three_phase", ThreePhase),
    ];
}
