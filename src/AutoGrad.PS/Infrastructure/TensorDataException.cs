using System.Management.Automation;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Bad data handed to a tensor constructor (jagged, non-numeric, null). The cmdlet that caught it prefixes
/// <see cref="IdSuffix"/> with its own name: NewTensorJaggedData, InvokeOpJaggedData.
/// </summary>
internal sealed class TensorDataException : Exception
{
    public TensorDataException(string idSuffix, ErrorCategory category, object? target, string message)
        : base(message)
    {
        IdSuffix = idSuffix;
        Category = category;
        Target = target;
    }

    public string IdSuffix { get; }
    public ErrorCategory Category { get; }
    public object? Target { get; }
}
