using System.Management.Automation;
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
        using (GradMode.NoGrad())
            output = CallerScopeBlock.Run(this, ScriptBlock);
        CallerScopeBlock.Write(this, output);
    }
}
