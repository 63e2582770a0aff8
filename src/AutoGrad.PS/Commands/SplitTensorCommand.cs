using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Splits a tensor into pieces along a dim (torch.split, torch.chunk), writing each piece.</para>
/// </summary>
[Cmdlet(VerbsCommon.Split, "Tensor", DefaultParameterSetName = SplitSizeSet)]
[OutputType(typeof(Tensor))]
public sealed class SplitTensorCommand : AutoGradCmdlet
{
    public const string SplitSizeSet = "SplitSize";
    public const string SectionsSet = "Sections";
    public const string ChunksSet = "Chunks";

    /// <summary>The tensor to split.</summary>
    [Parameter(ParameterSetName = SplitSizeSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Parameter(ParameterSetName = SectionsSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [Parameter(ParameterSetName = ChunksSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>The size of each piece (the last may be smaller): torch.split(x, n).</summary>
    [Parameter(ParameterSetName = SplitSizeSet, Mandatory = true)]
    public int SplitSize { get; set; }

    /// <summary>The size of each piece, summing to the dim's size: torch.split(x, [a, b, ...]).</summary>
    [Parameter(ParameterSetName = SectionsSet, Mandatory = true)]
    public int[] Sections { get; set; } = [];

    /// <summary>The number of pieces: torch.chunk(x, n).</summary>
    [Parameter(ParameterSetName = ChunksSet, Mandatory = true)]
    public int Chunks { get; set; }

    /// <summary>The dim to split along (default 0).</summary>
    [Parameter(ParameterSetName = SplitSizeSet)]
    [Parameter(ParameterSetName = SectionsSet)]
    [Parameter(ParameterSetName = ChunksSet)]
    public int Dim { get; set; }

    protected override void ProcessRecord()
    {
        var x = InputObject;
        var pieces = Engine(() => ParameterSetName switch
        {
            SectionsSet => x.Split(Sections, Dim),
            ChunksSet => x.Chunk(Chunks, Dim),
            _ => x.Split(SplitSize, Dim),
        }, x);
        foreach (var piece in pieces) WriteTensor(piece);
    }
}
