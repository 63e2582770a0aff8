using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace AutoGrad.Benchmarks;

/// <summary>
/// Peak memory of one MLP training step (<see cref="MlpStep"/>, the timing benchmark's own Ours/Torch methods), for
/// both engines, measured the same way for both: the process's resident-set high-water mark.
///
/// Method. Each (engine, dtype) runs in a fresh child process (this exe, re-invoked with
/// <c>--peak-memory-child ENGINE DTYPE LEAKSTEPS</c>) at 1 thread, so one measurement cannot inherit another's heap or
/// allocator state. The child runs <see cref="MlpStep.Setup"/> (inputs and parameters of both engines; libtorch is
/// loaded in both children), warms up (JIT tiering, thread pools, allocator state), then:
/// <list type="bullet">
/// <item><b>One step</b>: release what is free (a blocking, compacting, <see cref="GCCollectionMode.Aggressive"/>
/// collection, which also decommits free GC memory, and glibc's <c>malloc_trim(0)</c>, which returns libtorch's
/// freed blocks to the kernel), read VmRSS, reset VmHWM by writing "5" to /proc/self/clear_refs (Linux >= 4.0), run
/// one step, read VmHWM. Peak = VmHWM - VmRSS before: the extra resident memory the step needed at its peak,
/// managed and native alike. Median of <see cref="Reps"/> repetitions. For our engine this is close to the bytes
/// the step allocates (a managed step frees nothing until a GC, and one step triggers none); libtorch frees each
/// intermediate as soon as it dies, so its peak is its largest set of live tensors plus allocator overhead.</item>
/// <item><b>Steady state</b>: the same reset, then <see cref="WindowSteps"/> steps back to back: the footprint of
/// a training loop, including the GC's gen-0 budget (ours) and what glibc keeps of freed blocks (libtorch).</item>
/// <item><b>Leak check</b>: VmRSS and the managed heap after a full release, after the above, then after each of
/// two rounds of <see cref="LeakSteps"/> more steps, and optionally (our engine only, <c>--leak-steps N</c>) at four
/// evenly spaced points up to N steps in all. A leak grows at every point; the runtime's own native memory moves
/// by up to a few MB either way.</item>
/// </list>
/// Page granularity (4 KiB) and the runtime's own activity (tiered JIT, timers) add a little noise; medians hide
/// most of it.
/// </summary>
public static class PeakMemory
{
    public const int Reps = 15;
    public const int WindowSteps = 200;
    public const int LeakSteps = 2_000;
    private const string Tag = "PEAKMEM ";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    // ---- child side -------------------------------------------------------------------------------------------

    /// <summary>Runs in the child process; prints one <c>PEAKMEM key=value ...</c> line. Returns the exit code.</summary>
    public static int Child(string engine, string dtype, long leakSteps)
    {
        if (!ResetHwm())
        {
            Console.WriteLine("/proc/self/clear_refs cannot reset VmHWM here (needs Linux >= 4.0); no measurement.");
            return 3;
        }
        var bench = new MlpStep { DType = Enum.Parse<DType>(dtype), Threads = 1 };
        bench.Setup();
        Action step = engine switch
        {
            "ours" => () => bench.Ours(),
            "torch" => bench.Torch,
            _ => throw new ArgumentException($"engine must be ours or torch, not {engine}"),
        };

        // Warm-up: at least 300 steps and 1.5 s, so tier-1 JIT (which recompiles in the background after 30 calls
        // and a 100 ms delay) and the allocators have settled before anything is measured.
        var sw = Stopwatch.StartNew();
        long stepsDone = 0;
        for (; stepsDone < 300 || sw.ElapsedMilliseconds < 1500; stepsDone++) step();

        // One step, from a released state.
        var peaks = new List<long>();
        var allocs = new List<long>();
        for (int r = 0; r < Reps; r++)
        {
            Release();
            long rss0 = Status().Rss;
            ResetHwm();
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            step();
            long a1 = GC.GetAllocatedBytesForCurrentThread();
            peaks.Add(Status().Hwm - rss0);
            allocs.Add(a1 - a0);
            stepsDone++;
        }

        // Steady state over a window of steps.
        Release();
        long wRss0 = Status().Rss;
        int gc0 = GC.CollectionCount(0), gc2 = GC.CollectionCount(2);
        ResetHwm();
        sw.Restart();
        for (int i = 0; i < WindowSteps; i++) step();
        double stepMs = sw.Elapsed.TotalMilliseconds / WindowSteps;
        long windowPeak = Status().Hwm - wRss0;
        int gens0 = GC.CollectionCount(0) - gc0, gens2 = GC.CollectionCount(2) - gc2;
        stepsDone += WindowSteps;

        // Leak check: resident set and managed heap after a full release, now, after LeakSteps more steps, after
        // LeakSteps more again, and (ours only, when asked) once leakSteps steps in all have run. Step counts include
        // the warm-up. The first interval may still show the runtime settling (JIT, thread stacks); a leak grows in
        // every interval.
        var leak = new List<(long Steps, long Rss, long Anon, long Heap, long Committed)>();
        void Point()
        {
            Release();
            var st = Status();
            leak.Add((stepsDone, st.Rss, st.Anon, GC.GetTotalMemory(false), GC.GetGCMemoryInfo().TotalCommittedBytes));
        }
        Point();
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < LeakSteps; i++, stepsDone++) step();
            Point();
        }
        if (engine == "ours" && leakSteps > stepsDone) // in four legs, so a trend shows apart from a one-off
        {
            long from = stepsDone;
            for (int leg = 1; leg <= 4; leg++)
            {
                for (long to = from + (leakSteps - from) * leg / 4; stepsDone < to; stepsDone++) step();
                Point();
            }
        }
        bench.Cleanup();

        var line = new StringBuilder(Tag);
        line.Append(Inv, $"engine={engine} dtype={dtype} peak={Median(peaks)} peakMin={peaks.Min()} peakMax={peaks.Max()} ");
        line.Append(Inv, $"alloc={Median(allocs)} window={windowPeak} windowGen0={gens0} windowGen2={gens2} ");
        line.Append(Inv, $"stepMs={stepMs:0.000} leak={string.Join(';', leak.Select(l => $"{l.Steps}:{l.Rss}:{l.Anon}:{l.Heap}:{l.Committed}"))}");
        Console.WriteLine(line.ToString());
        return 0;
    }

    private static long Median(List<long> v)
    {
        var s = v.Order().ToArray();
        return s[s.Length / 2];
    }

    /// <summary>Gives back everything free: an aggressive (decommitting) full blocking GC, finalizers, again, and
    /// glibc's malloc_trim for native memory (libtorch's CPU allocator is plain posix_memalign/free).</summary>
    private static void Release()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        MallocTrim(0);
    }

    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS. Checks that it worked.</summary>
    private static bool ResetHwm()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
        var s = Status();
        return s.Hwm <= s.Rss + 64 * 1024; // a few pages may fault in between the two reads
    }

    private static readonly byte[] StatusBuffer = new byte[16384];

    /// <summary>VmRSS and VmHWM in bytes, read into a preallocated buffer so that reading them does not itself
    /// touch fresh managed memory.</summary>
    private static (long Rss, long Hwm, long Anon) Status()
    {
        int n;
        using (var h = File.OpenHandle("/proc/self/status")) n = RandomAccess.Read(h, StatusBuffer, 0);
        return (Field(n, "VmRSS:"u8), Field(n, "VmHWM:"u8), Field(n, "RssAnon:"u8));
    }

    private static long Field(int n, ReadOnlySpan<byte> key)
    {
        var s = StatusBuffer.AsSpan(0, n);
        int i = s.IndexOf(key);
        if (i < 0) throw new InvalidDataException("no " + Encoding.ASCII.GetString(key) + " in /proc/self/status");
        long kb = 0;
        for (i += key.Length; s[i] == ' ' || s[i] == '\t'; i++) { }
        for (; s[i] >= '0' && s[i] <= '9'; i++) kb = kb * 10 + (s[i] - '0');
        return kb * 1024;
    }

    // ---- parent side ------------------------------------------------------------------------------------------

    private sealed record Result(string Engine, string DType, long Peak, long PeakMin, long PeakMax, long Alloc,
        long Window, int WindowGen0, int WindowGen2, double StepMs, (long Steps, long Rss, long Anon, long Heap, long Committed)[] Leak);

    /// <summary>Runs the four children (ours/libtorch x float32/float64), prints and returns the markdown section.
    /// <paramref name="failed"/> is set when a child did not produce a measurement.</summary>
    public static string Run(string outDir, long leakSteps, out bool failed)
    {
        failed = false;
        var results = new List<Result>();
        var errors = new List<string>();
        var total = Stopwatch.StartNew();
        foreach (var dtype in new[] { "Float32", "Float64" })
            foreach (var engine in new[] { "ours", "torch" })
            {
                var sw = Stopwatch.StartNew();
                var (r, err) = RunChild(engine, dtype, leakSteps);
                Console.WriteLine($"peak memory {engine} {dtype}: " + (r is null ? "FAILED " + err :
                    $"one step {Bytes(r.Peak)} (min {Bytes(r.PeakMin)}, max {Bytes(r.PeakMax)}), managed alloc " +
                    $"{Bytes(r.Alloc)}, {WindowSteps} steps {Bytes(r.Window)} ({r.WindowGen0} gen0 GCs, {r.WindowGen2} gen2), {r.StepMs:0.000} ms/step, leak " +
                    string.Join(" ", r.Leak.Select(l => $"{l.Steps}:{Bytes(l.Rss)}/{Bytes(l.Anon)}/{Bytes(l.Heap)}/{Bytes(l.Committed)}"))) +
                    $" ({sw.Elapsed.TotalSeconds:0.0} s)");
                if (r is null) { failed = true; errors.Add($"{engine} {dtype}: {err}"); }
                else results.Add(r);
            }
        Console.WriteLine($"Peak-memory measurement took {total.Elapsed.TotalSeconds:0} s.");

        string section = Markdown(results, errors, leakSteps);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "peak-memory.md"), "# MLP step peak memory\n\n" + section);
        Console.WriteLine($"Peak memory: {Path.Combine(outDir, "peak-memory.md")}");
        return section;
    }

    private static (Result?, string) RunChild(string engine, string dtype, long leakSteps)
    {
        // Re-invoke this program: the apphost directly, or `dotnet AutoGrad.Benchmarks.dll` when run that way.
        var psi = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            psi.ArgumentList.Add(typeof(PeakMemory).Assembly.Location);
        foreach (var a in new[] { "--peak-memory-child", engine, dtype, leakSteps.ToString(Inv) }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith(Tag, StringComparison.Ordinal));
        if (p.ExitCode != 0 || line is null)
            return (null, $"exit {p.ExitCode}: {(stdout + stderr.Result).Trim().Split('\n').LastOrDefault()}");
        var kv = line[Tag.Length..].Trim().Split(' ').Select(x => x.Split('=', 2)).ToDictionary(x => x[0], x => x[1]);
        long L(string k) => long.Parse(kv[k], Inv);
        var leak = kv["leak"].Split(';').Select(x => x.Split(':'))
            .Select(x => (long.Parse(x[0], Inv), long.Parse(x[1], Inv), long.Parse(x[2], Inv), long.Parse(x[3], Inv),
                long.Parse(x[4], Inv)))
            .ToArray();
        return (new Result(engine, dtype, L("peak"), L("peakMin"), L("peakMax"), L("alloc"), L("window"),
            int.Parse(kv["windowGen0"], Inv), int.Parse(kv["windowGen2"], Inv), double.Parse(kv["stepMs"], Inv),
            leak), "");
    }

    private static string Markdown(List<Result> results, List<string> errors, long leakSteps)
    {
        var md = new StringBuilder();
        md.AppendLine("MLP step peak memory (`MlpStep`, 64x784-128-10, forward + backward + grads reset, 1 thread): " +
                      "the process's resident-set high-water mark, the same measure for both engines. Each engine " +
                      "and dtype runs in a fresh child process; after setup and a 1.5 s warm-up, free memory is " +
                      "released (an aggressive, decommitting full GC and glibc `malloc_trim`), VmRSS is read, VmHWM " +
                      $"is reset through `/proc/self/clear_refs`, one step runs, and *peak* = VmHWM - VmRSS (median " +
                      $"of {Reps}). Ours frees nothing until a GC, so its peak is about what the step allocates; " +
                      "libtorch frees each intermediate when it dies, so its peak is its largest live set. " +
                      $"*managed alloc* = managed bytes allocated per step. *{WindowSteps} steps* = the same peak " +
                      "over a loop of steps (includes the GC's gen-0 budget, resp. what glibc keeps of freed blocks). " +
                      "Inputs and parameters (allocated before the reset) are not counted.").AppendLine();
        md.AppendLine($"| dtype | ours | libtorch | ratio | ours managed alloc | libtorch managed alloc | ours {WindowSteps} steps | libtorch {WindowSteps} steps |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var dtype in results.Select(r => r.DType).Distinct())
        {
            var o = results.FirstOrDefault(r => r.DType == dtype && r.Engine == "ours");
            var t = results.FirstOrDefault(r => r.DType == dtype && r.Engine == "torch");
            string ratio = o is not null && t is not null && t.Peak > 0 ? ((double)o.Peak / t.Peak).ToString("0.00", Inv) : "";
            md.AppendLine($"| {dtype.Replace("Float", "f")} | {Bytes(o?.Peak)} | {Bytes(t?.Peak)} | **{ratio}** | " +
                          $"{Bytes(o?.Alloc)} | {Bytes(t?.Alloc)} | {Bytes(o?.Window)}{(o is null ? "" : $" ({o.WindowGen0} GCs)")} | {Bytes(t?.Window)} |");
        }
        md.AppendLine().AppendLine("Leak check: VmRSS, the managed heap and the GC's committed memory after a full release, at increasing step " +
                                   "counts (warm-up included); growth = since the row above. A leak grows in every interval; a " +
                                   "step up in the first interval alone is the runtime settling (JIT, code pages)." +
                                   (leakSteps > 0 ? $" The long run (to {leakSteps:N0} steps, in four legs) is ours only." : ""))
            .AppendLine();
        md.AppendLine("| engine | dtype | steps | RSS | anonymous RSS | managed heap | GC committed | RSS growth | anonymous RSS growth |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            for (int i = 0; i < r.Leak.Length; i++)
            {
                var (l, prev) = (r.Leak[i], r.Leak[Math.Max(0, i - 1)]);
                md.AppendLine($"| {(r.Engine == "ours" ? "ours" : "libtorch")} | {r.DType.Replace("Float", "f")} | " +
                              $"{l.Steps:N0} | {Bytes(l.Rss)} | {Bytes(l.Anon)} | {Bytes(l.Heap)} | {Bytes(l.Committed)} | " +
                              (i == 0 ? "| |" : $"{SignedBytes(l.Rss - prev.Rss)} | {SignedBytes(l.Anon - prev.Anon)} |"));
            }
        foreach (var e in errors) md.AppendLine().AppendLine($"Peak-memory child failed: {e}");
        return md.ToString();
    }

    private static string Bytes(long? b) => b is not { } v ? "" : v switch
    {
        < 1024 => $"{v} B",
        < 1024 * 1024 => $"{(v / 1024.0).ToString("0.0", Inv)} KB",
        _ => $"{(v / 1024.0 / 1024).ToString("0.00", Inv)} MB",
    };

    private static string SignedBytes(long b) => b == 0 ? "0" : (b > 0 ? "+" : "-") + Bytes(Math.Abs(b));
}
