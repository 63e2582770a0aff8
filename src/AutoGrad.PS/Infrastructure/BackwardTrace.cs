using System.Management.Automation;
using AutoGrad;
using AutoGrad.Autograd;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// The -Trace of Invoke-Backward and Get-Grad: collects the engine's steps during the pass and writes them to the
/// pipeline afterwards (not during it: a downstream Select-Object -First must not stop a pass halfway, leaving some
/// gradients accumulated and others not). A step that reached a leaf is labelled with a variable in the caller's
/// scope that holds the leaf ($x), which the trace's table shows.
/// </summary>
internal sealed class BackwardTrace
{
    private static readonly HashSet<string> s_automatic = new(StringComparer.OrdinalIgnoreCase)
    {
        "_", "PSItem", "input", "this", "args", "foreach", "switch", "Matches", "PSCmdlet", "MyInvocation",
    };

    private readonly PSCmdlet _cmdlet;
    private readonly List<BackwardStep> _steps = [];

    public BackwardTrace(PSCmdlet cmdlet)
    {
        _cmdlet = cmdlet;
        Add = _steps.Add;
    }

    /// <summary>What the engine calls with each step.</summary>
    public Action<BackwardStep> Add { get; }

    /// <summary>
    /// Runs the pass and writes the steps; when the pass fails, the steps up to the failing node are written before
    /// the error propagates (with anomaly detection, they end just before the node that produced NaN).
    /// </summary>
    public T Run<T>(Func<T> pass)
    {
        T result;
        try
        {
            result = pass();
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Write();
            throw;
        }
        Write();
        return result;
    }

    private void Write()
    {
        var names = _steps.Any(s => s.Leaf is not null) ? LeafNames() : null;
        foreach (var step in _steps)
        {
            if (step.Leaf is { } leaf && names is not null && names.TryGetValue(leaf, out var name)) step.LeafLabel = "$" + name;
            _cmdlet.WriteObject(step);
        }
        _steps.Clear();
    }

    /// <summary>For each tensor a variable visible in the caller's scope holds, that variable's name.</summary>
    private Dictionary<Tensor, string> LeafNames()
    {
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (var item in _cmdlet.InvokeCommand.InvokeScript("Microsoft.PowerShell.Utility\\Get-Variable"))
            if (item?.BaseObject is PSVariable variable && !s_automatic.Contains(variable.Name)
                && (variable.Value is PSObject wrapped ? wrapped.BaseObject : variable.Value) is Tensor tensor)
                names.TryAdd(tensor, variable.Name);
        return names;
    }
}
