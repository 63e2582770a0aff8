using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Sums a tensor's elements, over all dims or -Dim (torch.sum).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "Sum", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class MeasureSumCommand : MeasureReductionCommandBase
{
    private protected override string OpName => "Sum";
}
