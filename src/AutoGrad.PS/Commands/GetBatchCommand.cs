using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Training;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Splits tensors into the mini-batches of one epoch, in order or shuffled, as PyTorch's DataLoader does (for xb, yb in loader).</para>
/// </summary>
/// <remarks>
/// Each call is one epoch of torch.utils.data.DataLoader(TensorDataset(input, target), batch_size, shuffle, drop_last):
/// the same draws from the global generator, so after the same Set-RandomSeed the batches are PyTorch's and the ones
/// Invoke-Training takes. Unshuffled batches are views of the input; shuffled ones are copies.
/// </remarks>
[Cmdlet(VerbsCommon.Get, "Batch", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Batch))]
public sealed class GetBatchCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The inputs, one sample per row of dim 0 (a tensor, or data New-Tensor takes).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorTransformation]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>The targets, one per sample along dim 0; each batch's .Target holds the rows of its samples.</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 1)]
    [TensorTransformation]
    public Tensor? Target { get; set; }

    /// <summary>Samples per batch (batch_size).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true)]
    [ValidateRange(1, int.MaxValue)]
    public int BatchSize { get; set; }

    /// <summary>Shuffles the samples from the global generator (shuffle=True).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Shuffle { get; set; }

    /// <summary>Leaves out the last batch when it is smaller than -BatchSize (drop_last=True).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter DropLast { get; set; }

    protected override void ProcessRecord()
    {
        var input = InputObject;
        DataLoader loader;
        try
        {
            loader = new DataLoader(input, Target, BatchSize, Shuffle, DropLast);
        }
        catch (TorchException ex)
        {
            // One bad input among several piped: report it and go on with the next (-ErrorAction decides).
            WriteError(FromTorch(ex, input));
            return;
        }
        foreach (var batch in loader) WriteObject(batch);
    }
}
