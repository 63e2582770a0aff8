using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Clears the gradient of each tensor (.grad = None), or zeros it with -Zero (optimizer.zero_grad()).</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "Grad", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class ClearGradCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The tensors whose gradients to clear.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public Tensor[] InputObject { get; set; } = [];

    /// <summary>Sets an existing gradient to zeros in place instead of removing it (zero_grad(set_to_none=False)).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Zero { get; set; }

    /// <summary>Writes each input tensor back to the pipeline.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var tensor in InputObject)
        {
            if (tensor is null) continue;
            Engine(() =>
            {
                if (!Zero) tensor.Grad = null;
                else if (tensor.Grad is { } grad)
                {
                    // PyTorch detaches a gradient that is part of a graph (create_graph) before zeroing it.
                    using var _ = GradMode.NoGrad();
                    if (grad.RequiresGrad) tensor.Grad = Tensor.Zeros(grad.Shape, grad.DType);
                    else grad.Zero_();
                }
            }, tensor);
            if (PassThru) WriteTensor(tensor);
        }
    }
}
