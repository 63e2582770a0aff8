namespace AutoGrad.Autograd;

/// <summary>
/// Whether ops record the graph (torch.is_grad_enabled). Thread-local, as in PyTorch, so a script block run
/// under no-grad on one runspace does not affect another.
/// </summary>
public static class GradMode
{
    [ThreadStatic] private static bool t_disabled;

    public static bool IsEnabled
    {
        get => !t_disabled;
        set => t_disabled = !value;
    }

    /// <summary>Turns recording off until the returned scope is disposed (torch.no_grad()).</summary>
    public static Scope NoGrad() => Set(false);

    /// <summary>Sets recording on or off until the returned scope is disposed, then restores the previous mode.</summary>
    public static Scope Set(bool enabled)
    {
        var previous = IsEnabled;
        IsEnabled = enabled;
        return new Scope(previous);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly bool _previous;
        internal Scope(bool previous) => _previous = previous;
        public void Dispose() => IsEnabled = _previous;
    }
}
