namespace AutoGrad.Tests;

/// <summary>
/// max/min/argmax over the last dim take a row-at-a-time path (vectorized extreme, then its first occurrence); the
/// values and indices at the edges PyTorch defines by its scan: ties, NaN, -0 and +0. Expected values printed by
/// PyTorch 1.13.1:
/// <code>
/// t = torch.tensor([vals, vals], dtype=torch.float32)
/// t.max(1) ; t.min(1) ; torch.signbit(t.max(1).values) ; t.argmax(1)
/// </code>
/// </summary>
public class ExtremeRowsTests
{
    public static TheoryData<double[], double, long, bool, double, long, bool> Cases => new()
    {
        // values, max, its index, max's sign bit, min, its index, min's sign bit
        { [-0.0, 0.0, -1.0], -0.0, 0, true, -1.0, 2, true },
        { [0.0, -0.0, 1.0], 1.0, 2, false, 0.0, 0, false },
        { [1.0, double.NaN, 2.0, double.NaN], double.NaN, 1, false, double.NaN, 1, false },
        { [3.0, 1.0, 3.0, 2.0], 3.0, 0, false, 1.0, 1, false },
        { [double.NegativeInfinity, double.NegativeInfinity], double.NegativeInfinity, 0, true, double.NegativeInfinity, 0, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Max_and_min_over_the_last_dim_match_pytorch(double[] values, double max, long maxAt, bool maxNegative,
        double min, long minAt, bool minNegative)
    {
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var t = Tensor.FromDoubles(values.Concat(values).ToArray(), [2, values.Length], dtype);
            var (mx, mn) = (t.Max(1), t.Min(1));
            Check(mx.Values.ToDoubleArray()[1], mx.Indices.ToDoubleArray()[1], max, maxAt, maxNegative);
            Check(mn.Values.ToDoubleArray()[1], mn.Indices.ToDoubleArray()[1], min, minAt, minNegative);
            Assert.Equal(maxAt, (long)t.ArgMax(1).ToDoubleArray()[1]);
        }
    }

    private static void Check(double value, double index, double expected, long expectedIndex, bool negative)
    {
        Assert.Equal(expectedIndex, (long)index);
        // A NaN's sign is the input NaN's (.NET's double.NaN has the sign bit set, Python's float('nan') not).
        if (double.IsNaN(expected)) { Assert.True(double.IsNaN(value)); return; }
        Assert.Equal(expected, value);
        Assert.Equal(negative, double.IsNegative(value));
    }
}
