using AutoGrad.Autograd;

namespace AutoGrad.Tests;

public class GradientCheckTests
{
    [Fact]
    public void CorrectGradientsPass()
    {
        var x = Tensor.FromDoubles([0.5, -1.0, 2.0], [3], DType.Float32, requiresGrad: true);
        var y = Tensor.FromDoubles([1.5, 0.25, -0.5], [3], DType.Float32, requiresGrad: true);
        var result = GradientCheck.Run(a => a[0].Mul(a[1]).Tanh().Add(a[0].Exp()), [x, y]);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(3, result.Analytical[0].GetLength(0));
    }

    [Fact]
    public void AWrongGradientIsCaughtAndLocated()
    {
        // detach() hides x from the graph in one term: the analytic Jacobian misses that term's contribution.
        var x = Tensor.FromDoubles([0.5, 2.0], [2], DType.Float64, requiresGrad: true);
        var result = GradientCheck.Run(a => a[0].Mul(a[0].Detach()), [x]);
        Assert.False(result.Passed);
        Assert.Equal(0, result.WorstInput);
        Assert.Equal(result.WorstOutputElement, result.WorstInputElement);
        Assert.Equal(2 * 2.0, result.Numerical[0][1, 1], 5);
        Assert.Equal(2.0, result.Analytical[0][1, 1], 12);
    }
}
