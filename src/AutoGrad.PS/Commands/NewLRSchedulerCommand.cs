using System.Management.Automation;
using AutoGrad.Optim;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a learning-rate scheduler (torch.optim.lr_scheduler) that sets an optimizer's learning rates.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "LRScheduler", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(LRScheduler))]
public sealed class NewLRSchedulerCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The options each type takes (required ones first, marked in <see cref="s_required"/>).</summary>
    private static readonly Dictionary<string, string[]> s_options = new(StringComparer.OrdinalIgnoreCase)
    {
        ["StepLR"] = ["StepSize", "Gamma"],
        ["MultiStepLR"] = ["Milestones", "Gamma"],
        ["ExponentialLR"] = ["Gamma"],
        ["CosineAnnealingLR"] = ["TMax", "EtaMin"],
        ["LinearLR"] = ["StartFactor", "EndFactor", "TotalIters"],
        ["ReduceLROnPlateau"] = ["Mode", "Factor", "Patience", "Threshold", "ThresholdMode", "Cooldown", "MinLR", "Eps"],
        ["OneCycleLR"] = ["MaxLR", "TotalSteps", "Epochs", "StepsPerEpoch", "PctStart", "AnnealStrategy", "CycleMomentum",
            "BaseMomentum", "MaxMomentum", "DivFactor", "FinalDivFactor", "ThreePhase"],
    };

    private static readonly Dictionary<string, string> s_required = new(StringComparer.OrdinalIgnoreCase)
    {
        ["StepLR"] = "StepSize", ["MultiStepLR"] = "Milestones", ["ExponentialLR"] = "Gamma", ["CosineAnnealingLR"] = "TMax",
        ["OneCycleLR"] = "MaxLR",
    };

    private static readonly HashSet<string> s_allOptions = new(s_options.Values.SelectMany(o => o), StringComparer.OrdinalIgnoreCase);

    /// <summary>StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau or OneCycleLR.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(LRSchedulerTypeCompleter))]
    public string Type { get; set; } = "";

    /// <summary>The optimizer whose learning rates to set (from New-Optimizer), as an argument or from the pipeline.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
    public Optimizer Optimizer { get; set; } = null!;

    /// <summary>StepLR: steps between decays.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int StepSize { get; set; }

    /// <summary>StepLR, MultiStepLR, ExponentialLR: the decay factor.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double Gamma { get; set; }

    /// <summary>MultiStepLR: the steps at which lr decays.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int[] Milestones { get; set; } = [];

    /// <summary>CosineAnnealingLR: steps in half a cosine period (T_max).</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int TMax { get; set; }

    /// <summary>CosineAnnealingLR: the lowest learning rate (eta_min).</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double EtaMin { get; set; }

    /// <summary>LinearLR: the factor at the first step.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double StartFactor { get; set; }

    /// <summary>LinearLR: the factor after TotalIters steps.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double EndFactor { get; set; }

    /// <summary>LinearLR: the steps over which the factor changes.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int TotalIters { get; set; }

    /// <summary>ReduceLROnPlateau: min (the metric should fall) or max (rise).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ArgumentCompleter(typeof(PlateauModeCompleter))]
    public string Mode { get; set; } = "min";

    /// <summary>ReduceLROnPlateau: the factor applied at each reduction.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double Factor { get; set; }

    /// <summary>ReduceLROnPlateau: steps without improvement before a reduction.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int Patience { get; set; }

    /// <summary>ReduceLROnPlateau: how much better counts as an improvement.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double Threshold { get; set; }

    /// <summary>ReduceLROnPlateau: rel or abs.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ArgumentCompleter(typeof(ThresholdModeCompleter))]
    public string ThresholdMode { get; set; } = "rel";

    /// <summary>ReduceLROnPlateau: steps to wait after a reduction.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int Cooldown { get; set; }

    /// <summary>ReduceLROnPlateau: the lowest lr, for all groups or one per group.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double[] MinLR { get; set; } = [];

    /// <summary>ReduceLROnPlateau: the smallest change of lr worth making.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double Eps { get; set; }

    /// <summary>OneCycleLR: the peak learning rate, for all groups or one per group.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double[] MaxLR { get; set; } = [];

    /// <summary>OneCycleLR: the number of steps in the cycle (or give -Epochs and -StepsPerEpoch).</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int TotalSteps { get; set; }

    /// <summary>OneCycleLR: epochs to train, with -StepsPerEpoch.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int Epochs { get; set; }

    /// <summary>OneCycleLR: batches per epoch, with -Epochs.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public int StepsPerEpoch { get; set; }

    /// <summary>OneCycleLR: the fraction of the cycle spent raising lr.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double PctStart { get; set; }

    /// <summary>OneCycleLR: cos or linear.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ArgumentCompleter(typeof(AnnealStrategyCompleter))]
    public string AnnealStrategy { get; set; } = "cos";

    /// <summary>OneCycleLR: cycles momentum (or Adam's beta1) against lr; on unless -CycleMomentum:$false.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public SwitchParameter CycleMomentum { get; set; }

    /// <summary>OneCycleLR: the lowest momentum.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double[] BaseMomentum { get; set; } = [];

    /// <summary>OneCycleLR: the highest momentum.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double[] MaxMomentum { get; set; } = [];

    /// <summary>OneCycleLR: initial lr = max lr / DivFactor.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double DivFactor { get; set; }

    /// <summary>OneCycleLR: final lr = initial lr / FinalDivFactor.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public double FinalDivFactor { get; set; }

    /// <summary>OneCycleLR: a third phase that anneals to the final lr.</summary>
    [Parameter(ParameterSetName = DefaultSet)] public SwitchParameter ThreePhase { get; set; }

    protected override void BeginProcessing()
    {
        if (!s_options.TryGetValue(Type, out var allowed))
            Fail("UnknownType", ErrorCategory.InvalidArgument, Type,
                $"Unknown scheduler type '{Type}'. Valid types: {string.Join(", ", LRSchedulerTypeCompleter.Names)}.");
        Type = LRSchedulerTypeCompleter.Names.First(n => n.Equals(Type, StringComparison.OrdinalIgnoreCase));
        foreach (var name in MyInvocation.BoundParameters.Keys)
            if (s_allOptions.Contains(name) && !allowed!.Contains(name, StringComparer.OrdinalIgnoreCase))
                Fail("OptionNotForType", ErrorCategory.InvalidArgument, name,
                    $"-{name} is not an option of {Type}; {Type} takes {string.Join(", ", allowed.Select(o => "-" + o))}.");
        if (s_required.TryGetValue(Type, out var required) && !MyInvocation.BoundParameters.ContainsKey(required))
            Fail("MissingOption", ErrorCategory.InvalidArgument, Type, $"{Type} requires -{required}.");
    }

    protected override void ProcessRecord()
    {
        var optimizer = Optimizer;
        WriteObject(Engine(() => Create(optimizer), optimizer));
    }

    private LRScheduler Create(Optimizer optimizer)
    {
        var bound = MyInvocation.BoundParameters;
        T Get<T>(string name, T fallback) => bound.TryGetValue(name, out var v) ? (T)v : fallback;
        int? Count(string name) => bound.TryGetValue(name, out var v) ? (int)v : null;
        double[]? List(string name) => bound.TryGetValue(name, out var v) ? (double[])v : null;
        return Type switch
        {
            "StepLR" => new StepLR(optimizer, StepSize, Get(nameof(Gamma), 0.1)),
            "MultiStepLR" => new MultiStepLR(optimizer, Milestones, Get(nameof(Gamma), 0.1)),
            "ExponentialLR" => new ExponentialLR(optimizer, Gamma),
            "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, TMax, Get(nameof(EtaMin), 0.0)),
            "LinearLR" => new LinearLR(optimizer, Get(nameof(StartFactor), 1.0 / 3), Get(nameof(EndFactor), 1.0), Get(nameof(TotalIters), 5)),
            "ReduceLROnPlateau" => new ReduceLROnPlateau(optimizer, Mode.ToLowerInvariant(), Get(nameof(Factor), 0.1), Get(nameof(Patience), 10),
                Get(nameof(Threshold), 1e-4), ThresholdMode.ToLowerInvariant(), Get(nameof(Cooldown), 0), List(nameof(MinLR)), Get(nameof(Eps), 1e-8)),
            _ => new OneCycleLR(optimizer, MaxLR, Count(nameof(TotalSteps)), Count(nameof(Epochs)), Count(nameof(StepsPerEpoch)),
                Get(nameof(PctStart), 0.3), AnnealStrategy.ToLowerInvariant(), Get(nameof(CycleMomentum), new SwitchParameter(true)).IsPresent,
                List(nameof(BaseMomentum)), List(nameof(MaxMomentum)), Get(nameof(DivFactor), 25.0), Get(nameof(FinalDivFactor), 1e4),
                ThreePhase.IsPresent),
        };
    }
}
