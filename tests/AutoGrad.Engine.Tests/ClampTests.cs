namespace AutoGrad.Tests;

/// <summary>
/// clamp with number bounds keeps ATen's vectorized semantics (maxps/minps return x when it equals a bound, and
/// NaN stays NaN), printed by PyTorch 1.13.1 for t = torch.tensor([-0.0, 0.0, nan, 5.0, -5.0] * 4):
/// <code>
/// t.clamp(min=0.0)      # [-0.0, 0.0, nan, 5.0, 0.0]     sign bits [True, False, False, False, False]
/// t.clamp(max=-0.0)     # [-0.0, 0.0, nan, -0.0, -5.0]   sign bits [True, False, False, True, True]
/// t.clamp(0.5, -0.5)    # [-0.5, -0.5, nan, -0.5, -0.5]
/// </code>
/// The vector loop and the scalar tail both see each value (20 elements: 16 in vectors of float, 4 in the tail).
/// </summary>
public class ClampTests
{
    public static TheoryData<double?, double?, double[], bool[]> Cases => new()
    {
        { 0.0, null, [-0.0, 0.0, double.NaN, 5.0, 0.0], [true, false, false, false, false] },
        { null, -0.0, [-0.0, 0.0, double.NaN, -0.0, -5.0], [true, false, false, true, true] },
        { 0.5, -0.5, [-0.5, -0.5, double.NaN, -0.5, -0.5], [true, true, false, true, true] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Clamp_keeps_pytorchs_zero_signs_and_nan(double? min, double? max, double[] expected, bool[] negative)
    {
        double[] input = [-0.0, 0.0, double.NaN, 5.0, -5.0];
        foreach (var dtype in new[] { DType.Float32, DType.Float64 })
        {
            var t = Tensor.FromDoubles(Enumerable.Repeat(input, 4).SelectMany(v => v).ToArray(), [20], dtype);
            var r = t.Clamp(min, max).ToDoubleArray();
            for (int i = 0; i < r.Length; i++)
            {
                int k = i % 5;
                if (double.IsNaN(expected[k])) { Assert.True(double.IsNaN(r[i]), $"{dtype} element {i}"); continue; }
                Assert.Equal(expected[k], r[i]);
                Assert.True(negative[k] == double.IsNegative(r[i]), $"{dtype} element {i}: {r[i]} has the wrong sign");
            }
        }
    }
}
