using AutoGrad.Autograd;
using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>Every differentiable op's backward formula against central finite differences, in float64.</summary>
public class GradientTests
{
    private sealed record Case(Func<Tensor[], Tensor> F, Func<Tensor[]> Inputs);

    private static Tensor R(int seed, params int[] shape) => Uniform(seed, shape, requiresGrad: true);
    private static Tensor Positive(int seed, params int[] shape) => Uniform(seed, shape, requiresGrad: true, lo: 0.5, hi: 2);
    private static Tensor Away(int seed, params int[] shape) => RandomAwayFromZero(seed, shape, requiresGrad: true);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["add same shape"] = new(a => a[0].Add(a[1]), () => [R(1, 2, 3), R(2, 2, 3)]),
        ["add row broadcast"] = new(a => a[0].Add(a[1]), () => [R(1, 4, 3), R(2, 3)]),
        ["add [2,1,3] + [4,1]"] = new(a => a[0].Add(a[1]), () => [R(1, 2, 1, 3), R(2, 4, 1)]),
        ["add number"] = new(a => a[0].Add(2.5), () => [R(1, 3)]),
        ["sub column broadcast"] = new(a => a[0].Sub(a[1]), () => [R(1, 3, 1), R(2, 3, 4)]),
        ["sub number"] = new(a => a[0].Sub(2L), () => [R(1, 3)]),
        ["rsub"] = new(a => a[0].RSub(2.0), () => [R(1, 2, 3)]),
        ["mul broadcast"] = new(a => a[0].Mul(a[1]), () => [R(1, 2, 1, 3), R(2, 4, 1)]),
        ["mul 0-d"] = new(a => a[0].Mul(a[1]), () => [R(1, 2, 3), R(2)]),
        ["mul self (x*x)"] = new(a => a[0].Mul(a[0]), () => [R(1, 5)]),
        ["mul number"] = new(a => a[0].Mul(3.0), () => [R(1, 5)]),
        ["div broadcast"] = new(a => a[0].Div(a[1]), () => [R(1, 2, 3), Positive(2, 3)]),
        ["div by column"] = new(a => a[0].Div(a[1]), () => [R(1, 1, 3), Positive(2, 4, 1)]),
        ["rdiv"] = new(a => a[0].RDiv(2.0), () => [Positive(1, 2, 3)]),
        ["pow 0"] = new(a => a[0].Pow(0L), () => [R(1, 4)]),
        ["pow 1"] = new(a => a[0].Pow(1L), () => [R(1, 4)]),
        ["pow 2"] = new(a => a[0].Pow(2L), () => [R(1, 4)]),
        ["pow 3.0"] = new(a => a[0].Pow(3.0), () => [R(1, 2, 2)]),
        ["pow 0.5"] = new(a => a[0].Pow(0.5), () => [Positive(1, 4)]),
        ["pow -1"] = new(a => a[0].Pow(-1L), () => [Positive(1, 4)]),
        ["pow tensor exponent"] = new(a => a[0].Pow(a[1]), () => [Positive(1, 2, 3), R(2, 3)]),
        ["pow tensor exponent broadcast base"] = new(a => a[0].Pow(a[1]), () => [Positive(1, 3), R(2, 2, 3)]),
        ["pow scalar base 2**x"] = new(a => Tensor.Pow(2.0, a[0]), () => [R(1, 2, 3)]),
        ["neg"] = new(a => a[0].Neg(), () => [R(1, 2, 3)]),
        ["exp"] = new(a => a[0].Exp(), () => [R(1, 2, 3)]),
        ["log"] = new(a => a[0].Log(), () => [Positive(1, 2, 3)]),
        ["sqrt"] = new(a => a[0].Sqrt(), () => [Positive(1, 2, 3)]),
        ["abs"] = new(a => a[0].Abs(), () => [Away(1, 2, 3)]),
        ["sin"] = new(a => a[0].Sin(), () => [R(1, 2, 3)]),
        ["cos"] = new(a => a[0].Cos(), () => [R(1, 2, 3)]),
        ["tanh"] = new(a => a[0].Tanh(), () => [R(1, 2, 3)]),
        ["sigmoid"] = new(a => a[0].Sigmoid(), () => [R(1, 2, 3)]),
        ["relu"] = new(a => a[0].Relu(), () => [Away(1, 3, 4)]),
        ["reciprocal"] = new(a => a[0].Reciprocal(), () => [Positive(1, 3)]),
        ["matmul 2-d @ 2-d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 2, 3), R(2, 3, 4)]),
        ["matmul 2-d @ 1-d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 2, 3), R(2, 3)]),
        ["matmul 1-d @ 2-d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 3), R(2, 3, 4)]),
        ["matmul 1-d @ 1-d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 5), R(2, 5)]),
        ["t"] = new(a => a[0].T(), () => [R(1, 2, 3)]),
        ["t then matmul"] = new(a => a[0].T().MatMul(a[1]), () => [R(1, 3, 2), R(2, 3, 4)]),
        ["reshape (view)"] = new(a => a[0].Reshape(3, -1), () => [R(1, 2, 3)]),
        ["reshape (copy of a transpose)"] = new(a => a[0].T().Reshape(6), () => [R(1, 2, 3)]),
        ["view"] = new(a => a[0].View(6), () => [R(1, 2, 3)]),
        ["sum all"] = new(a => a[0].Sum(), () => [R(1, 2, 3)]),
        ["sum dim 0"] = new(a => a[0].Sum(0), () => [R(1, 2, 3)]),
        ["sum dim -1 keepdim"] = new(a => a[0].Sum(-1, keepDim: true), () => [R(1, 2, 3)]),
        ["sum dims [0, 2]"] = new(a => a[0].Sum([0, 2]), () => [R(1, 2, 3, 4)]),
        ["sum dims [-1, -3] keepdim"] = new(a => a[0].Sum([-1, -3], keepDim: true), () => [R(1, 2, 3, 4)]),
        ["mean all"] = new(a => a[0].Mean(), () => [R(1, 2, 3)]),
        ["mean dim 1"] = new(a => a[0].Mean(1), () => [R(1, 2, 3)]),
        ["mean dim -2 keepdim"] = new(a => a[0].Mean(-2, keepDim: true), () => [R(1, 2, 3)]),
        ["mean dims [0, -1]"] = new(a => a[0].Mean([0, -1]), () => [R(1, 2, 3, 4)]),
        ["expand"] = new(a => a[0].Expand(2, 3, 4), () => [R(1, 3, 1)]),
        ["expand with -1"] = new(a => a[0].Expand(4, -1), () => [R(1, 1, 3)]),
        ["clone"] = new(a => a[0].Clone(), () => [R(1, 2, 3)]),
        ["To(float64) of float64"] = new(a => a[0].To(DType.Float64).Mul(a[0]), () => [R(1, 2, 3)]),
        ["where with broadcasting"] = new(a => Tensor.Where(a[0].Gt(0.0), a[0], a[1]), () => [Away(1, 2, 3), R(2, 3)]),
        ["unsqueeze then squeeze"] = new(a => a[0].Unsqueeze(1).Mul(a[1]).Squeeze(-1), () => [R(1, 3), R(2, 3, 1)]),
        ["squeeze of a non-1 dim is the identity"] = new(a => a[0].Squeeze(0), () => [R(1, 2, 3)]),
        ["sum over all dims by list"] = new(a => a[0].Sum([]), () => [R(1, 2, 3)]),
        ["0-d input"] = new(a => a[0].Mul(a[1]).Exp(), () => [R(1), R(2, 4)]),
        ["composite: mean((x@w + b).tanh()**2)"] = new(a => a[0].MatMul(a[1]).Add(a[2]).Tanh().Pow(2L).Mean(),
            () => [R(1, 4, 3), R(2, 3, 2), R(3, 2)]),
        ["composite: sigmoid(x) * exp(-x) / (1 + x*x)"] = new(a => a[0].Sigmoid().Mul(a[0].Neg().Exp()).Div(a[0].Mul(a[0]).Add(1L)),
            () => [R(1, 5)]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Backward_matches_central_finite_differences(string name)
    {
        var c = Cases[name];
        CheckGradients(c.F, c.Inputs());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Backward_accumulates_into_leaf_grads_with_the_leaf_shapes(string name)
    {
        var c = Cases[name];
        var inputs = c.Inputs();
        c.F(inputs).Sum().Backward();
        foreach (var x in inputs)
        {
            Assert.NotNull(x.Grad);
            Assert.Equal(x.Shape, x.Grad!.Shape);
            Assert.Equal(x.DType, x.Grad.DType);
            Assert.Null(x.Grad.GradFn);
        }
    }

    [Fact]
    public void To_float32_passes_the_gradient_back_cast_to_float64()
    {
        // Finite differences through float32 rounding are noise, so this checks the ToCopyBackward0 formula directly.
        var x = Leaf([1.0, 2.0, 3.0], 3);
        var y = x.To(DType.Float32);
        Assert.Equal("ToCopyBackward0", y.GradFn!.Name);
        y.Mul(F32([0.5, 0.25, 2], 3)).Sum().Backward();
        Assert.Equal(DType.Float64, x.Grad!.DType);
        AssertClose([0.5, 0.25, 2], x.Grad);
    }

    [Fact]
    public void Divisor_gradient_does_not_overflow_where_the_divisor_squared_would()
    {
        // PyTorch computes -grad * ((a / b) / b); -grad * a / (b * b) turns into -0 once b * b overflows float32.
        var a = Leaf32([1, 1e30], 2);
        var b = Leaf32([1e20, 1e30], 2);
        a.Div(b).Sum().Backward();
        Assert.Equal(new[] { -(float)(1 / 1e20 / 1e20), -1e-30f }, (float[])b.Grad!.ToArray());
    }

    // ---- derivatives at awkward points (PyTorch's conventions) --------------------------------------------

    public static TheoryData<string, double[], double[]> AwkwardPoints => new()
    {
        { "relu at 0", [0, -1, 2], [0, 0, 1] },
        { "relu at nan", [double.NaN], [1] },
        { "abs at 0", [0, -1, 2], [0, -1, 1] },
        { "sqrt at 0", [0, 4], [double.PositiveInfinity, 0.25] },
        { "pow(x, 0) at 0", [0, 3], [0, 0] },
        { "pow(x, 2) at 0", [0, 3], [0, 6] },
        { "pow(x, 0.5) at 0", [0, 4], [double.PositiveInfinity, 0.25] },
        { "x ** y with y == 0 at x == 0", [0, 2], [0, 0] },
        { "log at 0", [0], [double.PositiveInfinity] },
    };

    [Theory]
    [MemberData(nameof(AwkwardPoints))]
    public void Derivative_at_an_awkward_point_follows_pytorch(string name, double[] x, double[] expected)
    {
        var t = Leaf(x, x.Length);
        Tensor y = name switch
        {
            "relu at 0" or "relu at nan" => t.Relu(),
            "abs at 0" => t.Abs(),
            "sqrt at 0" => t.Sqrt(),
            "pow(x, 0) at 0" => t.Pow(0L),
            "pow(x, 2) at 0" => t.Pow(2L),
            "pow(x, 0.5) at 0" => t.Pow(0.5),
            "x ** y with y == 0 at x == 0" => t.Pow(Tensor.Zeros([x.Length], DType.Float64)),
            _ => t.Log(),
        };
        y.Sum().Backward();
        Assert.Equal(expected, t.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Exponent_gradient_of_zero_to_a_nonnegative_power_is_zero()
    {
        // d/dy 0^y = 0^y log 0 is taken as 0 where y >= 0 (PyTorch's pow_backward_exponent), not nan.
        var y = Leaf([0, 2, -1], 3);
        Tensor.Pow(0.0, y).Sum().Backward();
        var g = y.Grad!.ToDoubleArray();
        Assert.Equal(0, g[0]);
        Assert.Equal(0, g[1]);
        Assert.True(double.IsNaN(g[2]) || double.IsInfinity(g[2]));
    }

    // ---- second order ---------------------------------------------------------------------------------------

    [Fact]
    public void Second_derivative_of_cube_is_six_x()
    {
        var x = Leaf([0.5, -1.5, 2.0], 3);
        var y = x.Pow(3L).Sum();
        var dx = BackwardEngine.Grad([y], [x], createGraph: true)[0]!;
        AssertClose([3 * 0.25, 3 * 2.25, 3 * 4.0], dx);
        Assert.NotNull(dx.GradFn);
        var d2x = BackwardEngine.Grad([dx.Sum()], [x])[0]!;
        AssertClose([3.0, -9.0, 12.0], d2x);
    }

    [Fact]
    public void Second_derivative_of_tanh_is_minus_two_tanh_times_sech_squared()
    {
        double[] values = [-1.2, 0.3, 0.9];
        var x = Leaf(values, 3);
        var dx = BackwardEngine.Grad([x.Tanh().Sum()], [x], createGraph: true)[0]!;
        var d2x = BackwardEngine.Grad([dx.Sum()], [x])[0]!;
        AssertClose(values.Select(v => -2 * Math.Tanh(v) * (1 - Math.Tanh(v) * Math.Tanh(v))).ToArray(), d2x, 1e-12);
    }

    [Fact]
    public void Backward_with_create_graph_leaves_a_differentiable_grad()
    {
        var x = Leaf([2.0], 1);
        x.Pow(3L).Sum().Backward(createGraph: true);
        Assert.NotNull(x.Grad!.GradFn);
        AssertClose([12.0], x.Grad);
        var g = x.Grad;
        x.Grad = null;
        g.Sum().Backward();
        AssertClose([12.0], x.Grad!);
    }

    [Theory]
    [MemberData(nameof(SecondOrderNames))]
    public void Hessian_vector_products_match_finite_differences_of_the_gradient(string name)
    {
        // d/dx (v . grad f(x)) checked against central differences of grad f, i.e. the gradient graph itself
        // differentiated numerically.
        var f = SecondOrder[name];
        var x = Uniform(7, [4], requiresGrad: true, lo: 0.5, hi: 1.5);
        CheckGradients(a => BackwardEngine.Grad([f(a[0]).Sum()], [a[0]], createGraph: true)[0]!, x);
    }

    private static readonly Dictionary<string, Func<Tensor, Tensor>> SecondOrder = new()
    {
        ["exp"] = x => x.Exp(),
        ["log"] = x => x.Log(),
        ["sqrt"] = x => x.Sqrt(),
        ["sin"] = x => x.Sin(),
        ["cos"] = x => x.Cos(),
        ["tanh"] = x => x.Tanh(),
        ["sigmoid"] = x => x.Sigmoid(),
        ["x * relu(x)"] = x => x.Mul(x.Relu()),
        ["tanh(x) * sigmoid(x)"] = x => x.Tanh().Mul(x.Sigmoid()),
        ["gelu"] = x => x.Sub(1L).Gelu(),
        ["gelu (tanh approximation)"] = x => x.Sub(1L).Gelu("tanh"),
        ["pow 3"] = x => x.Pow(3L),
        ["pow 0.5"] = x => x.Pow(0.5),
        ["x ** x"] = x => x.Pow(x),
        ["2 ** x"] = x => Tensor.Pow(2.0, x),
        ["1 / x"] = x => x.RDiv(1L),
        ["x / (x + 1)"] = x => x.Div(x.Add(1L)),
        ["x * x * x"] = x => x.Mul(x).Mul(x),
        ["mean(x) * x"] = x => x.Mean().Mul(x),
        ["outer via matmul"] = x => x.Unsqueeze(1).MatMul(x.Unsqueeze(0)).Sum(0),
    };

    public static TheoryData<string> SecondOrderNames => new(SecondOrder.Keys);
}
