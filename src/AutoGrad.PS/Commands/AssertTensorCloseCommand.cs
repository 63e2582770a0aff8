using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Testing;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Fails unless two tensors are close, as torch.testing.assert_close: same tolerances, checks and message.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Assert, "TensorClose", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class AssertTensorCloseCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The tensor to check (or data, converted as New-Tensor converts it).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorTransformation]
    public Tensor Actual { get; set; } = null!;

    /// <summary>The tensor it should be close to (or data).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1)]
    [TensorTransformation]
    public Tensor Expected { get; set; } = null!;

    /// <summary>Relative tolerance; give -ATol too. Default by dtype: float32 1.3e-6, float64 1e-7, others 0.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double RTol { get; set; }

    /// <summary>Absolute tolerance; give -RTol too. Default by dtype: float32 1e-5, float64 1e-7, others 0.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double ATol { get; set; }

    /// <summary>Two NaNs at the same place count as equal.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter EqualNan { get; set; }

    /// <summary>On by default: the dtypes must match. -CheckDType:$false compares in the promoted dtype.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter CheckDType { get; set; } = true;

    /// <summary>Writes the actual tensor when it passes, so a pipeline can go on.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var bound = MyInvocation.BoundParameters;
        double? rtol = bound.ContainsKey(nameof(RTol)) ? RTol : null;
        double? atol = bound.ContainsKey(nameof(ATol)) ? ATol : null;
        CloseResult result;
        try
        {
            result = TensorTesting.Compare(Actual, Expected, rtol, atol, EqualNan.IsPresent, CheckDType.IsPresent);
        }
        catch (TorchException ex)
        {
            // A tolerance given alone or negative is about the parameters, which PyTorch checks only in the middle
            // of the comparison: it stops the script like the assertion itself, not as a per-item error.
            ThrowTerminatingError(FromTorch(ex, Actual));
            return;
        }
        if (!result.IsClose)
        {
            // An assertion stops the script, as Python's AssertionError and Pester's Should do.
            string what = result.Mismatch switch
            {
                CloseMismatch.Shape => "ShapeMismatch",
                CloseMismatch.DType => "DTypeMismatch",
                _ => "ValueMismatch",
            };
            ThrowTerminatingError(new ErrorRecord(new TensorAssertionException(result), ErrorPrefix + what,
                ErrorCategory.InvalidResult, Actual));
        }
        if (PassThru) WriteTensor(Actual);
    }
}
