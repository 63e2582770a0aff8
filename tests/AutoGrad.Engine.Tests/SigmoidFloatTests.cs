using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>
/// float32 sigmoid reproduces PyTorch's CPU kernel bit for bit: pinned values printed by libtorch 2.10 (through
/// TorchSharp 0.107, torch.tensor([...]).sigmoid()), and the vector kernel against its scalar form everywhere else.
/// </summary>
public class SigmoidFloatTests
{
    [Theory]
    [InlineData(-104.5f, 0x00000000)]
    [InlineData(-103f, 0x00000000)]      // correctly rounded would be 1e-45: PyTorch's e^103 overflows in float
    [InlineData(-100f, 0x00000000)]
    [InlineData(-88f, 0x0041EDC4)]       // 6.054601E-39, subnormal
    [InlineData(-30f, 0x29D2B707)]       // 9.3576236E-14
    [InlineData(-16.6f, 0x3384A13E)]     // 6.176059E-08
    [InlineData(-1.5f, 0x3E3ACDC2)]      // 0.18242553
    [InlineData(-0.00023277622f, 0x3EFFF860)] // 0.49994183; the correctly rounded float is 0.4999418
    [InlineData(0f, 0x3F000000)]
    [InlineData(1e-30f, 0x3F000000)]
    [InlineData(0.25f, 0x3F0FEACD)]      // 0.5621765
    [InlineData(1f, 0x3F3B26A8)]         // 0.7310586
    [InlineData(3.14159f, 0x3F75653D)]   // 0.958576
    [InlineData(9.5f, 0x3F7FFB18)]       // 0.99992514
    [InlineData(17f, 0x3F800000)]
    [InlineData(100f, 0x3F800000)]
    [InlineData(float.PositiveInfinity, 0x3F800000)]
    [InlineData(float.NegativeInfinity, 0x00000000)]
    public void Float32_sigmoid_matches_libtorch_bit_for_bit(float x, int torchBits)
    {
        // Each value alone (the scalar tail) and inside a 19-element tensor (the 8-lane vector path).
        Assert.Equal(torchBits, BitConverter.SingleToInt32Bits(SigmoidFloat.Scalar(x)));
        var lanes = Enumerable.Repeat(x, 19).ToArray();
        var r = (float[])Tensor.FromArray(lanes, lanes.Length).Sigmoid().ToArray();
        Assert.All(r, v => Assert.Equal(torchBits, BitConverter.SingleToInt32Bits(v)));
    }

    // -0 apart from the theory: xUnit takes InlineData(-0f) and InlineData(0f) for the same case.
    [Fact]
    public void Float32_sigmoid_of_negative_zero_is_one_half() => Float32_sigmoid_matches_libtorch_bit_for_bit(-0f, 0x3F000000);

    [Fact]
    public void Float32_sigmoid_of_NaN_is_NaN()
    {
        var r = (float[])Tensor.FromArray(Enumerable.Repeat(float.NaN, 9).ToArray(), 9).Sigmoid().ToArray();
        Assert.All(r, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Vector_kernel_equals_its_scalar_form_on_random_inputs()
    {
        var rng = new System.Random(5);
        var x = new float[100_003];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-6, 3)));
        var d = new float[x.Length];
        SigmoidFloat.Run(x, d);
        for (int i = 0; i < x.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(SigmoidFloat.Scalar(x[i])) == BitConverter.SingleToInt32Bits(d[i]),
                $"sigmoid({x[i]:R}): vector {d[i]:R}, scalar {SigmoidFloat.Scalar(x[i]):R}");
    }

    /// <summary>
    /// Chunks whose inputs all lie in [-88, 87] take a short path (one power-of-two factor, no fix-ups); the
    /// random test above nearly always has an extreme value in each chunk, so this one keeps them inside, with its
    /// edges, or adds one value just beyond an edge, which must send the chunk down the full path.
    /// </summary>
    [Theory]
    [InlineData(0.5f)]
    [InlineData(-88.5f)]
    [InlineData(-90f)]
    [InlineData(87.5f)]
    [InlineData(89f)]
    public void The_short_path_equals_the_scalar_form_up_to_its_range_edges(float extra)
    {
        var rng = new System.Random(6);
        // 2,000 + 8 + 6 values: the edges and the extra value at the front, inside the vector loop's first chunk.
        var x = new[] { extra, -88f, 87f, -87.999f, 86.999f, -87.33655f, 86.64339f, 1e-30f }
            .Concat(Enumerable.Range(0, 2_006).Select(_ => (float)(-88 + 175 * rng.NextDouble()))).ToArray();
        var d = new float[x.Length];
        SigmoidFloat.Run(x, d);
        for (int i = 0; i < x.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(SigmoidFloat.Scalar(x[i])) == BitConverter.SingleToInt32Bits(d[i]),
                $"sigmoid({x[i]:R}): vector {d[i]:R}, scalar {SigmoidFloat.Scalar(x[i]):R}");
    }

    [Fact]
    public void Float32_sigmoid_stays_within_2_ulp_of_the_exact_value_where_it_is_normal()
    {
        var rng = new System.Random(9);
        var x = Enumerable.Range(0, 50_000).Select(_ => (float)((rng.NextDouble() * 2 - 1) * 80)).ToArray();
        var r = (float[])Tensor.FromArray(x, x.Length).Sigmoid().ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            float exact = (float)(1 / (1 + Math.Exp(-(double)x[i])));
            if (exact < 1.2e-38f) continue;   // subnormal results: PyTorch's formula loses bits there by design
            long ulps = Math.Abs((long)BitConverter.SingleToInt32Bits(r[i]) - BitConverter.SingleToInt32Bits(exact));
            Assert.True(ulps <= 2, $"sigmoid({x[i]:R}) = {r[i]:R}, exact {exact:R} ({ulps} ulp)");
        }
    }
}
