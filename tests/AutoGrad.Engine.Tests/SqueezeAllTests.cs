using AutoGrad.Autograd;

namespace AutoGrad.Tests;

/// <summary>torch.squeeze(x) without a dim: every size-1 dim goes, SqueezeBackward0 restores the shape.</summary>
public class SqueezeAllTests
{
    [Fact]
    public void RemovesEverySizeOneDimAndRecordsSqueezeBackward0()
    {
        var x = Tensor.Ones([1, 2, 1, 3], DType.Float64, requiresGrad: true);
        var y = x.Squeeze();
        Assert.Equal(new[] { 2, 3 }, y.Shape);
        Assert.Equal("SqueezeBackward0", y.GradFn!.Name);
        y.Mul(2L).Sum().Backward();
        Assert.Equal(new[] { 1, 2, 1, 3 }, x.Grad!.Shape);
        Assert.All(x.Grad.ToDoubleArray(), v => Assert.Equal(2.0, v));
    }

    [Fact]
    public void AllOnesBecomesZeroDimAndNoOnesIsUnchanged()
    {
        Assert.Empty(Tensor.Ones([1, 1]).Squeeze().Shape);
        Assert.Equal(new[] { 2, 3 }, Tensor.Ones([2, 3]).Squeeze().Shape);
    }

    [Fact]
    public void GradientChecksInFloat64()
    {
        var x = Tensor.FromDoubles([0.5, -1.0, 2.0], [3, 1], DType.Float64);
        Assert.True(GradientCheck.Run(xs => xs[0].Squeeze().Mul(xs[0].Squeeze()), [x]).Passed);
    }
}
