using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Shared plumbing for the module's cmdlets: every failure becomes a terminating ErrorRecord whose id starts with
/// the cmdlet's Verb+Noun (<c>InvokeOpShapeMismatch</c>), so callers can tell errors apart without parsing text.
/// </summary>
public abstract class AutoGradCmdlet : PSCmdlet
{
    /// <summary>The prefix of this cmdlet's error ids: "Invoke-Op" gives "InvokeOp".</summary>
    protected string ErrorPrefix => MyInvocation?.MyCommand?.Name?.Replace("-", string.Empty, StringComparison.Ordinal)
        ?? GetType().Name.Replace("Command", string.Empty, StringComparison.Ordinal);

    /// <summary>Stops the pipeline with an error of this cmdlet (id = prefix + <paramref name="idSuffix"/>).</summary>
    [DoesNotReturn]
    protected void Fail(string idSuffix, ErrorCategory category, object? target, string message, Exception? inner = null)
    {
        Exception exception = category switch
        {
            ErrorCategory.InvalidArgument or ErrorCategory.InvalidData or ErrorCategory.InvalidType
                => new ArgumentException(message, inner),
            _ => new InvalidOperationException(message, inner),
        };
        ThrowTerminatingError(new ErrorRecord(exception, ErrorPrefix + idSuffix, category, target));
        throw new UnreachableException(); // ThrowTerminatingError always throws
    }

    /// <summary>
    /// Runs engine code. A <see cref="TorchException"/> (PyTorch's message, the engine's id) or any other engine
    /// failure becomes a terminating error; nothing half-built escapes.
    /// </summary>
    protected T Engine<T>(Func<T> action, object? target)
    {
        ErrorRecord? error;
        // Under anomaly detection, nodes recorded now name this command as their forward call (nothing when off).
        using var anomaly = AnomalyContext.EnterCommand(this);
        try
        {
            return action();
        }
        catch (TorchException ex)
        {
            error = FromTorch(ex, target);
        }
        catch (TensorDataException ex)
        {
            error = new ErrorRecord(new ArgumentException(ex.Message, ex), ErrorPrefix + ex.IdSuffix, ex.Category,
                ex.Target);
        }
        catch (ObjectDisposedException ex)
        {
            // A tensor whose storage Dispose() handed back for reuse: the caller's mistake, named as such.
            error = new ErrorRecord(ex, ErrorPrefix + "TensorDisposed", ErrorCategory.InvalidOperation, target);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            error = new ErrorRecord(ex, ErrorPrefix + "EngineFailure", ErrorCategory.NotSpecified, target);
        }
        ThrowTerminatingError(error);
        return default!; // unreachable: ThrowTerminatingError always throws
    }

    protected void Engine(Action action, object? target) => Engine<bool>(() => { action(); return true; }, target);

    /// <summary>Engine error → ErrorRecord: the TorchException itself is the exception, so .Kind/.Id stay reachable.</summary>
    protected ErrorRecord FromTorch(TorchException ex, object? target) =>
        new(ex, ErrorPrefix + ex.Id, CategoryOf(ex), target);

    internal static ErrorCategory CategoryOf(TorchException ex) => ex.Kind switch
    {
        TorchErrorKind.IndexError => ErrorCategory.InvalidArgument,
        TorchErrorKind.ValueError => ErrorCategory.InvalidArgument,
        TorchErrorKind.TypeError => ErrorCategory.InvalidType,
        _ => ex.Id.Contains("Mismatch", StringComparison.Ordinal) || ex.Id.Contains("Invalid", StringComparison.Ordinal)
            ? ErrorCategory.InvalidArgument
            : ErrorCategory.InvalidOperation,
    };

    /// <summary>Writes a tensor as one pipeline object (a tensor is never unrolled).</summary>
    protected void WriteTensor(Tensor tensor) => WriteObject(tensor, enumerateCollection: false);
}
