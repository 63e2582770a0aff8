using System.Diagnostics;

namespace AutoGrad;

/// <summary>
/// The engine's parallel loop: <c>For(count, body)</c> runs body(0..count-1) on the calling thread and a team of
/// <see cref="Parallelism.NumThreads"/> - 1 background threads, and returns when all are done.
/// Why not Parallel.For: a sleeping thread-pool worker took as long to wake as a mid-sized matmul's half takes to
/// compute, so that half ran on one thread while the second woke (the MLP's [64,784] @ [784,128] was slower on two
/// threads than on one; docs/performance.md, design measurements). Like the OpenMP team behind libtorch, these threads spin for a short while after each
/// loop (<see cref="SpinTime"/>) before they block, so back-to-back kernels find them awake.
/// One loop runs at a time; a loop started while another runs (another thread, or nested) runs inline.
/// </summary>
internal static class WorkerTeam
{
    private static readonly TimeSpan SpinTime = TimeSpan.FromMicroseconds(200);

    private sealed class Job(int count, Action<int> body)
    {
        public readonly int Count = count;
        public readonly Action<int> Body = body;
        public int Next;
        public int Pending = count;
        public Exception? Error;

        /// <summary>Claims and runs tasks until none is left.</summary>
        public void Work()
        {
            for (int i; (i = Interlocked.Increment(ref Next) - 1) < Count;)
            {
                try { Body(i); }
                catch (Exception e) { Interlocked.CompareExchange(ref Error, e, null); }
                Interlocked.Decrement(ref Pending);
            }
        }
    }

    private static readonly object Gate = new();
    private static readonly SemaphoreSlim Wake = new(0);
    private static readonly List<Thread> Workers = [];
    private static volatile Job? s_current;
    private static int s_generation;
    private static int s_sleepers;

    [ThreadStatic] private static bool t_inLoop;

    public static void For(int count, Action<int> body)
    {
        int threads = Math.Min(Parallelism.NumThreads, count);
        if (threads <= 1 || t_inLoop || !Monitor.TryEnter(Gate))
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        try
        {
            while (Workers.Count < threads - 1) StartWorker(Workers.Count);
            var job = new Job(count, body);
            s_current = job;
            Interlocked.Increment(ref s_generation);
            int sleepers = Volatile.Read(ref s_sleepers);
            if (sleepers > 0) Wake.Release(Math.Min(sleepers, threads - 1));

            t_inLoop = true;
            try { job.Work(); }
            finally { t_inLoop = false; }
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            s_current = null;
            if (job.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void StartWorker(int index)
    {
        var thread = new Thread(() => WorkerLoop(index)) { IsBackground = true, Name = $"AutoGrad worker {index + 1}" };
        Workers.Add(thread);
        thread.Start();
    }

    private static void WorkerLoop(int index)
    {
        t_inLoop = true;
        int seen = Volatile.Read(ref s_generation);
        while (true)
        {
            // Spin while loops keep coming; then sleep until the next one.
            long deadline = Stopwatch.GetTimestamp() + (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
            var spin = new SpinWait();
            while (Volatile.Read(ref s_generation) == seen && Stopwatch.GetTimestamp() < deadline)
                spin.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref s_generation) == seen)
            {
                Interlocked.Increment(ref s_sleepers);
                // Re-check after announcing: a loop published in between has either seen us or will be seen here.
                if (Volatile.Read(ref s_generation) == seen) Wake.Wait();
                Interlocked.Decrement(ref s_sleepers);
                if (Volatile.Read(ref s_generation) == seen) continue;   // a spare wake-up
            }
            seen = Volatile.Read(ref s_generation);
            // A worker beyond the current thread count sits out (NumThreads may have been lowered).
            if (index < Parallelism.NumThreads - 1) s_current?.Work();
        }
    }
}
