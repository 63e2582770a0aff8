using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.NN;
using AutoGrad.Optim;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Random;
using AutoGrad.Training;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Trains a model for a number of epochs over mini-batches of tensors, writing one object per epoch (Epoch, Loss, Accuracy, LR ...).</para>
/// </summary>
/// <remarks>
/// The loop runs in the engine (<see cref="Trainer"/>): no pipeline round trip per batch, only the model and loss
/// script blocks (when given as script blocks) are called back. Progress is shown at most four times a second, and
/// not at all when $ProgressPreference (or -ProgressAction) is SilentlyContinue.
/// </remarks>
[Cmdlet(VerbsLifecycle.Invoke, "Training", DefaultParameterSetName = DefaultSet)]
[OutputType(EpochTypeName)]
public sealed class InvokeTrainingCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The type name of the per-epoch objects; the format file's views also match its variants.</summary>
    public const string EpochTypeName = "AutoGrad.TrainingEpoch";

    private const int ProgressId = 0x13;
    private const long ProgressIntervalMs = 250;

    private readonly CancellationTokenSource _stop = new();
    private Tensor? _input;
    private ProgressRecord? _progress;
    private readonly Stopwatch _clock = new();
    private long _lastProgressMs;

    /// <summary>The training inputs: one sample per row of dim 0 (a tensor, or data New-Tensor takes).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorTransformation]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>The targets, one per sample along dim 0: class indices (Int64) for CrossEntropy and NllLoss, values for MseLoss.</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 1)]
    [TensorTransformation]
    public Tensor? Target { get; set; }

    /// <summary>A layer or model (New-Layer), or a script block that takes a batch's input and returns the prediction.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true)]
    public object Model { get; set; } = null!;

    /// <summary>A loss by name (CrossEntropy, MseLoss, NllLoss, L1Loss, BinaryCrossEntropyWithLogits) or a script block { param($Prediction, $Target) ... } returning a scalar tensor.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true)]
    [ArgumentCompleter(typeof(LossNameCompleter))]
    public object Loss { get; set; } = null!;

    /// <summary>The optimizer that updates the model's parameters (New-Optimizer).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true)]
    public Optimizer Optimizer { get; set; } = null!;

    /// <summary>How many passes over the data (default 1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ValidateRange(0, int.MaxValue)]
    public int Epochs { get; set; } = 1;

    /// <summary>Samples per batch; default: all of them in one batch.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ValidateRange(1, int.MaxValue)]
    public int BatchSize { get; set; }

    /// <summary>Reshuffles the samples every epoch from the global generator, as DataLoader(shuffle=True).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Shuffle { get; set; }

    /// <summary>Leaves out the last batch of an epoch when it is smaller than -BatchSize (drop_last=True).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter DropLast { get; set; }

    /// <summary>A learning-rate scheduler of -Optimizer (New-LRScheduler).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public LRScheduler? Scheduler { get; set; }

    /// <summary>Epoch (the default; OneCycleLR: Batch) or Batch: when to step -Scheduler.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SchedulerInterval SchedulerInterval { get; set; }

    /// <summary>Held-out inputs, scored after every epoch in eval mode without recording a graph.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [TensorTransformation]
    public Tensor? ValidationInput { get; set; }

    /// <summary>The targets of -ValidationInput.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [TensorTransformation]
    public Tensor? ValidationTarget { get; set; }

    private LossFunction _loss = null!;
    private object _model = null!;

    /// <summary>
    /// What depends on the parameters alone (the loss, the model, the target and the validation data) is checked
    /// here, so that a problem with them stops the statement before any input is read; a problem with the piped input
    /// or the training on it is an error about that input (non-terminating, as PowerShell's cmdlets report an item).
    /// </summary>
    protected override void BeginProcessing()
    {
        _loss = ResolveLoss();
        _model = TensorData.Unwrap(Model)!;
        if (_model is not (Module or ScriptBlock))
            Fail("InvalidModel", ErrorCategory.InvalidArgument, _model,
                $"-Model must be a layer (New-Layer) or a script block that returns the prediction, but got {Describe(_model)}.");
        if (Target is null && _loss.NeedsTarget)
            Fail("MissingTarget", ErrorCategory.InvalidArgument, Loss, $"-Target is required: {_loss.Name} compares the prediction with a target.");
        if (ValidationTarget is not null && ValidationInput is null || ValidationInput is not null && ValidationTarget is null && _loss.NeedsTarget)
            Fail("MissingValidationData", ErrorCategory.InvalidArgument, ValidationInput ?? ValidationTarget,
                "-ValidationInput and -ValidationTarget go together: give both.");
        if (ValidationInput is not null)
        {
            CheckSamples(ValidationInput, ValidationTarget, "-ValidationInput", "-ValidationTarget");
            if (ValidationInput.Shape[0] == 0)
                Fail("EmptyValidation", ErrorCategory.InvalidArgument, ValidationInput, "-ValidationInput has no samples.");
        }
    }

    protected override void ProcessRecord()
    {
        if (_input is not null)
            Fail("TooManyInputs", ErrorCategory.InvalidArgument, InputObject,
                "Invoke-Training trains on one input tensor, but more than one came through the pipeline: join them into one first (Join-Tensor).");
        _input = InputObject;
    }

    protected override void EndProcessing()
    {
        if (_input is null) return;
        var trainer = CreateTrainer(_input);
        var epochs = Engine(() => trainer.Fit(Epochs, _stop.Token), _input);
        _clock.Start();
        try
        {
            using var results = epochs.GetEnumerator();
            while (Next(results)) WriteObject(ToObject(results.Current, trainer.Loss.Accuracy != AccuracyKind.None));
        }
        finally
        {
            if (_progress is not null)
            {
                _progress.RecordType = ProgressRecordType.Completed;
                try { WriteProgress(_progress); } catch (PipelineStoppedException) { }
            }
        }
    }

    protected override void StopProcessing() => _stop.Cancel();

    private Trainer CreateTrainer(Tensor input)
    {
        var (loss, model) = (_loss, _model);
        CheckSamples(input, Target, "-InputObject", "-Target");

        int batchSize = MyInvocation.BoundParameters.ContainsKey(nameof(BatchSize)) ? BatchSize : Math.Max(1, input.Shape[0]);
        var data = Engine(() => new DataLoader(input, Target, batchSize, Shuffle, DropLast), input);
        var trainer = Engine(() => model is Module module
            ? new Trainer(module, loss, Optimizer, data)
            : new Trainer(x => RunScript((ScriptBlock)model!, "Model", x), loss, Optimizer, data), input);
        // Validation batches come in order, drawing from a generator of their own: scoring the validation data leaves
        // the global generator, and so the training batches and Dropout's masks, as they would be without it.
        if (ValidationInput is not null)
            trainer.Validation = Engine(() => new DataLoader(ValidationInput, ValidationTarget, batchSize, generator: new Generator()), ValidationInput);
        trainer.Scheduler = Scheduler;
        trainer.SchedulerInterval = MyInvocation.BoundParameters.ContainsKey(nameof(SchedulerInterval)) ? SchedulerInterval : null;
        trainer.Progress = ProgressHandler();
        trainer.Warning = WriteWarning;
        return trainer;
    }

    private LossFunction ResolveLoss()
    {
        switch (TensorData.Unwrap(Loss))
        {
            case ScriptBlock block:
                return new LossFunction("ScriptBlock", (prediction, target) => RunScript(block, "Loss", prediction, target));
            case string name:
                if (LossFunction.Names.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase)) return LossFunction.FromName(name.Trim());
                Fail("UnknownLoss", ErrorCategory.InvalidArgument, name,
                    $"Unknown loss '{name}'. Valid losses: {string.Join(", ", LossFunction.Names)}; or a script block that returns the loss: {{ param($Prediction, $Target) ... }}.");
                return null!;
            case var other:
                Fail("InvalidLoss", ErrorCategory.InvalidArgument, other,
                    $"-Loss must be a loss name ({string.Join(", ", LossFunction.Names)}) or a script block that returns the loss, but got {Describe(other)}.");
                return null!;
        }
    }

    /// <summary>Input and target must have as many samples (PyTorch's TensorDataset: "Size mismatch between tensors").</summary>
    private void CheckSamples(Tensor input, Tensor? target, string inputName, string targetName)
    {
        if (input.Rank == 0)
            Fail("ZeroDimData", ErrorCategory.InvalidArgument, input, $"{inputName} is a 0-d tensor: it needs one sample per row of dim 0.");
        if (target is null) return;
        if (target.Rank == 0)
            Fail("ZeroDimData", ErrorCategory.InvalidArgument, target, $"{targetName} is a 0-d tensor: it needs one target per sample along dim 0.");
        if (target.Shape[0] != input.Shape[0])
            Fail("SizeMismatch", ErrorCategory.InvalidArgument, target,
                $"Size mismatch between tensors: {inputName} has {input.Shape[0]} samples (dim 0 of {Shapes.ToTorchSize(input.Shape)}) and {targetName} has {target.Shape[0]} (dim 0 of {Shapes.ToTorchSize(target.Shape)}).");
    }

    /// <summary>Runs a -Model or -Loss script block ($_ and the first parameter are its first argument) and takes its one tensor.</summary>
    private static Tensor RunScript(ScriptBlock block, string role, params object?[] args)
    {
        // Any error in the block ends the training with that error: a step taken on a half-failed call means nothing.
        Collection<PSObject> output = block.InvokeWithContext(null,
            [new PSVariable("_", args[0]), new PSVariable("ErrorActionPreference", ActionPreference.Stop)], args);
        var items = output.Where(o => o is not null).Select(o => TensorData.Unwrap(o)).ToList();
        if (items.Count == 1 && items[0] is Tensor tensor) return tensor;
        string what = role == "Model" ? "one tensor, the prediction" : "one tensor, the loss (a scalar)";
        string got = items.Count switch
        {
            0 => "nothing",
            1 => "one " + (items[0]?.GetType().Name ?? "$null"),
            _ => $"{items.Count} objects ({string.Join(", ", items.Select(i => i?.GetType().Name ?? "$null"))})",
        };
        throw new ScriptOutputException(role + "Output",
            $"The -{role} script block must return {what}, but it returned {got}. Assign what it should not return to $null.");
    }

    private bool Next(IEnumerator<EpochResult> results)
    {
        ErrorRecord error;
        try
        {
            return results.MoveNext();
        }
        catch (OperationCanceledException)
        {
            throw new PipelineStoppedException();
        }
        catch (ScriptOutputException ex)
        {
            error = new ErrorRecord(new InvalidOperationException(ex.Message, ex), ErrorPrefix + ex.IdSuffix, ErrorCategory.InvalidResult, Model);
        }
        catch (RuntimeException ex) when (ex is not PipelineStoppedException)
        {
            // An error inside a -Model or -Loss script block, with its own id and position (and the exception, so
            // that an operator's TorchException stays reachable).
            error = new ErrorRecord(ex.ErrorRecord, ex);
        }
        catch (TorchException ex)
        {
            error = FromTorch(ex, _input);
        }
        catch (ObjectDisposedException ex)
        {
            error = new ErrorRecord(ex, ErrorPrefix + "TensorDisposed", ErrorCategory.InvalidOperation, _input);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            error = new ErrorRecord(ex, ErrorPrefix + "EngineFailure", ErrorCategory.NotSpecified, _input);
        }
        // Training on the collected input failed: an error about that input, as every cmdlet reports one.
        Fail(error);
        return false; // unreachable: Fail always throws
    }

    // ---- progress -------------------------------------------------------------------------------------------------

    /// <summary>Null when progress is not shown, so an unseen progress bar costs nothing per batch.</summary>
    private Action<BatchProgress>? ProgressHandler()
    {
        object? preference = MyInvocation.BoundParameters.TryGetValue("ProgressAction", out var bound)
            ? bound
            : GetVariableValue("ProgressPreference");
        return LanguagePrimitives.TryConvertTo(preference, out ActionPreference value)
               && value is ActionPreference.SilentlyContinue or ActionPreference.Ignore
            ? null
            : ShowProgress;
    }

    private void ShowProgress(BatchProgress p)
    {
        long now = _clock.ElapsedMilliseconds;
        if (_progress is not null && now - _lastProgressMs < ProgressIntervalMs) return;
        _lastProgressMs = now;
        _progress ??= new ProgressRecord(ProgressId, "Invoke-Training", "Training");
        double done = ((p.Epoch - 1) * (double)p.Batches + p.Batch) / ((double)Math.Max(1, Epochs) * p.Batches);
        _progress.StatusDescription = string.Create(CultureInfo.InvariantCulture,
            $"Epoch {p.Epoch} of {Epochs}, batch {p.Batch} of {p.Batches}, loss {FormatNumber(p.Loss)}");
        _progress.PercentComplete = (int)Math.Clamp(done * 100, 0, 100);
        _progress.SecondsRemaining = done > 0 ? (int)(now / 1000.0 * (1 - done) / done) : -1;
        WriteProgress(_progress);
    }

    // ---- output ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// The epoch as a PowerShell object with only the properties it has (no empty Accuracy column for a regression
    /// in Export-Csv). Its first type name, AutoGrad.TrainingEpoch with #Accuracy and/or #Validation, picks the table
    /// view that shows those columns.
    /// </summary>
    private static PSObject ToObject(EpochResult r, bool scored)
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty("Epoch", r.Epoch));
        o.Properties.Add(new PSNoteProperty("Loss", r.Loss));
        if (scored) o.Properties.Add(new PSNoteProperty("Accuracy", r.Accuracy));
        if (r.ValidationLoss is { } validationLoss)
        {
            o.Properties.Add(new PSNoteProperty("ValidationLoss", validationLoss));
            if (scored) o.Properties.Add(new PSNoteProperty("ValidationAccuracy", r.ValidationAccuracy));
        }
        o.Properties.Add(new PSNoteProperty("LR", r.LR));
        o.TypeNames.Insert(0, EpochTypeName);
        o.TypeNames.Insert(0, EpochTypeName + (scored ? "#Accuracy" : "") + (r.ValidationLoss is null ? "" : "#Validation"));
        return o;
    }

    /// <summary>A loss or accuracy as the epoch table shows it: four decimals, or scientific when tiny or huge; "" for none.</summary>
    public static string FormatNumber(object? value)
    {
        if (TensorData.Unwrap(value) is not { } number) return "";
        double v = Convert.ToDouble(number, CultureInfo.InvariantCulture);
        return v == 0 || !double.IsFinite(v) || (Math.Abs(v) >= 1e-4 && Math.Abs(v) < 1e6)
            ? v.ToString("0.0000", CultureInfo.InvariantCulture)
            : v.ToString("0.0000e+00", CultureInfo.InvariantCulture);
    }

    /// <summary>A learning rate as the epoch table shows it: six significant digits, Python's exponent style (0.001, 2.5e-05).</summary>
    public static string FormatRate(object? value) => TensorData.Unwrap(value) is { } number
        ? Convert.ToDouble(number, CultureInfo.InvariantCulture).ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e')
        : "";

    private static string Describe(object? value) => value switch
    {
        null => "nothing ($null)",
        Tensor => "a tensor",
        _ => value.GetType().Name,
    };

    /// <summary>A -Model or -Loss script block returned something other than one tensor.</summary>
    private sealed class ScriptOutputException(string idSuffix, string message) : Exception(message)
    {
        public string IdSuffix { get; } = idSuffix;
    }
}
