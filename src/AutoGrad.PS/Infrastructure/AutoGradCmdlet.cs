using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Shared plumbing for the module's cmdlets: every failure becomes an ErrorRecord whose id starts with the cmdlet's
/// Verb+Noun (<c>InvokeOpShapeMismatch</c>), so callers can tell errors apart without parsing text.
/// </summary>
/// <remarks>
/// <para>
/// Whether an error stops the pipeline follows PowerShell's own cmdlets: a problem found in BeginProcessing is about
/// the parameters and is terminating; a problem found in ProcessRecord or EndProcessing is about the item in hand
/// (a bad pipeline object, an op failing on one input) and is written with WriteError, so the pipeline goes on
/// with the next item and -ErrorAction, -ErrorVariable and 2>$null work. <see cref="Fail"/> and
/// <see cref="Engine{T}"/> decide this from the phase they run in: a cmdlet written against them needs no code of
/// its own for it. After a non-terminating error the rest of that ProcessRecord (or EndProcessing) is skipped.
/// </para>
/// <para>
/// Derived cmdlets override BeginProcessing, ProcessRecord and EndProcessing as usual: those are the hiding members
/// declared here, which <see cref="AutoGradCmdletPhases"/> (the class PowerShell actually calls) runs inside the
/// phase bookkeeping. Call <see cref="Cmdlet.ThrowTerminatingError"/> directly for a problem that must stop the
/// pipeline wherever it is found.
/// </para>
/// </remarks>
public abstract class AutoGradCmdlet : AutoGradCmdletPhases
{
    /// <summary>The prefix of this cmdlet's error ids: "Invoke-Op" gives "InvokeOp".</summary>
    protected string ErrorPrefix => MyInvocation?.MyCommand?.Name?.Replace("-", string.Empty, StringComparison.Ordinal)
        ?? GetType().Name.Replace("Command", string.Empty, StringComparison.Ordinal);

    /// <summary>Parameter-level checks and one-time setup; errors raised here are terminating.</summary>
    protected new virtual void BeginProcessing() { }

    /// <summary>One pipeline item; errors raised through Fail/Engine here are non-terminating for this item.</summary>
    protected new virtual void ProcessRecord() { }

    /// <summary>The end of input (cmdlets that collect their input work here); errors here are non-terminating.</summary>
    protected new virtual void EndProcessing() { }

    private protected sealed override void BeginPhase() => BeginProcessing();
    private protected sealed override void ProcessPhase() => ProcessRecord();
    private protected sealed override void EndPhase() => EndProcessing();

    /// <summary>
    /// Reports an error of this cmdlet (id = prefix + <paramref name="idSuffix"/>) and leaves the current phase:
    /// terminating in BeginProcessing, non-terminating (WriteError, then skip the rest of the item) otherwise.
    /// </summary>
    [DoesNotReturn]
    protected void Fail(string idSuffix, ErrorCategory category, object? target, string message, Exception? inner = null)
    {
        Exception exception = category switch
        {
            ErrorCategory.InvalidArgument or ErrorCategory.InvalidData or ErrorCategory.InvalidType
                => new ArgumentException(message, inner),
            _ => new InvalidOperationException(message, inner),
        };
        Report(new ErrorRecord(exception, ErrorPrefix + idSuffix, category, target));
    }

    /// <summary>Reports a ready-made error (a script block's own) as <see cref="Fail"/> does.</summary>
    [DoesNotReturn]
    protected void Fail(ErrorRecord error) => Report(error);

    /// <summary>
    /// Runs engine code. A <see cref="TorchException"/> (PyTorch's message, the engine's id) or any other engine
    /// failure is reported as in <see cref="Fail"/>; nothing half-built escapes. Warnings the engine raises meanwhile
    /// (PyTorch's UserWarnings) are written to the warning stream.
    /// </summary>
    protected T Engine<T>(Func<T> action, object? target)
    {
        ErrorRecord error;
        // Under anomaly detection, nodes recorded now name this command as their forward call (nothing when off).
        using var anomaly = AnomalyContext.EnterCommand(this);
        try
        {
            using (TorchWarnings.Capture(WriteEngineWarning))
                return action();
        }
        catch (Exception ex) when (ex is not (PipelineStoppedException or PipelineItemFailed or ActionPreferenceStopException
            or FlowControlException))
        {
            error = ErrorFor(ex, target);
        }
        Report(error);
        return default!; // unreachable: Report always throws
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
        _ when ex.Id == OutOfMemory.Id => ErrorCategory.ResourceUnavailable,
        _ => ex.Id.Contains("Mismatch", StringComparison.Ordinal) || ex.Id.Contains("Invalid", StringComparison.Ordinal)
            ? ErrorCategory.InvalidArgument
            : ErrorCategory.InvalidOperation,
    };

    /// <summary>Writes a tensor as one pipeline object (a tensor is never unrolled).</summary>
    protected void WriteTensor(Tensor tensor) => WriteObject(tensor, enumerateCollection: false);

    /// <summary>The ErrorRecord for an exception from engine code (or escaping a phase of a derived cmdlet).</summary>
    private ErrorRecord ErrorFor(Exception ex, object? target) => ex switch
    {
        TorchException torch => FromTorch(torch, target),
        TensorDataException data => new ErrorRecord(new ArgumentException(data.Message, data), ErrorPrefix + data.IdSuffix,
            data.Category, data.Target),
        // A tensor whose storage Dispose() handed back for reuse: the caller's mistake, named as such.
        ObjectDisposedException => new ErrorRecord(ex, ErrorPrefix + "TensorDisposed", ErrorCategory.InvalidOperation, target),
        // An allocation outside the engine's tensor storage (a list, a copy of the data): no byte count to report.
        OutOfMemoryException => FromTorch(new TorchException(TorchErrorKind.RuntimeError, OutOfMemory.Id,
            "can't allocate memory: " + ex.Message), target),
        InsufficientExecutionStackException => new ErrorRecord(ex, ErrorPrefix + "TooDeep", ErrorCategory.LimitsExceeded, target),
        _ => new ErrorRecord(ex, ErrorPrefix + "EngineFailure", ErrorCategory.NotSpecified, target),
    };

    /// <summary>
    /// An engine exception that escaped a phase of a derived cmdlet without going through <see cref="Engine{T}"/>
    /// (TorchException, bad data, disposed tensor, out of memory) is reported like one that did; anything else is
    /// a bug of the cmdlet and is left for PowerShell to report.
    /// </summary>
    private protected override ErrorRecord? ErrorForEscaped(Exception ex) => ex is TorchException or TensorDataException
        or ObjectDisposedException or OutOfMemoryException or InsufficientExecutionStackException
        ? ErrorFor(ex, null)
        : null;

    private void WriteEngineWarning(TorchWarning warning)
    {
        if (WarningOnce.ShouldWrite(warning, MyInvocation)) WriteWarning(warning.Message);
    }
}

/// <summary>
/// The phase bookkeeping behind <see cref="AutoGradCmdlet"/>: PowerShell calls these sealed overrides, which run the
/// derived cmdlet's BeginProcessing/ProcessRecord/EndProcessing and end a phase quietly after a non-terminating
/// error. (A class of its own because C# cannot both seal an override and declare a new virtual of one name.)
/// </summary>
public abstract class AutoGradCmdletPhases : PSCmdlet
{
    private enum Phase { None, Begin, Process, End }

    private Phase _phase;

    protected sealed override void BeginProcessing() => Run(Phase.Begin, BeginPhase);
    protected sealed override void ProcessRecord() => Run(Phase.Process, ProcessPhase);
    protected sealed override void EndProcessing() => Run(Phase.End, EndPhase);

    private protected abstract void BeginPhase();
    private protected abstract void ProcessPhase();
    private protected abstract void EndPhase();

    /// <summary>The record for an exception that escaped a phase, or null to let it propagate.</summary>
    private protected abstract ErrorRecord? ErrorForEscaped(Exception ex);

    /// <summary>True while an item (ProcessRecord) or the collected input (EndProcessing) is being handled.</summary>
    private protected bool ErrorsAreNonTerminating => _phase is Phase.Process or Phase.End;

    /// <summary>Reports <paramref name="error"/> as the current phase wants it; never returns.</summary>
    [DoesNotReturn]
    private protected void Report(ErrorRecord error)
    {
        if (!ErrorsAreNonTerminating)
        {
            ThrowTerminatingError(error);
            throw new UnreachableException(); // ThrowTerminatingError always throws
        }
        // Under -ErrorAction Stop this throws ActionPreferenceStopException, which ends the pipeline as asked.
        WriteError(error);
        throw new PipelineItemFailed();
    }

    private void Run(Phase phase, Action body)
    {
        var outer = _phase;
        _phase = phase;
        try
        {
            body();
        }
        catch (PipelineItemFailed)
        {
            // The error is written; the pipeline goes on with the next item.
        }
        catch (Exception ex) when (ex is not (PipelineStoppedException or ActionPreferenceStopException
            or FlowControlException) && ErrorForEscaped(ex) is { } error)
        {
            try { Report(error); }
            catch (PipelineItemFailed) { }
        }
        finally
        {
            _phase = outer;
        }
    }

    /// <summary>Unwinds the rest of a phase after its error was written; caught in <see cref="Run"/>.</summary>
    private protected sealed class PipelineItemFailed : Exception
    {
        public PipelineItemFailed() : base("The current pipeline item failed; its error has been written.") { }
    }
}
