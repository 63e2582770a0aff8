using System.Text.Json;
using AutoGrad.NN;
using AutoGrad.Optim;
using AutoGrad.Random;
using AutoGrad.Training;

namespace AutoGrad.Tests;

/// <summary>
/// DataLoader and Trainer against real PyTorch: tests/data/training_loop.json, made by tests/data/training_loop.py.
/// The loaders must give DataLoader's batches and leave the global generator where DataLoader leaves it; a training
/// run must give the PyTorch loop's per-epoch losses, accuracies and learning rates and its final parameters. They
/// use the global generator, so they run in its non-parallel collection.
/// </summary>
[Collection(nameof(GlobalGeneratorTests))]
public class TrainingTests
{
    private const string File = "training_loop.json";

    public static IEnumerable<object[]> Loaders => Names("loaders");

    public static IEnumerable<object[]> Runs => Names("runs");

    private static IEnumerable<object[]> Names(string kind) =>
        ReferenceData.Load(File).GetProperty(kind).EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    private static JsonElement Get(string kind, string name) =>
        ReferenceData.Load(File).GetProperty(kind).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    [Theory]
    [MemberData(nameof(Loaders))]
    public void LoaderGivesDataLoadersBatches(string name)
    {
        var c = Get("loaders", name);
        Generator.Default.ManualSeed(c.GetProperty("seed").GetUInt64());
        int n = c.GetProperty("samples").GetInt32();
        var data = Tensor.FromArray(Enumerable.Range(0, n).Select(i => (long)i).ToArray(), n);
        var own = c.GetProperty("generator_seed").ValueKind == JsonValueKind.Null ? null : new Generator(c.GetProperty("generator_seed").GetUInt64());
        var loader = new DataLoader(data, data, c.GetProperty("batch_size").GetInt32(), c.GetProperty("shuffle").GetBoolean(),
            c.GetProperty("drop_last").GetBoolean(), own);

        int epoch = 0;
        foreach (var expected in c.GetProperty("batches").EnumerateArray())
        {
            epoch++;
            var batches = loader.ToList();
            Assert.Equal(expected.GetArrayLength(), batches.Count);
            Assert.Equal(loader.Count, batches.Count);
            int b = 0;
            foreach (var indices in expected.EnumerateArray())
            {
                var want = indices.EnumerateArray().Select(e => e.GetInt64()).ToArray();
                Assert.True(want.SequenceEqual(batches[b].Indices), $"epoch {epoch}, batch {b}: PyTorch [{string.Join(", ", want)}], engine [{string.Join(", ", batches[b].Indices)}]");
                Assert.Equal(want, (long[])batches[b].Input.Dense);
                Assert.Equal(want, (long[])batches[b].Target!.Dense);
                b++;
            }
        }
        // The global generator is where DataLoader left it.
        Assert.Equal(ReferenceData.Doubles(c.GetProperty("rand_after")), (double[])Tensor.Rand([2], DType.Float64).Dense);
    }

    [Fact]
    public void UnshuffledBatchesAreViewsOfTheData()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 5, 2);
        var batch = new DataLoader(x, batchSize: 2).Skip(1).First();
        Assert.Same(x.StorageObject, batch.Input.StorageObject);
        Assert.Equal(4, batch.Input.StorageOffset);
        Assert.Equal(new double[] { 5, 6, 7, 8 }, (double[])batch.Input.Dense);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void TrainingRunMatchesPyTorch(string name)
    {
        var c = Get("runs", name);
        Generator.Default.ManualSeed(c.GetProperty("seed").GetUInt64());
        var model = BuildModel(c.GetProperty("layers"));
        var optimizer = BuildOptimizer(c.GetProperty("optimizer"), model.Parameters());
        var (scheduler, interval) = BuildScheduler(c.GetProperty("scheduler"), optimizer);
        var data = c.GetProperty("data");
        int batchSize = c.GetProperty("batch_size").GetInt32();
        var trainer = new Trainer(model, LossFunction.FromName(c.GetProperty("loss").GetString()!), optimizer,
            new DataLoader(Data(data, "x"), Data(data, "y"), batchSize, c.GetProperty("shuffle").GetBoolean(), c.GetProperty("drop_last").GetBoolean()))
        {
            Scheduler = scheduler,
            SchedulerInterval = interval,
            Validation = data.TryGetProperty("xv", out _) ? new DataLoader(Data(data, "xv"), Data(data, "yv"), batchSize, generator: new Generator()) : null,
        };

        var results = trainer.Fit(c.GetProperty("epochs").GetInt32()).ToList();
        int i = 0;
        foreach (var e in c.GetProperty("history").EnumerateArray())
        {
            var r = results[i++];
            Assert.Equal(e.GetProperty("Epoch").GetInt32(), r.Epoch);
            Close(e.GetProperty("Loss").GetDouble(), r.Loss, $"epoch {r.Epoch} loss");
            Assert.Equal(e.GetProperty("LR").GetDouble(), r.LR, 12);
            Optional(e, "Accuracy", r.Accuracy, r.Epoch);
            Optional(e, "ValidationLoss", r.ValidationLoss, r.Epoch);
            Optional(e, "ValidationAccuracy", r.ValidationAccuracy, r.Epoch);
        }
        foreach (var p in c.GetProperty("state").EnumerateObject())
        {
            var actual = (double[])((Tensor)model.StateDict()[p.Name]!).Dense;
            var want = ReferenceData.Doubles(p.Value);
            for (int k = 0; k < want.Length; k++) Close(want[k], actual[k], $"{p.Name}[{k}]");
        }
        Assert.True(model.Training, "the model is back in training mode, as it was before");
    }

    private static void Optional(JsonElement e, string property, double? actual, int epoch)
    {
        if (e.TryGetProperty(property, out var v)) Close(v.GetDouble(), actual ?? double.NaN, $"epoch {epoch} {property}");
        else Assert.Null(actual);
    }

    private static void Close(double expected, double actual, string what)
    {
        if (!(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected))))
            Assert.Fail($"{what}: PyTorch {expected:R}, engine {actual:R}");
    }

    internal static Tensor Data(JsonElement data, string key)
    {
        var v = data.GetProperty(key);
        if (v[0].ValueKind == JsonValueKind.Array)
        {
            int rows = v.GetArrayLength(), cols = v[0].GetArrayLength();
            return Tensor.FromArray(v.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(e => e.GetDouble())).ToArray(), rows, cols);
        }
        return Tensor.FromArray(v.EnumerateArray().Select(e => e.GetInt64()).ToArray(), v.GetArrayLength());
    }

    private static Module BuildModel(JsonElement layers) => new Sequential(layers.EnumerateArray().Select(l => l.GetProperty("type").GetString() switch
    {
        "Linear" => new Linear(l.GetProperty("in").GetInt32(), l.GetProperty("out").GetInt32(),
            !l.TryGetProperty("bias", out var bias) || bias.GetBoolean(), DType.Float64),
        "BatchNorm1d" => (Module)new BatchNorm1d(l.GetProperty("features").GetInt32(), dtype: DType.Float64),
        "Dropout" => new Dropout(l.GetProperty("p").GetDouble()),
        "ReLU" => new ReLU(),
        "Tanh" => new Tanh(),
        "LogSoftmax" => new LogSoftmax(l.GetProperty("dim").GetInt32()),
        var t => throw new NotSupportedException(t),
    }).ToArray());

    private static Optimizer BuildOptimizer(JsonElement spec, Tensor[] parameters)
    {
        var o = spec.GetProperty("options");
        double Number(string key, double fallback) => o.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        return spec.GetProperty("type").GetString() switch
        {
            "SGD" => new SGD(parameters, Number("lr", 1e-3), momentum: Number("momentum", 0),
                nesterov: o.TryGetProperty("nesterov", out var n) && n.GetBoolean()),
            "Adam" => new Adam(parameters, Number("lr", 1e-3)),
            var t => throw new NotSupportedException(t),
        };
    }

    private static (LRScheduler?, SchedulerInterval?) BuildScheduler(JsonElement spec, Optimizer optimizer)
    {
        if (spec.ValueKind == JsonValueKind.Null) return (null, null);
        var o = spec.GetProperty("options");
        LRScheduler scheduler = spec.GetProperty("type").GetString() switch
        {
            "StepLR" => new StepLR(optimizer, o.GetProperty("step_size").GetInt32(), o.GetProperty("gamma").GetDouble()),
            "OneCycleLR" => new OneCycleLR(optimizer, [o.GetProperty("max_lr").GetDouble()], totalSteps: o.GetProperty("total_steps").GetInt32()),
            "ReduceLROnPlateau" => new ReduceLROnPlateau(optimizer, factor: o.GetProperty("factor").GetDouble(), patience: o.GetProperty("patience").GetInt32()),
            "CosineAnnealingLR" => new CosineAnnealingLR(optimizer, o.GetProperty("T_max").GetInt32()),
            var t => throw new NotSupportedException(t),
        };
        return (scheduler, Enum.Parse<SchedulerInterval>(spec.GetProperty("interval").GetString()!));
    }
}
