namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>New-Optimizer's type: SGD, Adam, AdamW, RMSprop, Adagrad.</summary>
public sealed class OptimizerTypeCompleter : ChoiceCompleter
{
    internal static readonly string[] Names = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad"];

    private protected override string[] Choices => Names;
}

/// <summary>New-LRScheduler's type: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau, OneCycleLR.</summary>
public sealed class LRSchedulerTypeCompleter : ChoiceCompleter
{
    internal static readonly string[] Names =
        ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ReduceLROnPlateau", "OneCycleLR"];

    private protected override string[] Choices => Names;
}

/// <summary>ReduceLROnPlateau's -Mode: min (a loss), max (an accuracy).</summary>
public sealed class PlateauModeCompleter : ChoiceCompleter
{
    private protected override string[] Choices => ["min", "max"];
}

/// <summary>ReduceLROnPlateau's -ThresholdMode: rel, abs.</summary>
public sealed class ThresholdModeCompleter : ChoiceCompleter
{
    private protected override string[] Choices => ["rel", "abs"];
}

/// <summary>OneCycleLR's -AnnealStrategy: cos, linear.</summary>
public sealed class AnnealStrategyCompleter : ChoiceCompleter
{
    private protected override string[] Choices => ["cos", "linear"];
}
