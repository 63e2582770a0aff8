using System.Collections;
using System.Collections.Specialized;
using AutoGrad.Autograd;
using AutoGrad.NN;
using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>The Module API a training loop relies on: traversal order, modes, gradients, state dicts.</summary>
public class ModuleTests
{
    private static Sequential Mlp(Generator g) =>
        new(new Linear(4, 6, generator: g), new ReLU(), new Dropout(0.5) { Generator = g }, new Sequential(new Linear(6, 3, generator: g), new Tanh()),
            new BatchNorm1d(3));

    [Fact]
    public void ParametersBuffersAndChildrenComeInPyTorchsOrder()
    {
        var m = Mlp(new Generator(1));
        Assert.Equal(["0.weight", "0.bias", "3.0.weight", "3.0.bias", "4.weight", "4.bias"], m.NamedParameters().Select(p => p.Key));
        Assert.Same(((Linear)m[0]).Weight, m.Parameters()[0]);
        Assert.Equal(["4.running_mean", "4.running_var", "4.num_batches_tracked"], m.NamedBuffers().Select(b => b.Key));
        Assert.Equal(["0", "1", "2", "3", "4"], m.NamedChildren().Select(c => c.Key));
        Assert.Equal(["", "0", "1", "2", "3", "3.0", "3.1", "4"], m.NamedModules().Select(c => c.Key));
        Assert.Equal(["0.weight", "0.bias", "3.0.weight", "3.0.bias", "4.weight", "4.bias", "4.running_mean", "4.running_var", "4.num_batches_tracked"],
            m.StateDict().Keys.Cast<string>());
        Assert.All(m.Parameters(), p => Assert.True(p.IsLeaf && p.RequiresGrad));
        Assert.Empty(m.Parameters(recurse: false)); // a Sequential has none of its own
    }

    [Fact]
    public void TrainAndEvalSetTheWholeTree()
    {
        var m = Mlp(new Generator(1));
        m.Eval();
        Assert.All(m.Modules(), x => Assert.False(x.Training));
        var x = TestTensors.Uniform(3, [5, 4], DType.Float32);
        Assert.Equal(m.Forward(x).ToDoubleArray(), m.Forward(x).ToDoubleArray());
        m.Train();
        Assert.All(m.Modules(), x => Assert.True(x.Training));
    }

    [Fact]
    public void ZeroGradRemovesOrZeroesEveryGradient()
    {
        var m = Mlp(new Generator(1));
        m.Forward(TestTensors.Uniform(3, [5, 4], DType.Float32)).Sum().Backward();
        Assert.All(m.Parameters(), p => Assert.NotNull(p.Grad));
        m.ZeroGrad(setToNone: false);
        Assert.All(m.Parameters(), p => Assert.All(p.Grad!.ToDoubleArray(), v => Assert.Equal(0, v)));
        m.ZeroGrad();
        Assert.All(m.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void StateDictSharesStorageAndLoadStateDictCopiesWithCasts()
    {
        var a = new Linear(3, 2, generator: new Generator(1));
        var sd = a.StateDict();
        Assert.IsType<OrderedDictionary>(sd);
        var w = (Tensor)sd["weight"]!;
        Assert.False(w.RequiresGrad);
        w.Fill_(2);
        Assert.All(a.Weight.ToDoubleArray(), v => Assert.Equal(2, v));

        var b = new Linear(3, 2, dtype: DType.Float64, generator: new Generator(2));
        Assert.Equal("<All keys matched successfully>", b.LoadStateDict(a.StateDict()).ToString());
        Assert.Equal(DType.Float64, b.Weight.DType);
        Assert.True(b.Weight.IsLeaf && b.Weight.RequiresGrad);
        Assert.Equal(a.Bias!.ToDoubleArray(), b.Bias!.ToDoubleArray());
        var h = new Hashtable { ["weight"] = Tensor.Ones([2, 3]), ["bias"] = Tensor.Zeros([2]) };
        b.LoadStateDict(h);
        Assert.All(b.Weight.ToDoubleArray(), v => Assert.Equal(1, v));
    }

    [Fact]
    public void BatchNormLoadsADictionaryWithoutItsBatchCountAndAOneElementCountIntoTheScalar()
    {
        var bn = new BatchNorm1d(2);
        bn.Forward(TestTensors.Uniform(1, [4, 2], DType.Float32));
        var keys = bn.LoadStateDict(new Hashtable
        {
            ["weight"] = Tensor.Ones([2]), ["bias"] = Tensor.Zeros([2]),
            ["running_mean"] = Tensor.Zeros([2]), ["running_var"] = Tensor.Ones([2]),
        });
        Assert.Empty(keys.MissingKeys);
        Assert.Equal(1L, bn.NumBatchesTracked!.Item()); // kept, as PyTorch 2.x does for a dictionary without a version
        bn.LoadStateDict(new Hashtable
        {
            ["weight"] = Tensor.Ones([2]), ["bias"] = Tensor.Zeros([2]), ["running_mean"] = Tensor.Zeros([2]),
            ["running_var"] = Tensor.Ones([2]), ["num_batches_tracked"] = Tensor.FromArray(new long[] { 5 }, 1),
        });
        Assert.Equal(5L, bn.NumBatchesTracked!.Item());
    }

    [Fact]
    public void SequentialIndexesLikeAListAndNamesChildrenFromADictionary()
    {
        var s = new Sequential(new ReLU(), new Tanh());
        Assert.IsType<Tanh>(s[-1]);
        Assert.Equal("index 2 is out of range", Assert.Throws<TorchException>(() => s[2]).Message);
        s.Append(new Sigmoid());
        Assert.Equal(3, s.Count);
        var named = new Sequential([new KeyValuePair<string, Module>("enc", new Linear(2, 2)), new KeyValuePair<string, Module>("act", new ReLU())]);
        Assert.Equal(["enc.weight", "enc.bias"], named.StateDict().Keys.Cast<string>());
        Assert.Throws<TorchException>(() => new Sequential([new KeyValuePair<string, Module>("a.b", new ReLU())]));
        Assert.Equal("Sequential()", new Sequential().ToString());
        var x = TestTensors.Uniform(1, [2], DType.Float32);
        Assert.Same(x, new Sequential().Forward(x));
    }

    [Theory]
    [InlineData(new[] { 4 }, false, "SqueezeBackward4")]       // matmul 1-d @ 2-d: unsqueeze, mm, squeeze_ (1.13: SqueezeBackward3)
    [InlineData(new[] { 2, 3, 4 }, false, "UnsafeViewBackward0")] // matmul folds the batch dims into one mm
    [InlineData(new[] { 5, 4 }, false, "MmBackward0")]
    [InlineData(new[] { 5, 4 }, true, "AddmmBackward0")]
    [InlineData(new[] { 4 }, true, "ViewBackward0")]             // 2.x: view, addmm, view (1.13: AddBackward0)
    [InlineData(new[] { 2, 2, 3, 4 }, true, "ViewBackward0")]
    public void LinearRecordsPyTorchTwosNodes(int[] inputShape, bool bias, string node)
    {
        var layer = new Linear(4, 3, bias, generator: new Generator(1));
        var y = layer.Forward(TestTensors.Uniform(2, inputShape, DType.Float32));
        Assert.Equal(node, y.GradFn!.Name);
        Assert.Equal(inputShape[..^1].Append(3), y.Shape);
    }

    [Fact]
    public void LinearOnTransposedInputTakesTheMatmulPathAsPyTorchDoes()
    {
        var layer = new Linear(4, 3, generator: new Generator(1));
        var x = TestTensors.Uniform(2, [2, 4, 5], DType.Float32).Transpose(1, 2); // not contiguous: matmul + add
        Assert.Equal("AddBackward0", layer.Forward(x).GradFn!.Name);
    }

    [Fact]
    public void ALayerWithNoBiasOrAffineHasNoSuchParameter()
    {
        Assert.Null(new Linear(2, 2, bias: false).Bias);
        Assert.Empty(new LayerNorm([3], elementwiseAffine: false).Parameters());
        Assert.Equal(["weight"], new LayerNorm([3], bias: false).NamedParameters().Select(p => p.Key));
        var bn = new BatchNorm1d(3, affine: false, trackRunningStats: false);
        Assert.Empty(bn.StateDict().Keys);
        bn.Eval();
        var y = bn.Forward(TestTensors.Uniform(1, [4, 3], DType.Float64));
        Assert.All(y.Mean([0]).ToDoubleArray(), v => Assert.Equal(0, v, 12)); // batch statistics even in eval
    }
}

/// <summary>The process-wide generator: these tests seed it, so they run alone.</summary>
[CollectionDefinition(nameof(GlobalGeneratorTests), DisableParallelization = true)]
public class GlobalGeneratorCollection;

[Collection(nameof(GlobalGeneratorTests))]
public class GlobalGeneratorTests
{
    [Fact]
    public void ManualSeedThenLayersWithoutAGeneratorDrawFromTheGlobalOne()
    {
        var c = NNReference.Root.GetProperty("init")[1]; // seed 3, float32: the example
        Assert.Equal(3UL, c.GetProperty("seed").GetUInt64());
        Generator.Default.ManualSeed(3);
        var l1 = new Linear(4, 8);
        var l2 = new Linear(8, 3);
        var t = c.GetProperty("tensors");
        NNReference.AssertExact(t.GetProperty("l1.weight"), l1.Weight, "l1.weight");
        NNReference.AssertExact(t.GetProperty("l1.bias"), l1.Bias!, "l1.bias");
        NNReference.AssertExact(t.GetProperty("l2.weight"), l2.Weight, "l2.weight");
        NNReference.AssertExact(t.GetProperty("l2.bias"), l2.Bias!, "l2.bias");
        Assert.Equal(3UL, Generator.Default.InitialSeed);
    }

    [Fact]
    public void DropoutWithoutAGeneratorDrawsFromTheGlobalOneAndRandPermToo()
    {
        var c = NNReference.Root.GetProperty("dropout")[0];
        Generator.Default.ManualSeed(c.GetProperty("seed").GetUInt64());
        var x = NNReference.ToTensor(c.GetProperty("input"));
        var dropout = new Dropout(c.GetProperty("p").GetDouble());
        NNReference.AssertExact(c.GetProperty("output"), dropout.Forward(x), "dropout output");
        var perm = NNReference.Root.GetProperty("sampling").GetProperty("randperm").EnumerateArray().First(p => p.GetProperty("n").GetInt32() == 10);
        Generator.Default.ManualSeed(perm.GetProperty("seed").GetUInt64());
        NNReference.AssertExact(perm.GetProperty("values"), Tensor.RandPerm(10), "randperm(10)");
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
    }
}
