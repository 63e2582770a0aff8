using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Averages a tensor's elements, over all dims or -Dim (torch.mean; floating dtypes only).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "Mean", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class MeasureMeanCommand : MeasureReductionCommandBase
{
    private protected override string OpName => "Mean";
}
