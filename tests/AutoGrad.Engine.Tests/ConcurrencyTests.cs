using AutoGrad.Autograd;
using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>
/// Issue 16, item 1: what several threads may share. Gradient accumulation into one leaf is serialised (PyTorch's
/// AccumulateGrad mutex), version counters count every in-place write, the generator hands out whole draws, the
/// storage pool and the reclaimer never give one array to two live tensors, grad mode and thread-count scopes are
/// per thread; an optimizer's and a scheduler's steps are whole, a layer runs forward on several threads, hooks come
/// and go while backward passes run, and separate models train side by side as they train alone.
/// Each test repeats its race a few hundred times (AUTOGRAD_PROPERTY_SCALE multiplies the rounds) so a lost update
/// shows; the values are checked exactly, not just "no exception".
/// </summary>
public class ConcurrencyTests
{
    private const int Threads = 8;

    private static int Rounds(int n) => Math.Max(1, (int)Math.Round(n * Property.Scale));

    /// <summary>Runs <paramref name="body"/>(thread index) on <see cref="Threads"/> threads released together.</summary>
    private static void OnThreads(Action<int> body, int threads = Threads)
    {
        using var start = new Barrier(threads);
        var errors = new List<Exception>();
        var workers = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                body(i);
            }
            catch (Exception e)
            {
                lock (errors) errors.Add(e);
            }
        })).ToList();
        workers.ForEach(t => t.Start());
        workers.ForEach(t => t.Join());
        if (errors.Count > 0) throw new AggregateException(errors);
    }

    /// <summary>Every element is <paramref name="expected"/> (a loop: Assert.All costs a delegate call per element).</summary>
    private static void AllEqual<T>(T[] values, T expected) where T : IEquatable<T>
    {
        for (int i = 0; i < values.Length; i++)
            if (!values[i].Equals(expected)) Assert.Fail($"element {i} of {values.Length} is {values[i]}, expected {expected}");
    }

    [Fact]
    public void Backward_passes_on_several_threads_into_one_leaf_lose_no_gradient()
    {
        // 4096 elements: each accumulation takes long enough that unserialised ones overlap and lose updates.
        const int size = 4096, passes = 40;
        for (int round = 0; round < Rounds(5); round++)
        {
            var w = Tensor.Ones([size], requiresGrad: true);
            OnThreads(_ =>
            {
                for (int i = 0; i < passes; i++) w.Mul(2L).Sum().Backward();
            });
            AllEqual((float[])w.Grad!.ToArray(), 2f * Threads * passes);
        }
    }

    [Fact]
    public void In_place_writes_from_several_threads_are_all_counted()
    {
        const int writes = 300;
        for (int round = 0; round < Rounds(5); round++)
        {
            var t = Tensor.Zeros([8]);
            OnThreads(_ =>
            {
                for (int i = 0; i < writes; i++) t.Add_(1.0);
            });
            Assert.Equal(Threads * writes, t.VersionNumber);
        }
    }

    [Fact]
    public void Forward_and_backward_on_separate_graphs_in_parallel_give_each_thread_its_own_right_gradient()
    {
        OnThreads(thread =>
        {
            for (int i = 0; i < Rounds(100); i++)
            {
                var values = Enumerable.Range(0, 64).Select(k => 0.01 * (k - 32) + 0.001 * thread + 1e-4 * i).ToArray();
                var x = Tensor.FromDoubles(values, [8, 8], DType.Float64, requiresGrad: true);
                // sum(sin(x*x) + exp(x) + x @ x): the matmul's gradient is g @ x^T + x^T @ g with g all ones.
                var y = x.Mul(x).Sin().Add(x.Exp()).Add(x.MatMul(x)).Sum();
                y.Backward();
                var grad = x.Grad!.ToDoubleArray();
                for (int r = 0; r < 8; r++)
                    for (int c = 0; c < 8; c++)
                    {
                        double v = values[r * 8 + c];
                        // d/dx[r,c] sum(x @ x) = sum_j x[c, j] + sum_i x[i, r]
                        double fromMatMul = 0;
                        for (int k = 0; k < 8; k++) fromMatMul += values[c * 8 + k] + values[k * 8 + r];
                        double expected = 2 * v * Math.Cos(v * v) + Math.Exp(v) + fromMatMul;
                        Assert.Equal(expected, grad[r * 8 + c], 1e-12);
                    }
            }
        });
    }

    [Fact]
    public void Pooled_storage_is_never_shared_by_two_live_tensors_whatever_the_threads_do()
    {
        // Sizes inside the pool's range (1 KB .. 256 MB), reused over and over by every thread at once.
        int[] sizes = [300, 4096, 70_003];
        OnThreads(thread =>
        {
            for (int i = 0; i < Rounds(300); i++)
            {
                int n = sizes[(thread + i) % sizes.Length];
                long tag = thread * 100_000L + i;
                using var a = Tensor.Full([n], tag, DType.Float64);
                using var b = a.Add(1L);
                using var c = b.Mul(2L);
                // Every element of every live tensor is still this thread's own value.
                AllEqual((double[])a.ToArray(), tag);
                AllEqual((double[])c.ToArray(), 2 * (tag + 1));
            }
        });
    }

    [Fact]
    public void Large_kernels_started_on_several_threads_at_once_are_all_right()
    {
        // Past the parallel threshold: one thread gets the worker team, the others run their loops inline.
        const int n = (1 << 18) + 5;
        OnThreads(thread =>
        {
            var a = Tensor.Full([n], (double)thread, DType.Float32);
            for (int i = 0; i < Rounds(20); i++)
            {
                AllEqual((float[])a.Add(i).ToArray(), thread + i);
                // The sum is exact in double, then rounded to the float32 result (an odd count beyond 2^24 rounds).
                Assert.Equal((double)(float)((double)n * (thread + i)), (double)a.Add(i).Sum().Item());
            }
        }, threads: 4);
    }

    [Fact]
    public void No_grad_on_one_thread_does_not_turn_recording_off_on_another()
    {
        using var inside = new Barrier(2);
        Tensor? recorded = null, unrecorded = null;
        var x = Tensor.Ones([2], requiresGrad: true);
        var quiet = new Thread(() =>
        {
            using (GradMode.NoGrad())
            {
                inside.SignalAndWait();          // the other thread computes while this one is in no_grad
                unrecorded = x.Mul(2L);
                inside.SignalAndWait();
            }
        });
        var loud = new Thread(() =>
        {
            inside.SignalAndWait();
            recorded = x.Mul(2L);
            inside.SignalAndWait();
        });
        quiet.Start(); loud.Start();
        quiet.Join(); loud.Join();
        Assert.NotNull(recorded!.GradFn);
        Assert.Null(unrecorded!.GradFn);
    }

    [Fact]
    public void The_generator_hands_each_thread_whole_consecutive_draws()
    {
        const int chunk = 64, perThread = 50;
        var shared = new Generator(42);
        var chunks = new List<double[]>();
        OnThreads(_ =>
        {
            for (int i = 0; i < perThread; i++)
            {
                var t = Tensor.Rand([chunk], DType.Float64, shared);
                lock (chunks) chunks.Add((double[])t.ToArray());
            }
        });
        // The same generator drawn from on one thread: every chunk above is one of its consecutive blocks.
        var reference = (double[])Tensor.Rand([chunk * perThread * Threads], DType.Float64, new Generator(42)).ToArray();
        var blocks = Enumerable.Range(0, perThread * Threads)
            .Select(b => string.Join(",", reference.Skip(b * chunk).Take(chunk)))
            .ToHashSet();
        Assert.All(chunks, c => Assert.Contains(string.Join(",", c), blocks));
        Assert.Equal(blocks.Count, chunks.Select(c => string.Join(",", c)).Distinct().Count());
    }

    // ---- the objects of main's NN, Optim and Training: optimizers, schedulers, layers, hooks, the reclaimer ---------

    public static TheoryData<string> OptimizerKinds => new() { "SGD", "Adam", "AdamW", "RMSprop", "Adagrad" };

    private static Optim.Optimizer MakeOptimizer(string kind, Tensor p) => kind switch
    {
        "SGD" => new Optim.SGD([p], lr: 0.1, momentum: 0.9),
        "Adam" => new Optim.Adam([p], lr: 0.01),
        "AdamW" => new Optim.AdamW([p], lr: 0.01),
        "RMSprop" => new Optim.RMSprop([p], lr: 0.01, momentum: 0.5),
        _ => new Optim.Adagrad([p], lr: 0.1),
    };

    [Theory]
    [MemberData(nameof(OptimizerKinds))]
    public void One_optimizer_stepped_from_several_threads_takes_every_step_whole(string kind)
    {
        // Steps with one fixed gradient commute, so 8 threads x k steps must equal 8k steps on one thread, bit for bit:
        // a torn step (two threads reading the same momentum, a step counter or state made twice) shows as a difference.
        const int steps = 25;
        for (int round = 0; round < Rounds(4); round++)
        {
            var reference = Tensor.Ones([3000], requiresGrad: true);
            reference.Grad = Tensor.Full([3000], 0.5);
            var alone = MakeOptimizer(kind, reference);
            for (int i = 0; i < Threads * steps; i++) alone.Step();

            var shared = Tensor.Ones([3000], requiresGrad: true);
            shared.Grad = Tensor.Full([3000], 0.5);
            var optimizer = MakeOptimizer(kind, shared);
            OnThreads(_ =>
            {
                for (int i = 0; i < steps; i++) optimizer.Step();
            });
            Assert.Equal(Threads * steps, optimizer.StepCount);
            Assert.Equal((float[])reference.ToArray(), (float[])shared.ToArray());
            Assert.Equal(alone.StateDict().ToString(), optimizer.StateDict().ToString());
        }
    }

    [Fact]
    public void A_scheduler_stepped_from_several_threads_counts_every_step()
    {
        const int steps = 50;
        for (int round = 0; round < Rounds(4); round++)
        {
            var optimizer = new Optim.SGD([Tensor.Ones([1], requiresGrad: true)], lr: 1.0);
            var scheduler = new Optim.ExponentialLR(optimizer, 0.99);
            var alone = new Optim.ExponentialLR(new Optim.SGD([Tensor.Ones([1], requiresGrad: true)], lr: 1.0), 0.99);
            for (int i = 0; i < Threads * steps; i++) alone.Step();
            OnThreads(_ =>
            {
                for (int i = 0; i < steps; i++)
                {
                    optimizer.Step();   // and the optimizer it sets, stepped meanwhile
                    scheduler.Step();
                }
            });
            Assert.Equal(Threads * steps, scheduler.LastEpoch);
            Assert.Equal(alone.GetLastLR(), scheduler.GetLastLR());
        }
    }

    [Fact]
    public void Training_separate_models_on_several_threads_gives_each_the_weights_it_gets_alone()
    {
        // Each thread trains its own model (its own generator, optimizer and data); a run alone is the reference.
        static float[] Train(int seed)
        {
            var model = new NN.Sequential(new NN.Linear(4, 8, generator: new Generator((ulong)seed)), new NN.Tanh(),
                new NN.Linear(8, 3, generator: new Generator((ulong)seed + 100)));
            var x = Tensor.RandN([24, 4], DType.Float32, new Generator((ulong)seed + 200));
            var y = Tensor.FromArray(Enumerable.Range(0, 24).Select(i => (long)((i + seed) % 3)).ToArray(), 24);
            var trainer = new Training.Trainer(model, Training.LossFunction.FromName("CrossEntropy"),
                new Optim.Adam(model.Parameters(), lr: 0.05), new Training.DataLoader(x, y, batchSize: 8));
            foreach (var _ in trainer.Fit(3)) { }
            return model.Parameters().SelectMany(p => (float[])p.ToArray()).ToArray();
        }
        var alone = Enumerable.Range(0, Threads).Select(Train).ToArray();
        for (int round = 0; round < Rounds(3); round++)
        {
            var together = new float[Threads][];
            OnThreads(thread => together[thread] = Train(thread));
            for (int t = 0; t < Threads; t++) Assert.Equal(alone[t], together[t]);
        }
    }

    [Fact]
    public void One_layer_run_forward_on_several_threads_gives_each_the_output_it_gives_alone()
    {
        var layer = new NN.Sequential(new NN.Linear(16, 32, generator: new Generator(7)), new NN.GELU(),
            new NN.LayerNorm([32]), new NN.Linear(32, 4, generator: new Generator(8)));
        layer.Eval();
        var inputs = Enumerable.Range(0, Threads).Select(i => Tensor.RandN([10, 16], DType.Float32, new Generator((ulong)i))).ToArray();
        var alone = inputs.Select(x => (float[])layer.Forward(x).ToArray()).ToArray();
        OnThreads(thread =>
        {
            for (int i = 0; i < Rounds(30); i++)
                Assert.Equal(alone[thread], (float[])layer.Forward(inputs[thread]).ToArray());
        });
    }

    [Fact]
    public void Hooks_registered_and_removed_while_other_threads_run_backward_never_tear_a_pass()
    {
        // A hook that keeps the gradient: each pass adds exactly 2 per element whether or not it saw the hook.
        const int passes = 40;
        for (int round = 0; round < Rounds(4); round++)
        {
            var w = Tensor.Ones([512], requiresGrad: true);
            OnThreads(thread =>
            {
                for (int i = 0; i < passes; i++)
                {
                    if (thread % 2 == 0)
                    {
                        using var handle = w.RegisterHook(g => g.Mul(1L));
                        w.Mul(2L).Sum().Backward();
                    }
                    else w.Mul(2L).Sum().Backward();
                }
            });
            AllEqual((float[])w.Grad!.ToArray(), 2f * Threads * passes);
        }
    }

    [Fact]
    public void Undisposed_large_results_reclaimed_on_several_threads_never_change_a_live_tensor()
    {
        // Large results (past the reclaimer's 85,000 bytes) left for the reclaimer to hand back while other threads
        // allocate: the ones a thread still holds keep their values to the end.
        OnThreads(thread =>
        {
            var kept = new List<(Tensor Tensor, double Value)>();
            for (int i = 0; i < Rounds(60); i++)
            {
                double tag = thread * 1000 + i;
                var t = Tensor.Full([40_000], tag, DType.Float64).Add(1.0);   // 320 KB, never disposed
                if (i % 4 == 0) kept.Add((t, tag + 1));
            }
            GC.Collect(0);
            foreach (var (t, value) in kept) AllEqual((double[])t.ToArray(), value);
        });
    }

    [Fact]
    public void A_thread_count_scope_on_one_thread_leaves_other_threads_alone()
    {
        int global = Parallelism.NumThreads;
        using var ready = new Barrier(2);
        int seenElsewhere = 0;
        var other = new Thread(() =>
        {
            ready.SignalAndWait();
            seenElsewhere = Parallelism.NumThreads;
            ready.SignalAndWait();
        });
        other.Start();
        using (Parallelism.Use(global + 3))
        {
            ready.SignalAndWait();
            Assert.Equal(global + 3, Parallelism.NumThreads);
            ready.SignalAndWait();
        }
        other.Join();
        Assert.Equal(global, seenElsewhere);
        Assert.Equal(global, Parallelism.NumThreads);
        Assert.Equal("NumThreadsInvalid", Assert.Throws<TorchException>(() => Parallelism.Use(0)).Id);
    }
}

/// <summary>The worker team under a scoped thread count: in the serial collection, so its gate is free.</summary>
[Collection(ThreadCountCollection.Name)]
public class WorkerTeamThreadCountTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void A_loop_under_a_scope_of_N_threads_runs_on_N_threads(int threads)
    {
        // Every task waits for all the others: the loop finishes only if N threads run its tasks at once.
        using var all = new Barrier(threads);
        int met = 0;
        WorkerTeam.ResetPeakParticipants();
        // Claimed (not dealt) tasks: the normal mode, in which a waiting task holds its thread.
        using (Parallelism.Use(threads))
            WorkerTeam.For(threads, _ =>
            {
                if (all.SignalAndWait(TimeSpan.FromSeconds(10))) Interlocked.Increment(ref met);
            });
        Assert.Equal(threads, met);
        Assert.Equal(threads, WorkerTeam.PeakParticipants);
    }
}
