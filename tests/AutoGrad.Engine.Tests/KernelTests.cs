using System.Numerics;
using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>
/// The vectorized kernels (TensorPrimitives: vector loop plus scalar remainder) against plain scalar loops, at sizes
/// on both sides of the vector width, and the numeric quality of sums and float32 transcendentals.
/// </summary>
public class KernelTests
{
    public static TheoryData<string, int> BinaryCases
    {
        get
        {
            var data = new TheoryData<string, int>();
            foreach (var op in new[] { "add", "sub", "mul", "div" })
                foreach (var n in new[] { 1, 7, 8, 9, 31, 33, 1000, 1_000_003 })
                    data.Add(op, n);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_kernels_match_a_scalar_loop_float32(string op, int n) => CheckBinary<float>(op, n);

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_kernels_match_a_scalar_loop_float64(string op, int n) => CheckBinary<double>(op, n);

    [Theory]
    [InlineData("add", 31)]
    [InlineData("sub", 1_000_003)]
    [InlineData("mul", 7)]
    public void Binary_kernels_match_a_scalar_loop_int64(string op, int n) => CheckBinary<long>(op, n);

    private static void CheckBinary<T>(string op, int n) where T : unmanaged, INumber<T>
    {
        var a = Data<T>(1, n);
        var b = Data<T>(2, n);
        var s = Data<T>(3, 1);
        Func<T, T, T> f = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            _ => (x, y) => x / y,
        };
        // span-span, span-scalar, scalar-span: the three forms each operator implements separately.
        Check(op, a, [n], b, [n], f, (i) => f(a[i], b[i]));
        Check(op, a, [n], s, [1], f, (i) => f(a[i], s[0]));
        Check(op, s, [], a, [n], f, (i) => f(s[0], a[i]));
    }

    public static TheoryData<int[], int[]> BroadcastRowCases => new()
    {
        { [5, 7], [7] },          // rows against one row: span-span per row
        { [7], [5, 7] },
        { [5, 1], [5, 7] },       // column: scalar-span per row
        { [5, 31], [5, 1] },      // column on the right: span-scalar per row
        { [3, 1, 33], [4, 1] },   // inner stride 0 on both sides for some rows
        { [2, 3, 1], [1, 3, 9] },
        { [1000, 3], [1000, 1] },
        { [2, 1], [1, 1] },
    };

    [Theory]
    [MemberData(nameof(BroadcastRowCases))]
    public void Broadcast_rows_match_a_scalar_loop(int[] aShape, int[] bShape)
    {
        var outShape = Shapes.Broadcast(aShape, bShape);
        var a = Data<float>(4, Shapes.NumElements(aShape));
        var b = Data<float>(5, Shapes.NumElements(bShape));
        var aStrides = Shapes.BroadcastStrides(aShape, outShape);
        var bStrides = Shapes.BroadcastStrides(bShape, outShape);
        foreach (var op in new[] { "sub", "div" })
        {
            Func<float, float, float> f = op == "sub" ? (x, y) => x - y : (x, y) => x / y;
            Check(op, a, aShape, b, bShape, f, i =>
            {
                int oa = 0, ob = 0, rest = i;
                for (int d = outShape.Length - 1; d >= 0; d--)
                {
                    int k = rest % outShape[d];
                    rest /= outShape[d];
                    oa += k * aStrides[d];
                    ob += k * bStrides[d];
                }
                return f(a[oa], b[ob]);
            });
        }
    }

    private static Strided<T> Broadcast<T>(T[] data, int[] shape, int[] outShape) => new(data, 0, Shapes.BroadcastStrides(shape, outShape));

    private static Strided<T> Dense<T>(T[] data, int[] shape) => new(data, 0, Shapes.ContiguousStrides(shape));

    private static void Check<T>(string op, T[] a, int[] aShape, T[] b, int[] bShape, Func<T, T, T> f, Func<int, T> expected)
        where T : unmanaged, INumber<T>
    {
        var outShape = Shapes.Broadcast(aShape, bShape);
        var dst = new T[Shapes.NumElements(outShape)];
        switch (op)
        {
            case "add": BinaryKernel.Run<AddOperator, T>(Broadcast(a, aShape, outShape), Broadcast(b, bShape, outShape), Dense(dst, outShape), outShape); break;
            case "sub": BinaryKernel.Run<SubtractOperator, T>(Broadcast(a, aShape, outShape), Broadcast(b, bShape, outShape), Dense(dst, outShape), outShape); break;
            case "mul": BinaryKernel.Run<MultiplyOperator, T>(Broadcast(a, aShape, outShape), Broadcast(b, bShape, outShape), Dense(dst, outShape), outShape); break;
            default: BinaryKernel.Run<DivideOperator, T>(Broadcast(a, aShape, outShape), Broadcast(b, bShape, outShape), Dense(dst, outShape), outShape); break;
        }
        for (int i = 0; i < dst.Length; i++)
            if (dst[i] != expected(i))
                Assert.Fail($"{op} [{string.Join(",", aShape)}] with [{string.Join(",", bShape)}]: element {i} is {dst[i]}, expected {expected(i)}");
    }

    /// <summary>Nonzero values of T (integers in [1, 100) with a sign; fractions for floating types).</summary>
    private static T[] Data<T>(int seed, int n) where T : unmanaged, INumber<T>
    {
        var rng = new System.Random(seed);
        var data = new T[n];
        bool floating = typeof(T) != typeof(long);
        for (int i = 0; i < n; i++)
        {
            double v = floating ? (0.1 + rng.NextDouble()) * 10 : rng.Next(1, 100);
            data[i] = T.CreateTruncating(rng.Next(2) == 0 ? -v : v);
        }
        return data;
    }

    // ---- reductions ----------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1_000_000, 0.0, 1.0)]
    [InlineData(1_000_003, -1.0, 1.0)]
    [InlineData(4097, 1e3, 1e4)]
    public void Float32_sum_of_many_elements_is_accurate(int n, double lo, double hi)
    {
        var rng = new System.Random(n);
        var x = new float[n];
        double exact = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            x[i] = (float)(lo + (hi - lo) * rng.NextDouble());
            exact += x[i];
            magnitude += Math.Abs(x[i]);
        }
        var sum = (float)(double)Tensor.FromArray(x, n).Sum().Item();
        // Error relative to sum |x| (the sum itself may cancel): PyTorch's cascade sum stays near float eps.
        Assert.True(Math.Abs(sum - exact) <= 1e-6 * magnitude, $"sum {sum:R}, exact {exact:R}");
        Assert.Equal((float)exact, sum, 1e-6f * (float)magnitude);
    }

    [Fact]
    public void Float32_sum_over_a_dim_is_accurate()
    {
        const int rows = 3, cols = 400_000;
        var rng = new System.Random(11);
        var x = new float[rows * cols];
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var sums = (float[])Tensor.FromArray(x, rows, cols).Sum(1).ToArray();
        for (int r = 0; r < rows; r++)
        {
            double exact = 0;
            for (int c = 0; c < cols; c++) exact += x[r * cols + c];
            Assert.Equal((float)exact, sums[r]);
        }
    }

    public static TheoryData<int[], int[]> SumDimCases => new()
    {
        { [4, 5], [0] },
        { [4, 5], [1] },
        { [2, 3, 4], [0, 2] },
        { [2, 3, 4], [1] },
        { [2, 1, 4], [1] },
        { [3, 1], [0] },
        { [2, 3, 4, 5], [1, 3] },
        { [2, 3, 4, 5], [0, 1] },
        { [0, 3], [0] },
        { [3, 0], [1] },
        // Long enough for the vector paths: 8-row float groups with a ragged last group, 32- and 8-column steps and
        // a scalar column tail, and row sums with a partial last block.
        { [37, 45], [0] },
        { [3, 41, 70], [1] },
        { [17, 300], [0] },
        { [300, 17], [1] },
        { [5, 3, 291], [0, 2] },
    };

    [Theory]
    [MemberData(nameof(SumDimCases))]
    public void Sum_over_dims_matches_a_naive_reference(int[] shape, int[] dims)
    {
        int n = Shapes.NumElements(shape);
        var values = Enumerable.Range(0, n).Select(i => (long)(i * 7 % 13 - 6)).ToArray();
        // Small integers: every partial sum is exact in float32 too, so all three dtypes must match exactly.
        foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int64 })
        {
            var t = Tensor.FromDoubles(values.Select(v => (double)v).ToArray(), shape, dtype);
            foreach (var keep in new[] { false, true })
            {
                var r = t.Sum(dims, keep);
                var outShape = shape.Select((s, d) => dims.Contains(d) ? 1 : s).ToArray();
                var expected = new double[Shapes.NumElements(outShape)];
                var strides = Shapes.ContiguousStrides(outShape);
                for (int i = 0; i < n; i++)
                {
                    int rest = i, o = 0;
                    for (int d = shape.Length - 1; d >= 0; d--)
                    {
                        int k = rest % shape[d];
                        rest /= shape[d];
                        if (!dims.Contains(d)) o += k * strides[d];
                    }
                    expected[o] += values[i];
                }
                Assert.Equal(keep ? outShape : shape.Where((_, d) => !dims.Contains(d)).ToArray(), r.Shape);
                Assert.Equal(expected, r.ToDoubleArray());
                Assert.Equal(dtype, r.DType);
            }
        }
    }

    // ---- float32 transcendentals ---------------------------------------------------------------------------

    // sigmoid is not here: float32 sigmoid reproduces PyTorch's kernel instead (SigmoidFloatTests); nor exp, which
    // runs in float lanes within 1 ulp, as PyTorch's does (Float32_exp_agrees_with_pytorch).
    public static TheoryData<string> UnaryNames => new(["log", "sin", "cos", "tanh", "sqrt"]);

    [Fact]
    public void Float32_exp_agrees_with_pytorch()
    {
        // tests/data/exp_float32.py: PyTorch's float exp (Sleef, within 1 ulp) on 4,000 inputs over its whole range.
        var data = ReferenceData.Load("exp_float32");
        var x = data.GetProperty("inputBits").EnumerateArray().Select(e => BitConverter.UInt32BitsToSingle(e.GetUInt32())).ToArray();
        var torch = data.GetProperty("expBits").EnumerateArray().Select(e => BitConverter.UInt32BitsToSingle(e.GetUInt32())).ToArray();
        var ours = (float[])Tensor.FromArray(x, x.Length).Exp().ToArray();
        int same = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float exact = (float)Math.Exp(x[i]);
            // Every result within 1 ulp of both the exact one and PyTorch's; zeros and infinities exactly.
            Assert.True(Ulps(ours[i], exact) <= 1 && Ulps(ours[i], torch[i]) <= 1,
                $"exp({x[i]:R}) = {ours[i]:R}; PyTorch {torch[i]:R}, correctly rounded {exact:R}");
            if (exact == 0 || float.IsInfinity(exact)) Assert.Equal(exact, ours[i]);
            if (ours[i] == torch[i]) same++;
        }
        // Measured: 99.3% equal to PyTorch's bit for bit (the correctly rounded results were 99.2%).
        Assert.True(same >= 0.99 * x.Length, $"{same} of {x.Length} equal to PyTorch's");
    }

    [Fact]
    public void Float32_exp_keeps_nan_and_the_ends_of_its_range()
    {
        float[] x = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 89f, -104f, 88.72283f, -103.97207f, float.MaxValue, float.MinValue, 1e-45f];
        var r = (float[])Tensor.FromArray(x, x.Length).Exp().ToArray();
        Assert.True(float.IsNaN(r[0]));
        // torch.exp(torch.tensor([...])) in PyTorch 1.13.
        Assert.Equal([float.PositiveInfinity, 0f, float.PositiveInfinity, 0f, 3.4027985E+38f, 1E-45f, float.PositiveInfinity, 0f, 1f], r[1..]);
    }

    private static long Ulps(float a, float b) =>
        a == b ? 0 : Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));

    [Theory]
    [MemberData(nameof(UnaryNames))]
    public void Float32_unary_functions_are_the_double_result_rounded(string name)
    {
        Func<double, double> reference = name switch
        {
            "exp" => Math.Exp, "log" => Math.Log, "sin" => Math.Sin, "cos" => Math.Cos, "tanh" => Math.Tanh,
            _ => Math.Sqrt,
        };
        var rng = new System.Random(name.Length);
        // A length that is not a multiple of the kernel's chunk or any vector width, with awkward values mixed in.
        var x = new float[1003];
        for (int i = 0; i < x.Length; i++)
            x[i] = (float)((rng.NextDouble() - (name is "log" or "sqrt" ? 0 : 0.5)) * Math.Pow(10, rng.Next(-3, 3)));
        float[] specials = [0f, -0f, 1f, float.Epsilon, 88.7f, -103f, 1e-30f, float.MaxValue, float.PositiveInfinity, float.NaN];
        specials.CopyTo(x, 0);

        var t = Tensor.FromArray(x, x.Length);
        var r = (float[])(name switch
        {
            "exp" => t.Exp(), "log" => t.Log(), "sin" => t.Sin(), "cos" => t.Cos(), "tanh" => t.Tanh(), _ => t.Sqrt(),
        }).ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            float expected = (float)reference(x[i]);
            if (float.IsNaN(expected)) { Assert.True(float.IsNaN(r[i]), $"{name}({x[i]:R}) should be NaN"); continue; }
            Assert.True(expected == r[i], $"{name}({x[i]:R}) = {r[i]:R}, correctly rounded {expected:R}");
        }
    }

    [Fact]
    public void Float32_sqrt_is_exact_ieee()
    {
        var x = Enumerable.Range(0, 257).Select(i => i * 0.37f + 1e-3f).ToArray();
        var r = (float[])Tensor.FromArray(x, x.Length).Sqrt().ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal(MathF.Sqrt(x[i]), r[i]);
    }

    public static TheoryData<string, DType, int> ExactUnaryCases
    {
        get
        {
            var data = new TheoryData<string, DType, int>();
            foreach (var op in new[] { "neg", "abs", "relu", "sqrt" })
                foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                    foreach (int n in new[] { 1, 7, 8, 9, 17, 33, 1000 })
                        data.Add(op, dtype, n);
            return data;
        }
    }

    /// <summary>
    /// neg, abs, relu and sqrt run an aligned vector loop with scalar head and tail: every length, and the
    /// special values (NaN, signed zeros, infinities, negatives under sqrt) in every lane position, must give
    /// exactly what the scalar IEEE operation gives: relu keeps NaN and turns -0 into +0, neg turns +0 into -0.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExactUnaryCases))]
    public void Exact_unary_functions_match_the_scalar_operation_bit_for_bit(string op, DType dtype, int n)
    {
        double[] specials = [double.NaN, -0.0, 0.0, double.PositiveInfinity, double.NegativeInfinity, -2.5, 3.25, 1e-310];
        var values = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? specials[(i / 3) % specials.Length] : (i % 7 - 3) * 0.75).ToArray();
        Func<double, double> reference = op switch
        {
            "neg" => v => -v,
            "abs" => Math.Abs,
            "relu" => v => double.IsNaN(v) ? v : v > 0 ? v : 0.0,
            _ => Math.Sqrt,
        };
        var t = Tensor.FromDoubles(values, [n], dtype);
        var r = op switch { "neg" => t.Neg(), "abs" => t.Abs(), "relu" => t.Relu(), _ => t.Sqrt() };
        var got = r.ToDoubleArray();
        var inputs = t.ToDoubleArray();
        for (int i = 0; i < n; i++)
        {
            double expected = dtype == DType.Float32 ? (float)reference((float)inputs[i]) : reference(inputs[i]);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(got[i])
                        || double.IsNaN(expected) && double.IsNaN(got[i]),
                $"{op}({inputs[i]:R}) = {got[i]:R}, expected {expected:R} (element {i} of {n})");
        }
    }

    // ---- matmul --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(3, 7, 5)]
    [InlineData(17, 33, 9)]
    [InlineData(4, 0, 3)]
    [InlineData(64, 31, 70)]
    public void MatMul_kernel_matches_a_naive_triple_loop(int m, int k, int n)
    {
        // Small integers: every partial sum is exact in float32, so any order of accumulation agrees.
        var rng = new System.Random(m * 1000 + k * 10 + n);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)rng.Next(-8, 9)).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)rng.Next(-8, 9)).ToArray();
        var c = (float[])Tensor.FromArray(a, m, k).MatMul(Tensor.FromArray(b, k, n)).ToArray();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                Assert.Equal(s, c[i * n + j]);
            }
    }

    [Fact]
    public void Dot_mv_and_vector_matrix_products_agree_with_mm()
    {
        var a = TestTensors.Uniform(1, [4, 3]);
        var v = TestTensors.Uniform(2, [3]);
        var w = TestTensors.Uniform(3, [4]);
        TestTensors.AssertClose(a.Mm(v.Reshape(3, 1)).ToDoubleArray(), a.MatMul(v), 1e-15);
        TestTensors.AssertClose(w.Reshape(1, 4).Mm(a).ToDoubleArray(), w.MatMul(a), 1e-15);
        TestTensors.AssertClose(v.Reshape(1, 3).Mm(v.Reshape(3, 1)).ToDoubleArray(), v.MatMul(v), 1e-15);
        Assert.Equal(Array.Empty<int>(), v.MatMul(v).Shape);
    }

    // Doubles that a truncating narrowing would get wrong (ties, halfway-plus, both signs), float's edges, and the
    // specials: the vectorized float64 -> float32 conversion must round as the scalar cast does.
    public static TheoryData<double> NarrowingValues => new(
    [
        1 + Math.Pow(2, -24) + Math.Pow(2, -40), -(1 + Math.Pow(2, -24) + Math.Pow(2, -40)), 1 + Math.Pow(2, -24),
        1 + 3 * Math.Pow(2, -24), 0.1, -0.1, 3.4028235677973366e38, 3.4028235e38, -1e39, 1e-46, 1.4e-45, -0.0,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 16777217, 1e300,
    ]);

    [Theory]
    [MemberData(nameof(NarrowingValues))]
    public void Float64_to_float32_rounds_as_a_cast(double value)
    {
        // 37 copies: whole vectors and a scalar tail of the conversion loop.
        var values = Enumerable.Repeat(value, 37).ToArray();
        var cast = Tensor.FromDoubles(values, [37], DType.Float64).Cast(DType.Float32);
        var expected = BitConverter.SingleToInt32Bits((float)value);
        Assert.All((float[])cast.Dense, f => Assert.Equal(expected, BitConverter.SingleToInt32Bits(f)));
    }

    [Fact]
    public void Float32_row_sums_and_means_round_once_to_float()
    {
        // Rows whose sums (accumulated in double, see VectorSum) fall between floats: the result is that sum
        // rounded to nearest, and the mean that float divided by the count.
        var rows = new double[3 * 300];
        for (int r = 0; r < 3; r++)
            for (int i = 0; i < 300; i++) rows[r * 300 + i] = i == 0 ? 16777216 * (r + 1) : (i % 3 == 0 ? 0.75 : 0.0625);
        var x = Tensor.FromDoubles(rows, [3, 300], DType.Float32);
        var sums = (float[])x.Sum([1]).Dense;
        var means = (float[])x.Mean([1]).Dense;
        var f = (float[])x.Dense;
        for (int r = 0; r < 3; r++)
        {
            double sum = AutoGrad.Kernels.VectorSum.Sum(f.AsSpan(r * 300, 300));
            Assert.NotEqual(sum, (double)(float)sum);
            Assert.Equal((float)sum, sums[r]);
            Assert.Equal((float)sum / 300f, means[r]);
        }
    }
}
