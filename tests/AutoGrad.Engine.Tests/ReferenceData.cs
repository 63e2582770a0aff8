using System.Collections;
using System.Text.Json;

namespace AutoGrad.Tests;

/// <summary>
/// Reads the PyTorch-generated reference data checked in under tests/data (each JSON file sits beside the Python
/// script that produced it): <c>Load("views")</c> or <c>Load("views.json")</c>.
/// </summary>
internal static class ReferenceData
{
    private static readonly Dictionary<string, JsonDocument> s_cache = [];

    public static JsonElement Load(string name)
    {
        var fileName = name.EndsWith(".json", StringComparison.Ordinal) ? name : name + ".json";
        lock (s_cache)
        {
            if (!s_cache.TryGetValue(fileName, out var doc))
                s_cache[fileName] = doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(DataDirectory(), fileName)));
            return doc.RootElement;
        }
    }

    /// <summary>The case of a reference file with this name.</summary>
    public static JsonElement Case(string fileName, string name) =>
        Load(fileName).GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    /// <summary>Every case name of a reference file, for [MemberData].</summary>
    public static IEnumerable<object[]> CaseNames(string fileName) =>
        Load(fileName).GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static string? String(JsonElement e, string property) =>
        e.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>A JSON value as the engine takes options: numbers as double, booleans, lists as double[].</summary>
    public static object? Value(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Array => Doubles(e),
        _ => null,
    };

    /// <summary>A JSON object as a Hashtable of <see cref="Value"/>s.</summary>
    public static Hashtable Dictionary(JsonElement obj)
    {
        var table = new Hashtable();
        foreach (var p in obj.EnumerateObject()) table[p.Name] = Value(p.Value);
        return table;
    }

    /// <summary>tests/data in the source tree (found upward from the test assembly), else the copy beside it.</summary>
    private static string DataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "data");
            if (File.Exists(Path.Combine(dir.FullName, "AutoGrad.PS.sln")) && Directory.Exists(candidate)) return candidate;
        }
        return Path.Combine(AppContext.BaseDirectory, "data");
    }
}
