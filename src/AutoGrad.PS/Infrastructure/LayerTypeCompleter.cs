using AutoGrad.PowerShell.Commands;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>Completes New-Layer's -Type from the layer types.</summary>
public sealed class LayerTypeCompleter : ChoiceCompleter
{
    private protected override string[] Choices => NewLayerCommand.Types.Select(t => t.Type).ToArray();
}
