using System.Collections.Concurrent;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Python's default warning filter for the engine's UserWarnings: shown once per place in a script that raised it
/// (a training loop warns once, not every step), every time at the prompt. The registry is per runspace and per
/// command line (HistoryId), so running the script again from the prompt warns again.
/// </summary>
internal static class WarningOnce
{
    private static readonly ConcurrentDictionary<string, byte> Seen = new(StringComparer.Ordinal);

    /// <summary>True the first time this warning comes from this script position in this runspace.</summary>
    public static bool ShouldWrite(TorchWarning warning, InvocationInfo? invocation)
    {
        if (invocation is null || string.IsNullOrEmpty(invocation.ScriptName)) return true;
        var key = string.Create(CultureInfo.InvariantCulture,
            $"{Runspace.DefaultRunspace?.InstanceId}|{invocation.HistoryId}|{invocation.ScriptName}|{invocation.ScriptLineNumber}|{invocation.OffsetInLine}|{warning.Message}");
        return Seen.TryAdd(key, 0);
    }
}

/// <summary>
/// Warnings raised by operators and methods called straight from script ($pred.MseLoss($target)), where no cmdlet
/// is running to write them: written with Write-Warning in the runspace of the calling thread, so
/// $WarningPreference, 3&gt;$null and 3&gt;&amp;1 apply as to any warning. Installed when the module is imported.
/// </summary>
public sealed class ModuleWarnings : IModuleAssemblyInitializer
{
    private static readonly ScriptBlock WriteWarning = ScriptBlock.Create("param($Message) Write-Warning -Message $Message");

    public void OnImport() => TorchWarnings.Unhandled ??= Write;

    private static void Write(TorchWarning warning)
    {
        // A thread with no runspace (a C# host, an engine worker) has nowhere to write to.
        if (Runspace.DefaultRunspace is null) return;
        WriteWarning.Invoke(warning.Message);
    }
}
