namespace AutoGrad.Kernels;

/// <summary>
/// Splits a flat range into one contiguous chunk per thread. Used only past <see cref="Threshold"/> elements:
/// below it, waking threads costs more than the work (a 2x2 tensor must never wake a worker).
/// </summary>
internal static class ParallelChunks
{
    /// <summary>Elements from which splitting pays (tuned with the benchmarks).</summary>
    internal const int Threshold = 1 << 17;

    public static bool Worth(int n) => n >= Threshold && Parallelism.NumThreads > 1;

    /// <summary>Splits [0, n) of independent items (rows, columns) into one contiguous range per thread.</summary>
    public static void RunRanges(int n, Action<int, int> body)
    {
        int chunks = Math.Min(Parallelism.NumThreads, n);
        Split(n, chunks, (n + chunks - 1) / chunks, body);
    }

    /// <summary>Splits [0, n) elements into chunks of at least half the threshold, one per thread at most.</summary>
    public static void Run(int n, Action<int, int> body)
    {
        int chunks = Math.Min(Parallelism.NumThreads, (n + Threshold / 2 - 1) / (Threshold / 2));
        // Chunk boundaries on multiples of 64 elements keep every chunk's vector loop aligned the same way.
        Split(n, chunks, (n / chunks + 63) & ~63, body);
    }

    private static void Split(int n, int chunks, int size, Action<int, int> body) =>
        WorkerTeam.For(chunks, i =>
        {
            int start = i * size;
            if (start < n) body(start, Math.Min(size, n - start));
        });
}
