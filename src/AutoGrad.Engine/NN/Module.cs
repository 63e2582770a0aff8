using System.Collections;
using System.Collections.Specialized;
using AutoGrad.Autograd;

namespace AutoGrad.NN;

/// <summary>
/// A layer or a model (torch.nn.Module): it holds parameters (tensors that learn), buffers (state that does not,
/// such as BatchNorm's running statistics) and child modules, in registration order, and computes
/// <see cref="Forward"/>. The methods are PyTorch's in PascalCase; <see cref="ToString"/> is PyTorch's module repr.
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<(string Name, Tensor Value, bool Persistent)> _buffers = [];
    private readonly List<KeyValuePair<string, Module>> _modules = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>: Dropout and BatchNorm differ.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>The computation: one input tensor to one output tensor (module(input) in PyTorch).</summary>
    public abstract Tensor Forward(Tensor input);

    // ---- registration -----------------------------------------------------------------------------------------

    /// <summary>Registers a learnable tensor under <paramref name="name"/>; it becomes a leaf that requires grad.</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        if (!parameter.IsLeaf)
            throw TorchException.Value("ParameterNotLeaf", $"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created explicitly. To express '{name}' as a function of another Tensor, compute the value in the forward() method.");
        if (parameter.DType.IsFloating()) parameter.RequiresGrad = true;
        _parameters.Add(new(name, parameter));
        return parameter;
    }

    /// <summary>Registers state that is saved in the state dict (when persistent) but does not learn.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer, bool persistent = true)
    {
        _buffers.Add((name, buffer, persistent));
        return buffer;
    }

    /// <summary>Registers a child module; its parameters and state appear under "<paramref name="name"/>.".</summary>
    protected TModule RegisterModule<TModule>(string name, TModule module) where TModule : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (name.Contains('.'))
            throw TorchException.Value("ModuleNameDot", $"module name can't contain \".\", got: {name}");
        if (_modules.Any(m => m.Key == name) || _parameters.Any(p => p.Key == name))
            throw TorchException.Value("ModuleNameTaken", $"attribute '{name}' already exists");
        _modules.Add(new(name, module));
        return module;
    }

    // ---- traversal ------------------------------------------------------------------------------------------

    /// <summary>The parameters, this module's first, then each child's (module.parameters()).</summary>
    public Tensor[] Parameters(bool recurse = true) => NamedParameters("", recurse).Select(p => p.Value).ToArray();

    /// <summary>(name, parameter) pairs with dotted names such as "0.weight" (module.named_parameters()).</summary>
    public KeyValuePair<string, Tensor>[] NamedParameters(string prefix = "", bool recurse = true)
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (modulePrefix, module) in Walk(prefix, recurse))
            foreach (var p in module._parameters)
                if (seen.Add(p.Value)) result.Add(new(Join(modulePrefix, p.Key), p.Value));
        return result.ToArray();
    }

    /// <summary>The buffers (running statistics and such), in the same order (module.buffers()).</summary>
    public Tensor[] Buffers(bool recurse = true) => NamedBuffers("", recurse).Select(b => b.Value).ToArray();

    public KeyValuePair<string, Tensor>[] NamedBuffers(string prefix = "", bool recurse = true)
    {
        var result = new List<KeyValuePair<string, Tensor>>();
        foreach (var (modulePrefix, module) in Walk(prefix, recurse))
            foreach (var b in module._buffers)
                result.Add(new(Join(modulePrefix, b.Name), b.Value));
        return result.ToArray();
    }

    /// <summary>The direct children (module.children()).</summary>
    public Module[] Children() => _modules.Select(m => m.Value).ToArray();

    public KeyValuePair<string, Module>[] NamedChildren() => _modules.ToArray();

    /// <summary>This module and all below it, depth first (module.modules()).</summary>
    public Module[] Modules() => Walk("", recurse: true).Select(m => m.Module).ToArray();

    public KeyValuePair<string, Module>[] NamedModules() =>
        Walk("", recurse: true).Select(m => new KeyValuePair<string, Module>(m.Prefix, m.Module)).ToArray();

    private IEnumerable<(string Prefix, Module Module)> Walk(string prefix, bool recurse)
    {
        yield return (prefix, this);
        if (!recurse) yield break;
        foreach (var child in _modules)
            foreach (var item in child.Value.Walk(Join(prefix, child.Key), recurse: true))
                yield return item;
    }

    private static string Join(string? prefix, string name) => string.IsNullOrEmpty(prefix) ? name : prefix + "." + name;

    // ---- modes and gradients --------------------------------------------------------------------------------

    /// <summary>
    /// Sets training mode (or eval mode with <paramref name="mode"/> false) on this module and all below it. Unlike
    /// PyTorch's, which returns the module, it returns nothing, so a script that calls it prints nothing.
    /// </summary>
    public void Train(bool mode = true)
    {
        foreach (var (_, module) in Walk("", recurse: true)) module.Training = mode;
    }

    /// <summary>Eval mode: Dropout passes its input through, BatchNorm uses its running statistics.</summary>
    public void Eval() => Train(false);

    /// <summary>
    /// Clears the gradients of all parameters: removes them (PyTorch 2's default set_to_none=True), or zeroes them in
    /// place with <paramref name="setToNone"/> false.
    /// </summary>
    public void ZeroGrad(bool setToNone = true)
    {
        foreach (var p in Parameters())
        {
            if (p.Grad is not { } grad) continue;
            if (setToNone) p.Grad = null;
            else if (grad.GradFn is not null) p.Grad = Tensor.Zeros(grad.Shape, grad.DType);
            else using (GradMode.NoGrad()) grad.Zero_();
        }
    }

    // ---- state dict -----------------------------------------------------------------------------------------

    /// <summary>
    /// Name -> tensor for every parameter and persistent buffer, with PyTorch's keys ("0.weight", "running_mean",
    /// ...), in PyTorch's order. The tensors share storage with the module's (detached, as keep_vars=False gives).
    /// </summary>
    public OrderedDictionary StateDict(string prefix = "", bool keepVars = false)
    {
        var result = new OrderedDictionary(StringComparer.Ordinal);
        foreach (var (modulePrefix, module) in Walk(prefix, recurse: true))
        {
            foreach (var p in module._parameters)
                result[Join(modulePrefix, p.Key)] = keepVars ? p.Value : p.Value.Detach();
            foreach (var b in module._buffers)
                if (b.Persistent) result[Join(modulePrefix, b.Name)] = keepVars ? b.Value : b.Value.Detach();
        }
        return result;
    }

    /// <summary>
    /// Copies values from any dictionary of name -> tensor (a hashtable, [ordered], a StateDict(), a loaded file)
    /// into the parameters and buffers, casting to their dtypes. With <paramref name="strict"/> (the default) a
    /// missing or unexpected key is an error; a shape mismatch always is. Errors have PyTorch's text. Unlike
    /// PyTorch, which copies entry by entry and may stop half-way, nothing is copied unless everything can be.
    /// </summary>
    public IncompatibleKeys LoadStateDict(IDictionary stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        var entries = new Dictionary<string, object?>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (DictionaryEntry e in stateDict)
        {
            var key = Unwrap(e.Key)?.ToString() ?? "";
            if (entries.TryAdd(key, Unwrap(e.Value))) order.Add(key);
        }

        var missing = new List<string>();
        var unexpected = new List<string>();
        var errors = new List<string>();
        var copies = new List<(Tensor Target, Tensor Source)>();
        foreach (var (prefix, module) in Walk("", recurse: true))
        {
            string keyPrefix = prefix.Length == 0 ? "" : prefix + ".";
            module.BeforeLoadStateDict(entries, order, keyPrefix);
            var local = module._parameters.Select(p => (p.Key, p.Value))
                .Concat(module._buffers.Where(b => b.Persistent).Select(b => (Key: b.Name, b.Value))).ToList();
            foreach (var (name, target) in local)
            {
                var key = keyPrefix + name;
                if (!entries.TryGetValue(key, out var value)) { missing.Add(key); continue; }
                if (value is not Tensor source)
                {
                    errors.Add($"While copying the parameter named \"{key}\", expected torch.Tensor or Tensor-like object from checkpoint but received {PythonType(value)}");
                    continue;
                }
                if (target.Rank == 0 && source.Rank == 1 && source.NumElements >= 1) source = source.Detach().Select(0, 0);
                if (!Shapes.Equal(source.Shape, target.Shape))
                {
                    errors.Add($"size mismatch for {key}: copying a param with shape {Shapes.ToTorchSize(source.Shape)} from checkpoint, the shape in current model is {Shapes.ToTorchSize(target.Shape)}.");
                    continue;
                }
                copies.Add((target, source));
            }
            foreach (var key in order)
            {
                if (!key.StartsWith(keyPrefix, StringComparison.Ordinal)) continue;
                var first = key[keyPrefix.Length..].Split('.', 2)[0];
                if (!module._modules.Any(m => m.Key == first) && !local.Any(l => l.Key == first)) unexpected.Add(key);
            }
        }

        if (strict)
        {
            if (unexpected.Count > 0) errors.Insert(0, $"Unexpected key(s) in state_dict: {string.Join(", ", unexpected.Select(k => $"\"{k}\""))}. ");
            if (missing.Count > 0) errors.Insert(0, $"Missing key(s) in state_dict: {string.Join(", ", missing.Select(k => $"\"{k}\""))}. ");
        }
        if (errors.Count > 0)
            throw TorchException.Runtime("LoadStateDictFailed", $"Error(s) in loading state_dict for {TypeName}:\n\t{string.Join("\n\t", errors)}");

        using (GradMode.NoGrad())
            foreach (var (target, source) in copies)
                target.Copy_(ReferenceEquals(target, source) ? source.Clone() : source);
        return new IncompatibleKeys(missing.ToArray(), unexpected.ToArray());
    }

    /// <summary>
    /// A chance to adjust a state dict before this module reads its keys (PyTorch's _load_from_state_dict
    /// overrides; BatchNorm keeps its batch count when a dictionary has none).
    /// </summary>
    private protected virtual void BeforeLoadStateDict(Dictionary<string, object?> entries, List<string> order, string prefix) { }

    /// <summary>PowerShell hands dictionary values over wrapped in a PSObject; the engine has no reference to it.</summary>
    private static object? Unwrap(object? value)
    {
        while (value is not null && value.GetType().FullName == "System.Management.Automation.PSObject")
            value = value.GetType().GetProperty("BaseObject")?.GetValue(value);
        return value;
    }

    private static string PythonType(object? value) => value switch
    {
        null => "<class 'NoneType'>",
        string => "<class 'str'>",
        int or long => "<class 'int'>",
        double or float => "<class 'float'>",
        bool => "<class 'bool'>",
        _ => $"<class '{value.GetType().FullName}'>",
    };

    // ---- printing -------------------------------------------------------------------------------------------

    /// <summary>PyTorch's class name, shown in the repr and in errors.</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>The text between the parentheses of a leaf module's repr (extra_repr).</summary>
    public virtual string ExtraRepr() => "";

    /// <summary>PyTorch's module repr, children indented as nn.Module.__repr__ does.</summary>
    public override string ToString()
    {
        var extra = ExtraRepr();
        var extraLines = extra.Length > 0 ? extra.Split('\n') : [];
        var childLines = _modules.Select(m => $"({m.Key}): {AddIndent(m.Value.ToString(), 2)}").ToList();
        var lines = extraLines.Concat(childLines).ToList();
        var text = TypeName + "(";
        if (lines.Count > 0)
            text += extraLines.Length == 1 && childLines.Count == 0 ? extraLines[0] : "\n  " + string.Join("\n  ", lines) + "\n";
        return text + ")";
    }

    private static string AddIndent(string text, int spaces)
    {
        var lines = text.Split('\n');
        if (lines.Length == 1) return text;
        var pad = new string(' ', spaces);
        return lines[0] + "\n" + string.Join("\n", lines.Skip(1).Select(l => pad + l));
    }
}

/// <summary>What LoadStateDict found but did not require (PyTorch's _IncompatibleKeys).</summary>
public sealed record IncompatibleKeys(string[] MissingKeys, string[] UnexpectedKeys)
{
    public override string ToString() => MissingKeys.Length == 0 && UnexpectedKeys.Length == 0
        ? "<All keys matched successfully>"
        : $"_IncompatibleKeys(missing_keys=[{string.Join(", ", MissingKeys.Select(k => $"'{k}'"))}], unexpected_keys=[{string.Join(", ", UnexpectedKeys.Select(k => $"'{k}'"))}])";
}
