using AutoGrad.Training;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>Invoke-Training's -Loss: the losses of the op table (CrossEntropy, MseLoss, ...).</summary>
public sealed class LossNameCompleter : ChoiceCompleter
{
    private protected override string[] Choices => [.. LossFunction.Names];
}
