using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using AutoGrad.Printing;

namespace AutoGrad.Optim;

/// <summary>How an optimizer option is stored and converted when set by key or loaded from a state dict.</summary>
internal enum OptionKind
{
    /// <summary>A number (lr, momentum, eps ...), stored as double.</summary>
    Number,

    /// <summary>True or False (nesterov, amsgrad, maximize ...).</summary>
    Flag,

    /// <summary>Two numbers (betas), stored as double[2] and printed as a tuple.</summary>
    Pair,

    /// <summary>
    /// An option of PyTorch's other implementations (foreach, fused, capturable, differentiable,
    /// decoupled_weight_decay): shown with PyTorch's value so reprs and state dicts have PyTorch's keys, not settable.
    /// </summary>
    Fixed,
}

/// <summary>One option of an optimizer: PyTorch's key (lr, weight_decay) and the PowerShell name (LR, WeightDecay).</summary>
internal sealed record OptionSpec(string Key, string Name, OptionKind Kind);

/// <summary>
/// A parameter group (one entry of torch.optim.Optimizer.param_groups): the tensors it updates and its options.
/// The options are writable properties (<see cref="LR"/> and the optimizer's own, e.g. Momentum) and are also
/// reachable by PyTorch's key through the indexer (<c>$group['lr']</c>), which also holds what learning-rate
/// schedulers add (initial_lr, max_lr ...). A step reads them afresh, so a changed value applies from the next step.
/// </summary>
public class ParamGroup
{
    private readonly List<Tensor> _params;
    private readonly OrderedDictionary _options;
    private readonly IReadOnlyList<OptionSpec> _specs;

    internal ParamGroup(List<Tensor> parameters, OrderedDictionary options, IReadOnlyList<OptionSpec> specs)
    {
        _params = parameters;
        _options = options;
        _specs = specs;
    }

    /// <summary>The tensors this group updates, in the order given.</summary>
    public IReadOnlyList<Tensor> Params => _params;

    /// <summary>The learning rate (lr).</summary>
    public double LR
    {
        get => Number("lr");
        set => this["lr"] = value;
    }

    /// <summary>The L2 penalty, or AdamW's decoupled decay coefficient (weight_decay).</summary>
    public double WeightDecay
    {
        get => Number("weight_decay");
        set => this["weight_decay"] = value;
    }

    /// <summary>Whether the group climbs its objective instead of descending (maximize).</summary>
    public bool Maximize
    {
        get => Flag("maximize");
        set => this["maximize"] = value;
    }

    /// <summary>
    /// An option by PyTorch's key ('lr', 'betas', 'initial_lr' ...); a missing key raises PyTorch's KeyError text.
    /// Setting a known option converts the value (a number, True/False, or two numbers for betas); any other key is
    /// stored as given, as in PyTorch's dict.
    /// </summary>
    public object? this[string key]
    {
        get
        {
            if (key is null || !_options.Contains(key))
                throw new KeyNotFoundException($"'{key}'");
            return _options[key] is double[] pair ? (double[])pair.Clone() : _options[key];
        }
        set
        {
            ArgumentNullException.ThrowIfNull(key);
            if (string.Equals(key, "params", StringComparison.Ordinal))
                throw TorchException.Value("ParamsReadOnly", "a parameter group's 'params' cannot be replaced; add a new group with AddParamGroup");
            var spec = _specs.FirstOrDefault(s => s.Key == key);
            _options[key] = spec is null ? value : Convert(spec, value);
        }
    }

    /// <summary>Whether the group has an option with this PyTorch key.</summary>
    public bool ContainsKey(string key) => key is not null && _options.Contains(key);

    /// <summary>The group as PyTorch's dict: 'params' (the tensors themselves), then every option by key.</summary>
    public PythonDict ToDictionary()
    {
        var copy = Optimizer.NewDictionary();
        copy["params"] = _params.ToArray();
        foreach (DictionaryEntry entry in _options) copy[entry.Key] = entry.Value is double[] p ? p.Clone() : entry.Value;
        return copy;
    }

    /// <summary>Python's print of the group's dict: <c>{'params': [tensor(...)], 'lr': 0.1, ...}</c>.</summary>
    public override string ToString() => ToDictionary().ToString();

    internal IEnumerable<string> Keys => _options.Keys.Cast<string>();

    internal object? Raw(string key) => _options[key];

    internal void SetRaw(string key, object? value) => _options[key] = value;

    /// <summary>Replaces every option (loading a state dict); values are already converted.</summary>
    internal void ReplaceOptions(OrderedDictionary options)
    {
        _options.Clear();
        foreach (DictionaryEntry entry in options) _options[entry.Key] = entry.Value;
    }

    private protected double Number(string key) => (double)_options[key]!;

    private protected bool Flag(string key) => (bool)_options[key]!;

    private protected double[] Pair(string key) => (double[])((double[])_options[key]!).Clone();

    /// <summary>Converts a value for a known option, as given by a script, a hashtable or a loaded state dict.</summary>
    internal static object? Convert(OptionSpec spec, object? value)
    {
        value = Unwrap(value);
        switch (spec.Kind)
        {
            case OptionKind.Number:
                if (ToDouble(value) is { } number) return number;
                break;
            case OptionKind.Flag:
                if (value is bool flag) return flag;
                break;
            case OptionKind.Pair:
                if (value is IEnumerable items and not string)
                {
                    var numbers = items.Cast<object?>().Select(ToDouble).ToArray();
                    if (numbers.Length == 2 && numbers.All(n => n.HasValue)) return numbers.Select(n => n!.Value).ToArray();
                }
                break;
            case OptionKind.Fixed:
                throw TorchException.Value("FixedOption",
                    $"'{spec.Key}' selects one of PyTorch's other implementations; AutoGrad.PS has the single-tensor one only, so '{spec.Key}' stays as it is");
        }
        string expected = spec.Kind switch
        {
            OptionKind.Number => "a number",
            OptionKind.Flag => "True or False",
            _ => "two numbers",
        };
        throw TorchException.Type("InvalidOptionValue",
            $"'{spec.Key}' must be {expected}, but got {Describe(value)}");
    }

    /// <summary>
    /// A fixed option's value as it stands in PyTorch (foreach: None, fused: None, capturable/differentiable: False);
    /// loading a state dict keeps whatever PyTorch saved for these.
    /// </summary>
    internal static object? ConvertLoaded(OptionSpec spec, object? value) =>
        spec.Kind == OptionKind.Fixed ? Unwrap(value) : Convert(spec, value);

    private static double? ToDouble(object? value) => value switch
    {
        double d => d,
        float f => f,
        int or long or short or byte or sbyte or uint or ulong or ushort or decimal =>
            System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
        Tensor { NumElements: 1 } t when t.DType != DType.Bool => System.Convert.ToDouble(t.Item(), CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>
    /// The object inside PowerShell's PSObject wrapper: a script's hashtable or array can hold command output
    /// wrapped that way, and the engine takes such values from PowerShell method calls without referencing
    /// PowerShell itself.
    /// </summary>
    internal static object? Unwrap(object? value)
    {
        while (value is not null && value.GetType().FullName == "System.Management.Automation.PSObject")
        {
            var inner = value.GetType().GetProperty("BaseObject")?.GetValue(value);
            if (inner is null || ReferenceEquals(inner, value)) break;
            value = inner;
        }
        return value;
    }

    /// <summary>Python's name for a value's type where there is one (int, float, str ...), else the .NET name.</summary>
    internal static string PythonTypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        int or long or short or byte => "int",
        double or float => "float",
        string => "str",
        IDictionary => "dict",
        _ => value.GetType().FullName ?? value.GetType().Name,
    };

    internal static string Describe(object? value) => value switch
    {
        null => "None",
        string s => $"'{s}'",
        _ => value.GetType().Name,
    };
}
