using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;
using AutoGrad.Autograd;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// What anomaly detection (Use-AnomalyDetection) needs from PowerShell: where a forward op was called, named as
/// PowerShell names a position (the command's or the statement's "At file:line char:n" with the line and a
/// marker, then the script call stack), and a cmdlet to write the engine's warnings through.
/// <para>
/// Each thread keeps a stack of the module's cmdlets that are running engine code or a script under anomaly
/// detection: AutoGradCmdlet.Engine pushes its cmdlet while the mode is on (so a node made by Invoke-Op names the
/// Invoke-Op call), Use-AnomalyDetection pushes itself and a hook's script block pushes a marker while it runs (so a
/// node made by an operator there names the operator's statement, found on the script call stack). Off, nothing is
/// pushed.
/// </para>
/// </summary>
internal static class AnomalyContext
{
    private readonly record struct Entry(PSCmdlet? Cmdlet, bool RecordsOps);

    [ThreadStatic] private static List<Entry>? t_stack;

    private static int s_installed;

    /// <summary>Makes the engine describe forward calls and warn through PowerShell (once per process).</summary>
    public static void Install()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 1) return;
        AnomalyMode.ForwardTraceProvider = DescribeForwardCall;
        AnomalyMode.WarningHandler = Warn;
    }

    /// <summary>A cmdlet calls the engine: nodes made now were made by this command.</summary>
    public static Scope EnterCommand(PSCmdlet cmdlet) => AnomalyMode.IsEnabled ? Push(new Entry(cmdlet, true)) : default;

    /// <summary>A script runs (Use-AnomalyDetection's block, a hook): nodes made now come from its statements;
    /// warnings go to <paramref name="cmdlet"/> unless a cmdlet inside takes them.</summary>
    public static Scope EnterScript(PSCmdlet? cmdlet) => Push(new Entry(cmdlet, false));

    private static Scope Push(Entry entry)
    {
        var stack = t_stack ??= [];
        stack.Add(entry);
        return new Scope(stack.Count);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly int _depth;
        internal Scope(int depth) => _depth = depth;

        public void Dispose()
        {
            if (_depth > 0 && t_stack is { } stack && stack.Count >= _depth) stack.RemoveRange(_depth - 1, stack.Count - _depth + 1);
        }
    }

    /// <summary>The innermost cmdlet on this thread that can write a warning now.</summary>
    private static PSCmdlet? WarningTarget()
    {
        if (t_stack is not { } stack) return null;
        for (int i = stack.Count - 1; i >= 0; i--)
            if (stack[i].Cmdlet is { } cmdlet) return cmdlet;
        return null;
    }

    private static void Warn(string message)
    {
        if (WarningTarget() is { } cmdlet) cmdlet.WriteWarning(message);
        else Console.Error.WriteLine("WARNING: " + message);
    }

    /// <summary>
    /// The forward call being recorded, as PowerShell shows a position: the running command's position message
    /// (or, for an operator or method, the statement's), then the call stack innermost first, as ScriptStackTrace.
    /// Null off a runspace's thread (a C# caller): the engine then uses the .NET stack.
    /// </summary>
    private static string? DescribeForwardCall()
    {
        if (Runspace.DefaultRunspace is not { } runspace) return null;
        // Without the frame of the script Use-AnomalyDetection runs its block through: the user's frames only.
        var frames = runspace.Debugger.GetCallStack().Where(f => !CallerScopeBlock.IsOwnFrame(f)).ToList();
        var text = new StringBuilder();
        var top = t_stack is { Count: > 0 } stack ? stack[^1] : default;
        if (top.RecordsOps && top.Cmdlet?.MyInvocation is { } invocation)
            text.Append(invocation.PositionMessage.TrimEnd().ReplaceLineEndings("\n"));
        else if (frames.Count > 0 && frames[0].Position is { } extent && extent.StartLineNumber > 0)
            // PowerShell's own "At file:line char:col" message of the statement, as an error there would show it.
            text.Append(InvocationInfo.Create(null, extent).PositionMessage.TrimEnd().ReplaceLineEndings("\n"));
        foreach (var frame in frames)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(frame);
        }
        return text.Length == 0 ? null : text.ToString();
    }
}
