using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>The FMA exp against Math.Exp: special values, the subnormal range, and ulp error over wide ranges.</summary>
public class VectorMathTests
{
    private static double[] Exp(params double[] x)
    {
        var d = new double[x.Length];
        VectorMath.Exp(x, d);
        return d;
    }

    [Fact]
    public void SpecialValues()
    {
        // Four lanes per vector: put each special value in a full vector so the vector path handles it.
        double[] inputs = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 710, -746, 709.7];
        var d = Exp(inputs);
        Assert.True(double.IsNaN(d[0]));
        Assert.Equal(double.PositiveInfinity, d[1]);
        Assert.Equal(0.0, d[2]);
        Assert.Equal(1.0, d[3]);
        Assert.Equal(1.0, d[4]);
        Assert.Equal(double.PositiveInfinity, d[5]);
        Assert.Equal(0.0, d[6]);
        Assert.Equal(Math.Exp(709.7), d[7], Math.Exp(709.7) * 1e-15);
    }

    [Theory]
    [InlineData(-20.0, 20.0, 2)]
    [InlineData(-700.0, 700.0, 2)]
    [InlineData(-1e-8, 1e-8, 1)]
    public void WithinUlpsOfMathExp(double lo, double hi, long maxUlps)
    {
        var r = new System.Random(3);
        var x = Enumerable.Range(0, 200_000).Select(_ => lo + (hi - lo) * r.NextDouble()).ToArray();
        var d = Exp(x);
        for (int i = 0; i < x.Length; i++)
        {
            long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(d[i]) - BitConverter.DoubleToInt64Bits(Math.Exp(x[i])));
            Assert.True(ulps <= maxUlps, $"exp({x[i]:R}) = {d[i]:R}, Math.Exp gives {Math.Exp(x[i]):R} ({ulps} ulp)");
        }
    }

    /// <summary>
    /// A vector whose four results are all normal takes the short path; one extreme lane sends it down the full
    /// one. Each value must come out the same either way, including at the short path's edges.
    /// </summary>
    [Theory]
    [InlineData(DType.Float64, "exp")]
    [InlineData(DType.Float64, "sigmoid")]
    [InlineData(DType.Float64, "tanh")]
    public void TheShortAndTheFullPathGiveTheSameBits(DType dtype, string op)
    {
        var r = new System.Random(5);
        var values = Enumerable.Range(0, 3000).Select(_ => -708 + 1417 * r.NextDouble())
            .Concat([-708.0, 709.0, -707.9999999, 708.9999999, 0.0, -0.0]).ToArray();
        Func<Tensor, Tensor> f = op switch { "exp" => t => t.Exp(), "sigmoid" => t => t.Sigmoid(), _ => t => t.Tanh() };
        // alone: four normal lanes per vector; spread: each value shares its vector with three lanes of 1000
        var alone = f(Tensor.FromDoubles(values.SelectMany(v => new[] { v, v, v, v }).ToArray(), [values.Length * 4], dtype)).ToDoubleArray();
        var spread = f(Tensor.FromDoubles(values.SelectMany(v => new[] { v, 1000.0, -1000.0, double.NaN }).ToArray(), [values.Length * 4], dtype)).ToDoubleArray();
        for (int i = 0; i < values.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(alone[4 * i]) == BitConverter.DoubleToInt64Bits(spread[4 * i]),
                $"{op}({values[i]:R}): {alone[4 * i]:R} on the short path, {spread[4 * i]:R} on the full one");
    }

    [Fact]
    public void SubnormalResultsAreClose()
    {
        var x = Enumerable.Range(0, 4000).Select(i => -708.5 - i * 0.009).ToArray(); // down to about -744.5
        var d = Exp(x);
        for (int i = 0; i < x.Length; i++)
            Assert.True(Math.Abs(d[i] - Math.Exp(x[i])) <= 2 * double.Epsilon + 1e-15 * Math.Exp(x[i]),
                $"exp({x[i]:R}) = {d[i]:R}, Math.Exp gives {Math.Exp(x[i]):R}");
    }
}

public class SignedZeroTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void TanhAndFriendsKeepTheSignOfZero(DType dtype)
    {
        // Enough elements for the vector paths, each a negative zero.
        var x = Tensor.FromDoubles(Enumerable.Repeat(-0.0, 9).ToArray(), [9], dtype);
        foreach (var y in new[] { x.Tanh(), x.Sin(), x.Neg().Neg() })
            Assert.All(y.ToDoubleArray(), v => Assert.True(double.IsNegative(v) && v == 0, $"{v:R}"));
        Assert.Equal("tensor([-0., -0., -0., -0., -0., -0., -0., -0., -0.]" + (dtype == DType.Float64 ? ", dtype=torch.float64)" : ")"),
            x.Tanh().ToString());
    }
}
