namespace AutoGrad.Tests;

/// <summary>
/// The vectorized transcendental kernels against scalar Math in double: float32 results must equal the correctly
/// rounded float of the exact value (checked at 0 ulp, 1 allowed), float64 within a few ulp. float32 sigmoid is
/// held to PyTorch's own kernel instead (SigmoidFloatTests).
/// </summary>
public class TranscendentalAccuracyTests
{
    public static TheoryData<string> Ops => new() { "Exp", "Log", "Sin", "Cos", "Tanh", "Sigmoid" };

    // float32 sigmoid follows PyTorch's kernel rather than the correctly rounded value (SigmoidFloatTests).
    public static TheoryData<string> Float32Ops => new() { "Exp", "Log", "Sin", "Cos", "Tanh" };

    private static double Reference(string op, double v) => op switch
    {
        "Exp" => Math.Exp(v), "Log" => Math.Log(v), "Sin" => Math.Sin(v), "Cos" => Math.Cos(v),
        "Tanh" => Math.Tanh(v), _ => 1 / (1 + Math.Exp(-v)),
    };

    private static Tensor Apply(string op, Tensor t) => op switch
    {
        "Exp" => t.Exp(), "Log" => t.Log(), "Sin" => t.Sin(), "Cos" => t.Cos(), "Tanh" => t.Tanh(), _ => t.Sigmoid(),
    };

    private static double[] Inputs(string op)
    {
        var r = new System.Random(42);
        var values = Enumerable.Range(0, 100_003).Select(_ => (r.NextDouble() * 2 - 1) * 30);
        values = values.Concat([0, -0.0, 1e-8, -1e-8, 1e-30, 88, -87, 0.5, 2]);
        return (op == "Log" ? values.Select(v => Math.Abs(v) + 1e-6) : values).ToArray();
    }

    [Theory]
    [MemberData(nameof(Float32Ops))]
    public void Float32ResultsAreCorrectlyRounded(string op)
    {
        var inputs = Inputs(op).Select(v => (float)v).ToArray();
        var actual = (float[])Apply(op, Tensor.FromArray(inputs, inputs.Length)).ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            float expected = (float)Reference(op, inputs[i]);
            long ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(actual[i]) - BitConverter.SingleToInt32Bits(expected));
            Assert.True(actual[i] == expected || ulps <= 1, $"{op}({inputs[i]:R}) = {actual[i]:R}, expected {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void Float64ResultsAreWithinFourUlps(string op)
    {
        var inputs = Inputs(op);
        var actual = (double[])Apply(op, Tensor.FromArray(inputs, inputs.Length)).ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            double expected = Reference(op, inputs[i]);
            // Distance in ulps, computed in decimal so that values of opposite signs cannot overflow it.
            decimal ulps = Math.Abs((decimal)BitConverter.DoubleToInt64Bits(actual[i]) - BitConverter.DoubleToInt64Bits(expected));
            Assert.True(actual[i] == expected || ulps <= 4, $"{op}({inputs[i]:R}) = {actual[i]:R}, expected {expected:R} ({ulps} ulp)");
        }
    }
}
