using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>
/// On a CPU with AVX-512 the lane functions run in 512-bit vectors first (VectorLoop.MapWide, SigmoidFloat's short
/// path), and the matmul micro-kernel is 512 bits wide. Those must give the bits of the 256-bit code for every input: the same inputs through both loops on this
/// CPU, special values and every range's edges included. (Without AVX-512 only the 256-bit loop exists; then the
/// test checks that the wide loop is off.)
/// </summary>
public class WideLanesTests
{
    private static readonly object Gate = new();

    public static TheoryData<string> Functions => new() { "exp f32", "sigmoid f32", "gelu f32", "gelu' f32", "exp f64", "sigmoid f64" };

    [Theory]
    [MemberData(nameof(Functions))]
    public void The_512_bit_loop_gives_the_bits_of_the_256_bit_loop(string function)
    {
        bool wide = WideCpu();
        Assert.Equal(wide, VectorLoop.UseWideLanes);
        if (!wide) return;

        var rng = new System.Random(11);
        double[] specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1e-30, -1e-30,
            -745.2, -745, -708, -707.99, 709, 709.79, 710, -104, -103.5, -88, -87.99, -87, 86.99, 87, 88, 88.5, 89, 100.5];
        // Random values in ranges of every size, then the specials scattered through blocks of ordinary values (so
        // that a block of 32 or 16 lanes is sent down its slow path by one of them), with an odd length for a tail.
        var values = new List<double>();
        for (int i = 0; i < 40_000; i++)
            values.Add((rng.NextDouble() * 2 - 1) * Math.Pow(10, rng.Next(-8, 3)));
        foreach (var s in specials)
        {
            for (int k = 0; k < 37; k++) values.Add(rng.NextDouble() * 20 - 10);
            values.Add(s);
        }
        values.Add(0.5);

        lock (Gate)
        {
            var wideBits = Run(function, values.ToArray());
            VectorLoop.UseWideLanes = false;
            try
            {
                var narrowBits = Run(function, values.ToArray());
                for (int i = 0; i < values.Count; i++)
                    Assert.True(wideBits[i] == narrowBits[i], $"{function}({values[i]:R}): 512-bit {wideBits[i]:X}, 256-bit {narrowBits[i]:X}");
            }
            finally
            {
                VectorLoop.UseWideLanes = true;
            }
        }
    }

    /// <summary>
    /// The matmul micro-kernel's 512-bit form (NR = 32 floats or 16 doubles) sums each element in the same order as
    /// the 256-bit one, so the products are equal bit for bit: shapes with partial tiles at every edge, several K
    /// slices, operands read transposed.
    /// </summary>
    [Theory]
    [InlineData(7, 300, 45, false, false)]
    [InlineData(64, 784, 128, false, true)]
    [InlineData(130, 70, 33, true, false)]
    [InlineData(50, 600, 97, true, true)]
    public void The_512_bit_matmul_gives_the_bits_of_the_256_bit_one(int m, int k, int n, bool transA, bool transB)
    {
        Assert.Equal(WideCpu(), VectorLoop.UseWideLanes);
        if (!WideCpu()) return;
        var rng = new System.Random(m * 31 + n);
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var (af, bf) = (a.Select(v => (float)v).ToArray(), b.Select(v => (float)v).ToArray());
        lock (Gate)
        {
            var (wide32, wide64) = (new float[m * n], new double[m * n]);
            Gemm.Run(af, bf, wide32, m, k, n, transA, transB);
            Gemm.Run(a, b, wide64, m, k, n, transA, transB);
            VectorLoop.UseWideLanes = false;
            try
            {
                var (narrow32, narrow64) = (new float[m * n], new double[m * n]);
                Gemm.Run(af, bf, narrow32, m, k, n, transA, transB);
                Gemm.Run(a, b, narrow64, m, k, n, transA, transB);
                Assert.Equal(narrow32, wide32);
                Assert.Equal(narrow64, wide64);
            }
            finally
            {
                VectorLoop.UseWideLanes = true;
            }
        }
    }

    private static bool WideCpu() => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated
        && System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.X86.Avx512DQ.IsSupported
        && System.Runtime.Intrinsics.X86.Avx512F.VL.IsSupported && VectorLoop.IsSupported;

    private static long[] Run(string function, double[] x)
    {
        if (function.EndsWith("f32", StringComparison.Ordinal))
        {
            var xf = x.Select(v => (float)v).ToArray();
            var d = new float[xf.Length];
            if (function.StartsWith("exp", StringComparison.Ordinal)) SingleExp.Run(xf, d);
            else if (function.StartsWith("gelu'", StringComparison.Ordinal)) GeluDerivativeFloat.Run(xf, d);
            else if (function.StartsWith("gelu", StringComparison.Ordinal)) GeluFloat.Run(xf, d);
            else SigmoidFloat.Run(xf, d);
            return d.Select(v => (long)BitConverter.SingleToInt32Bits(v)).ToArray();
        }
        var dd = new double[x.Length];
        if (function.StartsWith("exp", StringComparison.Ordinal)) VectorMath.Exp(x, dd); else VectorMath.Sigmoid(x, dd);
        return dd.Select(BitConverter.DoubleToInt64Bits).ToArray();
    }
}
