using AutoGrad.Benchmarks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

// Usage: AutoGrad.Benchmarks [--smoke] [--peak-memory] [--leak-steps N] [--out DIR] [--docs FILE]
//                            [BenchmarkDotNet args, e.g. --filter *MatMul*]
//   --smoke  load libtorch (with the ELF patch), print torch.ones(2,2) and check both engines agree on a few ops.
//   --out    where the BenchmarkDotNet artifacts and the ratio summary (summary.md, ratios.svg) go.
//   --docs   also rewrite the generated section of docs/performance.md (between its result markers).
//   --peak-memory   only the MLP step peak-memory measurement (PeakMemory.cs): writes peak-memory.md in --out.
//                   A full run (filter *) does it too and puts its tables into summary.md and the docs section.
//   --leak-steps N  the peak-memory leak check also runs our engine's step N times in all (e.g. 100000).
//   --interleaved-only   only the interleaved (paired-round) measurement of the filtered cases (Interleaved.cs):
//                   writes interleaved.md in --out. Every other run does it too, after BenchmarkDotNet's.
//   --chart-from MD SVG   re-render the ratio chart from the table in an existing summary.md; runs nothing.
//   --elf-patch FILE      apply (or refuse) the libLibTorchSharp.so version-need patch to FILE; runs nothing.
//   --script-peer NAME ITERATIONS BATCHES   the libtorch side of a script-suite case (benchmarks/script/run.ps1).
var rest = new List<string>();
string outDir = Path.GetFullPath("BenchmarkDotNet.Artifacts");
string? docs = null;
bool smoke = false, peakOnly = false, interleavedOnly = false;
long leakSteps = 0;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--smoke": smoke = true; break;
        case "--chart-from": RatioReport.ChartFrom(args[i + 1], args[i + 2]); return 0;
        case "--elf-patch": // patch (or refuse) the given file; for checking the patcher on other copies
            try { Console.WriteLine($"{args[i + 1]}: {ElfVersionNeedPatcher.PatchFile(args[i + 1])}"); return 0; }
            catch (Exception e) when (e is InvalidDataException or IOException) { Console.WriteLine(e.Message); return 1; }
        case "--out": outDir = Path.GetFullPath(args[++i]); break;
        case "--docs": docs = Path.GetFullPath(args[++i]); break;
        case "--peak-memory": peakOnly = true; break;
        case "--interleaved-only": interleavedOnly = true; break;
        case "--leak-steps": leakSteps = long.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--peak-memory-child": // internal: one measurement in a fresh process, started by PeakMemory.Run
            return PeakMemory.Child(args[i + 1], args[i + 2], long.Parse(args[i + 3]));
        case "--script-peer": // internal: the libtorch side of a script-suite case (benchmarks/script/run.ps1)
            TorchRuntime.EnsureLoaded();
            return ScriptPeer.Run(args[i + 1], int.Parse(args[i + 2], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(args[i + 3], System.Globalization.CultureInfo.InvariantCulture));
        default: rest.Add(args[i]); break;
    }
}

// Before anything touches TorchSharp: patch libLibTorchSharp.so in the build output and load libtorch.
Console.WriteLine("torch.ones(2,2) =\n" + TorchRuntime.EnsureLoaded());
if (smoke) return Smoke.Run();
if (peakOnly)
{
    PeakMemory.Run(outDir, leakSteps, out bool peakFailed);
    return peakFailed ? 1 : 0;
}

// The filter may also come from AUTOGRAD_BENCH_FILTER: run.ps1 uses it because PowerShell on Unix expands a glob
// such as * in a native command's arguments to file names.
if (!rest.Any(a => a.StartsWith("--filter") || a == "-f"))
    rest.AddRange(["--filter", Environment.GetEnvironmentVariable("AUTOGRAD_BENCH_FILTER") is { Length: > 0 } f ? f : "*"]);

int filterAt = rest.FindIndex(a => a is "--filter" or "-f");
string[] globs = rest.Skip(filterAt + 1).TakeWhile(a => !a.StartsWith('-')).ToArray();
if (interleavedOnly)
{
    Directory.CreateDirectory(outDir);
    var paired = Interleaved.Run(globs, Console.Out);
    File.WriteAllText(Path.Combine(outDir, "interleaved.md"), Interleaved.Markdown(paired));
    return paired.Count == 0 ? 2 : 0;
}

// A full run (filter *) also measures the MLP step's peak memory, in child processes, before the timings.
bool fullRun = globs is ["*"];
string? peakSection = null;
bool peakMemoryFailed = false;
if (fullRun) peakSection = PeakMemory.Run(outDir, leakSteps, out peakMemoryFailed);

// A short job, in process: the machine is shared and 2-core, so runs must finish in minutes; in-process also means
// BenchmarkDotNet does not rebuild the project (and re-copy 600 MB of libtorch) per run, and our patched
// libLibTorchSharp.so is the one loaded. Few iterations: numbers are indicative, see docs/performance.md.
var job = Job.Default
    .WithToolchain(InProcessEmitToolchain.Instance)
    .WithLaunchCount(1)
    .WithWarmupCount(2)
    .WithIterationCount(5)
    .WithIterationTime(TimeInterval.FromMilliseconds(120))
    .WithId("short-inprocess");
var config = DefaultConfig.Instance
    .AddJob(job.AsDefault())
    .AddDiagnoser(MemoryDiagnoser.Default)
    .WithArtifactsPath(outDir)
    .WithOptions(ConfigOptions.DisableLogFile);

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest.ToArray(), config).ToArray();
if (summaries.Sum(s => s.Reports.Length) == 0)
{
    Console.Error.WriteLine("No benchmark matched the filter; nothing written.");
    return 2;
}
// Then the paired rounds (Interleaved.cs), after BenchmarkDotNet's measurements so they cannot disturb those.
var interleaved = Interleaved.Run(globs, Console.Out);
RatioReport.Write(summaries, outDir, docs, peakSection, interleaved);
return peakMemoryFailed || summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

public partial class Program;
