using System.Globalization;

namespace AutoGrad;

/// <summary>
/// An allocation the runtime refused (the machine's memory, a container's limit, DOTNET_GCHeapHardLimit) as
/// PyTorch's CPU allocator reports it: the byte count as a plain integer. The runtime's OutOfMemoryException is
/// recoverable when one large array cannot be had, so the host keeps running and the caller gets an error.
/// </summary>
public static class OutOfMemory
{
    /// <summary>The <see cref="TorchException.Id"/> of an allocation failure.</summary>
    public const string Id = "OutOfMemory";

    /// <summary>PyTorch's text (without the source position of its enforce macro).</summary>
    public static TorchException For(long bytes) => TorchException.Runtime(Id, string.Create(CultureInfo.InvariantCulture,
        $"DefaultCPUAllocator: can't allocate memory: you tried to allocate {bytes} bytes. Error code 12 (Cannot allocate memory)"));

    /// <summary>The size in bytes of <paramref name="count"/> elements of <paramref name="dtype"/>.</summary>
    internal static long Bytes(DType dtype, long count) => count * dtype.ItemSize();
}
