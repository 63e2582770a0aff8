using System.Globalization;
using System.Runtime.CompilerServices;
using CsCheck;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Property tests that can be replayed. CsCheck's own Sample draws its cases from a clock-seeded generator on
/// several threads, so a run is never the same twice and a failure is known only by the seed it prints. Here every
/// case comes from a seed derived from the run's base seed and the test's name: the default run is the same cases
/// every time, a failure names the seed of its case, and CsCheck then shrinks from that case.
/// <list type="bullet">
/// <item>AUTOGRAD_PROPERTY_SEED (hex): another base seed, to explore new cases (build.ps1 Fuzz picks one and prints it).</item>
/// <item>AUTOGRAD_PROPERTY_SCALE: multiplies every test's case count (build.ps1 Fuzz runs 20 times as many).</item>
/// <item>CsCheck_Seed: replays the one case a failure printed.</item>
/// </list>
/// </summary>
internal static class Property
{
    /// <summary>The base seed of this run (printed by every property test).</summary>
    public static readonly ulong BaseSeed = ParseSeed(Environment.GetEnvironmentVariable("AUTOGRAD_PROPERTY_SEED"));

    /// <summary>The factor on every test's number of cases.</summary>
    public static readonly double Scale = ParseScale(Environment.GetEnvironmentVariable("AUTOGRAD_PROPERTY_SCALE"));

    /// <summary>Runs <paramref name="assert"/> on <paramref name="cases"/> (times <see cref="Scale"/>) seeded cases of <paramref name="gen"/>.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> assert, int cases, ITestOutputHelper? output = null,
        [CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        var replay = Environment.GetEnvironmentVariable("CsCheck_Seed");
        if (!string.IsNullOrWhiteSpace(replay))
        {
            output?.WriteLine($"replaying the case of seed {replay} (CsCheck_Seed)");
            gen.Sample(assert, seed: replay, iter: 1, threads: 1);
            return;
        }
        long count = Math.Max(1, (long)Math.Round(cases * Scale));
        uint stream = Stream(Path.GetFileNameWithoutExtension(file) + "." + test);
        output?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"property {test}: {count} cases, base seed {BaseSeed:X} (AUTOGRAD_PROPERTY_SEED={BaseSeed:X} reruns them)"));
        for (long i = 0; i < count; i++)
        {
            var pcg = new PCG(stream, BaseSeed + (ulong)i);
            var seed = pcg.ToString();
            T value = gen.Generate(pcg, null, out _);
            try
            {
                assert(value);
            }
            catch (Exception e)
            {
                throw new PropertyFailedException(test, i, seed, value, e, Shrink(gen, assert, seed));
            }
        }
    }

    /// <summary>CsCheck's shrinking from the failing case: its own report, with the smallest failing case found.</summary>
    private static string Shrink<T>(Gen<T> gen, Action<T> assert, string seed)
    {
        try
        {
            gen.Sample(assert, seed: seed, iter: 500, threads: 1);
            return "(CsCheck did not fail again from this seed)";
        }
        catch (CsCheckException shrunk)
        {
            return "CsCheck's smallest failing case: " + shrunk.Message;
        }
    }

    /// <summary>A stable stream per test (string.GetHashCode differs between processes).</summary>
    private static uint Stream(string name)
    {
        uint h = 2166136261;
        foreach (char c in name) h = (h ^ c) * 16777619;
        return h & 0x7FFFFFFF;
    }

    private static ulong ParseSeed(string? text) => string.IsNullOrWhiteSpace(text)
        ? 0x16_2024_0001UL
        : ulong.Parse(text.Trim().Replace("0x", "", StringComparison.OrdinalIgnoreCase), NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    private static double ParseScale(string? text) => string.IsNullOrWhiteSpace(text)
        ? 1
        : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}

/// <summary>A property that failed: the case, its seed, how to replay it, and what went wrong.</summary>
public sealed class PropertyFailedException(string test, long index, string seed, object? value, Exception inner, string shrunk)
    : Exception(string.Create(CultureInfo.InvariantCulture,
        $"Property {test} failed on case {index} (seed \"{seed}\"; replay it with CsCheck_Seed={seed}): {inner.Message}\nCase: {Check.Print(value)}\n{shrunk}"), inner);
