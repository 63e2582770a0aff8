using System.Runtime.InteropServices;

namespace AutoGrad;

/// <summary>
/// Gives the arrays of large storages that nobody disposed back to the <see cref="StoragePool"/> soon after their
/// tensors become garbage, so a script that never calls Dispose() still reuses memory instead of growing the large
/// object heap. An array of 85,000 bytes or more lives in the large object heap, which the runtime collects only in
/// full (gen2) collections; a loop of undisposed 1e6-element results forced dozens of full collections per few
/// hundred ops in a default pwsh (docs/performance.md). Here the array itself never becomes garbage: the pool keeps
/// it, and only the small <see cref="Storage"/> that owns it dies, young. The reclaimer holds a weak handle to each
/// large storage; after every <see cref="BudgetBytes"/> of large storage made, it runs a young-generation collection
/// (gen0 and gen1, about a tenth of a millisecond in pwsh) and hands back the arrays whose storages died.
/// <para>
/// Reclaimed arrays wait one more round before the pool may lend them again (<see cref="_quarantine"/>): an op that
/// read an array and then lost the last reference to its tensor mid-way (the JIT may end a local's life at its last
/// use) can never see the array reused before a further budget of allocations, far beyond any single op's.
/// Nothing here needs an environment variable or a GC setting: it works in the pwsh a user starts.
/// </para>
/// </summary>
internal static class StorageReclaimer
{
    /// <summary>Arrays from this size on are tracked (the large object heap's threshold).</summary>
    internal const int MinBytes = 85_000;

    /// <summary>
    /// Large storage made between two collections: a 1e6-float result is 4 MB, one collection per 4 ops. Small enough
    /// that a reclaimed array is reused while it is still in the L3 cache (two rounds: within 32 MB), large enough
    /// that the collections cost a fraction of the ops (docs/performance.md has the measurements).
    /// </summary>
    internal const long BudgetBytes = 16L << 20;

    private struct Entry
    {
        public GCHandle Handle;  // weak, to the Storage; unallocated for a free slot
        public Array? Array;
        public long Bytes;
    }

    private static readonly object Gate = new();
    private static Entry[] s_entries = new Entry[64];
    private static readonly Stack<int> s_free = new();
    private static int s_used;
    private static long s_bytesSinceSweep;
    private static List<Array> _quarantine = new();

    /// <summary>Collections this reclaimer ran (for tests and the benchmark report).</summary>
    internal static int Sweeps { get; private set; }

    /// <summary>Starts tracking a new large storage; returns its slot (or -1 when the array is small).</summary>
    internal static int Track(Storage storage, Array array, long bytes)
    {
        if (bytes < MinBytes) return -1;
        bool sweep;
        int slot;
        lock (Gate)
        {
            slot = s_free.Count > 0 ? s_free.Pop() : s_used++;
            if (slot == s_entries.Length) Array.Resize(ref s_entries, s_entries.Length * 2);
            s_entries[slot] = new Entry { Handle = GCHandle.Alloc(storage, GCHandleType.Weak), Array = array, Bytes = bytes };
            s_bytesSinceSweep += bytes;
            sweep = s_bytesSinceSweep >= BudgetBytes;
            if (sweep) s_bytesSinceSweep = 0;
        }
        if (sweep) Sweep();
        return slot;
    }

    /// <summary>
    /// The storage handed its array back itself (Dispose): stop tracking it, and take its bytes off the budget, so a
    /// loop that disposes its results never pays for a collection it does not need.
    /// </summary>
    internal static void Untrack(int slot)
    {
        if (slot < 0) return;
        lock (Gate)
        {
            s_bytesSinceSweep = Math.Max(0, s_bytesSinceSweep - s_entries[slot].Bytes);
            Free(slot);
        }
    }

    /// <summary>
    /// A young-generation collection, then every tracked array whose storage died goes to quarantine, and the
    /// previous round's quarantine goes to the pool.
    /// </summary>
    internal static void Sweep()
    {
        // A program that suspended collections (GC.TryStartNoGCRegion) keeps them suspended: a collection would end
        // its region. The next budget's sweep tries again.
        if (System.Runtime.GCSettings.LatencyMode == System.Runtime.GCLatencyMode.NoGCRegion) return;
        GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: false);
        List<Array> released;
        lock (Gate)
        {
            Sweeps++;
            s_bytesSinceSweep = 0;
            released = _quarantine;
            _quarantine = new List<Array>();
            for (int slot = 0; slot < s_used; slot++)
            {
                ref var entry = ref s_entries[slot];
                if (entry.Array is null || entry.Handle.Target is not null) continue;
                _quarantine.Add(entry.Array);
                Free(slot);
            }
        }
        foreach (var array in released) StoragePool.Return(array);
    }

    private static void Free(int slot)
    {
        ref var entry = ref s_entries[slot];
        if (entry.Array is null) return;
        entry.Handle.Free();
        entry = default;
        s_free.Push(slot);
    }

    /// <summary>Whether this storage is tracked (for tests).</summary>
    internal static bool IsTracked(Storage storage)
    {
        lock (Gate)
        {
            for (int slot = 0; slot < s_used; slot++)
                if (s_entries[slot].Array is not null && ReferenceEquals(s_entries[slot].Handle.Target, storage)) return true;
            return false;
        }
    }

    /// <summary>Storages tracked right now (for tests).</summary>
    internal static int Tracked
    {
        get
        {
            lock (Gate)
            {
                int n = 0;
                for (int slot = 0; slot < s_used; slot++) if (s_entries[slot].Array is not null) n++;
                return n;
            }
        }
    }
}
