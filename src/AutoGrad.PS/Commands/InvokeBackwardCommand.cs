using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs backpropagation from a tensor (tensor.backward()), filling the .grad of the leaves it depends on.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Backward", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor), typeof(BackwardStep))]
public sealed class InvokeBackwardCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The output to differentiate; without -Gradient it must hold one element.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>
    /// d(loss)/d(InputObject), same shape as InputObject (needed when it is not a scalar): a tensor, or data
    /// such as @(1, 0.5, 0), cast to the output's dtype.
    /// </summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [TensorTransformation]
    public Tensor? Gradient { get; set; }

    /// <summary>Keeps the graph so that backward can run through it again (retain_graph=True).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter RetainGraph { get; set; }

    /// <summary>Records the backward pass itself, for higher-order derivatives (create_graph=True).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter CreateGraph { get; set; }

    /// <summary>Writes the input tensor back to the pipeline.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Writes one object per node the pass runs, in the order it runs them: the node, the gradients that flowed
    /// into it and those it passed on (what PyTorch's node hooks see).
    /// </summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Trace { get; set; }

    protected override void ProcessRecord()
    {
        var output = InputObject;
        // Without -RetainGraph the graph is kept exactly when -CreateGraph is given (PyTorch's default).
        bool? retain = MyInvocation.BoundParameters.ContainsKey(nameof(RetainGraph)) ? RetainGraph.IsPresent : null;
        if (Trace)
        {
            var trace = new BackwardTrace(this);
            Engine(() => trace.Run(() => { output.Backward(Gradient, retain, CreateGraph.IsPresent, trace.Add); return true; }), output);
        }
        else
            Engine(() => output.Backward(Gradient, retain, CreateGraph.IsPresent), output);
        if (PassThru) WriteTensor(output);
    }
}
