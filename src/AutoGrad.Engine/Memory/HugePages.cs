using System.Runtime.InteropServices;

namespace AutoGrad;

/// <summary>
/// Asks Linux to back large storage arrays with 2 MB pages (transparent huge pages in "madvise" mode, the default
/// of Debian and many other distributions: only memory that asks gets them). A kernel sweeping a 40 MB array
/// otherwise touches 10,000 pages of 4 KB, far more than the TLB holds, and every new page costs a page-table
/// walk; with the advice a 1e7-float sum ran about 12% faster (docs/performance.md, design measurements). PyTorch
/// offers the same for its CPU allocator (THP_MEM_ALLOC_ENABLE).
/// <para>
/// Only the whole 2 MB pages inside an array are advised, so no memory outside it is made huge and the array's
/// own pages are all written anyway. The advice is a hint: kernels without transparent huge pages ignore it or
/// refuse it, and nothing changes. Set AUTOGRAD_HUGE_PAGES=0 to turn it off.
/// </para>
/// </summary>
internal static unsafe class HugePages
{
    internal const long PageBytes = 2L << 20;

    /// <summary>Arrays from this size on are advised (at least one whole huge page lies inside).</summary>
    internal const long MinBytes = 2 * PageBytes;

    private const int MadvHugePage = 14;  // MADV_HUGEPAGE in <sys/mman.h> on every Linux architecture

    private static readonly delegate* unmanaged<nint, nuint, int, int> Madvise = Resolve();

    /// <summary>True when advice is given: Linux, madvise found in libc, not turned off by AUTOGRAD_HUGE_PAGES=0.</summary>
    internal static bool Enabled => Madvise != null;

    private static delegate* unmanaged<nint, nuint, int, int> Resolve()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("AUTOGRAD_HUGE_PAGES") == "0") return null;
        return NativeLibrary.TryLoad("libc.so.6", out var libc) && NativeLibrary.TryGetExport(libc, "madvise", out var f)
            ? (delegate* unmanaged<nint, nuint, int, int>)f
            : null;
    }

    /// <summary>Advises the whole huge pages inside a freshly allocated array, before anything writes it.</summary>
    internal static void Advise<T>(T[] array) where T : unmanaged
    {
        long bytes = (long)array.Length * sizeof(T);
        if (Madvise == null || bytes < MinBytes) return;
        // Arrays this large normally live in the large object heap, which the runtime does not compact. Where they
        // can move (a raised GCLOHThreshold puts them in the small object heap; a program may ask for the large
        // one to be compacted), the advice stays behind with the old range: the array loses the speed-up, and
        // whatever the runtime puts there gains it.
        fixed (T* p = array)
        {
            var (start, length) = InteriorPages((nint)p, bytes);
            if (length > 0) _ = Madvise(start, (nuint)length, MadvHugePage);
        }
    }

    /// <summary>The whole huge pages inside [address, address + bytes): start and length, length 0 when none.</summary>
    internal static (nint Start, long Length) InteriorPages(nint address, long bytes)
    {
        long first = ((long)address + PageBytes - 1) & ~(PageBytes - 1);
        long end = ((long)address + bytes) & ~(PageBytes - 1);
        return end > first ? ((nint)first, end - first) : (0, 0);
    }
}
