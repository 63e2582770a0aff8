using System.Management.Automation;
using AutoGrad;
using AutoGrad.Optim;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Takes one optimization step (optimizer.step()): updates every parameter that has a gradient.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "Parameter", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class UpdateParameterCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The optimizer to step (from New-Optimizer).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public Optimizer Optimizer { get; set; } = null!;

    /// <summary>Writes the optimizer's parameters to the pipeline after the step.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var optimizer = Optimizer;
        Engine(optimizer.Step, optimizer);
        if (!PassThru) return;
        foreach (var group in optimizer.ParamGroups)
            foreach (var p in group.Params)
                WriteTensor(p);
    }
}
