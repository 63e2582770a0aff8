using System.Management.Automation;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Random;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Restores the global random generator to a state from Get-RandomState (torch.set_rng_state): the same numbers follow again.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "RandomState", DefaultParameterSetName = DefaultSet)]
public sealed class SetRandomStateCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>A state saved by Get-RandomState.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public GeneratorState State { get; set; } = null!;

    protected override void ProcessRecord() => Generator.Default.SetState(State);
}
