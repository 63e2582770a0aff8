using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Joins the tensors from the pipeline along a dim (torch.cat), or along a new dim with -Stack (torch.stack).</para>
/// </summary>
[Cmdlet(VerbsCommon.Join, "Tensor", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class JoinTensorCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    private readonly List<Tensor> _tensors = new();

    /// <summary>The tensors to join, in order: from the pipeline or as an array.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor[] InputObject { get; set; } = [];

    /// <summary>The dim to join along (default 0); with -Stack the position of the new dim.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int Dim { get; set; }

    /// <summary>Stacks the tensors (all of one shape) along a new dim instead of concatenating.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Stack { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var t in InputObject)
            if (t is not null) _tensors.Add(t);
    }

    protected override void EndProcessing()
    {
        var tensors = _tensors.ToArray();
        WriteTensor(Engine(() => Stack ? Tensor.Stack(tensors, Dim) : Tensor.Cat(tensors, Dim), null));
    }
}
