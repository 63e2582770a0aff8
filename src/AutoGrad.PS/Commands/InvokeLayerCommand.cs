using System.Management.Automation;
using AutoGrad;
using AutoGrad.NN;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs a layer on each input tensor (layer(x) in PyTorch) and writes each output.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Layer", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class InvokeLayerCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The layer or model to run (from New-Layer).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    public Module Layer { get; set; } = null!;

    /// <summary>The input: a tensor, or data such as @(1.0, 2.0) made into one as New-Tensor would.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [TensorTransformation]
    public Tensor InputObject { get; set; } = null!;

    protected override void ProcessRecord()
    {
        var input = InputObject;
        Tensor output;
        try
        {
            output = Layer.Forward(input);
        }
        catch (TorchException ex)
        {
            // One bad input among several: report it and go on with the next (-ErrorAction decides).
            WriteError(FromTorch(ex, input));
            return;
        }
        catch (ObjectDisposedException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorPrefix + "TensorDisposed", ErrorCategory.InvalidOperation, input));
            return;
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            WriteError(new ErrorRecord(ex, ErrorPrefix + "EngineFailure", ErrorCategory.NotSpecified, input));
            return;
        }
        WriteTensor(output);
    }
}
