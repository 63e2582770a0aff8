using AutoGrad.Autograd;
using AutoGrad.NN;
using AutoGrad.Optim;

namespace AutoGrad.Training;

/// <summary>When a training loop steps its learning-rate scheduler.</summary>
public enum SchedulerInterval
{
    /// <summary>Once per epoch, after validation (StepLR, CosineAnnealingLR, ReduceLROnPlateau ...).</summary>
    Epoch,

    /// <summary>After every optimizer step (OneCycleLR, warm-up schedules counted in batches).</summary>
    Batch,
}

/// <summary>
/// One epoch of a training loop. <see cref="Loss"/> is the mean of the batch losses weighted by batch size
/// (PyTorch users' <c>running += loss.item() * len(xb)</c> divided by the samples seen), which is the mean loss over the
/// samples for losses that average over the batch. <see cref="Accuracy"/> is the fraction of predictions that were
/// right, counted on each batch as it was trained (null for losses without classes). <see cref="LR"/> is the first
/// parameter group's learning rate at the epoch's last optimizer step. The validation values are computed after the
/// epoch in eval mode without recording a graph (null without validation data).
/// </summary>
public sealed record EpochResult(int Epoch, double Loss, double? Accuracy, double? ValidationLoss, double? ValidationAccuracy, double LR);

/// <summary>Where a training loop is: after batch <see cref="Batch"/> of <see cref="Batches"/>, the epoch's mean loss so far.</summary>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss);

/// <summary>
/// A training loop as PyTorch users write it, run in the engine: for each epoch, the model in training mode, then for
/// each mini-batch of <see cref="Data"/>: zero_grad, forward, loss, backward, step (and the scheduler per batch if
/// so stepped); then validation in eval mode under no_grad, and the scheduler per epoch (ReduceLROnPlateau with the
/// validation loss, or the epoch's loss without validation data). With the same seed, layers, data and settings, the
/// losses and parameters are those of the equivalent PyTorch loop over a DataLoader.
/// </summary>
public sealed class Trainer
{
    private readonly Func<Tensor, Tensor?> _forward;
    private bool _checkedGradients;
    private bool _warnedNonFinite;
    private readonly HashSet<string> _engineWarnings = new(StringComparer.Ordinal);

    /// <summary>Trains a layer or model: it is put in training mode for each epoch and eval mode for validation.</summary>
    public Trainer(Module model, LossFunction loss, Optimizer optimizer, DataLoader data)
        : this(CheckNotNull(model).Forward, loss, optimizer, data)
    {
        Module = model;
    }

    /// <summary>Trains any function from a batch's input to its prediction (a hand-written model).</summary>
    public Trainer(Func<Tensor, Tensor?> model, LossFunction loss, Optimizer optimizer, DataLoader data)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(data);
        if (loss.NeedsTarget && data.Target is null)
            throw TorchException.Value("MissingTarget", $"{loss.Name} compares the prediction with a target, but the data has none");
        _forward = model;
        Loss = loss;
        Optimizer = optimizer;
        Data = data;
    }

    /// <summary>The model as a module, when one was given (null for a function).</summary>
    public Module? Module { get; }

    public LossFunction Loss { get; }

    public Optimizer Optimizer { get; }

    /// <summary>The training batches.</summary>
    public DataLoader Data { get; }

    /// <summary>
    /// Held-out batches scored after each epoch (in eval mode, without a graph), or null. A loader draws a number per
    /// epoch from its generator: give it one of its own (as Invoke-Training does) to leave the training run as it
    /// would be without validation.
    /// </summary>
    public DataLoader? Validation { get; set; }

    /// <summary>A learning-rate scheduler of <see cref="Optimizer"/>, or null.</summary>
    public LRScheduler? Scheduler { get; set; }

    /// <summary>When to step <see cref="Scheduler"/>; null: per batch for OneCycleLR (built for that), else per epoch.</summary>
    public SchedulerInterval? SchedulerInterval { get; set; }

    /// <summary>The interval in effect.</summary>
    public SchedulerInterval Interval =>
        SchedulerInterval ?? (Scheduler is OneCycleLR ? Training.SchedulerInterval.Batch : Training.SchedulerInterval.Epoch);

    /// <summary>Called after every batch (for progress display).</summary>
    public Action<BatchProgress>? Progress { get; set; }

    /// <summary>
    /// Called with advice PyTorch would give as a UserWarning, or that saves a wasted run: the engine's own warnings
    /// raised while training (a target that an elementwise loss would broadcast, from MseLoss/L1Loss), no gradient
    /// reaching the optimizer's parameters, a loss that is not finite. Each is reported once per trainer, as Python's
    /// default filter shows a warning of a training loop once, not every step.
    /// </summary>
    public Action<string>? Warning { get; set; }

    /// <summary>Epochs completed by this trainer.</summary>
    public int EpochsDone { get; private set; }

    /// <summary>
    /// Trains for <paramref name="epochs"/> epochs, yielding each epoch's result as it completes. Everything that can
    /// be checked before training (the scheduler's optimizer, OneCycleLR's remaining steps, an epoch without
    /// batches) is checked here, before the first step. Afterwards every module is back in the mode it had.
    /// </summary>
    public IEnumerable<EpochResult> Fit(int epochs, CancellationToken cancel = default)
    {
        if (epochs < 0) throw TorchException.Value("InvalidEpochs", $"epochs should be a non-negative integer, but got {epochs}");
        if (Data.Count == 0)
            throw TorchException.Value("NoBatches",
                $"an epoch has no batches: {Data.Samples} samples in batches of {Data.BatchSize}" + (Data.DropLast ? " with the incomplete batch dropped" : ""));
        CheckScheduler(epochs);
        return FitCore(epochs, cancel);
    }

    private IEnumerable<EpochResult> FitCore(int epochs, CancellationToken cancel)
    {
        var modules = Module?.Modules() ?? [];
        var modes = modules.Select(m => m.Training).ToArray();
        try
        {
            for (int e = 0; e < epochs; e++) yield return RunEpoch(cancel);
        }
        finally
        {
            // Pre-order: a parent's Train() sets its children, which then get their own mode back.
            for (int i = 0; i < modules.Length; i++) modules[i].Train(modes[i]);
        }
    }

    private void CheckScheduler(int epochs)
    {
        if (Scheduler is null) return;
        if (!ReferenceEquals(Scheduler.Optimizer, Optimizer))
            throw TorchException.Value("SchedulerOptimizerMismatch",
                $"the {Scheduler.Name} scheduler sets the learning rate of another optimizer than the one being trained");
        if (Scheduler is OneCycleLR cycle)
        {
            int perEpoch = Interval == Training.SchedulerInterval.Batch ? Data.Count : 1;
            long needed = (long)epochs * perEpoch;
            int left = cycle.TotalSteps - cycle.LastEpoch;
            if (needed > left)
                throw TorchException.Value("SchedulerTooShort",
                    $"OneCycleLR has {left} steps left, but {epochs} epochs of {Data.Count} batches step it {needed} times " +
                    (perEpoch == 1 ? "(once per epoch)" : "(once per batch)") +
                    $": create it with total_steps={needed}" + (perEpoch == 1 ? "" : $" (or epochs={epochs} and steps_per_epoch={perEpoch})"));
        }
    }

    private EpochResult RunEpoch(CancellationToken cancel)
    {
        // The engine's warnings raised on this thread during the epoch (the model's and the loss's ops) come here.
        using var warnings = TorchWarnings.Capture(w =>
        {
            if (_engineWarnings.Add(w.Message)) Warning?.Invoke(w.Message);
        });
        int epoch = EpochsDone + 1;
        Module?.Train();
        var train = new Sums(Loss);
        double lr = Optimizer.ParamGroups[0].LR;
        int batches = Data.Count, done = 0;
        foreach (var batch in Data)
        {
            cancel.ThrowIfCancellationRequested();
            Optimizer.ZeroGrad();
            var prediction = Forward(batch.Input);
            var loss = LossOf(prediction, batch.Target);
            loss.Backward();
            CheckGradientsOnce();
            Optimizer.Step();
            lr = Optimizer.ParamGroups[0].LR;
            double value = train.Add(loss, prediction, batch);
            if (Scheduler is not null && Interval == Training.SchedulerInterval.Batch) StepScheduler(value);
            Progress?.Invoke(new BatchProgress(epoch, ++done, batches, train.Mean));
        }

        Sums? validation = null;
        if (Validation is not null)
        {
            cancel.ThrowIfCancellationRequested();
            Module?.Eval();
            validation = new Sums(Loss);
            using (GradMode.NoGrad())
                foreach (var batch in Validation)
                {
                    var prediction = Forward(batch.Input);
                    validation.Add(LossOf(prediction, batch.Target), prediction, batch);
                }
        }

        var result = new EpochResult(epoch, train.Mean, train.Accuracy, validation?.Mean, validation?.Accuracy, lr);
        if (!double.IsFinite(result.Loss) && !_warnedNonFinite)
        {
            _warnedNonFinite = true;
            Warning?.Invoke($"The loss is {Show(result.Loss)} in epoch {epoch}: the learning rate may be too high, or the data may hold NaN or infinite values.");
        }
        if (Scheduler is not null && Interval == Training.SchedulerInterval.Epoch) StepScheduler(result.ValidationLoss ?? result.Loss);
        EpochsDone = epoch;
        return result;
    }

    private static string Show(double value) => double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";

    private Tensor Forward(Tensor input) =>
        _forward(input) ?? throw TorchException.Type("ModelReturnedNothing", "the model returned nothing: it must return the prediction as a tensor");

    private Tensor LossOf(Tensor prediction, Tensor? target) =>
        Loss.Compute(prediction, target)
            ?? throw TorchException.Type("LossReturnedNothing", "the loss returned nothing: it must return a scalar tensor");

    private void CheckGradientsOnce()
    {
        if (_checkedGradients) return;
        _checkedGradients = true;
        if (Optimizer.ParamGroups.SelectMany(g => g.Params).All(p => p.Grad is null))
            Warning?.Invoke("None of the optimizer's parameters received a gradient: the model does not use them, so training cannot change it.");
    }

    private void StepScheduler(double loss)
    {
        if (Scheduler is ReduceLROnPlateau plateau) plateau.Step(loss);
        else Scheduler!.Step();
    }

    /// <summary>An epoch's running sums, as a PyTorch loop keeps them.</summary>
    private sealed class Sums(LossFunction loss)
    {
        private double _running;
        private long _seen, _correct, _counted;

        public double Mean => _running / _seen;

        public double? Accuracy => _counted > 0 ? (double)_correct / _counted : null;

        /// <summary>Adds a batch; returns its loss as a number.</summary>
        public double Add(Tensor batchLoss, Tensor prediction, Batch batch)
        {
            double value = Convert.ToDouble(batchLoss.Item(), System.Globalization.CultureInfo.InvariantCulture);
            _running += value * batch.Size;
            _seen += batch.Size;
            if (loss.CountCorrect(prediction, batch.Target) is { } scored)
            {
                _correct += scored.Correct;
                _counted += scored.Counted;
            }
            return value;
        }
    }

    private static Module CheckNotNull(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model;
    }
}
