namespace AutoGrad.Serialization;

/// <summary>
/// A tensor file that cannot be read or written: corrupt, truncated, lying about its sizes, of an unsupported dtype,
/// or (for pickles) referring to something other than tensors and containers. The message names the file (its
/// path, or the name the caller gave a stream) and what is wrong; <see cref="Id"/> is a stable PascalCase id that
/// the PowerShell layer prefixes with the cmdlet's name (ImportTensorInvalidData).
/// </summary>
public sealed class TensorFileException : Exception
{
    public TensorFileException(string id, string message, Exception? inner = null) : base(message, inner)
    {
        Id = id;
    }

    /// <summary>InvalidData, UnsupportedDType, ForbiddenGlobal, UnsupportedFormat, UnsupportedValue ...</summary>
    public string Id { get; }

    internal static TensorFileException Invalid(string source, string what, Exception? inner = null) =>
        new("InvalidData", $"'{source}' {what}", inner);
}
