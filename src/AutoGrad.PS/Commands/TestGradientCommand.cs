using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Checks a function's gradients against finite differences in float64 (torch.autograd.gradcheck).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Gradient", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(GradientCheckResult))]
public sealed class TestGradientCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    private readonly List<Tensor> _inputs = new();

    /// <summary>The function: takes the inputs as arguments (param($x, $y)) and returns one tensor.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>The inputs to check at, in argument order: from the pipeline or as an array.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor[] InputObject { get; set; } = [];

    /// <summary>The finite-difference step (default 1e-6).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Eps { get; set; } = 1e-6;

    /// <summary>The absolute tolerance (default 1e-5).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double AbsTolerance { get; set; } = 1e-5;

    /// <summary>The relative tolerance (default 1e-3).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double RelTolerance { get; set; } = 1e-3;

    protected override void ProcessRecord()
    {
        foreach (var t in InputObject)
            if (t is not null) _inputs.Add(t);
    }

    protected override void EndProcessing()
    {
        var inputs = _inputs.ToArray();
        ScriptFailure? failure = null;
        var result = Engine(() =>
        {
            try
            {
                return GradientCheck.Run(Invoke, inputs, Eps, AbsTolerance, RelTolerance);
            }
            catch (ScriptFailure f)
            {
                failure = f;
                return null;
            }
        }, ScriptBlock);
        // The script block's own error, with its own id and position.
        if (failure is not null) Fail(failure.Error);
        WriteObject(result);
    }

    /// <summary>Runs the script block on the float64 copies; it must return exactly one tensor.</summary>
    private Tensor Invoke(Tensor[] xs)
    {
        System.Collections.ObjectModel.Collection<PSObject> output;
        try
        {
            // Any error in the function ends the check: a gradient checked on a half-failed call means nothing.
            output = ScriptBlock.InvokeWithContext(null, [new PSVariable("ErrorActionPreference", ActionPreference.Stop)],
                xs.Cast<object>().ToArray());
        }
        catch (RuntimeException ex) when (ex is not PipelineStoppedException)
        {
            // The record with the exception itself in place of ParentContainsErrorRecordException: an operator's
            // TorchException stays reachable as its InnerException.
            throw new ScriptFailure(new ErrorRecord(ex.ErrorRecord, ex));
        }
        var tensors = output.Where(o => o is not null).Select(o => o.BaseObject).ToArray();
        if (tensors.Length != 1 || tensors[0] is not Tensor t)
            throw new TorchException(TorchErrorKind.TypeError, "NotOneTensor",
                $"The script block must return one tensor, but returned {Describe(tensors)}.");
        return t;
    }

    private static string Describe(object[] values) => values.Length switch
    {
        0 => "nothing",
        1 => $"an object of type {values[0].GetType().Name}",
        _ => $"{values.Length} objects",
    };

    /// <summary>Carries the script block's own error out of the engine's loop.</summary>
    private sealed class ScriptFailure(ErrorRecord error) : Exception(error.Exception?.Message)
    {
        public ErrorRecord Error { get; } = error;
    }
}
