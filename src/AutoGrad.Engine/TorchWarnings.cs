namespace AutoGrad;

/// <summary>A warning the engine raises where PyTorch calls <c>warnings.warn</c> (a UserWarning): the call goes on.</summary>
/// <param name="Id">A short PascalCase id, e.g. <c>LossTargetSize</c>.</param>
/// <param name="Message">PyTorch's text for the same situation.</param>
public sealed record TorchWarning(string Id, string Message);

/// <summary>
/// Where the engine's warnings go. Code that runs engine calls on a thread can <see cref="Capture"/> the warnings
/// raised on that thread (the cmdlets write them with WriteWarning); warnings raised where nothing captures them
/// go to <see cref="Unhandled"/> (the PowerShell module installs a handler that writes them to the warning stream
/// of the running script, for operators and methods called from script), and nowhere when that is unset.
/// </summary>
public static class TorchWarnings
{
    [ThreadStatic] private static Action<TorchWarning>? t_handler;

    /// <summary>Receives warnings raised on a thread with no <see cref="Capture"/> scope open.</summary>
    public static Action<TorchWarning>? Unhandled { get; set; }

    /// <summary>Sends this thread's warnings to <paramref name="handler"/> until the scope is disposed.</summary>
    public static Scope Capture(Action<TorchWarning> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var previous = t_handler;
        t_handler = handler;
        return new Scope(previous);
    }

    /// <summary>Raises a warning on the calling thread.</summary>
    internal static void Warn(string id, string message)
    {
        var warning = new TorchWarning(id, message);
        var handler = t_handler ?? Unhandled;
        handler?.Invoke(warning);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly Action<TorchWarning>? _previous;
        internal Scope(Action<TorchWarning>? previous) => _previous = previous;
        public void Dispose() => t_handler = _previous;
    }
}
