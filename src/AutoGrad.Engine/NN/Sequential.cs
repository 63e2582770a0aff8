namespace AutoGrad.NN;

/// <summary>
/// Modules applied one after another (torch.nn.Sequential). Children are named "0", "1", ... unless given names;
/// their parameters appear as "0.weight", "0.bias", .... Indexable like a list: seq[0], seq[-1].
/// </summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Append(layer);
    }

    /// <summary>Named children, in order (nn.Sequential(OrderedDict(...))).</summary>
    public Sequential(IEnumerable<KeyValuePair<string, Module>> namedLayers)
    {
        ArgumentNullException.ThrowIfNull(namedLayers);
        foreach (var (name, layer) in namedLayers)
        {
            RegisterModule(name, layer);
            _layers.Add(layer);
        }
    }

    /// <summary>How many layers (len(seq)).</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>; negative indices count from the end, as in Python.</summary>
    public Module this[int index]
    {
        get
        {
            if (index < -_layers.Count || index >= _layers.Count)
                throw TorchException.Index("SequentialIndexOutOfRange", $"index {index} is out of range");
            return _layers[index < 0 ? index + _layers.Count : index];
        }
    }

    /// <summary>Adds a layer at the end, named by its position (seq.append).</summary>
    public void Append(Module layer)
    {
        RegisterModule(PythonRepr.Int(_layers.Count), layer);
        _layers.Add(layer);
    }

    public override Tensor Forward(Tensor input)
    {
        foreach (var layer in _layers) input = layer.Forward(input);
        return input;
    }
}
