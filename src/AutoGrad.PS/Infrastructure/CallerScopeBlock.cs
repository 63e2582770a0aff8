using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Runtime.CompilerServices;

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

    /// <summary>
    /// Whether a block's text holds a command (a cmdlet, function, script or <c>&amp;</c>/<c>.</c> call), nested
    /// blocks included; one answer per parsed block, shared by every script block made from it (a literal in a loop
    /// makes a new ScriptBlock each time around, over the same AST).
    /// </summary>
    private static readonly ConditionalWeakTable<ScriptBlockAst, object> s_hasCommand = new();
    private static readonly object Yes = true, No = false;

    /// <summary>True for the call-stack frame of the script that runs a block, which a forward trace leaves out.</summary>
    public static bool IsOwnFrame(CallStackFrame frame) =>
        string.IsNullOrEmpty(frame.ScriptName) && frame.Position?.StartScriptPosition.Line == Runner;

    /// <summary>
    /// Runs <paramref name="block"/> dot-sourced (". $block") with its error stream merged into its output, so that its
    /// non-terminating errors can be written as the cmdlet's own by <see cref="Write"/>: they then reach the caller's
    /// 2>$null, -ErrorVariable and -ErrorAction (InvokeScript(bool, ScriptBlock, ...) wrote them to the host). A
    /// terminating error of the block ends the cmdlet with that error, its id, position and exception kept (as
    /// <c>&amp; { throw }</c> reports it); -ErrorAction Stop inside the block propagates as it is.
    /// <para>
    /// A block without commands (the usual parameter update, <c>{ $null = $w.Sub_($w.Grad * 0.1) }</c>) is
    /// dot-sourced directly: only a command writes non-terminating errors, so there is nothing for the runner to
    /// merge, and the runner, a command invocation of its own, cost about 4.5 us of a 11 us Use-NoGrad
    /// (docs/performance.md, design measurements). Its terminating errors are handled as the runner's are.
    /// </para>
    /// </summary>
    public static Collection<PSObject> Run(PSCmdlet cmdlet, ScriptBlock block)
    {
        try
        {
            // useLocalScope: false dot-sources the block (or the runner, which dot-sources the block): the caller's
            // scope either way.
            return HasCommand(block)
                ? cmdlet.InvokeCommand.InvokeScript(false, t_runner ??= ScriptBlock.Create(Runner), null, block)
                : cmdlet.InvokeCommand.InvokeScript(false, block, null);
        }
        catch (RuntimeException ex) when (ex is not (PipelineStoppedException or ActionPreferenceStopException))
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex.ErrorRecord, ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    private static bool HasCommand(ScriptBlock block) =>
        block.Ast is not ScriptBlockAst ast
        || (bool)s_hasCommand.GetValue(ast, static a => a.Find(node => node is CommandAst, searchNestedScriptBlocks: true) is null ? No : Yes);

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
