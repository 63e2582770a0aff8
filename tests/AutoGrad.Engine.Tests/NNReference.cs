using System.Text.Json;
using AutoGrad.NN;
using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>
/// Reads tests/data/nn_layers.json, which tests/data/nn_layers.py wrote from real PyTorch (1.13, Debian's
/// python3-torch): tensors, reprs, node names and error messages for the layers and the global generator.
/// </summary>
internal static class NNReference
{
    private static readonly Lazy<JsonElement> s_root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tests", "data", "nn_layers.json"))) dir = dir.Parent;
        if (dir is null) throw new FileNotFoundException("tests/data/nn_layers.json not found above " + AppContext.BaseDirectory);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir.FullName, "tests", "data", "nn_layers.json")));
        return doc.RootElement.Clone();
    });

    public static JsonElement Root => s_root.Value;

    /// <summary>Indices 0..n-1 of a top-level array, as xUnit theory data.</summary>
    public static TheoryData<int> Indices(string property)
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < Root.GetProperty(property).GetArrayLength(); i++) data.Add(i);
        return data;
    }

    public static DType ParseDType(string name) => name switch
    {
        "float32" => DType.Float32,
        "float64" => DType.Float64,
        "int64" => DType.Int64,
        _ => throw new ArgumentException(name),
    };

    public static int[] Shape(JsonElement t) => t.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double[] Values(JsonElement t) => t.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static Tensor ToTensor(JsonElement t, bool requiresGrad = false)
    {
        var dtype = ParseDType(t.GetProperty("dtype").GetString()!);
        return Tensor.FromDoubles(Values(t), Shape(t), dtype, requiresGrad && dtype.IsFloating());
    }

    /// <summary>Same shape, dtype and bit-identical values (float32 widened to double is exact both ways).</summary>
    public static void AssertExact(JsonElement expected, Tensor actual, string what)
    {
        Assert.True(Shapes.Equal(Shape(expected), actual.Shape), $"{what}: shape [{Shapes.Join(actual.Shape)}], expected [{Shapes.Join(Shape(expected))}]");
        Assert.Equal(ParseDType(expected.GetProperty("dtype").GetString()!), actual.DType);
        var want = Values(expected);
        var got = actual.ToDoubleArray();
        for (int i = 0; i < want.Length; i++)
            Assert.True(want[i].Equals(got[i]), $"{what}[{i}]: {got[i]:R}, PyTorch {want[i]:R}");
    }

    /// <summary>
    /// Close to PyTorch: |a - e| &lt;= tol * max(1, |e|), tol 1e-12 for float64 and 2e-6 for float32 (its kernels
    /// sum in another order than ours).
    /// </summary>
    public static void AssertClose(JsonElement expected, Tensor actual, string what, double? tolerance = null)
    {
        Assert.True(Shapes.Equal(Shape(expected), actual.Shape), $"{what}: shape [{Shapes.Join(actual.Shape)}], expected [{Shapes.Join(Shape(expected))}]");
        var dtype = ParseDType(expected.GetProperty("dtype").GetString()!);
        Assert.Equal(dtype, actual.DType);
        double tol = tolerance ?? (dtype == DType.Float32 ? 2e-6 : 1e-12);
        var want = Values(expected);
        var got = actual.ToDoubleArray();
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - got[i]) <= tol * Math.Max(1, Math.Abs(want[i])),
                $"{what}[{i}]: {got[i]:R}, PyTorch {want[i]:R}");
    }

    /// <summary>The module a spec describes (its args are New-Layer's parameter names), drawing from <paramref name="g"/>.</summary>
    public static Module Build(JsonElement spec, Generator? g)
    {
        var type = spec.GetProperty("type").GetString()!;
        var args = spec.TryGetProperty("args", out var a) ? a : default;
        bool Has(string name) => args.ValueKind == JsonValueKind.Object && args.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
        int Int(string name, int fallback = 0) => Has(name) ? args.GetProperty(name).GetInt32() : fallback;
        double Dbl(string name, double fallback) => Has(name) ? args.GetProperty(name).GetDouble() : fallback;
        bool Bool(string name, bool fallback) => Has(name) ? args.GetProperty(name).GetBoolean() : fallback;
        var dtype = Has("DType") ? ParseDType(args.GetProperty("DType").GetString()!) : DType.Float32;
        return type switch
        {
            "Linear" => new Linear(Int("InFeatures"), Int("OutFeatures"), Bool("Bias", true), dtype, g),
            "Sequential" => new Sequential(spec.GetProperty("layers").EnumerateArray().Select(s => Build(s, g)).ToArray()),
            "ReLU" => new ReLU(),
            "Tanh" => new Tanh(),
            "Sigmoid" => new Sigmoid(),
            "SiLU" => new SiLU(),
            "Identity" => new Identity(),
            "GELU" => new GELU(Has("Approximate") ? args.GetProperty("Approximate").GetString()! : "none"),
            "LeakyReLU" => new LeakyReLU(Dbl("NegativeSlope", 0.01)),
            "Softmax" => new Softmax(Has("Dim") ? Int("Dim") : null),
            "LogSoftmax" => new LogSoftmax(Has("Dim") ? Int("Dim") : null),
            "Dropout" => new Dropout(Dbl("P", 0.5)) { Generator = g },
            "Flatten" => new Flatten(Int("StartDim", 1), Int("EndDim", -1)),
            "Embedding" => new Embedding(Int("NumEmbeddings"), Int("EmbeddingDim"), Has("PaddingIdx") ? Int("PaddingIdx") : null, dtype, g),
            "LayerNorm" => new LayerNorm(args.GetProperty("NormalizedShape").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
                Dbl("Eps", 1e-5), Bool("ElementwiseAffine", true), dtype: dtype),
            "BatchNorm1d" => new BatchNorm1d(Int("NumFeatures"), Dbl("Eps", 1e-5),
                args.ValueKind == JsonValueKind.Object && args.TryGetProperty("Momentum", out var m) ? (m.ValueKind == JsonValueKind.Null ? null : m.GetDouble()) : 0.1,
                Bool("Affine", true), Bool("TrackRunningStats", true), dtype),
            _ => throw new ArgumentException(type),
        };
    }
}
