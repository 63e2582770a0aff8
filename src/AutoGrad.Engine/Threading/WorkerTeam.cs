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

    private sealed class Job(int count, int threads, Action<int> body, bool dealt)
    {
        public readonly int Count = count;
        /// <summary>The threads this loop may use (the caller's count: a scoped one is not visible to workers).</summary>
        public readonly int Threads = threads;
        public readonly Action<int> Body = body;
        public int Next;
        public int Pending = count;
        public Exception? Error;
        /// <summary>Threads that ran at least one task (tests check a multi-thread run really was one).</summary>
        public int Participants;
        /// <summary>Task i belongs to participant i % Threads instead of whoever claims it first (tests only).</summary>
        public readonly bool Dealt = dealt;

        /// <summary>Claims and runs tasks until none is left; <paramref name="participant"/>: 0 the caller, k worker k.</summary>
        public void Work(int participant)
        {
            bool counted = false;
            if (Dealt)
            {
                for (int i = participant; i < Count; i += Threads) Run(i, ref counted);
                return;
            }
            for (int i; (i = Interlocked.Increment(ref Next) - 1) < Count;) Run(i, ref counted);
        }

        private void Run(int i, ref bool counted)
        {
            if (!counted) { counted = true; Interlocked.Increment(ref Participants); }
            try { Body(i); }
            catch (Exception e) { Interlocked.CompareExchange(ref Error, e, null); }
            Interlocked.Decrement(ref Pending);
        }
    }

    private static readonly object Gate = new();
    /// <summary>Sleeping workers wait on this (Monitor.Wait on the generation); a new loop pulses them all.</summary>
    private static readonly object WakeGate = new();
    private static readonly List<Thread> Workers = [];
    private static volatile Job? s_current;
    private static int s_generation;
    private static int s_sleepers;

    [ThreadStatic] private static bool t_inLoop;
    [ThreadStatic] private static int t_peakParticipants;

    /// <summary>The most threads one loop started on this thread has run on since <see cref="ResetPeakParticipants"/>.</summary>
    internal static int PeakParticipants => t_peakParticipants;

    internal static void ResetPeakParticipants() => t_peakParticipants = 0;

    [ThreadStatic] private static bool t_dealt;

    /// <summary>
    /// For tests that compare one thread with several: loops started on this thread until the scope ends give each
    /// participant its share of the tasks (task i to participant i % threads) and wait for all of them, so the
    /// several-thread run certainly runs on several threads (claimed tasks go to whoever is awake first, and a
    /// small loop can finish on the caller alone before a sleeping worker wakes).
    /// </summary>
    internal static DealScope DealTasks()
    {
        var previous = t_dealt;
        t_dealt = true;
        return new DealScope(previous);
    }

    internal readonly struct DealScope(bool previous) : IDisposable
    {
        public void Dispose() => t_dealt = previous;
    }

    public static void For(int count, Action<int> body)
    {
        int threads = Math.Min(Parallelism.NumThreads, count);
        if (threads <= 1 || t_inLoop || !Monitor.TryEnter(Gate))
        {
            for (int i = 0; i < count; i++) body(i);
            t_peakParticipants = Math.Max(t_peakParticipants, 1);
            return;
        }
        try
        {
            // A new worker counts the generation before this loop's as seen, so it takes part in this loop too
            // (reading the generation when its thread first ran could miss the loop that started it).
            while (Workers.Count < threads - 1) StartWorker(Workers.Count, Volatile.Read(ref s_generation));
            var job = new Job(count, threads, body, t_dealt);
            s_current = job;
            Interlocked.Increment(ref s_generation);
            int sleepers = Volatile.Read(ref s_sleepers);
            // Every sleeper wakes and checks the generation under the lock: no wake-up can be lost, nor taken by a
            // worker that goes to sleep later (a counting semaphore let a late sleeper consume the permit meant for
            // a sleeping worker the loop needed, which then slept through it).
            if (sleepers > 0) lock (WakeGate) Monitor.PulseAll(WakeGate);

            t_inLoop = true;
            try { job.Work(0); }
            finally { t_inLoop = false; }
            var spin = new SpinWait();
            while (Volatile.Read(ref job.Pending) > 0) spin.SpinOnce(sleep1Threshold: -1);
            s_current = null;
            t_peakParticipants = Math.Max(t_peakParticipants, Volatile.Read(ref job.Participants));
            if (job.Error is { } error) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
        finally
        {
            Monitor.Exit(Gate);
        }
    }

    private static void StartWorker(int index, int seen)
    {
        var thread = new Thread(() => WorkerLoop(index, seen)) { IsBackground = true, Name = $"AutoGrad worker {index + 1}" };
        Workers.Add(thread);
        // A worker outlives the call that started it: it must not keep that call's async-local state (a scoped count).
        using (ExecutionContext.SuppressFlow()) thread.Start();
    }

    private static void WorkerLoop(int index, int seen)
    {
        t_inLoop = true;
        Job? last = null;
        while (true)
        {
            // Spin while loops keep coming; then sleep until the next one.
            long deadline = Stopwatch.GetTimestamp() + (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
            var spin = new SpinWait();
            while (Volatile.Read(ref s_generation) == seen && Stopwatch.GetTimestamp() < deadline)
                spin.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref s_generation) == seen)
            {
                lock (WakeGate)
                {
                    Interlocked.Increment(ref s_sleepers);
                    // Checked after announcing, under the lock: a loop published in between either is seen here or
                    // saw this sleeper and pulses once this thread waits.
                    while (Volatile.Read(ref s_generation) == seen) Monitor.Wait(WakeGate);
                    Interlocked.Decrement(ref s_sleepers);
                }
            }
            seen = Volatile.Read(ref s_generation);
            // A worker beyond this loop's thread count sits out (NumThreads may have been lowered, or scoped).
            // A job is worked on once: the generation can move on between reading it and reading the job.
            if (s_current is { } job && job != last && index < job.Threads - 1)
            {
                last = job;
                job.Work(index + 1);
            }
        }
    }
}
