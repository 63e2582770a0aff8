using System.Globalization;
using System.Runtime.InteropServices;

namespace AutoGrad.Engine.Tests;

public class HugePagesTests
{
    private const long M2 = 2L << 20;

    public static TheoryData<long, long, long, long> Ranges => new()
    {
        // address, bytes -> start, length of the whole 2 MB pages inside
        { M2, 2 * M2, M2, 2 * M2 },                  // aligned both ends: all of it
        { M2 + 16, 4 * M2, 2 * M2, 3 * M2 },         // a large object's data starts 16 bytes in: the partial first page is left out
        { M2 + 16, 2 * M2, 2 * M2, M2 },             // 4 MB from 16 bytes past a boundary: one whole page
        { M2 + 16, 2 * M2 - 32, 0, 0 },              // ends before the second boundary: none
        { 3 * M2 - 8, M2 + 8, 3 * M2, M2 },          // ends exactly on a boundary
        { 0x7f00_0000_1000, 40_000_000, 0x7f00_0020_0000, 18 * M2 },  // a 1e7-float array (38.1 MiB) 4 KB past a boundary: 18 whole pages
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void Only_whole_huge_pages_inside_the_array_are_advised(long address, long bytes, long start, long length)
    {
        var (s, l) = HugePages.InteriorPages((nint)address, bytes);
        Assert.Equal((start, length), ((long)s, l));
        if (l > 0)
        {
            Assert.True(s >= address && s + l <= address + bytes);
            Assert.Equal(0, s % M2);
            Assert.Equal(0, l % M2);
        }
    }

    [Fact]
    public void A_large_new_storage_array_is_marked_for_huge_pages_on_Linux()
    {
        // An odd length, so the storage is a new array and not one a disposed tensor left in the pool.
        using var t = Tensor.Zeros([4_000_003], DType.Float64);
        var data = (double[])t.Buffer;
        Assert.All(data, v => Assert.Equal(0.0, v));
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("AUTOGRAD_HUGE_PAGES") == "0")
        {
            Assert.False(HugePages.Enabled);
            return;
        }
        Assert.True(HugePages.Enabled);
        const string setting = "/sys/kernel/mm/transparent_hugepage/enabled";
        if (!File.Exists(setting) || File.ReadAllText(setting).Contains("[never]")) return;  // a kernel without THP
        var pin = GCHandle.Alloc(data, GCHandleType.Pinned);
        try
        {
            var (start, length) = HugePages.InteriorPages(pin.AddrOfPinnedObject(), 8L * data.Length);
            Assert.True(length >= 14 * M2);
            Assert.Contains("hg", VmFlagsAt(start));
            Assert.Contains("hg", VmFlagsAt(start + length - 1));
        }
        finally
        {
            pin.Free();
        }
    }

    /// <summary>The VmFlags of the mapping that holds an address, from /proc/self/smaps.</summary>
    private static string[] VmFlagsAt(long address)
    {
        bool inside = false;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            int dash = line.IndexOf('-');
            int space = line.IndexOf(' ');
            if (dash > 0 && space > dash && long.TryParse(line.AsSpan(0, dash), NumberStyles.HexNumber, null, out long lo) &&
                long.TryParse(line.AsSpan(dash + 1, space - dash - 1), NumberStyles.HexNumber, null, out long hi))
                inside = address >= lo && address < hi;
            else if (inside && line.StartsWith("VmFlags:"))
                return line["VmFlags:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        throw new InvalidOperationException($"no mapping holds 0x{address:x}");
    }
}
