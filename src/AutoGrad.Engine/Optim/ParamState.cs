using System.Collections;
using System.Globalization;
using AutoGrad.Autograd;
using AutoGrad.Printing;

namespace AutoGrad.Optim;

/// <summary>
/// An optimizer's state for one parameter (one value of PyTorch's optimizer.state): the step count and named
/// buffers shaped like the parameter (exp_avg, momentum_buffer ...), in the order PyTorch creates them.
/// The buffers are the optimizer's own tensors; nothing outside holds them.
/// </summary>
internal sealed class ParamState
{
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];

    /// <summary>Steps taken for this parameter (PyTorch keeps it as a float32 scalar tensor 'step').</summary>
    public double Step { get; set; }

    public Tensor? Buffer(string name)
    {
        foreach (var (key, value) in _buffers)
            if (key == name) return value;
        return null;
    }

    /// <summary>The buffer, created by <paramref name="create"/> the first time it is needed.</summary>
    public Tensor Buffer(string name, Func<Tensor> create)
    {
        if (Buffer(name) is { } existing) return existing;
        var created = create();
        _buffers.Add(new(name, created));
        return created;
    }

    /// <summary>PyTorch's per-parameter state dict: 'step' first (when counted), then copies of the buffers.</summary>
    public PythonDict ToDictionary(bool countsSteps)
    {
        var result = Optimizer.NewDictionary();
        if (countsSteps) result["step"] = Tensor.Scalar(Step, DType.Float32);
        using var _ = GradMode.NoGrad();
        foreach (var (name, tensor) in _buffers) result[name] = tensor.Clone();
        return result;
    }

    /// <summary>
    /// Reads one parameter's saved state: 'step' as a number or one-element tensor, every other entry a tensor of
    /// the parameter's shape (copied and cast to its dtype); None entries (PyTorch 1.x's empty momentum_buffer)
    /// are skipped.
    /// </summary>
    public static ParamState FromDictionary(IDictionary entries, Tensor param, long index)
    {
        var state = new ParamState();
        foreach (DictionaryEntry entry in entries)
        {
            string name = Convert.ToString(ParamGroup.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? "";
            var value = ParamGroup.Unwrap(entry.Value);
            if (value is null) continue;
            if (string.Equals(name, "step", StringComparison.OrdinalIgnoreCase))
            {
                state.Step = value switch
                {
                    Tensor { NumElements: 1 } t => Convert.ToDouble(t.Item(), CultureInfo.InvariantCulture),
                    double or float or int or long => Convert.ToDouble(value, CultureInfo.InvariantCulture),
                    _ => throw Invalid(index, $"'step' is {ParamGroup.Describe(value)}, not a number"),
                };
                continue;
            }
            if (value is not Tensor tensor)
                throw Invalid(index, $"'{name}' is {ParamGroup.Describe(value)}, not a tensor");
            if (!Shapes.Equal(tensor.ShapeArray, param.ShapeArray))
                throw TorchException.Value("StateDictShapeMismatch",
                    $"loaded state dict has a tensor of shape [{Shapes.Join(tensor.ShapeArray)}] for '{name}' of parameter {index}, whose shape is [{Shapes.Join(param.ShapeArray)}]");
            using var _ = GradMode.NoGrad();
            var copy = tensor.Detach().To(param.DType.IsFloating() ? param.DType : tensor.DType).Clone();
            state._buffers.Add(new(name, copy));
        }
        return state;
    }

    private static TorchException Invalid(long index, string what) =>
        TorchException.Value("InvalidStateDict", $"loaded state dict's state for parameter {index}: {what}");
}
