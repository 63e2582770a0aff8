using System.Collections;
using System.Collections.Specialized;
using AutoGrad.Autograd;
using AutoGrad.Optim;

namespace AutoGrad.Tests;

/// <summary>
/// Optimizer behaviour besides the arithmetic (which OptimizerTrajectoryTests checks against PyTorch): PyTorch's
/// messages for bad options and parameters, skipping parameters without gradients, zero_grad, parameter groups,
/// state dicts, reprs, version counters and the vectorized and threaded paths.
/// </summary>
public class OptimizerTests
{
    private static Tensor Param(params double[] values) => Tensor.FromDoubles(values, [values.Length], DType.Float64, requiresGrad: true);

    public static TheoryData<Func<Tensor[], Optimizer>, string> InvalidOptions => new()
    {
        { p => new SGD(p, lr: -1), "Invalid learning rate: -1" },
        { p => new SGD(p, lr: 0.1, momentum: -0.5), "Invalid momentum value: -0.5" },
        { p => new SGD(p, lr: 0.1, weightDecay: -0.01), "Invalid weight_decay value: -0.01" },
        { p => new SGD(p, lr: 0.1, nesterov: true), "Nesterov momentum requires a momentum and zero dampening" },
        { p => new SGD(p, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true), "Nesterov momentum requires a momentum and zero dampening" },
        { p => new Adam(p, lr: -0.001), "Invalid learning rate: -0.001" },
        { p => new Adam(p, lr: double.NaN), "Invalid learning rate: nan" },
        { p => new Adam(p, betas: [1.5, 0.999]), "Invalid beta parameter at index 0: 1.5" },
        { p => new AdamW(p, betas: [0.9, 1]), "Invalid beta parameter at index 1: 1" },
        { p => new Adam(p, eps: -1e-08), "Invalid epsilon value: -1e-08" },
        { p => new AdamW(p, weightDecay: -0.1), "Invalid weight_decay value: -0.1" },
        { p => new RMSprop(p, alpha: -0.9), "Invalid alpha value: -0.9" },
        { p => new RMSprop(p, momentum: -1), "Invalid momentum value: -1" },
        { p => new Adagrad(p, lrDecay: -0.5), "Invalid lr_decay value: -0.5" },
        { p => new Adagrad(p, initialAccumulatorValue: -1), "Invalid initial_accumulator_value value: -1" },
        { p => new Adagrad(p, eps: -1e-10), "Invalid epsilon value: -1e-10" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsRaisePyTorchsValueError(Func<Tensor[], Optimizer> create, string message)
    {
        var e = Assert.Throws<TorchException>(() => create([Param(1, 2)]));
        Assert.Equal(TorchErrorKind.ValueError, e.Kind);
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void OptionsAreCheckedBeforeTheParameters()
    {
        // PyTorch validates its arguments before it looks at the parameter list.
        var e = Assert.Throws<TorchException>(() => new SGD(Array.Empty<Tensor>(), lr: -1));
        Assert.Equal("Invalid learning rate: -1", e.Message);
    }

    [Fact]
    public void BadParameterListsRaisePyTorchsErrors()
    {
        Assert.Equal("optimizer got an empty parameter list",
            Assert.Throws<TorchException>(() => new Adam(Array.Empty<Tensor>())).Message);
        var w = Param(1, 2);
        var nonLeaf = w.Mul(2.0);
        Assert.Equal("can't optimize a non-leaf Tensor", Assert.Throws<TorchException>(() => new SGD(new[] { nonLeaf })).Message);
        var e = Assert.Throws<TorchException>(() => new SGD(new object[] { w, 3 }));
        Assert.Equal(TorchErrorKind.TypeError, e.Kind);
        Assert.Equal("optimizer can only optimize Tensors, but one of the params is int", e.Message);
        var opt = new SGD(new[] { w });
        Assert.Equal("some parameters appear in more than one parameter group",
            Assert.Throws<TorchException>(() => opt.AddParamGroup(new Hashtable { ["params"] = w })).Message);
        Assert.Single(opt.ParamGroups);
    }

    [Fact]
    public void ANonLeafThatRetainsItsGradientCanBeOptimized()
    {
        var y = Param(1, 2).Mul(2.0);
        y.RetainGrad();
        var opt = new SGD(new[] { y }, lr: 0.5);
        Assert.Same(y, opt.ParamGroups[0].Params[0]);
    }

    [Fact]
    public void AStepWithoutGradientsChangesNothing()
    {
        var w = Param(1, 2);
        var b = Param(3);
        foreach (var opt in new Optimizer[] { new SGD([w, b], 0.1, momentum: 0.9), new Adam([w, b]), new AdamW([w, b]), new RMSprop([w, b], momentum: 0.5, centered: true) })
        {
            opt.Step();
            Assert.Equal(new[] { 1.0, 2.0 }, w.ToDoubleArray());
            Assert.Equal(0, w.VersionNumber);
            Assert.Empty((IDictionary)opt.StateDict()["state"]!);
        }
        // Adagrad has every parameter's state from the start, and a step without gradients leaves it at step 0.
        var adagrad = new Adagrad([w, b]);
        adagrad.Step();
        var state = (IDictionary)adagrad.StateDict()["state"]!;
        Assert.Equal(0.0, (double)((Tensor)((OrderedDictionary)state[0]!)["step"]!).Item());
    }

    [Fact]
    public void AParameterWithoutAGradientIsSkippedWhileTheOthersMove()
    {
        var w = Param(1, 2);
        var b = Param(3);
        var opt = new Adam([w, b], lr: 0.1);
        w.Grad = Tensor.FromDoubles([1, -1], [2], DType.Float64);
        opt.Step();
        Assert.Equal(new[] { 0.9, 2.1 }, w.ToDoubleArray().Select(v => Math.Round(v, 6)));
        Assert.Equal(new[] { 3.0 }, b.ToDoubleArray());
        Assert.Equal(new[] { 0 }, ((IDictionary)opt.StateDict()["state"]!).Keys.Cast<int>());
    }

    [Fact]
    public void StepBumpsTheVersionSoAGraphThatSavedTheParameterRefusesToBackpropagate()
    {
        var w = Param(1, 2);
        var loss = w.Mul(w).Sum();
        var opt = new SGD([w], lr: 0.1);
        w.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float64);
        opt.Step();
        Assert.Equal(1, w.VersionNumber);
        Assert.True(w.IsLeaf);
        Assert.True(w.RequiresGrad);
        var e = Assert.Throws<TorchException>(() => loss.Backward());
        Assert.Contains("has been modified by an inplace operation", e.Message);
    }

    [Fact]
    public void StepRecordsNoGraphEvenWithGradModeOn()
    {
        var w = Param(1, 2);
        var opt = new Adam([w]);
        w.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float64);
        Assert.True(GradMode.IsEnabled);
        opt.Step();
        Assert.True(w.IsLeaf);
        Assert.Null(w.GradFn);
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void ZeroGradRemovesGradientsOrZerosThemInPlace()
    {
        var w = Param(1, 2);
        var opt = new SGD([w]);
        w.Mul(w).Sum().Backward();
        var grad = w.Grad!;
        opt.ZeroGrad(setToNone: false);
        Assert.Same(grad, w.Grad);
        Assert.Equal(new[] { 0.0, 0.0 }, grad.ToDoubleArray());
        opt.ZeroGrad();
        Assert.Null(w.Grad);
        opt.ZeroGrad(); // nothing to clear: no error
    }

    [Fact]
    public void ChangedGroupOptionsApplyFromTheNextStep()
    {
        var w = Param(1);
        var opt = new SGD([w], lr: 0.1);
        w.Grad = Tensor.FromDoubles([1], [1], DType.Float64);
        opt.Step();
        opt.ParamGroups[0].LR = 0.5;
        opt.Step();
        Assert.Equal(1 - 0.1 - 0.5, w.ToDoubleArray()[0], 15);
        Assert.Equal(0.5, opt.ParamGroups[0]["lr"]);
    }

    [Fact]
    public void GroupsTakeOptionsByPyTorchKeyOrPowerShellNameAndTheRestFromTheDefaults()
    {
        var w = Param(1);
        var b = Param(2);
        var opt = new SGD(new IDictionary[]
        {
            new Hashtable { ["params"] = w, ["LR"] = 0.5 },
            new Hashtable { ["Params"] = new[] { b }, ["weight_decay"] = 0.1, ["Momentum"] = 0.9 },
        }, lr: 0.01);
        var g0 = (SGDParamGroup)opt.ParamGroups[0];
        var g1 = (SGDParamGroup)opt.ParamGroups[1];
        Assert.Equal((0.5, 0.0, 0.0), (g0.LR, g0.Momentum, g0.WeightDecay));
        Assert.Equal((0.01, 0.9, 0.1), (g1.LR, g1.Momentum, g1.WeightDecay));
        var e = Assert.Throws<TorchException>(() => opt.AddParamGroup(new Hashtable { ["params"] = Param(3), ["lr"] = -2 }));
        Assert.Equal("Invalid learning rate: -2", e.Message);
    }

    [Fact]
    public void GroupIndexerConvertsKnownOptionsAndRaisesKeyErrorForMissingOnes()
    {
        var opt = new Adam([Param(1)]);
        var g = (AdamParamGroup)opt.ParamGroups[0];
        g["betas"] = new object[] { 0.8, 0.99 };
        Assert.Equal(new[] { 0.8, 0.99 }, g.Betas);
        g["lr"] = 1;
        Assert.Equal(1.0, g.LR);
        Assert.Equal("'nope'", Assert.Throws<KeyNotFoundException>(() => g["nope"]).Message);
        Assert.Equal("'lr' must be a number, but got 'fast'", Assert.Throws<TorchException>(() => g["lr"] = "fast").Message);
        Assert.Equal("'betas' must be two numbers, but got Double[]", Assert.Throws<TorchException>(() => g.Betas = [0.9]).Message);
        Assert.Contains("single-tensor", Assert.Throws<TorchException>(() => g["foreach"] = true).Message);
        g["my_note"] = "kept";
        Assert.Equal("kept", g["my_note"]);
    }

    [Fact]
    public void ReprIsPyTorchs()
    {
        var w = Param(1);
        Assert.Equal("""
            Adam (
            Parameter Group 0
                amsgrad: False
                betas: (0.9, 0.999)
                capturable: False
                decoupled_weight_decay: False
                differentiable: False
                eps: 1e-08
                foreach: None
                fused: None
                lr: 0.001
                maximize: False
                weight_decay: 0
            )
            """.ReplaceLineEndings("\n"), new Adam([w]).ToString());
        var sgd = new SGD(new IDictionary[] { new Hashtable { ["params"] = w }, new Hashtable { ["params"] = Param(2), ["lr"] = 0.5 } },
            lr: 0.1, momentum: 0.9);
        _ = new StepLR(sgd, 3);
        Assert.Equal("""
            SGD (
            Parameter Group 0
                dampening: 0
                differentiable: False
                foreach: None
                fused: None
                initial_lr: 0.1
                lr: 0.1
                maximize: False
                momentum: 0.9
                nesterov: False
                weight_decay: 0

            Parameter Group 1
                dampening: 0
                differentiable: False
                foreach: None
                fused: None
                initial_lr: 0.5
                lr: 0.5
                maximize: False
                momentum: 0.9
                nesterov: False
                weight_decay: 0
            )
            """.ReplaceLineEndings("\n"), sgd.ToString());
        Assert.Contains("decoupled_weight_decay: True", new AdamW([Param(1)]).ToString());
        Assert.StartsWith("RMSprop (\nParameter Group 0\n    alpha: 0.99\n    capturable: False\n    centered: False", new RMSprop([Param(1)]).ToString());
        Assert.StartsWith("Adagrad (\nParameter Group 0\n    differentiable: False\n    eps: 1e-10\n", new Adagrad([Param(1)]).ToString());
    }

    [Fact]
    public void StateDictHasPyTorchsLayoutAndIsACheckpoint()
    {
        var w = Param(1, 2);
        var b = Param(3);
        var opt = new Adam(new IDictionary[] { new Hashtable { ["params"] = w }, new Hashtable { ["params"] = b, ["lr"] = 0.1 } });
        w.Grad = Tensor.FromDoubles([1, 2], [2], DType.Float64);
        b.Grad = Tensor.FromDoubles([3], [1], DType.Float64);
        opt.Step();
        var sd = opt.StateDict();
        Assert.Equal(new[] { "state", "param_groups" }, sd.Keys.Cast<string>());
        var groups = (OrderedDictionary[])sd["param_groups"]!;
        Assert.Equal(new[] { "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused", "decoupled_weight_decay", "params" },
            groups[0].Keys.Cast<string>());
        Assert.Equal(new[] { 0 }, (List<int>)groups[0]["params"]!);
        Assert.Equal(new[] { 1 }, (List<int>)groups[1]["params"]!);
        Assert.Equal(0.1, groups[1]["lr"]);
        var state = (AutoGrad.Printing.PythonIndexDict)sd["state"]!;
        Assert.Equal(new[] { "step", "exp_avg", "exp_avg_sq" }, state[0].Keys.Cast<string>());
        var step = (Tensor)state[0]["step"]!;
        Assert.Equal((DType.Float32, 0, 1.0), (step.DType, step.Rank, (double)step.Item()));
        var expAvg = ((Tensor)state[0]["exp_avg"]!).ToDoubleArray();
        opt.Step();
        Assert.Equal(expAvg, ((Tensor)state[0]["exp_avg"]!).ToDoubleArray());
        Assert.Equal(1.0, (double)((Tensor)state[0]["step"]!).Item());
    }

    [Theory]
    [InlineData("SGD")]
    [InlineData("Adam")]
    [InlineData("AdamW")]
    [InlineData("RMSprop")]
    [InlineData("Adagrad")]
    public void ResumingFromAStateDictContinuesTheSameTrajectory(string kind)
    {
        Optimizer Make(Tensor[] p) => kind switch
        {
            "SGD" => new SGD(p, 0.05, momentum: 0.9, nesterov: true),
            "Adam" => new Adam(p, 0.05, amsgrad: true),
            "AdamW" => new AdamW(p, 0.05),
            "RMSprop" => new RMSprop(p, 0.01, momentum: 0.5, centered: true),
            _ => new Adagrad(p, 0.1, lrDecay: 0.01),
        };
        double[][] Run(Optimizer opt, Tensor[] p, int from, int to)
        {
            for (int k = from; k < to; k++)
            {
                for (int i = 0; i < p.Length; i++)
                    p[i].Grad = Tensor.FromDoubles(p[i].ToDoubleArray().Select((v, j) => Math.Sin(v * (k + 1) + j) + 0.1 * v).ToArray(), p[i].Shape, DType.Float64);
                opt.Step();
            }
            return p.Select(t => t.ToDoubleArray()).ToArray();
        }

        var straight = new[] { Param(0.5, -1, 2), Param(0.3) };
        var expected = Run(Make(straight), straight, 0, 20);

        var first = new[] { Param(0.5, -1, 2), Param(0.3) };
        var opt1 = Make(first);
        var atTen = Run(opt1, first, 0, 10);
        var saved = opt1.StateDict();
        Run(opt1, first, 10, 13); // steps after saving do not leak into the saved dict

        var restored = new[] { Tensor.FromDoubles(atTen[0], [3], DType.Float64, true), Tensor.FromDoubles(atTen[1], [1], DType.Float64, true) };
        var opt2 = Make(restored);
        opt2.LoadStateDict(saved);
        var actual = Run(opt2, restored, 10, 20);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void LoadStateDictRefusesMismatchesWithPyTorchsMessagesAndChangesNothing()
    {
        var w = Param(1, 2);
        var opt = new Adam([w], lr: 0.1);
        w.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float64);
        opt.Step();
        var good = opt.StateDict();
        var before = opt.ToString();

        var twoGroups = new Adam(new IDictionary[] { new Hashtable { ["params"] = Param(1) }, new Hashtable { ["params"] = Param(2) } });
        Assert.Equal("loaded state dict has a different number of parameter groups",
            Assert.Throws<TorchException>(() => opt.LoadStateDict(twoGroups.StateDict())).Message);
        Assert.Equal("loaded state dict contains a parameter group that doesn't match the size of optimizer's group",
            Assert.Throws<TorchException>(() => opt.LoadStateDict(new Adam([Param(1), Param(2)]).StateDict())).Message);

        var other = new Adam([Param(1, 2, 3)], lr: 0.5);
        other.ParamGroups[0].Params[0].Grad = Tensor.FromDoubles([1, 1, 1], [3], DType.Float64);
        other.Step();
        var e = Assert.Throws<TorchException>(() => opt.LoadStateDict(other.StateDict()));
        Assert.Equal("loaded state dict has a tensor of shape [3] for 'exp_avg' of parameter 0, whose shape is [2]", e.Message);
        Assert.Equal(before, opt.ToString());
        Assert.Equal(1.0, (double)((Tensor)((AutoGrad.Printing.PythonIndexDict)opt.StateDict()["state"]!)[0]["step"]!).Item());

        Assert.Contains("'param_groups'", Assert.Throws<TorchException>(() => opt.LoadStateDict(new Hashtable())).Message);
        opt.LoadStateDict(good);
    }

    [Fact]
    public void LoadStateDictTakesPlainDictionariesAndCastsToTheParameterDType()
    {
        // What a script might rebuild from a file: string keys, numbers for step, float32 tensors for a float64 parameter.
        var w = Param(1, 2);
        var opt = new SGD([w], lr: 0.1, momentum: 0.9);
        var sd = new Hashtable
        {
            ["state"] = new Hashtable { ["0"] = new Hashtable { ["momentum_buffer"] = Tensor.FromDoubles([0.5, 0.25], [2], DType.Float32) } },
            ["param_groups"] = new object[] { new Hashtable { ["lr"] = 0.2, ["momentum"] = 0.5, ["params"] = new object[] { 0 } } },
        };
        opt.LoadStateDict(sd);
        Assert.Equal(0.2, opt.ParamGroups[0].LR);
        w.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float64);
        opt.Step();
        // buf = 0.5 * [0.5, 0.25] + 1 = [1.25, 1.125]; w = w - 0.2 * buf
        Assert.Equal(new[] { 1 - 0.2 * 1.25, 2 - 0.2 * 1.125 }, w.ToDoubleArray());
    }

    [Fact]
    public void VectorBodyThreadsAndTailComputeTheSameElements()
    {
        // 300_001 elements: two threads (ParallelChunks), full vectors and a partial tail; the same values as
        // one-element parameters, which only ever take the tail path.
        const int n = 300_001;
        var rng = new System.Random(7);
        var values = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var grads = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var big = Tensor.FromDoubles(values, [n], dtype, requiresGrad: true);
            var opt = new Adam([big], lr: 0.01, amsgrad: true, weightDecay: 0.1);
            var small = Enumerable.Range(0, n).Where(i => i % 9973 == 0 || i >= n - 9).Select(i => (i, t: Tensor.FromDoubles([values[i]], [1], dtype, true))).ToArray();
            var optSmall = new Adam(small.Select(s => s.t).ToArray(), lr: 0.01, amsgrad: true, weightDecay: 0.1);
            for (int step = 0; step < 3; step++)
            {
                big.Grad = Tensor.FromDoubles(grads.Select(g => g * (step + 1)).ToArray(), [n], dtype);
                foreach (var (i, t) in small) t.Grad = Tensor.FromDoubles([grads[i] * (step + 1)], [1], dtype);
                opt.Step();
                optSmall.Step();
            }
            var all = big.ToDoubleArray();
            foreach (var (i, t) in small) Assert.Equal(all[i], t.ToDoubleArray()[0]);
        }
    }

    [Fact]
    public void FloatAndDoubleParametersMixInOneOptimizer()
    {
        var f = Tensor.FromDoubles([1, 2], [2], DType.Float32, requiresGrad: true);
        var d = Param(1, 2);
        var opt = new RMSprop([f, d], lr: 0.1);
        f.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float32);
        d.Grad = Tensor.FromDoubles([1, 1], [2], DType.Float64);
        opt.Step();
        Assert.Equal(DType.Float32, f.DType);
        Assert.Equal(DType.Float64, d.DType);
        var (fv, dv) = (f.ToDoubleArray(), d.ToDoubleArray());
        for (int i = 0; i < 2; i++) Assert.Equal(dv[i], fv[i], 1e-6);
    }
}
