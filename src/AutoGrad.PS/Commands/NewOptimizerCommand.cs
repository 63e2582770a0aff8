using System.Collections;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.Optim;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates an optimizer (torch.optim.SGD, Adam, AdamW, RMSprop, Adagrad) over the given parameters.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "Optimizer", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Optimizer))]
public sealed class NewOptimizerCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The options each type takes, by parameter name (PyTorch's keyword in PascalCase).</summary>
    private static readonly Dictionary<string, string[]> s_options = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SGD"] = ["LR", "Momentum", "Dampening", "WeightDecay", "Nesterov", "Maximize"],
        ["Adam"] = ["LR", "Betas", "Eps", "WeightDecay", "AmsGrad", "Maximize"],
        ["AdamW"] = ["LR", "Betas", "Eps", "WeightDecay", "AmsGrad", "Maximize"],
        ["RMSprop"] = ["LR", "Alpha", "Eps", "WeightDecay", "Momentum", "Centered", "Maximize"],
        ["Adagrad"] = ["LR", "LRDecay", "WeightDecay", "Eps", "InitialAccumulatorValue", "Maximize"],
    };

    /// <summary>PyTorch's snake_case keyword for each option, so a group hashtable may use either spelling.</summary>
    private static readonly Dictionary<string, string> s_keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        ["lr"] = "LR", ["momentum"] = "Momentum", ["dampening"] = "Dampening", ["weight_decay"] = "WeightDecay",
        ["nesterov"] = "Nesterov", ["maximize"] = "Maximize", ["betas"] = "Betas", ["eps"] = "Eps", ["amsgrad"] = "AmsGrad",
        ["alpha"] = "Alpha", ["centered"] = "Centered", ["lr_decay"] = "LRDecay",
        ["initial_accumulator_value"] = "InitialAccumulatorValue",
    };

    private const string DuplicateWarning =
        "optimizer contains a parameter group with duplicate parameters; in future, this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more information";

    private readonly List<Tensor> _tensors = [];
    private readonly List<Hashtable> _groups = [];

    /// <summary>SGD, Adam, AdamW, RMSprop or Adagrad.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(OptimizerTypeCompleter))]
    public string Type { get; set; } = "";

    /// <summary>
    /// The tensors to optimize, from the pipeline or as an argument; also anything with a Parameters() method (a
    /// layer), or hashtables that each make a parameter group (@{ Params = $w; LR = 0.1 }).
    /// </summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [Alias("Params")]
    [AllowEmptyCollection]
    public object?[] Parameters { get; set; } = [];

    /// <summary>The learning rate (lr); PyTorch's default for the type when omitted.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double LR { get; set; }

    /// <summary>SGD, RMSprop: the momentum factor.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Momentum { get; set; }

    /// <summary>SGD: dampening for momentum.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Dampening { get; set; }

    /// <summary>L2 penalty (AdamW: the decoupled decay coefficient).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double WeightDecay { get; set; }

    /// <summary>SGD: Nesterov momentum.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Nesterov { get; set; }

    /// <summary>Climbs the objective instead of descending it.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Maximize { get; set; }

    /// <summary>Adam, AdamW: the decay rates of the moment averages (beta1, beta2).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double[] Betas { get; set; } = [];

    /// <summary>Adam, AdamW, RMSprop, Adagrad: the term added to the denominator.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Eps { get; set; }

    /// <summary>Adam, AdamW: the AMSGrad variant.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter AmsGrad { get; set; }

    /// <summary>RMSprop: the smoothing constant.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Alpha { get; set; }

    /// <summary>RMSprop: normalizes by the estimated variance of the gradient.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Centered { get; set; }

    /// <summary>Adagrad: the learning-rate decay.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double LRDecay { get; set; }

    /// <summary>Adagrad: the starting value of the sums of squared gradients.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double InitialAccumulatorValue { get; set; }

    protected override void BeginProcessing()
    {
        if (!s_options.TryGetValue(Type, out var allowed))
            Fail("UnknownType", ErrorCategory.InvalidArgument, Type,
                $"Unknown optimizer type '{Type}'. Valid types: {string.Join(", ", OptimizerTypeCompleter.Names)}.");
        Type = OptimizerTypeCompleter.Names.First(n => n.Equals(Type, StringComparison.OrdinalIgnoreCase));
        foreach (var name in MyInvocation.BoundParameters.Keys)
            if (IsOption(name) && !allowed!.Contains(name, StringComparer.OrdinalIgnoreCase))
                Fail("OptionNotForType", ErrorCategory.InvalidArgument, name, $"-{name} is not an option of {Type}; {Type} takes {Describe(allowed)}.");
    }

    protected override void ProcessRecord()
    {
        foreach (var item in Parameters) Collect(item, _tensors, allowGroups: true);
    }

    protected override void EndProcessing()
    {
        if (_tensors.Count > 0 && _groups.Count > 0)
            Fail("MixedParameters", ErrorCategory.InvalidArgument, null,
                "Give either tensors or parameter groups (hashtables with Params and options), not both.");
        foreach (var group in _groups.Count > 0 ? _groups.Select(g => Tensors(g["params"])) : [_tensors])
            if (group.Distinct(ReferenceEqualityComparer.Instance).Count() != group.Count) WriteWarning(DuplicateWarning);

        IEnumerable<object> items = _groups.Count > 0 ? _groups : _tensors;
        var optimizer = Engine(() => Create(items), Type);
        WriteObject(optimizer);
    }

    private Optimizer Create(IEnumerable<object> items)
    {
        var bound = MyInvocation.BoundParameters;
        double Number(string name, double fallback) => bound.ContainsKey(name) ? (double)bound[name] : fallback;
        bool Flag(string name) => bound.ContainsKey(name) && ((SwitchParameter)bound[name]).IsPresent;
        double[]? betas = bound.ContainsKey(nameof(Betas)) ? Betas : null;
        return Type switch
        {
            "SGD" => new SGD(items, Number(nameof(LR), 1e-3), Number(nameof(Momentum), 0), Number(nameof(Dampening), 0),
                Number(nameof(WeightDecay), 0), Flag(nameof(Nesterov)), Flag(nameof(Maximize))),
            "Adam" => new Adam(items, Number(nameof(LR), 1e-3), betas, Number(nameof(Eps), 1e-8), Number(nameof(WeightDecay), 0),
                Flag(nameof(AmsGrad)), Flag(nameof(Maximize))),
            "AdamW" => new AdamW(items, Number(nameof(LR), 1e-3), betas, Number(nameof(Eps), 1e-8), Number(nameof(WeightDecay), 1e-2),
                Flag(nameof(AmsGrad)), Flag(nameof(Maximize))),
            "RMSprop" => new RMSprop(items, Number(nameof(LR), 1e-2), Number(nameof(Alpha), 0.99), Number(nameof(Eps), 1e-8),
                Number(nameof(WeightDecay), 0), Number(nameof(Momentum), 0), Flag(nameof(Centered)), Flag(nameof(Maximize))),
            _ => new Adagrad(items, Number(nameof(LR), 1e-2), Number(nameof(LRDecay), 0), Number(nameof(WeightDecay), 0),
                Number(nameof(InitialAccumulatorValue), 0), Number(nameof(Eps), 1e-10), Flag(nameof(Maximize))),
        };
    }

    /// <summary>How deep parameter lists may nest; deeper (or a list that contains itself) is an error, not a stack overflow.</summary>
    private const int MaxNesting = 100;

    /// <summary>
    /// Adds what one argument or pipeline object holds: a tensor; a hashtable (a group); an object with a
    /// Parameters() method (a layer: called through PowerShell's method adapter); or a collection of these.
    /// </summary>
    private void Collect(object? item, List<Tensor> into, bool allowGroups, int depth = 0)
    {
        if (depth > MaxNesting)
            Fail("NestedTooDeep", ErrorCategory.InvalidArgument, null,
                $"The parameters are nested more than {MaxNesting} levels deep (or contain themselves).");
        item = TensorData.Unwrap(item);
        switch (item)
        {
            case Tensor t:
                into.Add(t);
                return;
            case IDictionary dict when allowGroups:
                _groups.Add(Group(dict));
                return;
            case null:
                Fail("NotATensor", ErrorCategory.InvalidType, null, "optimizer can only optimize Tensors, but one of the params is NoneType");
                return;
        }
        if (PSObject.AsPSObject(item).Methods["Parameters"] is { } method)
        {
            var result = method.Invoke();
            foreach (var p in LanguagePrimitives.GetEnumerable(TensorData.Unwrap(result)) ?? new[] { result })
                Collect(p, into, allowGroups: false, depth + 1);
            return;
        }
        if (item is IEnumerable items and not string)
        {
            foreach (var p in items) Collect(p, into, allowGroups, depth + 1);
            return;
        }
        Fail("NotATensor", ErrorCategory.InvalidType, item,
            $"optimizer can only optimize Tensors, but one of the params is {item.GetType().FullName}");
    }

    /// <summary>A parameter group from a hashtable: Params (tensors, a layer ...) and options of this type.</summary>
    private Hashtable Group(IDictionary dict)
    {
        var allowed = s_options[Type];
        var group = new Hashtable(StringComparer.OrdinalIgnoreCase);
        bool hasParams = false;
        foreach (DictionaryEntry entry in dict)
        {
            string key = Convert.ToString(TensorData.Unwrap(entry.Key), System.Globalization.CultureInfo.InvariantCulture) ?? "";
            if (key.Equals("Params", StringComparison.OrdinalIgnoreCase))
            {
                var tensors = new List<Tensor>();
                Collect(entry.Value, tensors, allowGroups: false);
                group["params"] = tensors.ToArray();
                hasParams = true;
                continue;
            }
            string name = s_keywords.TryGetValue(key, out var pascal) ? pascal : key;
            if (!allowed.Contains(name, StringComparer.OrdinalIgnoreCase))
                Fail("OptionNotForType", ErrorCategory.InvalidArgument, key,
                    $"'{key}' is not an option of {Type}; a parameter group takes Params and {Describe(allowed)}.");
            group[name] = TensorData.Unwrap(entry.Value);
        }
        if (!hasParams)
            Fail("GroupWithoutParams", ErrorCategory.InvalidArgument, dict, "A parameter group needs its tensors under the key Params.");
        return group;
    }

    private static List<Tensor> Tensors(object? value) => value as Tensor[] is { } array ? [.. array] : [];

    private static bool IsOption(string name) => s_keywords.ContainsValue(name) || s_options.Values.Any(o => o.Contains(name));

    private static string Describe(string[] options) => string.Join(", ", options.Select(o => "-" + o));
}
