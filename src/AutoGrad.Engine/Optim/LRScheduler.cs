using System.Globalization;
using System.Text;
using AutoGrad.Printing;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.lr_scheduler.LRScheduler: sets the learning rate of every parameter group of an optimizer, once per
/// <see cref="Step"/>. As in PyTorch, constructing a scheduler records each group's starting lr as 'initial_lr'
/// (unless a scheduler already did) and performs the first step (epoch 0), so the optimizer's lr is the schedule's
/// first value straight away. The schedules are PyTorch's chainable (recursive) forms: each value is computed from
/// the group's current lr, so they compose with other changes to lr exactly as PyTorch's do.
/// </summary>
public abstract class LRScheduler
{
    private double[] _lastLR = [];
    private int _optimizerStepsAtStart;

    private protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLRs = [];
    }

    /// <summary>The optimizer whose learning rates this scheduler sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The groups' 'initial_lr' values (scheduler.base_lrs).</summary>
    public IReadOnlyList<double> BaseLRs { get; private set; }

    /// <summary>The number of the last step taken (scheduler.last_epoch): 0 right after construction.</summary>
    public int LastEpoch { get; private protected set; } = -1;

    /// <summary>Steps taken, the initial one included (PyTorch's _step_count).</summary>
    private protected int StepCount { get; private set; }

    /// <summary>The scheduler's name as PyTorch spells it (StepLR, OneCycleLR ...).</summary>
    public string Name => GetType().Name;

    /// <summary>
    /// PyTorch's warning (UserWarning) when the first scheduler step comes before any optimizer step: that skips the
    /// schedule's first value.
    /// </summary>
    public const string StepOrderWarning =
        "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first value of the learning rate schedule. See more details at https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";

    /// <summary>True when the next <see cref="Step"/> would be the first after construction with no optimizer step in between.</summary>
    public bool StepWouldPrecedeOptimizer => StepCount == 1 && Optimizer.StepCount == _optimizerStepsAtStart;

    /// <summary>Records 'initial_lr' and the base lrs, then takes PyTorch's initial step; called last by each constructor.</summary>
    private protected void Start()
    {
        foreach (var group in Optimizer.ParamGroups)
            if (!group.ContainsKey("initial_lr")) group["initial_lr"] = group.LR;
        BaseLRs = Optimizer.ParamGroups.Select(g => GroupNumber(g, "initial_lr")).ToArray();
        _optimizerStepsAtStart = Optimizer.StepCount;
        Step();
    }

    /// <summary>Advances the schedule by one step and sets every group's lr (scheduler.step()).</summary>
    public virtual void Step()
    {
        // Under the optimizer's lock: a step is whole, and the learning rates do not change in the middle of its step.
        lock (Optimizer.Gate)
        {
            var values = ComputeLR(LastEpoch + 1);
            StepCount++;
            LastEpoch++;
            var groups = Optimizer.ParamGroups;
            for (int i = 0; i < groups.Count; i++) groups[i].LR = values[i];
            RecordLastLR();
        }
    }

    /// <summary>The learning rates for step <paramref name="epoch"/> from the groups' current values (get_lr()).</summary>
    private protected abstract double[] ComputeLR(int epoch);

    /// <summary>The learning rates set by the last step (scheduler.get_last_lr()), one per group.</summary>
    public double[] GetLastLR() => (double[])_lastLR.Clone();

    private protected void RecordLastLR() => _lastLR = Optimizer.ParamGroups.Select(g => g.LR).ToArray();

    private protected double[] CurrentLRs() => Optimizer.ParamGroups.Select(g => g.LR).ToArray();

    private protected static double GroupNumber(ParamGroup group, string key) =>
        group[key] is { } value && value is not bool and not string
            ? Convert.ToDouble(value, CultureInfo.InvariantCulture)
            : throw TorchException.Value("InvalidParamGroup", $"param group's '{key}' is {ParamGroup.Describe(group[key])}, not a number");

    /// <summary>One value per group: a list as long as the groups, or one value for all (PyTorch's _format_param).</summary>
    private protected static double[] PerGroup(Optimizer optimizer, string name, IReadOnlyList<double> values)
    {
        int groups = optimizer.ParamGroups.Count;
        if (values.Count == 1) return Enumerable.Repeat(values[0], groups).ToArray();
        if (values.Count != groups)
            throw TorchException.Value("InvalidOption", $"expected {groups} values for {name}, got {values.Count}");
        return values.ToArray();
    }

    /// <summary>The scheduler's settings and position, in the style of a Python repr: <c>StepLR(step_size=7, ...)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Name).Append('(');
        foreach (var (key, value) in Settings()) text.Append(key).Append('=').Append(PythonRepr.Format(value)).Append(", ");
        text.Append("last_epoch=").Append(LastEpoch.ToString(CultureInfo.InvariantCulture));
        text.Append(", last_lr=").Append(PythonRepr.Format(_lastLR.Cast<object>().ToList()));
        return text.Append(')').ToString();
    }

    /// <summary>The constructor arguments to show in <see cref="ToString"/>, by PyTorch's names.</summary>
    private protected abstract IEnumerable<(string Key, object? Value)> Settings();

    private protected static void Require(bool valid, string id, string message)
    {
        if (!valid) throw TorchException.Value(id, message);
    }
}
