using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Text;
using AutoGrad.Autograd;
using AutoGrad.Printing;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.Optimizer: updates parameter tensors in place from their gradients. <see cref="Step"/> applies one
/// update to every parameter that has a gradient (a parameter without one, and its state, are left alone),
/// <see cref="ZeroGrad"/> clears the gradients, <see cref="ParamGroups"/> holds the parameters and their options,
/// and <see cref="StateDict"/>/<see cref="LoadStateDict"/> save and restore everything in PyTorch's layout.
/// </summary>
/// <remarks>
/// The arithmetic of each update is PyTorch 2.x's single-tensor path (foreach=False), in PyTorch's order of
/// floating-point operations, with a multiply-add fused wherever PyTorch's CPU kernels fuse it, so trajectories
/// match PyTorch's to the last bit or close to it. Each parameter is updated in one vectorized pass over its
/// elements. The update writes the parameters' storage directly (as PyTorch's step does under no_grad) and bumps
/// their version counters, so a graph that saved a parameter before the step refuses to backpropagate through it.
/// </remarks>
public abstract class Optimizer
{
    private readonly List<ParamGroup> _paramGroups = [];
    private readonly OrderedDictionary _defaults;
    private protected readonly Dictionary<Tensor, ParamState> State = new(ReferenceEqualityComparer.Instance);

    /// <summary>Validates the options, then adds the parameters as the first group (or the groups given).</summary>
    private protected Optimizer(IEnumerable<object> parameters, OrderedDictionary defaults)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Validate(defaults);
        _defaults = defaults;

        var items = parameters.Cast<object?>().Select(ParamGroup.Unwrap).ToList();
        if (items.Count == 0)
            throw TorchException.Value("EmptyParameterList", "optimizer got an empty parameter list");
        // As PyTorch: a list of dicts is a list of groups; anything else is one group of tensors.
        if (items[0] is IDictionary)
        {
            foreach (var item in items)
            {
                if (item is not IDictionary group)
                    throw TorchException.Type("InvalidParamGroup",
                        $"param groups must be dicts, but one of them is {ParamGroup.Describe(item)}");
                AddParamGroup(group);
            }
        }
        else
        {
            AddGroup(items, null);
        }
    }

    /// <summary>The class name PyTorch prints: SGD, Adam, AdamW, RMSprop, Adagrad.</summary>
    public string Name => GetType().Name;

    /// <summary>The parameter groups (optimizer.param_groups), each with its tensors and writable options.</summary>
    public IReadOnlyList<ParamGroup> ParamGroups => _paramGroups;

    /// <summary>The options a new group starts from (optimizer.defaults), by PyTorch's key; a copy.</summary>
    public PythonDict Defaults
    {
        get
        {
            var copy = NewDictionary();
            foreach (DictionaryEntry e in _defaults) copy[e.Key] = e.Value is double[] p ? p.Clone() : e.Value;
            return copy;
        }
    }

    /// <summary>How many times <see cref="Step"/> has run (learning-rate schedulers check that it ran first).</summary>
    public int StepCount { get; private set; }

    /// <summary>PyTorch's option table for this optimizer: keys in PyTorch's order, with their kinds.</summary>
    private protected abstract IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Raises PyTorch's ValueError for an out-of-range option (runs before anything else is checked).</summary>
    private protected abstract void Validate(OrderedDictionary options);

    /// <summary>The group type that exposes this optimizer's options as properties.</summary>
    private protected abstract ParamGroup CreateGroup(List<Tensor> parameters, OrderedDictionary options);

    /// <summary>Whether the per-parameter state has a 'step' counter (all but SGD).</summary>
    private protected virtual bool CountsSteps => true;

    /// <summary>Updates the parameters of one group that have gradients.</summary>
    private protected abstract void StepGroup(ParamGroup group);

    /// <summary>
    /// Serialises what changes the optimizer (its steps, its state, its groups, and the learning rates its schedulers
    /// set): one optimizer stepped from several threads or runspaces takes every step whole, as one at a time would.
    /// Each step still runs its large updates on several threads.
    /// </summary>
    internal object Gate { get; } = new();

    /// <summary>Performs one optimization step (optimizer.step()); parameters without a gradient are skipped.</summary>
    public void Step()
    {
        using var _ = GradMode.NoGrad();
        lock (Gate)
        {
            StepCount++;
            foreach (var group in _paramGroups) StepGroup(group);
        }
    }

    /// <summary>
    /// Clears the gradients (optimizer.zero_grad()): removes them (.grad = None, PyTorch 2's default), or with
    /// <paramref name="setToNone"/> false sets them to zeros in place (a gradient that is part of a graph is
    /// replaced by a new zero tensor, as PyTorch detaches it first).
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        lock (Gate) ZeroGradLocked(setToNone);
    }

    private void ZeroGradLocked(bool setToNone)
    {
        foreach (var group in _paramGroups)
        {
            foreach (var p in group.Params)
            {
                if (p.Grad is not { } grad) continue;
                if (setToNone)
                {
                    p.Grad = null;
                }
                else
                {
                    using var _ = GradMode.NoGrad();
                    if (grad.RequiresGrad) p.Grad = Tensor.Zeros(grad.Shape, grad.DType);
                    else grad.Zero_();
                }
            }
        }
    }

    /// <summary>
    /// Adds a parameter group (optimizer.add_param_group): a dictionary with 'params' (a tensor or tensors) and
    /// options by PyTorch's key or PowerShell name ('lr' or 'LR', 'weight_decay' or 'WeightDecay'); options not
    /// given come from <see cref="Defaults"/>.
    /// </summary>
    public void AddParamGroup(IDictionary paramGroup)
    {
        lock (Gate) AddParamGroupLocked(paramGroup);
    }

    private void AddParamGroupLocked(IDictionary paramGroup)
    {
        ArgumentNullException.ThrowIfNull(paramGroup);
        object? parameters = null;
        bool found = false;
        var options = new List<KeyValuePair<string, object?>>();
        foreach (DictionaryEntry entry in paramGroup)
        {
            string key = System.Convert.ToString(ParamGroup.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "";
            if (string.Equals(key, "params", StringComparison.OrdinalIgnoreCase))
            {
                parameters = ParamGroup.Unwrap(entry.Value);
                found = true;
            }
            else
            {
                options.Add(new(KeyOf(key), entry.Value));
            }
        }
        if (!found)
            throw TorchException.Value("ParamGroupWithoutParams", "a parameter group needs its tensors under the key 'params'");
        var items = parameters switch
        {
            Tensor t => [t],
            IEnumerable many and not string => many.Cast<object?>().Select(ParamGroup.Unwrap).ToList(),
            _ => new List<object?> { parameters },
        };
        AddGroup(items, options);
    }

    private void AddGroup(List<object?> items, List<KeyValuePair<string, object?>>? overrides)
    {
        var tensors = new List<Tensor>(items.Count);
        foreach (var item in items)
        {
            if (item is not Tensor t)
                throw TorchException.Type("NotATensor",
                    $"optimizer can only optimize Tensors, but one of the params is {ParamGroup.PythonTypeName(item)}");
            if (!(t.IsLeaf || t.RetainsGrad))
                throw TorchException.Value("NonLeafParameter", "can't optimize a non-leaf Tensor");
            tensors.Add(t);
        }

        var options = Defaults;
        if (overrides is not null)
        {
            foreach (var (key, value) in overrides)
            {
                var spec = Options.FirstOrDefault(s => s.Key == key);
                options[key] = spec is null ? ParamGroup.Unwrap(value) : ParamGroup.Convert(spec, value);
            }
            Validate(options);
        }

        foreach (var group in _paramGroups)
            if (group.Params.Any(p => tensors.Contains(p, ReferenceEqualityComparer.Instance)))
                throw TorchException.Value("ParameterInTwoGroups", "some parameters appear in more than one parameter group");
        _paramGroups.Add(CreateGroup(tensors, options));
        OnGroupAdded(_paramGroups[^1]);
    }

    /// <summary>Lets an optimizer set up state for a new group's parameters (Adagrad does, at construction).</summary>
    private protected virtual void OnGroupAdded(ParamGroup group)
    {
    }

    /// <summary>PyTorch's key for an option given by PyTorch's key or PowerShell name (any case); others as given.</summary>
    private string KeyOf(string name) =>
        Options.FirstOrDefault(s => string.Equals(s.Key, name, StringComparison.OrdinalIgnoreCase)
                                    || string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase))?.Key ?? name;

    // ---- state dict ---------------------------------------------------------------------------------------------

    /// <summary>
    /// The optimizer's state in PyTorch's layout: <c>state</c> maps a parameter's index (counted across groups in
    /// order) to its state ('step' as a float32 scalar tensor, then buffers such as 'exp_avg'), and
    /// <c>param_groups</c> lists each group's options with 'params' holding the indices. Unlike PyTorch, which
    /// returns its live tensors, the tensors here are copies: a saved state dict is a checkpoint that later steps
    /// do not change.
    /// </summary>
    public PythonDict StateDict()
    {
        lock (Gate) return StateDictLocked();
    }

    private PythonDict StateDictLocked()
    {
        var indices = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var order = new List<Tensor>();
        var groups = new List<PythonDict>();
        int start = 0;
        foreach (var group in _paramGroups)
        {
            var packed = NewDictionary();
            foreach (var key in group.Keys)
                packed[key] = group.Raw(key) is double[] pair ? pair.Clone() : group.Raw(key);
            var ids = new List<int>();
            for (int i = 0; i < group.Params.Count; i++)
            {
                var p = group.Params[i];
                if (!indices.TryGetValue(p, out int id))
                {
                    indices[p] = id = start + i;
                    order.Add(p);
                }
                ids.Add(id);
            }
            packed["params"] = ids;
            start += group.Params.Count;
            groups.Add(packed);
        }

        var state = new PythonIndexDict();
        foreach (var p in order)
            if (State.TryGetValue(p, out var s))
                state[indices[p]] = s.ToDictionary(CountsSteps);

        var result = NewDictionary();
        result["state"] = state;
        result["param_groups"] = groups.ToArray();
        return result;
    }

    /// <summary>
    /// Restores a state dict from <see cref="StateDict"/> (optimizer.load_state_dict): the groups must match this
    /// optimizer's in number and size; each group's options are replaced by the saved ones, and the state of every
    /// listed parameter by a copy of the saved tensors (cast to the parameter's dtype). A state tensor whose shape
    /// differs from its parameter's is refused here rather than failing at the next step. Nothing changes unless
    /// the whole dict is valid.
    /// </summary>
    public void LoadStateDict(IDictionary stateDict)
    {
        lock (Gate) LoadStateDictLocked(stateDict);
    }

    private void LoadStateDictLocked(IDictionary stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var savedGroups = Entry(stateDict, "param_groups") is IEnumerable g and not string and not IDictionary
            ? g.Cast<object?>().Select(ParamGroup.Unwrap).ToList()
            : throw TorchException.Value("InvalidStateDict", "loaded state dict has no list of parameter groups under 'param_groups'");
        var savedState = Entry(stateDict, "state") switch
        {
            IDictionary d => d,
            null => new Hashtable(),
            _ => throw TorchException.Value("InvalidStateDict", "loaded state dict's 'state' is not a dictionary"),
        };

        if (savedGroups.Count != _paramGroups.Count)
            throw TorchException.Value("StateDictGroupCountMismatch", "loaded state dict has a different number of parameter groups");

        var idMap = new Dictionary<long, Tensor>();
        var newOptions = new List<OrderedDictionary>();
        for (int gi = 0; gi < savedGroups.Count; gi++)
        {
            if (savedGroups[gi] is not IDictionary saved)
                throw TorchException.Value("InvalidStateDict", $"loaded state dict's parameter group {gi} is not a dictionary");
            var group = _paramGroups[gi];
            var ids = Entry(saved, "params") is IEnumerable list and not string
                ? list.Cast<object?>().Select(v => ToIndex(v, "params")).ToList()
                : throw TorchException.Value("InvalidStateDict", $"loaded state dict's parameter group {gi} has no 'params' list");
            if (ids.Count != group.Params.Count)
                throw TorchException.Value("StateDictGroupSizeMismatch",
                    "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
            for (int i = 0; i < ids.Count; i++) idMap[ids[i]] = group.Params[i];

            var options = NewDictionary();
            foreach (DictionaryEntry entry in saved)
            {
                string key = System.Convert.ToString(ParamGroup.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "";
                if (string.Equals(key, "params", StringComparison.OrdinalIgnoreCase)) continue;
                key = KeyOf(key);
                var spec = Options.FirstOrDefault(s => s.Key == key);
                try
                {
                    options[key] = spec is null ? ParamGroup.Unwrap(entry.Value) : ParamGroup.ConvertLoaded(spec, entry.Value);
                }
                catch (TorchException ex)
                {
                    throw TorchException.Value("InvalidStateDict", $"loaded state dict's parameter group {gi}: {ex.Message}");
                }
            }
            // Options the saved group lacks (an older PyTorch's dict) keep their current values.
            foreach (var key in group.Keys)
                if (!options.Contains(key)) options[key] = group.Raw(key);
            newOptions.Add(options);
        }

        var newState = new Dictionary<Tensor, ParamState>(ReferenceEqualityComparer.Instance);
        foreach (DictionaryEntry entry in savedState)
        {
            long id = ToIndex(entry.Key, "state");
            // As PyTorch: state for an index no group lists is not anyone's, and is dropped.
            if (!idMap.TryGetValue(id, out var param)) continue;
            if (ParamGroup.Unwrap(entry.Value) is not IDictionary entries)
                throw TorchException.Value("InvalidStateDict", $"loaded state dict's state for parameter {id} is not a dictionary");
            newState[param] = ParamState.FromDictionary(entries, param, id);
        }

        for (int gi = 0; gi < _paramGroups.Count; gi++) _paramGroups[gi].ReplaceOptions(newOptions[gi]);
        State.Clear();
        foreach (var (p, s) in newState) State[p] = s;
    }

    private static object? Entry(IDictionary dict, string key)
    {
        if (dict.Contains(key)) return ParamGroup.Unwrap(dict[key]);
        foreach (DictionaryEntry e in dict)
            if (string.Equals(System.Convert.ToString(ParamGroup.Unwrap(e.Key), CultureInfo.InvariantCulture), key, StringComparison.OrdinalIgnoreCase))
                return ParamGroup.Unwrap(e.Value);
        return null;
    }

    private static long ToIndex(object? value, string where)
    {
        value = ParamGroup.Unwrap(value);
        switch (value)
        {
            case int or long or short or byte:
                return System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
            case double d when d == Math.Floor(d):
                return (long)d;
            case string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long parsed):
                return parsed;
        }
        throw TorchException.Value("InvalidStateDict",
            $"loaded state dict's '{where}' holds {ParamGroup.Describe(value)} where a parameter index belongs");
    }

    /// <summary>An optimizer's options in its table's order (PyTorch's), one value per option.</summary>
    private protected static PythonDict OptionValues(IReadOnlyList<OptionSpec> specs, params object?[] values)
    {
        if (values.Length != specs.Count) throw new ArgumentException($"{specs.Count} option values expected", nameof(values));
        var options = NewDictionary();
        for (int i = 0; i < specs.Count; i++) options[specs[i].Key] = values[i] is double[] pair ? pair.Clone() : values[i];
        return options;
    }

    /// <summary>An ordered dictionary with case-insensitive string keys, as PowerShell's [ordered]@{} is, printed as Python's dict.</summary>
    internal static PythonDict NewDictionary() => new();

    // ---- printing -----------------------------------------------------------------------------------------------

    /// <summary>PyTorch's repr: the class name, then each group's options sorted by key (params left out).</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Name).Append(" (");
        for (int i = 0; i < _paramGroups.Count; i++)
        {
            text.Append('\n').Append("Parameter Group ").Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
            foreach (var key in _paramGroups[i].Keys.OrderBy(k => k, StringComparer.Ordinal))
                text.Append("    ").Append(key).Append(": ").Append(PythonRepr.Format(_paramGroups[i].Raw(key))).Append('\n');
        }
        return text.Append(')').ToString();
    }

    // ---- helpers for the optimizers -----------------------------------------------------------------------------

    /// <summary>The state of a parameter, created empty on first use (PyTorch's defaultdict).</summary>
    private protected ParamState StateOf(Tensor p)
    {
        if (!State.TryGetValue(p, out var s)) State[p] = s = new ParamState();
        return s;
    }

    /// <summary>A parameter's gradient if it has one and can be updated; null to skip it.</summary>
    private protected Tensor? GradientOf(Tensor p)
    {
        if (p.Grad is not { } grad) return null;
        if (!p.DType.IsFloating())
            throw TorchException.Type("NonFloatingParameter",
                $"{Name} can only update floating point parameters, but got one of dtype {p.DType.TorchName()}");
        return grad;
    }

    /// <summary>PyTorch's ValueError text for an option outside its range: "Invalid learning rate: -1".</summary>
    private protected static void Require(bool valid, string what, double value)
    {
        if (!valid) throw TorchException.Value("InvalidOption", $"Invalid {what}: {PythonRepr.Number(value)}");
    }

    private protected static double NumberOption(OrderedDictionary options, string key) => (double)options[key]!;

    private protected static bool FlagOption(OrderedDictionary options, string key) => (bool)options[key]!;
}
