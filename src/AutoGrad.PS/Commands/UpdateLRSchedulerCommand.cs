using System.Management.Automation;
using AutoGrad;
using AutoGrad.Optim;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Advances a learning-rate scheduler by one step (scheduler.step()), setting the optimizer's learning rates.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "LRScheduler", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(LRScheduler))]
public sealed class UpdateLRSchedulerCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The scheduler to step (from New-LRScheduler).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    public LRScheduler Scheduler { get; set; } = null!;

    /// <summary>ReduceLROnPlateau only: the watched value (a number or a one-element tensor, e.g. the validation loss).</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 1)]
    public object? Metric { get; set; }

    /// <summary>Writes the scheduler to the pipeline after the step.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var scheduler = Scheduler;
        bool hasMetric = MyInvocation.BoundParameters.ContainsKey(nameof(Metric));
        if (scheduler is ReduceLROnPlateau plateau)
        {
            if (!hasMetric)
                Fail("MissingMetric", ErrorCategory.InvalidArgument, scheduler,
                    "ReduceLROnPlateau steps on a metric: give -Metric (the value it watches, e.g. the validation loss).");
            double metric = ToMetric(Metric);
            Engine(() => plateau.Step(metric), scheduler);
        }
        else
        {
            if (hasMetric)
                Fail("InvalidMetric", ErrorCategory.InvalidArgument, Metric,
                    $"-Metric is for ReduceLROnPlateau; {scheduler.Name} steps without one.");
            if (scheduler.StepWouldPrecedeOptimizer) WriteWarning(LRScheduler.StepOrderWarning);
            Engine(scheduler.Step, scheduler);
        }
        if (PassThru) WriteObject(scheduler);
    }

    private double ToMetric(object? value)
    {
        value = TensorData.Unwrap(value);
        if (value is Tensor { NumElements: 1 } t && t.DType != DType.Bool)
            return Convert.ToDouble(t.Item(), System.Globalization.CultureInfo.InvariantCulture);
        if (value is not Tensor && value is not null && LanguagePrimitives.TryConvertTo(value, System.Globalization.CultureInfo.InvariantCulture, out double d))
            return d;
        Fail("InvalidMetric", ErrorCategory.InvalidArgument, value,
            $"-Metric must be a number or a one-element tensor, but got {(value is Tensor tt ? $"a tensor of shape [{string.Join(", ", tt.Shape)}]" : value?.GetType().Name ?? "nothing")}.");
        return 0;
    }
}
