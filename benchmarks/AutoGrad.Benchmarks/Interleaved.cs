using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;

namespace AutoGrad.Benchmarks;

/// <summary>
/// A second, paired measurement of every side-by-side case: short rounds of our engine and of libtorch taken in
/// turn (ours, libtorch, libtorch, ours, ...), one ratio per round, and the median of those ratios.
///
/// Why: BenchmarkDotNet measures a case's two methods one after the other, a few seconds apart. On this shared VM
/// the memory system's speed drifts on that time scale (other tenants' traffic in the host's memory and its 32 MB
/// L3): a float32 1e7 sum on two threads measured anywhere from 245 to 720 µs per call within one 2-second case,
/// and libtorch's own time for it swung as much. Whichever engine happens to run in a slow phase loses. Rounds of
/// ~25 ms taken alternately put both engines into the same phases, so each round's ratio compares like with like,
/// and the median over rounds drops the rounds a phase change split. BenchmarkDotNet's numbers stay the primary
/// table; this column says how much of a ratio is the machine's drift.
/// </summary>
public static class Interleaved
{
    public sealed record Result(double Median, double Q1, double Q3, double OursNs, double TorchNs);

    private static readonly TimeSpan RoundTime = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan WarmTime = TimeSpan.FromMilliseconds(250);
    /// <summary>Rounds per case: 16, or AUTOGRAD_BENCH_ROUND_COUNT (more rounds narrow the quartiles of a case
    /// that sits near 1.0; 80 take about 5x as long).</summary>
    public static readonly int RoundCount =
        int.TryParse(Environment.GetEnvironmentVariable("AUTOGRAD_BENCH_ROUND_COUNT"), out int n) && n > 0 ? n : 16;

    /// <summary>Runs every side-by-side case whose "Namespace.Class.Method" name matches one of the
    /// BenchmarkDotNet-style globs (as <c>--filter</c>), prints a line per case, and returns the results by
    /// <see cref="Key"/>.</summary>
    public static Dictionary<string, Result> Run(string[] globs, TextWriter log)
    {
        var match = new Regex("^(" + string.Join("|", globs.Select(g => Regex.Escape(g).Replace(@"\*", ".*")
            .Replace(@"\?", "."))) + ")$", RegexOptions.IgnoreCase);
        var results = new Dictionary<string, Result>();
        var types = typeof(SideBySide).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(SideBySide)) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal);
        foreach (var type in types)
        {
            string fullName = type.FullName!;
            if (!match.IsMatch(fullName + ".Ours") && !match.IsMatch(fullName + ".Torch")) continue;
            foreach (var parameters in Combinations(type))
            {
                string key = Key(type.Name, parameters.Select(p => (p.Key.Name, p.Value.ToString()!)));
                if (!Wanted(key)) continue;
                var result = RunCase(type, parameters);
                results[key] = result;
                log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"interleaved {key}: {result.Median:0.00} (quartiles {result.Q1:0.00}-{result.Q3:0.00}; " +
                    $"ours {result.OursNs:0} ns, libtorch {result.TorchNs:0} ns per call)"));
            }
        }
        return results;
    }

    /// <summary>AUTOGRAD_BENCH_CASE=Op=mul,Size=1000000 narrows a run to the cases whose key holds every listed
    /// name=value (for looking at one case's rounds).</summary>
    private static bool Wanted(string key) =>
        Environment.GetEnvironmentVariable("AUTOGRAD_BENCH_CASE") is not { Length: > 0 } only ||
        only.Split(',').All(part => key.Split('|', ',').Contains(part));

    /// <summary>The case key both this class and the ratio report use: class name, then name=value sorted by name.</summary>
    public static string Key(string typeName, IEnumerable<(string Name, string Value)> parameters) =>
        typeName + "|" + string.Join(",", parameters.OrderBy(p => p.Name, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    private static Result RunCase(Type type, List<KeyValuePair<PropertyInfo, object>> parameters)
    {
        object instance = Activator.CreateInstance(type)!;
        foreach (var (property, value) in parameters) property.SetValue(instance, value);
        Invoke<GlobalSetupAttribute>(instance);
        try
        {
            Action ours = Bind(instance, "Ours"), torch = Bind(instance, "Torch");
            GC.Collect();
            long oursCalls = Calibrate(ours), torchCalls = Calibrate(torch);
            var ratios = new double[RoundCount];
            var oursNs = new double[RoundCount];
            var torchNs = new double[RoundCount];
            for (int r = 0; r < RoundCount; r++)
            {
                // ours-libtorch, then libtorch-ours: neither engine always runs right after the other.
                if (r % 2 == 0) { oursNs[r] = Settled(ours, oursCalls); torchNs[r] = Settled(torch, torchCalls); }
                else { torchNs[r] = Settled(torch, torchCalls); oursNs[r] = Settled(ours, oursCalls); }
                ratios[r] = oursNs[r] / torchNs[r];
            }
            if (Environment.GetEnvironmentVariable("AUTOGRAD_BENCH_ROUNDS") == "1")   // each round's times, to look at drift
                Console.WriteLine(string.Join(" ", oursNs.Zip(torchNs, (o, t) =>
                    string.Create(CultureInfo.InvariantCulture, $"{o / 1e3:0.0}/{t / 1e3:0.0}"))));
            Array.Sort(ratios);
            return new Result(Quantile(ratios, 0.5), Quantile(ratios, 0.25), Quantile(ratios, 0.75), Median(oursNs),
                Median(torchNs));
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(instance);
        }
    }

    /// <summary>Warms the call up (JIT tiers, pools, caches) for <see cref="WarmTime"/>, and returns how many calls
    /// make one round.</summary>
    private static long Calibrate(Action call)
    {
        var sw = Stopwatch.StartNew();
        long calls = 0;
        while (sw.Elapsed < WarmTime || calls < 3) { call(); calls++; }
        double perCall = Time(call, Math.Max(1, calls / 10));
        return Math.Max(1, (long)(RoundTime.TotalMilliseconds * 1e6 / perCall));
    }

    /// <summary>
    /// <see cref="Time"/> after a pause that lets the other engine's threads go to sleep. Both engines' thread teams
    /// spin for a while after each parallel loop before they block: ours for 200 µs, libtorch's OpenMP team for a
    /// few milliseconds (libgomp's default spin count). Without the pause, a two-thread round of ours that came
    /// right after libtorch's shared the two cores with its still-spinning thread: a 1e6 float32 mul took 80 µs a
    /// call in those rounds against 67 µs in rounds after our own, while libtorch lost only 2-3 µs after ours.
    /// </summary>
    private static double Settled(Action call, long calls)
    {
        Thread.Sleep(SettleTime);
        return Time(call, calls);
    }

    private static readonly TimeSpan SettleTime = TimeSpan.FromMilliseconds(20);

    /// <summary>Nanoseconds per call over <paramref name="calls"/> back-to-back calls.</summary>
    private static double Time(Action call, long calls)
    {
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < calls; i++) call();
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / calls;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return Quantile(sorted, 0.5);
    }

    /// <summary>Linear interpolation between the closest ranks of a sorted array.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        double at = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(at), hi = (int)Math.Ceiling(at);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
    }

    /// <summary>Every combination of the case class's [Params] / [ParamsSource] values.</summary>
    private static IEnumerable<List<KeyValuePair<PropertyInfo, object>>> Combinations(Type type)
    {
        var axes = new List<(PropertyInfo Property, object[] Values)>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<ParamsAttribute>() is { } values)
                axes.Add((p, values.Values.Select(v => v!).ToArray()));
            else if (p.GetCustomAttribute<ParamsSourceAttribute>() is { } source)
            {
                var member = type.GetProperty(source.Name, BindingFlags.Public | BindingFlags.Static | BindingFlags.FlattenHierarchy)!;
                axes.Add((p, ((System.Collections.IEnumerable)member.GetValue(null)!).Cast<object>().ToArray()));
            }
        }
        IEnumerable<List<KeyValuePair<PropertyInfo, object>>> combos = [[]];
        foreach (var (property, values) in axes)
            combos = combos.SelectMany(c => values.Select(v => new List<KeyValuePair<PropertyInfo, object>>(c) { new(property, v) }));
        return combos;
    }

    private static void Invoke<TAttribute>(object instance) where TAttribute : Attribute
    {
        foreach (var m in instance.GetType().GetMethods().Where(m => m.GetCustomAttribute<TAttribute>() is not null))
            m.Invoke(instance, null);
    }

    /// <summary>A direct delegate to a benchmark method (reflection's Invoke would add ~50 ns a call, as much as some
    /// of the 2x2 cases take); a returned value is kept alive as BenchmarkDotNet's consumer keeps it.</summary>
    private static Action Bind(object instance, string name)
    {
        var method = instance.GetType().GetMethod(name)!;
        if (method.ReturnType == typeof(void)) return method.CreateDelegate<Action>(instance);
        var func = method.CreateDelegate(typeof(Func<>).MakeGenericType(method.ReturnType), instance);
        return (Action)typeof(Interleaved).GetMethod(nameof(Consume), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(method.ReturnType).Invoke(null, [func])!;
    }

    private static object? s_sink;

    private static Action Consume<T>(Func<T> func) => () => s_sink = func();

    /// <summary>The results as a markdown table (interleaved.md of an --interleaved-only run).</summary>
    public static string Markdown(Dictionary<string, Result> results)
    {
        var md = new StringBuilder("| case | ours | libtorch | interleaved ratio | quartiles |\n|---|---:|---:|---:|---|\n");
        foreach (var (key, r) in results)
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {key.Replace('|', ' ')} | {r.OursNs:0} ns | {r.TorchNs:0} ns | {r.Median:0.00} | {r.Q1:0.00}-{r.Q3:0.00} |"));
        return md.ToString();
    }
}
