using System.Collections;
using System.Text.Json;
using AutoGrad.NN;
using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>
/// Layers and sampling against real PyTorch: every expected value, repr, node name and message below comes from
/// tests/data/nn_layers.json, written by tests/data/nn_layers.py (torch 1.13; PyTorch 2.x differences are mapped
/// where noted). Each test uses its own seeded <see cref="Generator"/>, so they can run in parallel with others.
/// </summary>
public class NNReferenceTests
{
    private static JsonElement Case(string property, int index) => NNReference.Root.GetProperty(property)[index];

    public static TheoryData<int> InitCases => NNReference.Indices("init");
    public static TheoryData<int> SequentialInitCases => NNReference.Indices("sequential_init");
    public static TheoryData<int> DropoutCases => NNReference.Indices("dropout");
    public static TheoryData<int> LayerCases => NNReference.Indices("layers");
    public static TheoryData<int> ReprCases => NNReference.Indices("reprs");
    public static TheoryData<int> BatchNormSequences => NNReference.Indices("batchnorm_sequences");

    // ---- initialisation and the generator stream --------------------------------------------------------------

    [Theory]
    [MemberData(nameof(InitCases))]
    public void LinearAndEmbeddingInitialiseAsTorchDoesAndLeaveTheStreamWhereTorchDoes(int index)
    {
        var c = Case("init", index);
        var g = new Generator(c.GetProperty("seed").GetUInt64());
        var dtype = NNReference.ParseDType(c.GetProperty("dtype").GetString()!);
        var l1 = new Linear(4, 8, dtype: dtype, generator: g);
        var l2 = new Linear(8, 3, dtype: dtype, generator: g);
        var l3 = new Linear(5, 2, bias: false, dtype: dtype, generator: g);
        var e1 = new Embedding(10, 3, dtype: dtype, generator: g);
        var e2 = new Embedding(3, 4, paddingIdx: -2, dtype: dtype, generator: g);
        var t = c.GetProperty("tensors");
        NNReference.AssertExact(t.GetProperty("l1.weight"), l1.Weight, "l1.weight");
        NNReference.AssertExact(t.GetProperty("l1.bias"), l1.Bias!, "l1.bias");
        NNReference.AssertExact(t.GetProperty("l2.weight"), l2.Weight, "l2.weight");
        NNReference.AssertExact(t.GetProperty("l2.bias"), l2.Bias!, "l2.bias");
        NNReference.AssertExact(t.GetProperty("l3.weight"), l3.Weight, "l3.weight");
        Assert.Null(l3.Bias);
        // 30 normals: the 16-at-a-time path (in float32 PyTorch's AVX2 log/sincos); 12: the one-at-a-time path.
        NNReference.AssertExact(t.GetProperty("e1.weight"), e1.Weight, "e1.weight");
        NNReference.AssertExact(t.GetProperty("e2.weight"), e2.Weight, "e2.weight");
        NNReference.AssertExact(c.GetProperty("after"), Tensor.Rand([5], dtype, g), "rand after");
    }

    [Theory]
    [MemberData(nameof(SequentialInitCases))]
    public void SequentialDrawsItsLayersInOrder(int index)
    {
        var c = Case("sequential_init", index);
        var g = new Generator(c.GetProperty("seed").GetUInt64());
        var model = NNReference.Build(c.GetProperty("spec"), g);
        var expected = c.GetProperty("state_dict");
        var actual = model.StateDict();
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name), actual.Keys.Cast<string>());
        foreach (var p in expected.EnumerateObject()) NNReference.AssertExact(p.Value, (Tensor)actual[p.Name]!, p.Name);
        NNReference.AssertExact(c.GetProperty("after"), Tensor.RandN([3], DType.Float32, g), "randn after");
    }

    [Fact]
    public void UniformMatchesTorchUniformBitForBit()
    {
        foreach (var c in NNReference.Root.GetProperty("sampling").GetProperty("uniform").EnumerateArray())
        {
            var g = new Generator(c.GetProperty("seed").GetUInt64());
            var dtype = NNReference.ParseDType(c.GetProperty("dtype").GetString()!);
            var u = Tensor.Uniform([300], c.GetProperty("from").GetDouble(), c.GetProperty("to").GetDouble(), dtype, g);
            NNReference.AssertExact(c.GetProperty("values"), u, $"uniform seed {c.GetProperty("seed")}");
        }
    }

    [Fact]
    public void RandNMatchesTorchRandNBitForBitOnEveryPath()
    {
        // 16 or more values: uniforms transformed 16 at a time (float32 with PyTorch's AVX2 log and sincos), the
        // last partial block redrawn; fewer: one double Box-Muller pair at a time, the second value cached.
        foreach (var c in NNReference.Root.GetProperty("sampling").GetProperty("randn").EnumerateArray())
        {
            var g = new Generator(c.GetProperty("seed").GetUInt64());
            var dtype = NNReference.ParseDType(c.GetProperty("dtype").GetString()!);
            var expected = c.GetProperty("values");
            NNReference.AssertExact(expected, Tensor.RandN(NNReference.Shape(expected), dtype, g), $"randn {dtype}");
            NNReference.AssertExact(c.GetProperty("after"), Tensor.Rand([2], DType.Float32, g), "rand after randn");
        }
    }

    [Fact]
    public void RandPermMatchesTorchRandPermAndItsDrawCount()
    {
        foreach (var c in NNReference.Root.GetProperty("sampling").GetProperty("randperm").EnumerateArray())
        {
            var g = new Generator(c.GetProperty("seed").GetUInt64());
            int n = c.GetProperty("n").GetInt32();
            NNReference.AssertExact(c.GetProperty("values"), Tensor.RandPerm(n, generator: g), $"randperm({n})");
            NNReference.AssertExact(c.GetProperty("after"), Tensor.Rand([2], DType.Float32, g), $"rand after randperm({n})");
        }
    }

    [Fact]
    public void BernoulliMatchesTorchBernoulli()
    {
        foreach (var c in NNReference.Root.GetProperty("sampling").GetProperty("bernoulli").EnumerateArray())
        {
            var g = new Generator(c.GetProperty("seed").GetUInt64());
            NNReference.AssertExact(c.GetProperty("values"), Tensor.Bernoulli([50], c.GetProperty("p").GetDouble(), DType.Float32, g), "bernoulli");
            NNReference.AssertExact(c.GetProperty("after"), Tensor.Rand([2], DType.Float32, g), "rand after bernoulli");
        }
    }

    [Fact]
    public void GetStateAndSetStateReplayTheStreamIncludingTheCachedNormal()
    {
        var c = NNReference.Root.GetProperty("sampling").GetProperty("state")[0];
        var g = new Generator(c.GetProperty("seed").GetUInt64());
        Tensor.RandN([3], DType.Float32, g); // leaves the second Box-Muller value cached, as in the Python
        var state = g.GetState();
        var first = Tensor.Cat([Tensor.RandN([5], DType.Float32, g), Tensor.Rand([4], DType.Float32, g)]);
        var afterFirst = g.GetState();
        Assert.NotEqual(state, afterFirst);
        g.SetState(state);
        Assert.Equal(state, g.GetState());
        var again = Tensor.Cat([Tensor.RandN([5], DType.Float32, g), Tensor.Rand([4], DType.Float32, g)]);
        NNReference.AssertExact(c.GetProperty("values"), first, "after get_rng_state");
        NNReference.AssertExact(c.GetProperty("values"), again, "after set_rng_state");
        Assert.Equal(afterFirst, g.GetState());
        Assert.Equal(c.GetProperty("initial_seed").GetUInt64(), g.InitialSeed);
    }

    // ---- dropout ----------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(DropoutCases))]
    public void DropoutDropsTheElementsTorchDropsAndScalesTheRest(int index)
    {
        var c = Case("dropout", index);
        var g = new Generator(c.GetProperty("seed").GetUInt64());
        var dtype = NNReference.ParseDType(c.GetProperty("dtype").GetString()!);
        var x = NNReference.ToTensor(c.GetProperty("input"), requiresGrad: true);
        var y = x.Dropout(c.GetProperty("p").GetDouble(), training: true, generator: g);
        NNReference.AssertExact(c.GetProperty("output"), y, "dropout output");
        var gradFn = c.GetProperty("grad_fn");
        Assert.Equal(gradFn.ValueKind == JsonValueKind.Null ? null : gradFn.GetString(), y.GradFn?.Name);
        if (y.RequiresGrad)
        {
            y.Mul(NNReference.ToTensor(c.GetProperty("upstream"))).Sum().Backward();
            NNReference.AssertExact(c.GetProperty("input_grad"), x.Grad!, "input grad");
        }
        NNReference.AssertExact(c.GetProperty("after"), Tensor.Rand([2], dtype, g), "rand after dropout");
    }

    // ---- layers -----------------------------------------------------------------------------------------------

    /// <summary>
    /// Node names PyTorch 2.x records where 1.13 (the reference here) recorded another: reshape of a contiguous
    /// tensor is ViewBackward0 (1.13: ReshapeAliasBackward0), and F.linear on 1-d input with a bias is
    /// view + addmm + view (1.13: matmul then add_, AddBackward0).
    /// </summary>
    private static string? TorchTwoNodeName(string caseName, string? name) => (caseName, name) switch
    {
        (_, "ReshapeAliasBackward0") => "ViewBackward0",
        ("Linear 1-d", "AddBackward0") => "ViewBackward0",
        (_, "NoneType") => null,
        _ => name,
    };

    [Theory]
    [MemberData(nameof(LayerCases))]
    public void LayerForwardNodeAndGradientsMatchTorch(int index)
    {
        var c = Case("layers", index);
        var name = c.GetProperty("name").GetString()!;
        var layer = NNReference.Build(c.GetProperty("spec"), new Generator(c.GetProperty("seed").GetUInt64()));
        Assert.Equal(c.GetProperty("repr").GetString(), layer.ToString());

        // Initial state: bit-exact, except float32 embedding rows from the vectorized normal path (none here).
        var state = c.GetProperty("state_dict");
        var ours = layer.StateDict();
        Assert.Equal(state.EnumerateObject().Select(p => p.Name), ours.Keys.Cast<string>());
        foreach (var p in state.EnumerateObject()) NNReference.AssertExact(p.Value, (Tensor)ours[p.Name]!, p.Name);

        var input = NNReference.ToTensor(c.GetProperty("input"), requiresGrad: true);
        foreach (var run in c.GetProperty("runs").EnumerateArray())
        {
            var mode = run.GetProperty("mode").GetString();
            layer.Train(mode == "train");
            layer.ZeroGrad();
            input.Grad = null;
            var output = layer.Forward(input);
            NNReference.AssertClose(run.GetProperty("output"), output, $"{name} ({mode}) output");
            Assert.Equal(TorchTwoNodeName(name, run.GetProperty("grad_fn").GetString()), output.GradFn?.Name);
            output.Mul(NNReference.ToTensor(run.GetProperty("upstream"))).Sum().Backward();
            var parameters = layer.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
            foreach (var grad in run.GetProperty("grads").EnumerateObject())
                NNReference.AssertClose(grad.Value, parameters[grad.Name].Grad!, $"{name} ({mode}) grad of {grad.Name}");
            if (run.TryGetProperty("input_grad", out var inputGrad))
                NNReference.AssertClose(inputGrad, input.Grad!, $"{name} ({mode}) grad of input");
            var buffers = layer.NamedBuffers().ToDictionary(b => b.Key, b => b.Value);
            foreach (var buffer in run.GetProperty("buffers").EnumerateObject())
                NNReference.AssertClose(buffer.Value, buffers[buffer.Name], $"{name} ({mode}) {buffer.Name}");
        }
    }

    [Theory]
    [MemberData(nameof(BatchNormSequences))]
    public void BatchNormRunningStatisticsFollowTorchOverSeveralBatches(int index)
    {
        var c = Case("batchnorm_sequences", index);
        var momentum = c.GetProperty("momentum");
        var dtype = NNReference.ParseDType(c.GetProperty("dtype").GetString()!);
        var bn = new BatchNorm1d(3, momentum: momentum.ValueKind == JsonValueKind.Null ? null : momentum.GetDouble(), dtype: dtype);
        Assert.Equal(c.GetProperty("repr").GetString(), bn.ToString());
        foreach (var step in c.GetProperty("steps").EnumerateArray())
        {
            var y = bn.Forward(NNReference.ToTensor(step.GetProperty("input")));
            NNReference.AssertClose(step.GetProperty("output"), y, "train output");
            NNReference.AssertClose(step.GetProperty("running_mean"), bn.RunningMean!, "running_mean");
            NNReference.AssertClose(step.GetProperty("running_var"), bn.RunningVar!, "running_var");
            Assert.Equal(step.GetProperty("num_batches_tracked").GetInt64(), (long)bn.NumBatchesTracked!.Item());
        }
        bn.Eval();
        NNReference.AssertClose(c.GetProperty("eval_output"), bn.Forward(NNReference.ToTensor(c.GetProperty("eval_input"))), "eval output");
    }

    [Theory]
    [MemberData(nameof(ReprCases))]
    public void ReprStateDictKeysAndParameterNamesMatchTorch(int index)
    {
        var c = Case("reprs", index);
        var module = NNReference.Build(c.GetProperty("spec"), new Generator(1));
        Assert.Equal(c.GetProperty("repr").GetString(), module.ToString());
        Assert.Equal(c.GetProperty("state_dict_keys").EnumerateArray().Select(e => e.GetString()), module.StateDict().Keys.Cast<string>());
        Assert.Equal(c.GetProperty("parameter_names").EnumerateArray().Select(e => e.GetString()), module.NamedParameters().Select(p => p.Key));
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    private static string TorchMessage(string key) =>
        NNReference.Root.GetProperty("errors").GetProperty(key).GetProperty("message").GetString()!;

    private static void AssertTorchError(string key, Action action, TorchErrorKind kind = TorchErrorKind.RuntimeError, string? message = null)
    {
        var ex = Assert.Throws<TorchException>(action);
        Assert.Equal(message ?? TorchMessage(key), ex.Message);
        Assert.Equal(kind, ex.Kind);
    }

    [Fact]
    public void LoadStateDictErrorsHaveTorchText()
    {
        AssertTorchError("load_missing", () => new Linear(2, 3).LoadStateDict(new Hashtable { ["weight"] = Tensor.Zeros([3, 2]) }));
        AssertTorchError("load_unexpected", () => new Linear(2, 3).LoadStateDict(Ordered(
            ("weight", Tensor.Zeros([3, 2])), ("bias", Tensor.Zeros([3])), ("foo", Tensor.Zeros([1])), ("bar.baz", Tensor.Zeros([1])))));
        AssertTorchError("load_size", () => new Linear(2, 3).LoadStateDict(Ordered(("weight", Tensor.Zeros([2, 2])), ("bias", Tensor.Zeros([4])))));
        var seq = new Sequential(new Linear(2, 3), new ReLU(), new BatchNorm1d(3));
        AssertTorchError("load_all", () => seq.LoadStateDict(Ordered(
            ("0.weight", Tensor.Zeros([3, 3])), ("2.weight", Tensor.Zeros([3])), ("2.bias", Tensor.Zeros([3])), ("x", Tensor.Zeros([1])))));
        AssertTorchError("load_not_tensor", () => new Linear(2, 3).LoadStateDict(Ordered(("weight", 5), ("bias", Tensor.Zeros([3])))));
        Assert.Equal(TorchMessage("load_nonstrict"),
            new Linear(2, 3).LoadStateDict(Ordered(("weight", Tensor.Ones([3, 2])), ("extra", Tensor.Ones([1]))), strict: false).ToString());
        Assert.Equal(TorchMessage("load_ok"),
            new Linear(2, 3).LoadStateDict(Ordered(("weight", Tensor.Ones([3, 2])), ("bias", Tensor.Ones([3])))).ToString());
    }

    [Fact]
    public void LayerInputErrorsHaveTorchText()
    {
        var lin = new Linear(2, 3);
        AssertTorchError("linear_shape", () => lin.Forward(Tensor.Zeros([5, 4])));
        // PyTorch 2.x names the dtypes (1.13: "mat1 and mat2 must have the same dtype").
        AssertTorchError("linear_dtype", () => lin.Forward(Tensor.Zeros([5, 2], DType.Float64)),
            message: TorchMessage("linear_dtype") + ", but got Double and Float");
        AssertTorchError("layernorm_shape", () => new LayerNorm([8]).Forward(Tensor.Zeros([2, 4])));
        AssertTorchError("batchnorm_rank", () => new BatchNorm1d(3).Forward(Tensor.Zeros([3])), TorchErrorKind.ValueError);
        AssertTorchError("batchnorm_single", () => new BatchNorm1d(3).Forward(Tensor.Zeros([1, 3])), TorchErrorKind.ValueError);
        AssertTorchError("embedding_dtype", () => new Embedding(4, 2).Forward(Tensor.Zeros([3])));
        AssertTorchError("embedding_range", () => new Embedding(4, 2).Forward(Tensor.FromArray(new long[] { 1, 4 }, 2)), TorchErrorKind.IndexError);
        // PyTorch raises AssertionError, which has no counterpart here.
        AssertTorchError("embedding_padding", () => new Embedding(4, 2, paddingIdx: 4), TorchErrorKind.ValueError);
        AssertTorchError("dropout_p", () => new Dropout(1.5), TorchErrorKind.ValueError);
        AssertTorchError("randperm_negative", () => Tensor.RandPerm(-1));
    }

    [Fact]
    public void AFailedLoadChangesNothing()
    {
        var lin = new Linear(2, 3, generator: new Generator(5));
        var before = lin.Weight.ToDoubleArray();
        Assert.Throws<TorchException>(() => lin.LoadStateDict(Ordered(("weight", Tensor.Ones([3, 2])), ("bias", Tensor.Ones([4])))));
        Assert.Equal(before, lin.Weight.ToDoubleArray());
    }

    private static System.Collections.Specialized.OrderedDictionary Ordered(params (string Key, object Value)[] entries)
    {
        var d = new System.Collections.Specialized.OrderedDictionary();
        foreach (var (k, v) in entries) d[k] = v;
        return d;
    }
}
