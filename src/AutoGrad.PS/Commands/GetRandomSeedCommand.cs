using System.Management.Automation;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Random;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the seed of the global random generator (torch.initial_seed).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RandomSeed", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(ulong))]
public sealed class GetRandomSeedCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    protected override void EndProcessing() => WriteObject(Generator.Default.InitialSeed);
}
