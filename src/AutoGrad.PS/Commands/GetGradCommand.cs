using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the gradient (.grad) of each tensor; nothing for a tensor that has none.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "Grad", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
[OutputType(typeof(BackwardStep), ParameterSetName = [OfSet])]
public sealed class GetGradCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";
    public const string OfSet = "Of";

    /// <summary>The tensors whose gradients to get.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor[] InputObject { get; set; } = [];

    /// <summary>The outputs to differentiate (torch.autograd.grad's outputs).</summary>
    [Parameter(ParameterSetName = OfSet, Mandatory = true)]
    [TensorArgument]
    public Tensor[] Of { get; set; } = [];

    /// <summary>The inputs to differentiate with respect to (torch.autograd.grad's inputs).</summary>
    [Parameter(ParameterSetName = OfSet, Mandatory = true)]
    [TensorArgument]
    public Tensor[] WithRespectTo { get; set; } = [];

    /// <summary>One gradient per output (needed for outputs that are not scalars): grad_outputs. Plain data is one gradient.</summary>
    [Parameter(ParameterSetName = OfSet)]
    [TensorArrayTransformation]
    public Tensor[]? GradOutputs { get; set; }

    /// <summary>Records the gradients' computation so they can be differentiated again (create_graph=True).</summary>
    [Parameter(ParameterSetName = OfSet)]
    public SwitchParameter CreateGraph { get; set; }

    /// <summary>Keeps the graph for another backward pass (retain_graph=True; the default with -CreateGraph).</summary>
    [Parameter(ParameterSetName = OfSet)]
    public SwitchParameter RetainGraph { get; set; }

    /// <summary>Writes $null for an input the outputs do not depend on instead of failing (allow_unused=True).</summary>
    [Parameter(ParameterSetName = OfSet)]
    public SwitchParameter AllowUnused { get; set; }

    /// <summary>
    /// First writes one object per node the pass runs, in order (as Invoke-Backward -Trace), then the gradients.
    /// The inputs' own nodes do not run: their gradients are captured.
    /// </summary>
    [Parameter(ParameterSetName = OfSet)]
    public SwitchParameter Trace { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == OfSet)
        {
            WriteAutogradGrad();
            return;
        }
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

    /// <summary>torch.autograd.grad: one object per input, in order; $null for an unused one with -AllowUnused.</summary>
    private void WriteAutogradGrad()
    {
        var outputs = Of;
        var inputs = WithRespectTo;
        var gradOutputs = GradOutputs;
        bool? retain = RetainGraph.IsPresent ? true : null;
        var trace = Trace ? new BackwardTrace(this) : null;
        Tensor?[] Pass() => BackwardEngine.Grad(outputs, inputs, gradOutputs, retain, CreateGraph.IsPresent,
            AllowUnused.IsPresent, trace?.Add);
        var grads = Engine(() => trace is null ? Pass() : trace.Run(Pass), outputs);
        foreach (var g in grads)
        {
            if (g is null) WriteObject(null);
            else WriteTensor(g);
        }
    }
}
