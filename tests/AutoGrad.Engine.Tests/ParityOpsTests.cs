namespace AutoGrad.Tests;

/// <summary>
/// The parity op set: each op's analytic gradient (through the real backward engine) against central finite
/// differences in float64, plus PyTorch's node name for the call.
/// </summary>
public class ParityOpsTests
{
    private static Tensor Random(int[] shape, int seed, double lo = -2, double hi = 2)
    {
        var r = Tensor.Rand(shape, DType.Float64, seed).ToDoubleArray();
        return Tensor.FromDoubles(r.Select(v => lo + (hi - lo) * v).ToArray(), shape, DType.Float64, requiresGrad: true);
    }

    /// <summary>Checks d(sum(f(x) * w))/dx for a fixed random weight w against central differences.</summary>
    private static void CheckGradient(Func<Tensor, Tensor> f, Tensor x, double tolerance = 1e-6)
    {
        var output = f(x);
        var w = Tensor.FromDoubles(Tensor.Rand(output.Shape, DType.Float64, 99).ToDoubleArray(), output.Shape, output.DType);
        output.Mul(w).Sum().Backward();
        var analytic = x.Grad!.ToDoubleArray();
        var values = x.ToDoubleArray();
        const double eps = 1e-6;
        for (int i = 0; i < values.Length; i++)
        {
            double Eval(double v)
            {
                var copy = (double[])values.Clone();
                copy[i] = v;
                var xi = Tensor.FromDoubles(copy, x.Shape, DType.Float64);
                return f(xi).Mul(w).Sum().ToDoubleArray()[0];
            }
            double numeric = (Eval(values[i] + eps) - Eval(values[i] - eps)) / (2 * eps);
            Assert.True(Math.Abs(numeric - analytic[i]) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                $"element {i}: analytic {analytic[i]} vs numeric {numeric}");
        }
    }

    public static TheoryData<string, int[]> UnaryOps => new()
    {
        { "Log1p", [3, 4] }, { "Expm1", [3, 4] }, { "Rsqrt", [5] }, { "Square", [2, 3] },
        { "Softmax0", [3, 4] }, { "Softmax1", [3, 4] }, { "LogSoftmax1", [2, 5] }, { "LogSumExp1", [3, 4] },
        { "Var", [3, 4] }, { "Std1", [3, 4] }, { "Norm", [6] }, { "Norm1Keep", [3, 4] }, { "Prod", [5] }, { "Prod0", [3, 2] },
        { "Amax", [3, 4] }, { "Max", [7] }, { "MaxDim", [3, 4] }, { "Permute", [2, 3, 4] }, { "Transpose", [2, 3, 4] },
        { "Flatten", [2, 3, 4] }, { "Select", [3, 4] }, { "Narrow", [4, 3] }, { "IndexSelect", [4, 3] },
        { "LeakyRelu", [8] }, { "Softplus", [8] }, { "Silu", [8] }, { "Gelu", [8] }, { "GeluTanh", [8] },
        { "Clamp", [10] }, { "MatMulBatched", [2, 3, 4] }, { "MatMulFold", [2, 3, 4] }, { "Bmm", [2, 3, 4] },
    };

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "Log1p" => x.Abs().Log1p(),
        "Expm1" => x.Expm1(),
        "Rsqrt" => x.Abs().Add(0.5).Rsqrt(),
        "Square" => x.Square(),
        "Softmax0" => x.Softmax(0),
        "Softmax1" => x.Softmax(1),
        "LogSoftmax1" => x.LogSoftmax(1),
        "LogSumExp1" => x.LogSumExp(1),
        "Var" => x.Var(),
        "Std1" => x.Std([1]),
        "Norm" => x.Norm(),
        "Norm1Keep" => x.Norm(2, [1], keepDim: true),
        "Prod" => x.Prod(),
        "Prod0" => x.Prod(0),
        "Amax" => x.Amax([1]),
        "Max" => x.Max(),
        "MaxDim" => x.Max(1).Values,
        "Permute" => x.Permute(2, 0, 1),
        "Transpose" => x.Transpose(0, 2),
        "Flatten" => x.Flatten(1),
        "Select" => x.Select(1, -1),
        "Narrow" => x.Narrow(0, 1, 2),
        "IndexSelect" => x.IndexSelect(0, [3L, 0L, 3L]),
        "LeakyRelu" => x.LeakyRelu(0.1),
        "Softplus" => x.Softplus(),
        "Silu" => x.Silu(),
        "Gelu" => x.Gelu(),
        "GeluTanh" => x.Gelu("tanh"),
        "Clamp" => x.Clamp(-0.5, 0.7),
        "MatMulBatched" => x.MatMul(Tensor.FromDoubles(Enumerable.Range(0, 8).Select(i => i * 0.1).ToArray(), [4, 2], DType.Float64)).Add(x.Transpose(1, 2).MatMul(x).Sum()),
        "MatMulFold" => x.MatMul(Tensor.FromDoubles(Enumerable.Range(0, 4).Select(i => i * 0.3).ToArray(), [4], DType.Float64)),
        "Bmm" => x.Bmm(x.Transpose(1, 2)),
        _ => throw new ArgumentException(op),
    };

    [Theory]
    [MemberData(nameof(UnaryOps))]
    public void GradientMatchesFiniteDifferences(string op, int[] shape)
    {
        CheckGradient(x => Apply(op, x), Random(shape, op.Length * 31 + shape.Length));
    }

    [Fact]
    public void ErfMatchesKnownValues()
    {
        Assert.Equal(0.8427007929497149, SpecialFunctions.Erf(1.0), 14);
        Assert.Equal(-0.9953222650189527, SpecialFunctions.Erf(-2.0), 14);
        Assert.Equal(0.9999779095030014, SpecialFunctions.Erf(3.0), 14);
        Assert.Equal(0.1124629160182849, SpecialFunctions.Erf(0.1), 14);
        Assert.Equal(0.9999999845827421, SpecialFunctions.Erf(4.0), 14);
    }

    [Theory]
    [InlineData("Softmax", "SoftmaxBackward0")]
    [InlineData("LogSoftmax", "LogSoftmaxBackward0")]
    [InlineData("Max", "MaxBackward1")]
    [InlineData("MaxDim", "MaxBackward0")]
    [InlineData("Amax", "AmaxBackward0")]
    [InlineData("Permute", "PermuteBackward0")]
    [InlineData("Transpose", "TransposeBackward0")]
    [InlineData("Select", "SelectBackward0")]
    [InlineData("Narrow", "SliceBackward0")]
    [InlineData("IndexSelect", "IndexSelectBackward0")]
    [InlineData("Clamp", "ClampBackward1")]
    [InlineData("Square", "PowBackward0")]
    [InlineData("Log1p", "Log1PBackward0")]
    [InlineData("Norm", "LinalgVectorNormBackward0")]
    [InlineData("MatMulBatched", "AddBackward0")]
    [InlineData("MatMulFold", "UnsafeViewBackward0")]
    [InlineData("Var", "VarBackward0")]
    [InlineData("Gelu", "GeluBackward0")]
    public void NodeNamesMatchPyTorch(string op, string node)
    {
        int[] shape = op.StartsWith("MatMul") || op is "Permute" or "Transpose" ? [2, 3, 4] : op == "IndexSelect" ? [4, 3] : [3, 4];
        var x = Random(shape, 5);
        if (op == "Softmax" || op == "LogSoftmax") Assert.Equal(node, (op == "Softmax" ? x.Softmax(1) : x.LogSoftmax(1)).GradFn!.Name);
        else Assert.Equal(node, Apply(op, op == "MatMulFold" ? Random([2, 3, 4], 1) : x).GradFn!.Name);
    }

    [Fact]
    public void CatStackAndSplitRouteGradientsBack()
    {
        var a = Random([2, 3], 1);
        var b = Random([4, 3], 2);
        var cat = Tensor.Cat([a, b], 0);
        Assert.Equal("CatBackward0", cat.GradFn!.Name);
        Assert.Equal(new[] { 6, 3 }, cat.Shape);
        var pieces = cat.Split(4, 0);
        Assert.Equal(new[] { 4, 3 }, pieces[0].Shape);
        Assert.Equal(new[] { 2, 3 }, pieces[1].Shape);
        Assert.Equal("SplitBackward0", pieces[1].GradFn!.Name);
        pieces[1].Mul(3.0).Sum().Backward();
        Assert.All(a.Grad!.ToDoubleArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3.0 }, b.Grad!.ToDoubleArray());

        var c = Random([2, 3], 3);
        var d = Random([2, 3], 4);
        var stacked = Tensor.Stack([c, d], 1);
        Assert.Equal(new[] { 2, 2, 3 }, stacked.Shape);
        Assert.Equal("StackBackward0", stacked.GradFn!.Name);
        Assert.Equal(d.Select(0, 1).ToDoubleArray(), stacked.Select(0, 1).Select(0, 1).ToDoubleArray());
    }

    [Fact]
    public void LossesMatchClosedForms()
    {
        var logits = Tensor.FromDoubles([1, 2, 3, 1, 0, -1], [2, 3], DType.Float64, requiresGrad: true);
        var target = Tensor.FromArray(new long[] { 2, 0 }, 2);
        var loss = logits.CrossEntropy(target);
        Assert.Equal("NllLossBackward0", loss.GradFn!.Name);
        double l0 = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3)) - 3;
        double l1 = Math.Log(Math.Exp(1) + Math.Exp(0) + Math.Exp(-1)) - 1;
        Assert.Equal((l0 + l1) / 2, (double)loss.Item(), 12);
        CheckGradient(x => x.CrossEntropy(target), Random([2, 3], 8));
        CheckGradient(x => x.CrossEntropy(target, Reduction.None), Random([2, 3], 9));

        var y = Random([4], 10);
        var t = Tensor.FromDoubles([0, 1, 1, 0], [4], DType.Float64);
        Assert.Equal("MseLossBackward0", y.MseLoss(t).GradFn!.Name);
        CheckGradient(x => x.MseLoss(t), Random([4], 11));
        CheckGradient(x => x.MseLoss(t, Reduction.None), Random([4], 12));
        CheckGradient(x => x.BinaryCrossEntropyWithLogits(t), Random([4], 13));
        Assert.Equal("BinaryCrossEntropyWithLogitsBackward0", y.BinaryCrossEntropyWithLogits(t).GradFn!.Name);
        Assert.Equal("MeanBackward0", y.L1Loss(t).GradFn!.Name);
        Assert.Equal("AbsBackward0", y.L1Loss(t, Reduction.None).GradFn!.Name);
    }

    [Fact]
    public void MaximumSplitsTiesEvenly()
    {
        var a = Tensor.FromDoubles([1, 2, 3], [3], DType.Float64, requiresGrad: true);
        var b = Tensor.FromDoubles([3, 2, 1], [3], DType.Float64, requiresGrad: true);
        var m = a.Maximum(b);
        Assert.Equal("MaximumBackward0", m.GradFn!.Name);
        m.Sum().Backward();
        Assert.Equal(new[] { 0, 0.5, 1 }, a.Grad!.ToDoubleArray());
        Assert.Equal(new[] { 1, 0.5, 0 }, b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MaxOfAllSplitsTiesAndMaxDimPicksTheIndex()
    {
        var x = Tensor.FromDoubles([1, 5, 5, 2], [2, 2], DType.Float64, requiresGrad: true);
        x.Max().Backward();
        Assert.Equal(new[] { 0, 0.5, 0.5, 0 }, x.Grad!.ToDoubleArray());
        var y = Tensor.FromDoubles([1, 5, 5, 2], [2, 2], DType.Float64, requiresGrad: true);
        var (values, indices) = y.Max(1);
        Assert.Equal(new long[] { 1, 0 }, (long[])indices.ToArray());
        values.Sum().Backward();
        Assert.Equal(new[] { 0, 1.0, 1, 0 }, y.Grad!.ToDoubleArray());
        Assert.Equal(1L, y.Detach().ArgMax().Item());
    }

    [Fact]
    public void ProdGradientHandlesZeros()
    {
        var x = Tensor.FromDoubles([2, 0, 3], [3], DType.Float64, requiresGrad: true);
        x.Prod().Backward();
        Assert.Equal(new[] { 0, 6.0, 0 }, x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ReshapeAfterPermuteCopiesLikePyTorch()
    {
        var x = Random([2, 3, 4], 1);
        Assert.Equal("UnsafeViewBackward0", x.Permute(2, 0, 1).Reshape(-1).GradFn!.Name);
        Assert.Equal("ViewBackward0", x.Narrow(0, 0, 1).Reshape(12).GradFn!.Name);
        Assert.Equal("UnsafeViewBackward0", x.Narrow(2, 0, 2).Reshape(12).GradFn!.Name);
    }
}

/// <summary>Second-order graphs: the gradient's own node is named after PyTorch's backward function.</summary>
public class HigherOrderTests
{
    [Theory]
    [InlineData("Tanh", "TanhBackwardBackward0")]
    [InlineData("Sigmoid", "SigmoidBackwardBackward0")]
    [InlineData("Relu", "ThresholdBackwardBackward0")]
    [InlineData("Exp", "MulBackward0")]
    [InlineData("Log", "DivBackward0")]
    [InlineData("Sqrt", "DivBackward0")]
    public void GradientNodeUnderCreateGraph(string op, string node)
    {
        var x = Tensor.FromDoubles([0.1, 0.3, 0.7, 1.1], [4], DType.Float64, requiresGrad: true);
        var y = op switch
        {
            "Tanh" => x.Tanh(), "Sigmoid" => x.Sigmoid(), "Relu" => x.Relu(),
            "Exp" => x.Exp(), "Log" => x.Log(), _ => x.Sqrt(),
        };
        var g = Autograd.BackwardEngine.Grad([y], [x], [Tensor.OnesLike(y)], createGraph: true)[0]!;
        Assert.Equal(node, g.GradFn!.Name);
    }

    [Theory]
    [InlineData("Tanh")]
    [InlineData("Sigmoid")]
    public void SecondDerivativeMatchesClosedForm(string op)
    {
        var values = new[] { -1.2, -0.3, 0.4, 1.5 };
        var x = Tensor.FromDoubles(values, [4], DType.Float64, requiresGrad: true);
        var y = op == "Tanh" ? x.Tanh() : x.Sigmoid();
        var g = Autograd.BackwardEngine.Grad([y.Sum()], [x], createGraph: true)[0]!;
        var h = Autograd.BackwardEngine.Grad([g.Sum()], [x])[0]!.ToDoubleArray();
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            double expected = op == "Tanh"
                ? -2 * Math.Tanh(v) * (1 - Math.Tanh(v) * Math.Tanh(v))
                : Sigmoid(v) * (1 - Sigmoid(v)) * (1 - 2 * Sigmoid(v));
            Assert.Equal(expected, h[i], 12);
        }

        static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
    }
}
