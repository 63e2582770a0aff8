namespace AutoGrad;

/// <summary>
/// How many threads the engine's kernels may use (torch.set_num_threads / get_num_threads). Small tensors never
/// use more than one: each kernel decides from its own work size whether splitting pays.
/// </summary>
/// <remarks>
/// <see cref="NumThreads"/> is process-wide, like torch.set_num_threads. <see cref="Use"/> overrides it for the
/// calls made in one scope (on this thread and what it awaits), without touching other threads: tests that compare
/// one thread with several run side by side without changing each other's count.
/// </remarks>
public static class Parallelism
{
    private static int s_numThreads = Environment.ProcessorCount;
    private static readonly AsyncLocal<int> s_scoped = new();

    /// <summary>The thread count in force here: the innermost <see cref="Use"/> scope's, else the process-wide one.</summary>
    public static int NumThreads
    {
        get
        {
            int scoped = s_scoped.Value;
            return scoped > 0 ? scoped : s_numThreads;
        }
        set => s_numThreads = Check(value);
    }

    /// <summary>Runs the engine calls made until the scope is disposed on <paramref name="threads"/> threads.</summary>
    public static Scope Use(int threads)
    {
        var previous = s_scoped.Value;
        s_scoped.Value = Check(threads);
        return new Scope(previous);
    }

    public readonly struct Scope : IDisposable
    {
        private readonly int _previous;
        internal Scope(int previous) => _previous = previous;
        public void Dispose() => s_scoped.Value = _previous;
    }

    private static int Check(int threads) => threads >= 1 ? threads
        : throw TorchException.Runtime("NumThreadsInvalid", $"Number of threads must be positive, got {threads}");

}
