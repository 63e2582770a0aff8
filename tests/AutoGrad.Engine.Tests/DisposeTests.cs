using AutoGrad.Autograd;
using CsCheck;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Tensor.Dispose hands storage back for reuse, and must never let a reused array show through a tensor that is
/// still in use: views, detached aliases and tensors saved for backward keep their storage. Runs in the
/// non-parallel collection: the pool is process-wide, and other tests renting the same sizes would race the
/// reuse assertions. Sizes are odd ones no other test uses.
/// </summary>
[Collection(nameof(MemoryTests))]
public class DisposeTests(ITestOutputHelper output)
{
    // 70,001 floats = 280 KB and 9,001 doubles = 72 KB: inside the pooled range; 1,001 floats are below it.
    private const int PooledFloats = 70_001;
    private const int PooledDoubles = 9_001;

    /// <summary>
    /// Disposes <paramref name="t"/> and makes a result of the same size; true when that result got its storage.
    /// Collections between the two may age the pool, so this tries a few times before it reports no reuse.
    /// </summary>
    private static bool NextResultReuses(Func<Tensor> make)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var t = make();
            var storage = t.Buffer;
            t.Dispose();
            var next = make();
            if (ReferenceEquals(next.Buffer, storage)) return true;
        }
        return false;
    }

    [Theory]
    [InlineData(DType.Float32, PooledFloats)]
    [InlineData(DType.Float64, PooledDoubles)]
    public void TheNextResultOfTheSameSizeReusesADisposedTensorsStorage(DType dtype, int n)
    {
        var a = Tensor.Rand([n], dtype, seed: 1);
        var b = Tensor.Rand([n], dtype, seed: 2);
        Assert.True(NextResultReuses(() => a.Add(b)));
        Assert.True(NextResultReuses(() => a.Exp()));
    }

    [Fact]
    public void AReusedArrayIsFullyOverwrittenByItsNewResult()
    {
        var a = Tensor.Rand([PooledFloats], DType.Float32, seed: 3);
        var b = Tensor.Rand([PooledFloats], DType.Float32, seed: 4);
        var expected = (float[])a.Mul(b).ToArray();
        for (int i = 0; i < 3; i++)
        {
            a.Add(b).Dispose();
            var product = a.Mul(b);
            Assert.Equal(expected, (float[])product.ToArray());
            product.Dispose();
        }
    }

    [Fact]
    public void UsingADisposedTensorThrowsObjectDisposed()
    {
        var t = Tensor.Rand([PooledFloats], DType.Float32, seed: 5);
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => t.ToArray());
        Assert.Throws<ObjectDisposedException>(() => t.Add(t));
        Assert.Equal("tensor(<disposed>)", t.ToString());   // ToString must not throw
        Assert.Equal(PooledFloats, t.NumElements);          // metadata stays readable
        t.Dispose(); // twice is harmless
    }

    [Fact]
    public void SmallTensorsAreDisposedTooThoughNotPooled()
    {
        var t = Tensor.Rand([(int)(StoragePool.MinBytes / sizeof(float)) - 1], DType.Float32, seed: 6);
        long held = StoragePool.HeldBytes;
        t.Dispose();
        Assert.True(t.IsDisposed);
        Assert.Equal(held, StoragePool.HeldBytes);
    }

    public static TheoryData<string> Sharers => new() { "view", "detach", "unsqueeze" };

    [Theory]
    [MemberData(nameof(Sharers))]
    public void DisposingEitherSideOfAnAliasLeavesTheSharedStorageAlone(string how)
    {
        var source = Tensor.Rand([7, 10_001], DType.Float32, seed: 7);
        var expected = (float[])source.ToArray();
        Tensor alias = how switch
        {
            "view" => source.Reshape([70_007]),
            "detach" => source.Detach(),
            _ => source.Unsqueeze(0),
        };
        var aliasExpected = (float[])alias.ToArray();
        source.Dispose();
        alias.Dispose();
        var overwrite = Tensor.Full([70_007], 42, DType.Float32);
        Assert.False(source.IsDisposed);
        Assert.Equal(expected, (float[])source.ToArray());
        Assert.Equal(aliasExpected, (float[])alias.ToArray());
        overwrite.Dispose();
    }

    [Fact]
    public void ATensorSavedForBackwardKeepsItsStorageWhenItsHandleIsDisposed()
    {
        // exp saves its result; disposing that result before backward must not hand the array to the next op.
        var x = Tensor.Rand([PooledFloats], DType.Float32, seed: 8, requiresGrad: true);
        var y = x.Exp();
        var expected = (float[])y.ToArray();
        y.Dispose();
        Tensor clobber;
        using (GradMode.NoGrad()) clobber = Tensor.Full([PooledFloats], -1, DType.Float32);
        y.Sum().Backward();
        Assert.Equal(expected, (float[])x.Grad!.ToArray());
        clobber.Dispose();
    }

    [Fact]
    public void ThePoolHoldsNoMoreThanItsCapacity()
    {
        // Four arrays of 30% of the capacity each: the fourth must push the oldest out.
        var floats = (int)(StoragePool.CapacityBytes * 3 / 10 / sizeof(float));
        var tensors = Enumerable.Range(0, 4).Select(i => Tensor.Empty([floats + i], DType.Float32)).ToArray();
        // A full collection ages the pool (on the finalizer thread): get the one these allocations may have
        // started out of the way before filling it.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        foreach (var t in tensors) t.Dispose();
        Assert.InRange(StoragePool.HeldBytes, 1, StoragePool.CapacityBytes);
        Assert.Null(StoragePool.Rent<float>(floats));        // the oldest went
        Assert.NotNull(StoragePool.Rent<float>(floats + 3)); // the newest stayed
        StoragePool.Clear();
        Assert.Equal(0, StoragePool.HeldBytes);
    }

    /// <summary>
    /// Runs <paramref name="body"/> with no garbage collection (whose finalizer ages the pool) in between, after the
    /// storage reclaimer handed back everything earlier tests left (so no reclaimed array appears in the pool).
    /// </summary>
    private static void WithoutCollections(Action body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        StorageReclaimer.Sweep();
        StorageReclaimer.Sweep();
        Assert.True(GC.TryStartNoGCRegion(64L * 1024 * 1024), "could not suspend collections for the test");
        try { body(); }
        finally
        {
            if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        }
    }

    [Fact]
    public void AnArrayLeftUnusedThroughAWholeCollectionCycleIsReleased() => WithoutCollections(() =>
    {
        StoragePool.Clear();
        Tensor.Empty([PooledFloats], DType.Float32).Dispose();
        StoragePool.OnFullCollection();                           // returned in this cycle: kept
        Assert.True(StoragePool.HeldBytes > 0);
        StoragePool.OnFullCollection();                           // a whole cycle unused: released
        Assert.Equal(0, StoragePool.HeldBytes);

        Tensor.Empty([PooledFloats], DType.Float32).Dispose();
        StoragePool.OnFullCollection();
        var reused = Tensor.Empty([PooledFloats], DType.Float32);  // taken and handed back: young again
        reused.Dispose();
        StoragePool.OnFullCollection();
        Assert.NotNull(StoragePool.Rent<float>(PooledFloats));
    });

    [Fact]
    public void ThePoolHoldsNoMoreThanItsCountOfArrays()
    {
        StoragePool.Clear();
        int n = (int)(StoragePool.MinBytes / sizeof(float));
        var tensors = Enumerable.Range(0, StoragePool.CapacityArrays + 5).Select(i => Tensor.Empty([n + i], DType.Float32)).ToArray();
        foreach (var t in tensors) t.Dispose();
        Assert.InRange(StoragePool.HeldBytes, 1, StoragePool.CapacityArrays * 4L * (n + StoragePool.CapacityArrays + 5));
        Assert.Null(StoragePool.Rent<float>(n));                                     // the oldest went
        Assert.NotNull(StoragePool.Rent<float>(n + StoragePool.CapacityArrays + 4)); // the newest stayed
        StoragePool.Clear();
    }

    [Fact]
    public void DisposingFromTwoThreadsAtOnceHandsTheStorageBackOnce() => WithoutCollections(() =>
    {
        StoragePool.Clear();
        for (int round = 0; round < 50; round++)
        {
            var t = Tensor.Empty([PooledFloats], DType.Float32);
            using var start = new Barrier(2);
            var other = new Thread(() => { start.SignalAndWait(); t.Dispose(); });
            other.Start();
            start.SignalAndWait();
            t.Dispose();
            other.Join();
            // Handed back once: one rent finds it, the next finds nothing.
            Assert.NotNull(StoragePool.Rent<float>(PooledFloats));
            Assert.Null(StoragePool.Rent<float>(PooledFloats));
        }
    });

    /// <summary>
    /// Random programs of creating, aliasing, computing and disposing tensors of a few pooled sizes: every tensor
    /// not disposed keeps exactly the values it was created with.
    /// </summary>
    [Fact]
    public void LiveTensorsNeverChangeWhateverIsDisposed()
    {
        var step = Gen.Int[0, 5].Select(Gen.Int[0, 1000]);
        Property.Check(Gen.Select(step.Array[1, 40], Gen.Int), program =>
        {
            var (steps, seed) = program;
            var live = new List<(Tensor T, float[] Values)>();
            int sizeIndex = 0;
            foreach (var (op, pick) in steps)
            {
                Tensor? made = null;
                var some = live.Count == 0 ? default : live[pick % live.Count];
                switch (op)
                {
                    case 0:
                        made = Tensor.Rand([PooledFloats + (sizeIndex++ % 2)], DType.Float32, seed: seed + pick);
                        break;
                    case 1 when some.T is not null:
                        made = some.T.Exp();
                        break;
                    case 2 when some.T is not null:
                        made = some.T.Detach();
                        break;
                    case 3 when some.T is not null:
                        made = some.T.Add(some.T);
                        break;
                    case 4 or 5 when some.T is not null:
                        some.T.Dispose();
                        live.RemoveAll(e => ReferenceEquals(e.T, some.T));
                        break;
                }
                if (made is not null) live.Add((made, (float[])made.ToArray()));
                foreach (var (t, values) in live)
                    if (!t.IsDisposed && !values.AsSpan().SequenceEqual((float[])t.ToArray()))
                        throw new Exception("a live tensor's values changed after other tensors were disposed");
            }
        }, cases: 60, output);
    }
}
