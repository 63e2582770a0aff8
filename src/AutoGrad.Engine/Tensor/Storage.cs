namespace AutoGrad;

/// <summary>
/// The memory behind a tensor and all of its views (PyTorch's StorageImpl plus the version counter views share):
/// one element array, a count of in-place writes, and whether anything besides the tensor that made it refers to it.
/// </summary>
internal sealed class Storage
{
    private Array? _data;
    private int _version;
    private readonly int _reclaimSlot;

    internal Storage(Array data)
    {
        _data = data;
        // A large array returns to the pool when this storage dies, disposed or not (StorageReclaimer).
        // In a long: Buffer.ByteLength's int overflowed past 2 GB (a tensor of 300 million doubles could not be made).
        _reclaimSlot = StorageReclaimer.Track(this, data, StoragePool.ByteLength(data));
    }

    /// <summary>The element array (float[], double[], long[] or bool[]); throws once released.</summary>
    internal Array Data => _data ?? throw new ObjectDisposedException(nameof(Tensor),
        "Cannot access a disposed tensor: its storage was handed back for reuse by Dispose().");

    internal bool IsReleased => _data is null;

    /// <summary>torch.Tensor._version: in-place writes seen by this storage (shared by a base and its views).</summary>
    internal int Version => Volatile.Read(ref _version);

    /// <summary>Counts one in-place write; atomic, since tensors may be shared across runspaces.</summary>
    internal void BumpVersion() => Interlocked.Increment(ref _version);

    /// <summary>
    /// True once a view, a detached alias or a graph node that saved a tensor over it refers to this storage too:
    /// then Dispose must leave the memory alone.
    /// </summary>
    internal bool Shared { get; private set; }

    internal void MarkShared() => Shared = true;

    /// <summary>Hands the array back to the pool when nothing else refers to it (Tensor.Dispose).</summary>
    internal void Release()
    {
        if (Shared) return;
        // Exchanged, not read then cleared: two threads disposing at once must not hand the array back twice.
        if (Interlocked.Exchange(ref _data, null) is { } data)
        {
            StorageReclaimer.Untrack(_reclaimSlot);
            StoragePool.Return(data);
            // Reachable until untracked: the JIT may end this storage's life at its last field read, and a sweep on
            // another thread that found it collected before Untrack would hand the same array back a second time
            // (two live tensors over one array; seen with 8 threads allocating and disposing).
            GC.KeepAlive(this);
        }
    }
}
