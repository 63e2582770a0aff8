namespace AutoGrad.Random;

/// <summary>
/// The float32 log and sin/cos that PyTorch's AVX2 normal kernel (normal_fill_16_AVX2) uses: the Cephes-based
/// log256_ps and sincos256_ps of ATen's avx_mathfun.h, one lane at a time. They are not correctly rounded, so
/// randn's float32 values match PyTorch's only if these are reproduced operation by operation, including where GCC
/// (which builds PyTorch, with -mfma for the AVX2 kernels) contracts a multiply and the add that uses it into one
/// fused multiply-add: for each such pair, the first multiplication in statement order is fused. Checked bit for bit
/// against torch.randn on 409,600 values.
/// </summary>
internal static class AvxMathFun
{
    /// <summary>_mm256_set1_ps(2.0f * c10::pi&lt;double&gt;): 2 pi, rounded to float.</summary>
    public const float TwoPi = (float)(2.0f * Math.PI);

    private static readonly float[] LogCoefficients =
    [
        7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f,
    ];

    /// <summary>log256_ps: the natural logarithm; NaN for x &lt;= 0.</summary>
    public static float Log(float x)
    {
        bool invalid = x <= 0;
        x = MathF.Max(x, BitConverter.Int32BitsToSingle(0x00800000)); // cut off denormals
        int bits = BitConverter.SingleToInt32Bits(x);
        float e = (int)((uint)bits >> 23) - 0x7f;
        x = BitConverter.Int32BitsToSingle((bits & ~0x7f800000) | BitConverter.SingleToInt32Bits(0.5f)); // mantissa in [0.5, 1)
        e += 1f;
        bool small = x < 0.707106781186547524f;
        float tmp = small ? x : 0f;
        x -= 1f;
        e -= small ? 1f : 0f;
        x += tmp;
        float z = x * x;
        float y = LogCoefficients[0];
        for (int k = 1; k < LogCoefficients.Length; k++) y = MathF.FusedMultiplyAdd(y, x, LogCoefficients[k]);
        y *= x;
        y = MathF.FusedMultiplyAdd(y, z, e * -2.12194440e-4f);
        y = MathF.FusedMultiplyAdd(-z, 0.5f, y);
        x += y;
        x = MathF.FusedMultiplyAdd(e, 0.693359375f, x);
        return invalid ? float.NaN : x;
    }

    /// <summary>sincos256_ps: sine and cosine, after Cephes' extended-precision reduction by pi/4.</summary>
    public static void SinCos(float x, out float sin, out float cos)
    {
        int signSin = BitConverter.SingleToInt32Bits(x) & int.MinValue;
        x = MathF.Abs(x);
        int j = (int)(x * 1.27323954473516f); // 4 / pi
        j = (j + 1) & ~1;
        float y = j;
        int swapSin = (j & 4) << 29;
        bool firstPolynomial = (j & 2) == 0;
        x = MathF.FusedMultiplyAdd(y, -0.78515625f, x);
        x = MathF.FusedMultiplyAdd(y, -2.4187564849853515625e-4f, x);
        x = MathF.FusedMultiplyAdd(y, -3.77489497744594108e-8f, x);
        int signCos = (~(j - 2) & 4) << 29;
        signSin ^= swapSin;

        float z = x * x;
        float c = MathF.FusedMultiplyAdd(2.443315711809948E-005f, z, -1.388731625493765E-003f);
        c = MathF.FusedMultiplyAdd(c, z, 4.166664568298827E-002f);
        c *= z;
        c = MathF.FusedMultiplyAdd(c, z, -(z * 0.5f));
        c += 1f;
        float s = MathF.FusedMultiplyAdd(-1.9515295891E-4f, z, 8.3321608736E-3f);
        s = MathF.FusedMultiplyAdd(s, z, -1.6666654611E-1f);
        s *= z;
        s = MathF.FusedMultiplyAdd(s, x, x);

        sin = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(firstPolynomial ? s : c) ^ signSin);
        cos = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(firstPolynomial ? c : s) ^ signCos);
    }
}
