using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>
/// Seeded factories reproduce PyTorch's CPU generator. Expected values are PyTorch's own outputs after
/// torch.manual_seed(0), printed to 4 decimals.
/// </summary>
public class RandomTests
{
    [Fact]
    public void RandWithSeedZeroMatchesTorchRand()
    {
        var values = Tensor.Rand([10], DType.Float32, seed: 0).ToDoubleArray();
        double[] torch = [0.4963, 0.7682, 0.0885, 0.1320, 0.3074, 0.6341, 0.4901, 0.8964, 0.4556, 0.6323];
        Assert.Equal(torch, values.Select(v => Math.Round(v, 4)));
    }

    [Fact]
    public void RandNOfFewerThan16UsesCachedBoxMuller()
    {
        var values = Tensor.RandN([3], DType.Float32, seed: 0).ToDoubleArray();
        Assert.Equal([1.5410, -0.2934, -2.1788], values.Select(v => Math.Round(v, 4)));
    }

    [Fact]
    public void RandNOf16OrMoreUsesBlockBoxMuller()
    {
        var values = Tensor.RandN([4, 4], DType.Float32, seed: 0).ToDoubleArray();
        double[] torch =
        [
            -1.1258, -1.1524, -0.2506, -0.4339,
            0.8487, 0.6920, -0.3160, -2.1152,
            0.3223, -1.2633, 0.3500, 0.3081,
            0.1198, 1.2377, 1.1168, -0.2473,
        ];
        Assert.Equal(torch, values.Select(v => Math.Round(v, 4)));
    }

    [Fact]
    public void RandValuesLieInUnitInterval()
    {
        var values = Tensor.Rand([10000], DType.Float64, seed: 7).ToDoubleArray();
        Assert.All(values, v => Assert.InRange(v, 0.0, 0.9999999999999999));
        Assert.InRange(values.Average(), 0.48, 0.52);
    }

    [Fact]
    public void SameSeedGivesSameTensorAndManualSeedRestarts()
    {
        var g = new Generator(42);
        var first = Tensor.Rand([5], DType.Float32, g).ToDoubleArray();
        g.ManualSeed(42);
        var again = Tensor.Rand([5], DType.Float32, g).ToDoubleArray();
        Assert.Equal(first, again);
        Assert.Equal(first, Tensor.Rand([5], DType.Float32, seed: 42).ToDoubleArray());
    }

    [Theory]
    [InlineData(DType.Int64, "\"check_uniform_bounds\" not implemented for 'Long'")]
    [InlineData(DType.Bool, "\"check_uniform_bounds\" not implemented for 'Bool'")]
    public void RandRejectsNonFloatingDTypes(DType dtype, string message)
    {
        var e = Assert.Throws<TorchException>(() => Tensor.Rand([2], dtype, seed: 0));
        Assert.Equal(message, e.Message);
    }
}
