using System.Management.Automation;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block with anomaly detection on (with torch.autograd.detect_anomaly():): NaN gradients fail, naming the forward call.</para>
/// </summary>
/// <remarks>
/// As Use-NoGrad, the block is dot-sourced into the caller's scope and the mode is thread-local and restored in a
/// finally block. While it runs, every node recorded keeps where its forward call was (the command's or the
/// statement's position and the script call stack), and a backward pass checks each node's outputs for NaN. When a
/// node fails, the cmdlet running backward first writes PyTorch's warning "Error detected in X. Traceback of forward
/// call that caused the error:" followed by that position, then the error stops the pass.
/// </remarks>
[Cmdlet(VerbsOther.Use, "AnomalyDetection", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(object))]
public sealed class UseAnomalyDetectionCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The code to run with anomaly detection on: the forward pass and the backward pass.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>Records forward positions but does not check backward outputs for NaN (check_nan=False).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter SkipNanCheck { get; set; }

    protected override void EndProcessing()
    {
        AnomalyContext.Install();
        // PyTorch warns on entering detect_anomaly, as the mode slows every op down.
        WriteWarning(AnomalyMode.EnabledWarning);
        System.Collections.ObjectModel.Collection<PSObject> output;
        using (AnomalyMode.Enable(checkNan: !SkipNanCheck))
        using (AnomalyContext.EnterScript(this))
            output = CallerScopeBlock.Run(this, ScriptBlock);
        // The block's non-terminating errors (a backward pass that found NaN) are written as this cmdlet's.
        CallerScopeBlock.Write(this, output);
    }
}
