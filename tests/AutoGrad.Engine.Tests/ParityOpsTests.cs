namespace AutoGrad.Tests;

/// <summary>
/// The parity op set beyond what the op table's generated tests check (<see cref="OpTableTests"/>: every op's values,
/// node names and gradients against PyTorch and finite differences): erf's values, cat/stack/split, the losses
/// against closed forms, how ties and zeros share gradients, and reshape after permute and narrow.
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

    [Fact]
    public void ErfMatchesKnownValues()
    {
        Assert.Equal(0.8427007929497149, SpecialFunctions.Erf(1.0), 14);
        Assert.Equal(-0.9953222650189527, SpecialFunctions.Erf(-2.0), 14);
        Assert.Equal(0.9999779095030014, SpecialFunctions.Erf(3.0), 14);
        Assert.Equal(0.1124629160182849, SpecialFunctions.Erf(0.1), 14);
        Assert.Equal(0.9999999845827421, SpecialFunctions.Erf(4.0), 14);
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

/// <summary>Second derivatives against their closed forms (create_graph nodes are named in NodeNameTests).</summary>
public class HigherOrderTests
{
    private static readonly Dictionary<string, (Func<Tensor, Tensor> F, Func<double, double> Second)> ClosedForms = new()
    {
        ["tanh"] = (x => x.Tanh(), v => -2 * Math.Tanh(v) * (1 - Math.Tanh(v) * Math.Tanh(v))),
        ["sigmoid"] = (x => x.Sigmoid(), v => Sigmoid(v) * (1 - Sigmoid(v)) * (1 - 2 * Sigmoid(v))),
    };

    public static TheoryData<string> ClosedFormNames => new(ClosedForms.Keys);

    [Theory]
    [MemberData(nameof(ClosedFormNames))]
    public void SecondDerivativeMatchesClosedForm(string name)
    {
        var (f, second) = ClosedForms[name];
        var values = new[] { -1.2, -0.3, 0.4, 1.5 };
        var x = Tensor.FromDoubles(values, [4], DType.Float64, requiresGrad: true);
        var g = Autograd.BackwardEngine.Grad([f(x).Sum()], [x], createGraph: true)[0]!;
        var h = Autograd.BackwardEngine.Grad([g.Sum()], [x])[0]!.ToDoubleArray();
        for (int i = 0; i < values.Length; i++) Assert.Equal(second(values[i]), h[i], 12);
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));
}
