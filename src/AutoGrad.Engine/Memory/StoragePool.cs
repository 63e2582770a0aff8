namespace AutoGrad;

/// <summary>
/// Storage arrays handed back by <see cref="Tensor.Dispose"/>, reused for the next result of the same dtype and
/// length, and the arrays <see cref="StorageReclaimer"/> recovers from storages nobody disposed. A result written
/// into memory that was just freed is written into cache: a fresh 4 MB managed array lies in lines no core has
/// touched, and filling it cost about as much as the add that fills it. libtorch gets the same effect from malloc,
/// which hands a freed block straight back.
///
/// Arrays larger than the cache gain too: a fresh 40 MB array is memory the runtime must map and the kernel must
/// fault in page by page. Small results gain as well: a new 4 KB array (the [1000] row sums of a [1000,1000]
/// matrix) cost a measurable part of the sum that fills it, because the runtime's allocation budget marches
/// through memory no core has touched lately, and a pool hit costs tens of nanoseconds (docs/performance.md,
/// design measurements). Below
/// <see cref="MinBytes"/> (256 floats) arrays are not kept: the notebook's 2x2 tensors allocate in a few
/// nanoseconds, and the pool's lock would cost more than it saves. The pool holds at most
/// <see cref="CapacityBytes"/> in <see cref="CapacityArrays"/> arrays (the most recently returned, which are the
/// warmest). At each full collection it lets go of the arrays that were returned before the previous one and not
/// taken since: memory a program stopped needing is released after two full collections, while a loop that keeps
/// reusing an array keeps it. (Emptying the pool at every full collection made each benchmark iteration's first
/// 1e7-element result fresh memory again.)
/// </summary>
internal static class StoragePool
{
    internal const long MinBytes = 1024;
    internal const long MaxBytes = 256L * 1024 * 1024;
    internal const long CapacityBytes = 256L * 1024 * 1024;
    internal const int CapacityArrays = 64;

    // Most-recently-returned first. A short list (at most CapacityArrays) searched linearly: a program keeps a
    // handful of sizes in flight, and an exact-length match is what a tensor's storage needs (its length is its
    // element count).
    private static readonly LinkedList<(Array Array, int Cycle)> Arrays = new();
    private static long _heldBytes;
    private static int _cycle;  // full collections seen
    private static readonly object Gate = new();

    static StoragePool() => FullCollectionSentinel.Start();

    /// <summary>A pooled array of exactly this element type and length, or null.</summary>
    internal static T[]? Rent<T>(int length) where T : unmanaged
    {
        long bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes < MinBytes || bytes > MaxBytes || _heldBytes == 0) return null;
        lock (Gate)
        {
            for (var node = Arrays.First; node is not null; node = node.Next)
                if (node.Value.Array is T[] match && match.Length == length)
                {
                    Arrays.Remove(node);
                    _heldBytes -= bytes;
                    return match;
                }
        }
        return null;
    }

    /// <summary>
    /// A pooled array of this length when there is one, else a new uninitialized one (large ones asking for huge
    /// pages; a pooled array asked when it was new).
    /// </summary>
    internal static T[] RentOrAllocate<T>(int length) where T : unmanaged
    {
        if (Rent<T>(length) is { } pooled) return pooled;
        var fresh = GC.AllocateUninitializedArray<T>(length);
        HugePages.Advise(fresh);
        return fresh;
    }

    /// <summary>Takes an array nothing else refers to any more; drops it when it is outside the pooled sizes.</summary>
    internal static void Return(Array storage)
    {
        long bytes = ByteLength(storage);
        if (bytes < MinBytes || bytes > MaxBytes) return;
        lock (Gate)
        {
            Arrays.AddFirst((storage, _cycle));
            _heldBytes += bytes;
            while (_heldBytes > CapacityBytes || Arrays.Count > CapacityArrays)
            {
                _heldBytes -= ByteLength(Arrays.Last!.Value.Array);
                Arrays.RemoveLast();
            }
        }
    }

    /// <summary>
    /// A full collection happened: drops the arrays returned before the previous one (they sat unused through a
    /// whole collection cycle).
    /// </summary>
    internal static void OnFullCollection()
    {
        lock (Gate)
        {
            for (var node = Arrays.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Cycle < _cycle)
                {
                    _heldBytes -= ByteLength(node.Value.Array);
                    Arrays.Remove(node);
                }
                node = next;
            }
            _cycle++;
        }
    }

    /// <summary>Empties the pool (for tests).</summary>
    internal static void Clear()
    {
        lock (Gate)
        {
            Arrays.Clear();
            _heldBytes = 0;
        }
    }

    internal static long HeldBytes
    {
        get { lock (Gate) return _heldBytes; }
    }

    internal static long ByteLength(Array a) => a switch
    {
        float[] f => 4L * f.Length,
        double[] d => 8L * d.Length,
        long[] l => 8L * l.Length,
        bool[] b => b.Length,
        _ => 0,
    };

    /// <summary>
    /// An unreachable object whose finalizer ages the pool and re-registers itself. A finalizable object that
    /// survives once is promoted to the oldest generation, so after its first run the finalizer runs once per
    /// full (gen2) collection: the runtime's own signal that memory is being reclaimed in earnest.
    /// </summary>
    private sealed class FullCollectionSentinel
    {
        internal static void Start() => _ = new FullCollectionSentinel();

        ~FullCollectionSentinel()
        {
            if (Environment.HasShutdownStarted) return;
            OnFullCollection();
            GC.ReRegisterForFinalize(this);
        }
    }
}
