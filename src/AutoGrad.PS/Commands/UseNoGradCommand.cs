using System.Management.Automation;
using System.Management.Automation.Runspaces;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Runs a script block with gradient recording off (with torch.no_grad():).</para>
/// </summary>
/// <remarks>
/// The block is dot-sourced into the caller's scope, as the body of a Python <c>with</c> statement runs in the
/// enclosing scope: variables it assigns stay visible afterwards. Recording is thread-local and restored in a
/// finally block, so an error inside leaves the caller's mode as it was.
/// </remarks>
[Cmdlet(VerbsOther.Use, "NoGrad", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(object))]
public sealed class UseNoGradCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The code to run without recording the graph.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    protected override void EndProcessing()
    {
        System.Collections.ObjectModel.Collection<PSObject> output;
        try
        {
            // Dot-sourced (". $block") with the block's error stream merged into its output, so that its
            // non-terminating errors can be written as this cmdlet's own below: they reach the caller's 2>$null,
            // -ErrorVariable and -ErrorAction (InvokeScript(bool, ScriptBlock, ...) wrote them to the host instead).
            using (GradMode.NoGrad())
                output = SessionState.InvokeCommand.InvokeScript(". $args[0] 2>&1", false, PipelineResultTypes.None,
                    null, ScriptBlock);
        }
        catch (RuntimeException ex) when (ex is not (PipelineStoppedException or ActionPreferenceStopException))
        {
            // The block's own error, with its own id and position (as & { throw } would report it).
            ThrowTerminatingError(new ErrorRecord(ex.ErrorRecord, ex));
            return;
        }
        foreach (var item in output)
        {
            if (item?.BaseObject is ErrorRecord error) WriteError(error);
            else WriteObject(item, enumerateCollection: false);
        }
    }
}
