using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the gradient (.grad) of each tensor; nothing for a tensor that has none.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Grad", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class GetGradCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The tensors whose gradients to get.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public Tensor[] InputObject { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var tensor in InputObject)
        {
            if (tensor is null) continue;
            // PyTorch warns and returns None for .grad of a non-leaf that did not ask for retain_grad().
            if (!tensor.IsLeaf && !tensor.RetainsGrad)
            {
                WriteWarning(Tensor.NonLeafGradWarning);
                continue;
            }
            if (tensor.Grad is { } grad) WriteTensor(grad);
        }
    }
}
