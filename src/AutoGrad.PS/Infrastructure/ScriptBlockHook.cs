using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// A script block as a tensor hook (Register-TensorHook): the engine calls <see cref="Invoke"/> with the gradient
/// during backward, and the block runs in the runspace that registered it, with the gradient as its first argument
/// and as <c>$_</c>. Its output is the hook's result: nothing (or $null) keeps the gradient, one tensor replaces it.
/// <para>
/// Runspaces: backward usually runs in the registering runspace, on its pipeline thread, and the block simply runs
/// there. When backward runs elsewhere (another runspace, a thread of a C# host), the block runs in its own runspace
/// if that runspace is idle; if it is busy (it is, for example, waiting for the ForEach-Object -Parallel or thread
/// job that runs backward) or closed, the hook fails with HookRunspaceBusy instead of running on a thread that does
/// not own its runspace, which PowerShell does not support, or waiting for a runspace that waits for it.
/// </para>
/// </summary>
internal sealed class ScriptBlockHook
{
    private readonly ScriptBlock _block;
    private readonly Runspace? _runspace;

    public ScriptBlockHook(ScriptBlock block, string? name)
    {
        _block = block;
        _runspace = Runspace.DefaultRunspace;
        Name = name ?? DefaultName(block);
    }

    /// <summary>The name errors give the hook: the one given, else the block's own text on one line.</summary>
    public string Name { get; }

    /// <summary>"{ param($grad) $grad * 2 }": the block's text with its whitespace collapsed, cut at 60 characters.</summary>
    internal static string DefaultName(ScriptBlock block)
    {
        var text = "{ " + Regex.Replace(block.ToString().Trim(), @"\s+", " ") + " }";
        return text.Length <= 60 ? text : text[..56] + " ...";
    }

    public Tensor? Invoke(Tensor grad)
    {
        var output = _runspace is null || ReferenceEquals(Runspace.DefaultRunspace, _runspace)
            ? RunHere(grad)
            : RunInOwnRunspace(_runspace, grad);
        return Result(output);
    }

    private Collection<PSObject> RunHere(Tensor grad)
    {
        using var context = AnomalyContext.EnterScript(null);
        try
        {
            return _block.InvokeWithContext(null, [new PSVariable("_", grad)], grad);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            throw Failed(ex);
        }
    }

    /// <summary>
    /// Runs the block on its own runspace's pipeline thread, through a pipeline that calls back here. A runspace
    /// that is running something else refuses the pipeline at once (its RunspaceAvailability is not reliable
    /// enough to ask first: a host may report a busy runspace as available).
    /// </summary>
    private Collection<PSObject> RunInOwnRunspace(Runspace runspace, Tensor grad)
    {
        Collection<PSObject>? output = null;
        Exception? failure = null;
        Action run = () =>
        {
            try
            {
                output = RunHere(grad);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        };
        try
        {
            using var shell = System.Management.Automation.PowerShell.Create();
            shell.Runspace = runspace;
            shell.AddScript("param($run) $run.Invoke()").AddArgument(run).Invoke();
        }
        catch (Exception ex) when (ex is InvalidOperationException or InvalidRunspaceStateException)
        {
            throw new TorchException(TorchErrorKind.RuntimeError, "HookRunspaceBusy",
                $"hook '{Name}' cannot run: it belongs to runspace {runspace.Id} ({runspace.Name}), which is busy or closed. A hook's script block runs in the runspace that registered it; run backward there, or register the hook in the runspace that runs backward.",
                ex);
        }
        if (failure is not null) throw failure;
        return output!;
    }

    /// <summary>An error in the block, as the backward's error: the hook named, the block's error inside.</summary>
    private TorchException Failed(Exception ex) =>
        new(TorchErrorKind.RuntimeError, "HookFailed", $"hook '{Name}' failed: {ex.Message}", ex);

    /// <summary>The block's output as the hook's result (PyTorch's check_single_result, worded for a script).</summary>
    private Tensor? Result(Collection<PSObject> output)
    {
        var values = output.Where(o => o?.BaseObject is not null).Select(o => o.BaseObject).ToList();
        if (values.Count == 0) return null;
        if (values.Count == 1 && values[0] is Tensor tensor) return tensor;
        var what = values.Count == 1 ? $"'{values[0].GetType().FullName}'" : $"{values.Count} objects";
        throw new TorchException(TorchErrorKind.TypeError, "HookResultNotTensor",
            $"expected Variable, but hook '{Name}' returned {what}: a hook's output is the gradient that replaces its input, so it may write one tensor or nothing (write messages with Write-Host, discard values with $null = ...)");
    }
}
