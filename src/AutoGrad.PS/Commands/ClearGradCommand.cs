using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;
using AutoGrad.Optim;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Clears the gradient of each tensor, or of an optimizer's parameters (.grad = None), or zeros it with -Zero (optimizer.zero_grad()).</para>
/// </summary>
[Cmdlet(VerbsCommon.Clear, "Grad", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor), ParameterSetName = [DefaultSet])]
[OutputType(typeof(Optimizer), ParameterSetName = [OptimizerSet])]
public sealed class ClearGradCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";
    public const string OptimizerSet = "Optimizer";

    /// <summary>The tensors whose gradients to clear.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor[] InputObject { get; set; } = [];

    /// <summary>Clears the gradients of every parameter of this optimizer (optimizer.zero_grad()).</summary>
    [Parameter(ParameterSetName = OptimizerSet, Mandatory = true, ValueFromPipeline = true)]
    public Optimizer Optimizer { get; set; } = null!;

    /// <summary>Sets an existing gradient to zeros in place instead of removing it (zero_grad(set_to_none=False)).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [Parameter(ParameterSetName = OptimizerSet)]
    public SwitchParameter Zero { get; set; }

    /// <summary>Writes each input tensor (or the optimizer) back to the pipeline.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [Parameter(ParameterSetName = OptimizerSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == OptimizerSet)
        {
            var optimizer = Optimizer;
            Engine(() => optimizer.ZeroGrad(setToNone: !Zero), optimizer);
            if (PassThru) WriteObject(optimizer);
            return;
        }

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
