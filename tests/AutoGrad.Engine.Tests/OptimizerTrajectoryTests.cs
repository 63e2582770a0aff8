using System.Collections;
using System.Collections.Specialized;
using System.Text.Json;
using AutoGrad.Optim;
using Xunit.Abstractions;

namespace AutoGrad.Tests;

/// <summary>
/// Optimizer trajectories against real PyTorch: tests/data/optim_trajectories.json, made by
/// tests/data/optim_trajectories.py (torch.optim with foreach=False, PyTorch 2.x's single-tensor arithmetic).
/// Each case replays PyTorch's 25 gradients (the third parameter gets none on every third step) and compares the
/// parameters after every step, then the final optimizer state.
/// </summary>
public class OptimizerTrajectoryTests(ITestOutputHelper output)
{
    private const string File = "optim_trajectories.json";

    public static IEnumerable<object[]> Cases => ReferenceData.CaseNames(File);

    /// <summary>float64: relative to max(1, |value|); float32: a few units in the last place of a float.</summary>
    private static double Tolerance(DType dtype) => dtype == DType.Float64 ? 1e-12 : 1e-6;

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrajectoryMatchesPyTorch(string name)
    {
        var c = ReferenceData.Case(File, name);
        var dtype = c.GetProperty("dtype").GetString() == "float32" ? DType.Float32 : DType.Float64;
        var shapes = c.GetProperty("shapes").EnumerateArray().Select(ReferenceData.Ints).ToArray();
        var initial = c.GetProperty("initial").EnumerateArray().Select(ReferenceData.Doubles).ToArray();
        var parameters = initial.Select((v, i) => Tensor.FromDoubles(v, shapes[i], dtype, requiresGrad: true)).ToArray();
        var optimizer = Create(c, parameters);
        var scheduler = CreateScheduler(c, optimizer);

        double worst = 0;
        int step = 0;
        foreach (var s in c.GetProperty("steps").EnumerateArray())
        {
            step++;
            var grads = s.GetProperty("grads").EnumerateArray().ToArray();
            for (int i = 0; i < parameters.Length; i++)
                parameters[i].Grad = grads[i].ValueKind == JsonValueKind.Null
                    ? null
                    : Tensor.FromDoubles(ReferenceData.Doubles(grads[i]), shapes[i], dtype);
            int versionBefore = parameters[0].VersionNumber;
            optimizer.Step();
            scheduler?.Step();
            Assert.Equal(versionBefore + 1, parameters[0].VersionNumber);

            var expected = s.GetProperty("params").EnumerateArray().Select(ReferenceData.Doubles).ToArray();
            for (int i = 0; i < parameters.Length; i++)
                worst = Math.Max(worst, AssertClose(expected[i], parameters[i].ToDoubleArray(), dtype, $"step {step}, param {i}"));
        }

        // The final state: the same entries per parameter as PyTorch's state_dict()["state"], with the same values.
        var state = (IDictionary)optimizer.StateDict()["state"]!;
        var expectedState = c.GetProperty("state").EnumerateObject().ToArray();
        Assert.Equal(expectedState.Select(p => int.Parse(p.Name)).Order(), state.Keys.Cast<int>().Order());
        foreach (var p in expectedState)
        {
            var actual = (OrderedDictionary)state[int.Parse(p.Name)]!;
            Assert.Equal(p.Value.EnumerateObject().Select(e => e.Name), actual.Keys.Cast<string>());
            foreach (var entry in p.Value.EnumerateObject())
            {
                var tensor = (Tensor)actual[entry.Name]!;
                if (entry.Value.ValueKind == JsonValueKind.Number)
                    Assert.Equal(entry.Value.GetDouble(), (double)tensor.Item());
                else
                    worst = Math.Max(worst, AssertClose(ReferenceData.Doubles(entry.Value), tensor.ToDoubleArray(), dtype, $"state {p.Name}.{entry.Name}"));
            }
        }
        output.WriteLine($"{name}: largest difference from PyTorch {worst:R} (relative to max(1, |value|))");
    }

    private static double AssertClose(double[] expected, double[] actual, DType dtype, string where)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int k = 0; k < expected.Length; k++)
        {
            double diff = Math.Abs(expected[k] - actual[k]) / Math.Max(1, Math.Abs(expected[k]));
            if (!(diff <= Tolerance(dtype)))
                Assert.Fail($"{where}, element {k}: PyTorch {expected[k]:R}, engine {actual[k]:R}");
            worst = Math.Max(worst, diff);
        }
        return worst;
    }

    /// <summary>
    /// The case's optimizer as the script made it: one group through the constructor's arguments, several as
    /// dictionaries (which matters for Adagrad, whose initial sums come from the constructor's argument).
    /// </summary>
    internal static Optimizer Create(JsonElement c, Tensor[] parameters)
    {
        var kind = c.GetProperty("optimizer").GetString();
        var groupsJson = c.GetProperty("groups").EnumerateArray().ToArray();
        if (groupsJson.Length == 1)
        {
            var o = ReferenceData.Dictionary(groupsJson[0].GetProperty("options"));
            var ps = ReferenceData.Ints(groupsJson[0].GetProperty("params")).Select(i => parameters[i]).ToArray();
            double D(string key, double fallback) => o[key] is double d ? d : fallback;
            bool B(string key) => o[key] is true;
            var betas = o["betas"] as double[];
            return kind switch
            {
                "SGD" => new SGD(ps, D("lr", 1e-3), D("momentum", 0), D("dampening", 0), D("weight_decay", 0), B("nesterov"), B("maximize")),
                "Adam" => new Adam(ps, D("lr", 1e-3), betas, D("eps", 1e-8), D("weight_decay", 0), B("amsgrad"), B("maximize")),
                "AdamW" => new AdamW(ps, D("lr", 1e-3), betas, D("eps", 1e-8), D("weight_decay", 1e-2), B("amsgrad"), B("maximize")),
                "RMSprop" => new RMSprop(ps, D("lr", 1e-2), D("alpha", 0.99), D("eps", 1e-8), D("weight_decay", 0), D("momentum", 0), B("centered"), B("maximize")),
                "Adagrad" => new Adagrad(ps, D("lr", 1e-2), D("lr_decay", 0), D("weight_decay", 0), D("initial_accumulator_value", 0), D("eps", 1e-10), B("maximize")),
                _ => throw new InvalidOperationException(kind),
            };
        }
        var groups = new List<IDictionary>();
        foreach (var g in c.GetProperty("groups").EnumerateArray())
        {
            var options = ReferenceData.Dictionary(g.GetProperty("options"));
            options["params"] = ReferenceData.Ints(g.GetProperty("params")).Select(i => parameters[i]).ToArray();
            groups.Add(options);
        }
        return kind switch
        {
            "SGD" => new SGD(groups),
            "Adam" => new Adam(groups),
            "AdamW" => new AdamW(groups),
            "RMSprop" => new RMSprop(groups),
            "Adagrad" => new Adagrad(groups),
            var other => throw new InvalidOperationException(other),
        };
    }

    private static LRScheduler? CreateScheduler(JsonElement c, Optimizer optimizer)
    {
        if (c.GetProperty("scheduler").ValueKind == JsonValueKind.Null) return null;
        var s = c.GetProperty("scheduler");
        var o = s.GetProperty("options");
        return s.GetProperty("type").GetString() switch
        {
            "OneCycleLR" => new OneCycleLR(optimizer, [o.GetProperty("max_lr").GetDouble()], totalSteps: o.GetProperty("total_steps").GetInt32()),
            "StepLR" => new StepLR(optimizer, o.GetProperty("step_size").GetInt32(), o.GetProperty("gamma").GetDouble()),
            var other => throw new InvalidOperationException(other),
        };
    }
}
