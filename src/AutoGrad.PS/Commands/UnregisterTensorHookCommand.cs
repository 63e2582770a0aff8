using System.Management.Automation;
using AutoGrad.Autograd;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Removes hooks registered with Register-TensorHook (handle.remove()).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Unregister, "TensorHook", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(RemovableHandle))]
public sealed class UnregisterTensorHookCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The handles Register-TensorHook returned. Removing a hook twice does nothing.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public RemovableHandle[] Handle { get; set; } = [];

    /// <summary>Writes each handle back to the pipeline (its IsRemoved is then true).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var handle in Handle)
        {
            if (handle is null) continue;
            handle.Remove();
            if (PassThru) WriteObject(handle);
        }
    }
}
