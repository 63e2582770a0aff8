using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Ops;

namespace AutoGrad.PowerShell.Commands;

/// <summary>Measure-Sum and Measure-Mean: a reduction op from the registry applied to each pipeline tensor.</summary>
public abstract class MeasureReductionCommandBase : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The tensor to reduce.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>Dims to reduce over (all dims when omitted); negative dims count from the end.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowEmptyCollection]
    public int[]? Dim { get; set; }

    /// <summary>Keeps reduced dims with size 1.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter KeepDim { get; set; }

    /// <summary>The registry name of the reduction (Sum, Mean).</summary>
    private protected abstract string OpName { get; }

    protected override void ProcessRecord()
    {
        var op = OpTable.Get(OpName);
        var args = new OpCall(InputObject, Dim: Dim, KeepDim: KeepDim.IsPresent);
        WriteTensor((Tensor)Engine(() => op.Apply(args), InputObject));
    }
}
