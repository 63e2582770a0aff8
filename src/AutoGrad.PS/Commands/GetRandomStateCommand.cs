using System.Management.Automation;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Random;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Saves the state of the global random generator (torch.get_rng_state), to restore with Set-RandomState.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RandomState", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(GeneratorState))]
public sealed class GetRandomStateCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    protected override void EndProcessing() => WriteObject(Generator.Default.GetState());
}
