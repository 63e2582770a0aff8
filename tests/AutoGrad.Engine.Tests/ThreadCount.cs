namespace AutoGrad.Tests;

/// <summary>
/// The tests that compare a kernel on one thread with the same kernel on several. They run in this collection, on
/// their own after every parallel test class: the engine runs one parallel loop at a time, and a loop started while
/// another test's loop holds the worker team runs inline, which would make "N threads" one thread again.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class ThreadCountCollection
{
    public const string Name = "ThreadCount";
}

/// <summary>Thread counts for one comparison, scoped to the calling test (Parallelism.Use), never process-wide.</summary>
internal static class ThreadCount
{
    /// <summary>The result of <paramref name="run"/> with the engine on one thread.</summary>
    public static T One<T>(Func<T> run)
    {
        using (Parallelism.Use(1)) return run();
    }

    /// <summary>
    /// Runs <paramref name="check"/> (the multi-thread run and its comparison) with the engine on
    /// <paramref name="threads"/> threads, each parallel loop dealt out so that every thread runs its share, and
    /// fails if no loop ran on more than one thread: then the comparison would be one thread against one (a case
    /// too small to be split, say).
    /// </summary>
    public static void Many(int threads, Action check)
    {
        using var scope = Parallelism.Use(threads);
        using var dealt = WorkerTeam.DealTasks();
        WorkerTeam.ResetPeakParticipants();
        check();
        Assert.True(WorkerTeam.PeakParticipants > 1,
            $"no engine loop ran on more than one thread at {threads} threads: the comparison was one thread against one");
    }

    /// <summary>
    /// The result of <paramref name="run"/> asked to use <paramref name="threads"/> threads by an op whose kernel is a
    /// serial loop; fails if the op did split after all (then compare it through <see cref="Many"/> instead).
    /// </summary>
    public static T Unsplit<T>(int threads, Func<T> run)
    {
        using var scope = Parallelism.Use(threads);
        using var dealt = WorkerTeam.DealTasks();
        WorkerTeam.ResetPeakParticipants();
        var result = run();
        Assert.True(WorkerTeam.PeakParticipants <= 1,
            $"a loop ran on {WorkerTeam.PeakParticipants} threads: the op splits now, so compare its threads with ThreadCount.Many");
        return result;
    }
}
