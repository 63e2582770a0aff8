namespace AutoGrad;

/// <summary>The Python exception class PyTorch raises for the same mistake.</summary>
public enum TorchErrorKind
{
    RuntimeError,
    IndexError,
    ValueError,
    TypeError,
}

/// <summary>
/// An error the engine raises for bad input. The message is PyTorch's text for the same mistake where PyTorch has
/// one; <see cref="Id"/> is a stable identifier that the PowerShell layer turns into an ErrorRecord id.
/// </summary>
public sealed class TorchException : Exception
{
    public TorchException(TorchErrorKind kind, string id, string message) : base(message)
    {
        Kind = kind;
        Id = id;
    }

    /// <summary>An error caused by <paramref name="innerException"/> (e.g. a hook's own failure).</summary>
    public TorchException(TorchErrorKind kind, string id, string message, Exception? innerException)
        : base(message, innerException)
    {
        Kind = kind;
        Id = id;
    }

    public TorchErrorKind Kind { get; }

    /// <summary>A short PascalCase id, e.g. <c>NonScalar</c>, <c>ShapeMismatch</c>.</summary>
    public string Id { get; }

    internal static TorchException Runtime(string id, string message) => new(TorchErrorKind.RuntimeError, id, message);
    internal static TorchException Index(string id, string message) => new(TorchErrorKind.IndexError, id, message);
    internal static TorchException Value(string id, string message) => new(TorchErrorKind.ValueError, id, message);
    internal static TorchException Type(string id, string message) => new(TorchErrorKind.TypeError, id, message);
}
