using System.Management.Automation;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Random;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Seeds the global random generator (torch.manual_seed): random tensors, layer initialisation and Dropout then repeat PyTorch's numbers.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "RandomSeed", DefaultParameterSetName = DefaultSet)]
public sealed class SetRandomSeedCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The seed; as in PyTorch, a negative seed is taken modulo 2^64.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public long Seed { get; set; }

    protected override void ProcessRecord() => Generator.Default.ManualSeed(unchecked((ulong)Seed));
}
