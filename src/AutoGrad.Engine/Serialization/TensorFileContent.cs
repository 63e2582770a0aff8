using System.Collections.Specialized;

namespace AutoGrad.Serialization;

/// <summary>
/// What a tensor file held: <see cref="Value"/> is a <see cref="Tensor"/> (a .npy, a torch.save of one tensor), an
/// <see cref="OrderedDictionary"/> of name → tensor (a safetensors file, a state dict), or for .pt files whatever
/// container of tensors and plain values torch.save wrote (dicts as OrderedDictionary, lists as List&lt;object?&gt;,
/// tuples as object?[], Python ints as long, floats as double).
/// </summary>
public sealed class TensorFileContent
{
    internal TensorFileContent(object? value, IReadOnlyDictionary<string, string>? metadata, IReadOnlyList<string> conversions)
    {
        Value = value;
        Metadata = metadata;
        Conversions = conversions;
    }

    public object? Value { get; }

    /// <summary>A safetensors file's <c>__metadata__</c> (string → string); null for other formats.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; }

    /// <summary>One line per tensor whose stored dtype was widened on read ("'w': torch.float16 read as Float32").</summary>
    public IReadOnlyList<string> Conversions { get; }
}
