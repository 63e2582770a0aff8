using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// A script block run in the caller's scope by a cmdlet that sets a mode around it (Use-NoGrad, Use-AnomalyDetection),
/// as the body of a Python <c>with</c> statement runs in the enclosing scope.
/// </summary>
internal static class CallerScopeBlock
{
    /// <summary>The script that runs the block: its frame is ours, not the user's (see <see cref="IsOwnFrame"/>).</summary>
    private const string Runner = ". $args[0] 2>&1";

    /// <summary>
    /// The runner, parsed once per thread: InvokeScript(string) looked the text up in PowerShell's script cache and
    /// cloned a script block on every call. Unbound, so it runs in the session state of whoever invokes it.
    /// </summary>
    [ThreadStatic] private static ScriptBlock? t_runner;

    /// <summary>True for the call-stack frame of the script that runs a block, which a forward trace leaves out.</summary>
    public static bool IsOwnFrame(CallStackFrame frame) =>
        string.IsNullOrEmpty(frame.ScriptName) && frame.Position?.StartScriptPosition.Line == Runner;

    /// <summary>
    /// Runs <paramref name="block"/> dot-sourced (". $block") with its error stream merged into its output, so that its
    /// non-terminating errors can be written as the cmdlet's own by <see cref="Write"/>: they then reach the caller's
    /// 2>$null, -ErrorVariable and -ErrorAction (InvokeScript(bool, ScriptBlock, ...) wrote them to the host). A
    /// terminating error of the block ends the cmdlet with that error, its id, position and exception kept (as
    /// <c>&amp; { throw }</c> reports it); -ErrorAction Stop inside the block propagates as it is.
    /// </summary>
    public static Collection<PSObject> Run(PSCmdlet cmdlet, ScriptBlock block)
    {
        try
        {
            // useLocalScope: false dot-sources the runner, and the runner dot-sources the block: the caller's scope.
            return cmdlet.InvokeCommand.InvokeScript(false, t_runner ??= ScriptBlock.Create(Runner), null, block);
        }
        catch (RuntimeException ex) when (ex is not (PipelineStoppedException or ActionPreferenceStopException))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex.ErrorRecord, ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>
    /// Writes what <see cref="Run"/> returned: objects to the output, the block's errors to the error stream. Called
    /// after the mode's scope has ended, so that commands downstream of the cmdlet run in the caller's mode.
    /// </summary>
    public static void Write(PSCmdlet cmdlet, Collection<PSObject> output)
    {
        foreach (var item in output)
        {
            if (item?.BaseObject is ErrorRecord error) cmdlet.WriteError(error);
            else cmdlet.WriteObject(item, enumerateCollection: false);
        }
    }
}
