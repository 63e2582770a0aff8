namespace AutoGrad.Tests;

/// <summary>
/// Undisposed large results give their arrays back to the pool through young collections, so a loop that never
/// calls Dispose() reuses memory instead of filling the large object heap (which only full collections empty).
/// Runs alone: collection counts and the pool are process-wide.
/// </summary>
[Collection(nameof(MemoryTests))]
public class StorageReclaimerTests
{
    private const int Large = 1_000_000;  // 4 MB of float32: a large-object-heap array

    [Fact]
    public void A_loop_of_undisposed_large_results_needs_no_full_collections()
    {
        var a = Tensor.Ones([Large]);
        var b = Tensor.Ones([Large]);
        for (int i = 0; i < 20; i++) _ = a.Add(b);  // warm-up: the pool fills
        int full = GC.CollectionCount(2);
        int sweeps = StorageReclaimer.Sweeps;
        for (int i = 0; i < 200; i++) _ = a.Add(b);
        // 200 results of 4 MB are 800 MB: without reclaiming, the large object heap's budget forces full
        // collections every few dozen ops (19 of them without the reclaimer).
        Assert.True(GC.CollectionCount(2) - full <= 1, $"{GC.CollectionCount(2) - full} full collections");
        // A sweep after the allocation that reaches the budget: every ceil(budget / 4 MB) results.
        long expected = 200 / ((StorageReclaimer.BudgetBytes + 4L * Large - 1) / (4L * Large));
        Assert.True(StorageReclaimer.Sweeps - sweeps >= expected - 1, $"{StorageReclaimer.Sweeps - sweeps} sweeps, expected about {expected}");
    }

    [Fact]
    public void A_live_tensor_keeps_its_values_through_any_number_of_sweeps()
    {
        var kept = Tensor.FromDoubles(Enumerable.Range(0, Large).Select(i => (double)(i % 1000)).ToArray(), [Large], DType.Float32);
        var expected = kept.ToDoubleArray();
        var a = Tensor.Ones([Large]);
        for (int i = 0; i < 100; i++) _ = a.Add(a);
        Assert.Equal(expected, kept.ToDoubleArray());
        GC.KeepAlive(kept);
    }

    [Fact]
    public void A_loop_that_disposes_its_large_results_runs_no_collections()
    {
        var a = Tensor.Ones([Large]);
        var b = Tensor.Ones([Large]);
        for (int i = 0; i < 20; i++) a.Add(b).Dispose();
        int sweeps = StorageReclaimer.Sweeps;
        // 200 results of 4 MB, each handed back at once: the budget counts only storage still out, so no sweep is
        // due (before, every fourth op paid for a young collection it did not need).
        for (int i = 0; i < 200; i++) a.Add(b).Dispose();
        Assert.Equal(sweeps, StorageReclaimer.Sweeps);
    }

    [Fact]
    public void A_disposed_storage_is_no_longer_tracked()
    {
        var t = Tensor.Zeros([Large]);
        var storage = t.StorageObject;
        Assert.True(StorageReclaimer.IsTracked(storage));
        t.Dispose();
        Assert.False(StorageReclaimer.IsTracked(storage));
    }

    [Fact]
    public void Small_storages_are_not_tracked()
    {
        var t = Tensor.Zeros([StorageReclaimer.MinBytes / 4 - 1]);
        Assert.False(StorageReclaimer.IsTracked(t.StorageObject));
        Assert.True(StorageReclaimer.IsTracked(Tensor.Zeros([StorageReclaimer.MinBytes / 4 + 1]).StorageObject));
    }
}
