using System.Globalization;
using AutoGrad.Autograd;

namespace AutoGrad.Engine.Tests;

/// <summary>
/// Tensor.ToString() against PyTorch 2.11's repr. Expected strings follow torch/_tensor_str.py step by step;
/// the derivation is noted where it is not obvious.
/// </summary>
public class PrintingTests
{
    private static Tensor F32(params double[] values) => Tensor.FromDoubles(values, [values.Length], DType.Float32);
    private static Tensor F64(params double[] values) => Tensor.FromDoubles(values, [values.Length], DType.Float64);

    private static Tensor Arange(int count, DType dtype, params int[] shape)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = i;
        return Tensor.FromDoubles(values, shape.Length == 0 ? [count] : shape, dtype);
    }

    /// <summary>A graph node with any name, to exercise grad_fn suffixes our ops do not produce.</summary>
    private sealed class NamedNode(string name) : Node(name, [], [])
    {
        internal override Tensor?[] Apply(Tensor gradOutput) => [];
    }

    // ---- the notebook's prints -------------------------------------------------------------------------------

    [Fact]
    public void Float64_leaf_requiring_grad()
    {
        var x = Tensor.FromDoubles([1, 2, 2, 3], [2, 2], DType.Float64, requiresGrad: true);
        Assert.Equal("""
            tensor([[1., 2.],
                    [2., 3.]], dtype=torch.float64, requires_grad=True)
            """, x.ToString());
    }

    [Fact]
    public void Float32_matrix_in_fixed_mode() =>
        Assert.Equal("tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])",
            Tensor.FromDoubles([4.5, 4.5, 4.5, 4.5], [2, 2], DType.Float32).ToString());

    [Fact]
    public void Mean_result_shows_dtype_and_grad_fn()
    {
        var x = Arange(100, DType.Float64);
        x.RequiresGrad = true;
        Assert.Equal("tensor(49.5000, dtype=torch.float64, grad_fn=<MeanBackward0>)", x.Mean().ToString());
    }

    [Fact]
    public void Float32_scalar_in_int_mode() => Assert.Equal("tensor(12.)", Tensor.Scalar(12).ToString());

    [Fact]
    public void Add_result_pads_int_mode_columns()
    {
        var x = Tensor.FromDoubles([2, 5, 5, 10], [2, 2], DType.Float64, requiresGrad: true);
        Assert.Equal("tensor([[ 4., 10.],\n        [10., 20.]], dtype=torch.float64, grad_fn=<AddBackward0>)",
            x.Add(x).ToString());
    }

    // ---- notation and width for floating tensors --------------------------------------------------------------

    [Theory]
    // int mode: all non-zero finite values integral; width = longest "{:.0f}" + 1 for the point.
    [InlineData(new[] { 0.0, 1, 2 }, "tensor([0., 1., 2.])")]
    [InlineData(new[] { 1.0, 1000 }, "tensor([   1., 1000.])")]            // ratio exactly 1000: not scientific
    [InlineData(new[] { 1.0, 1001 }, "tensor([1.0000e+00, 1.0010e+03])")]  // ratio > 1000
    [InlineData(new[] { 1e8 }, "tensor([100000000.])")]                       // max exactly 1e8: not scientific
    [InlineData(new[] { 1.0, 1e9 }, "tensor([1.0000e+00, 1.0000e+09])")]   // max > 1e8
    [InlineData(new[] { -3.0, 20 }, "tensor([-3., 20.])")]
    [InlineData(new[] { 0.0, 0 }, "tensor([0., 0.])")]                      // nothing non-zero: int mode, width 1
    // fixed mode: width = longest "{:.4f}".
    [InlineData(new[] { 0.0, 1.5 }, "tensor([0.0000, 1.5000])")]
    [InlineData(new[] { -1.5, 2.25 }, "tensor([-1.5000,  2.2500])")]
    [InlineData(new[] { 0.1, 0.3 }, "tensor([0.1000, 0.3000])")]            // float32 values widened first
    [InlineData(new[] { 1.12345 }, "tensor([1.1235])")]
    [InlineData(new[] { 1.00005 }, "tensor([1.0000])")]                     // float32 1.00005 is 1.000049948...
    // scientific outside int mode: ratio > 1000, max > 1e8 or min < 1e-4.
    [InlineData(new[] { 1e-5, 1 }, "tensor([1.0000e-05, 1.0000e+00])")]
    [InlineData(new[] { 0.5, 1000.5 }, "tensor([5.0000e-01, 1.0005e+03])")]
    [InlineData(new[] { 0.25, 2.5e8 }, "tensor([2.5000e-01, 2.5000e+08])")]
    [InlineData(new[] { 0.00005, 0.00006 }, "tensor([5.0000e-05, 6.0000e-05])")]
    public void Float32_notation_and_width(double[] values, string expected) =>
        Assert.Equal(expected, F32(values).ToString());

    [Theory]
    [InlineData(0.0001, "tensor(0.0001, dtype=torch.float64)")]            // min exactly 1e-4: still fixed
    [InlineData(0.00005, "tensor(5.0000e-05, dtype=torch.float64)")]       // min < 1e-4
    [InlineData(123456789.5, "tensor(1.2346e+08, dtype=torch.float64)")]   // max > 1e8, not integral
    [InlineData(2.5, "tensor(2.5000, dtype=torch.float64)")]
    [InlineData(-7.0, "tensor(-7., dtype=torch.float64)")]
    public void Float64_scalars(double value, string expected) =>
        Assert.Equal(expected, Tensor.Scalar(value, DType.Float64).ToString());

    [Theory]
    // nan and inf never count toward the width and are right-aligned to it; in int mode they get no point.
    [InlineData(new[] { 1.5, double.NaN, double.NegativeInfinity, 2.0 }, "tensor([1.5000,    nan,   -inf, 2.0000])")]
    [InlineData(new[] { 1.0, double.PositiveInfinity, double.NegativeInfinity }, "tensor([1., inf, -inf])")]
    [InlineData(new[] { 1e-5, double.NaN }, "tensor([1.0000e-05,        nan])")]
    [InlineData(new[] { double.NaN, double.NaN }, "tensor([nan, nan])")]
    [InlineData(new[] { 0.0, double.NaN }, "tensor([0., nan])")]
    [InlineData(new[] { double.PositiveInfinity }, "tensor([inf])")]
    public void Non_finite_values(double[] values, string expected) => Assert.Equal(expected, F32(values).ToString());

    [Theory]
    // -0. is neither counted in the width nor truncated to it.
    [InlineData(new[] { -0.0, 1 }, "tensor([-0., 1.])")]
    [InlineData(new[] { -0.0, 1.5 }, "tensor([-0.0000, 1.5000])")]
    [InlineData(new[] { -0.0, 1e-5 }, "tensor([-0.0000e+00, 1.0000e-05])")]
    [InlineData(new[] { -0.0, -0.0 }, "tensor([-0., -0.])")]
    public void Negative_zero_keeps_its_sign(double[] values, string expected) =>
        Assert.Equal(expected, F32(values).ToString());

    [Fact]
    public void Negative_zero_scalar() => Assert.Equal("tensor(-0.)", Tensor.Scalar(-0.0).ToString());

    [Theory]
    // Python rounds the exact binary value, ties to even.
    [InlineData(new[] { 0.03125, 0.09375 }, "tensor([0.0312, 0.0938], dtype=torch.float64)")]
    [InlineData(new[] { 0.00015, 0.1 }, "tensor([0.0001, 0.1000], dtype=torch.float64)")]   // just below the tie
    [InlineData(new[] { 1.00005, 0.1 }, "tensor([1.0001, 0.1000], dtype=torch.float64)")]   // just above the tie
    public void Rounding_follows_the_exact_binary_value(double[] values, string expected) =>
        Assert.Equal(expected, F64(values).ToString());

    [Fact]
    public void Float32_tie_rounds_to_even() => Assert.Equal("tensor([0.0312, 0.5000])", F32(0.03125, 0.5).ToString());

    // ---- integer and bool dtypes ----------------------------------------------------------------------------

    [Theory]
    [InlineData(new long[] { 1, -10, 100 }, "tensor([  1, -10, 100])")]
    [InlineData(new long[] { 0, 1, 2 }, "tensor([0, 1, 2])")]
    [InlineData(new long[] { -5 }, "tensor([-5])")]
    [InlineData(new long[] { long.MaxValue, long.MinValue }, "tensor([ 9223372036854775807, -9223372036854775808])")]
    public void Int64_widths_and_negatives(long[] values, string expected) =>
        Assert.Equal(expected, Tensor.FromArray(values, values.Length).ToString());

    [Fact]
    public void Bool_values_are_right_aligned() =>
        Assert.Equal("tensor([ True, False,  True])", Tensor.FromArray(new[] { true, false, true }, 3).ToString());

    [Fact]
    public void Bool_matrix() =>
        Assert.Equal("tensor([[True, True],\n        [True, True]])", Tensor.FromArray(new[] { true, true, true, true }, 2, 2).ToString());

    [Theory]
    [InlineData(DType.Float32, 3.0, "tensor(3.)")]
    [InlineData(DType.Float32, 0.5, "tensor(0.5000)")]
    [InlineData(DType.Float32, 1e9, "tensor(1.0000e+09)")]
    [InlineData(DType.Float32, double.NaN, "tensor(nan)")]
    [InlineData(DType.Float64, 3.0, "tensor(3., dtype=torch.float64)")]
    [InlineData(DType.Int64, 5.0, "tensor(5)")]
    [InlineData(DType.Int64, -7.0, "tensor(-7)")]
    [InlineData(DType.Bool, 1.0, "tensor(True)")]
    [InlineData(DType.Bool, 0.0, "tensor(False)")]
    public void Zero_dimensional_tensors(DType dtype, double value, string expected) =>
        Assert.Equal(expected, Tensor.Scalar(value, dtype).ToString());

    [Fact]
    public void Large_int64_scalar_is_exact() =>
        Assert.Equal("tensor(9007199254740993)", Tensor.FromArray(new[] { 9007199254740993L }).ToString());

    // ---- empty tensors --------------------------------------------------------------------------------------

    [Theory]
    [InlineData(DType.Float32, new[] { 0 }, "tensor([])")]
    [InlineData(DType.Float32, new[] { 0, 3 }, "tensor([], size=(0, 3))")]
    [InlineData(DType.Float32, new[] { 1, 0, 2 }, "tensor([], size=(1, 0, 2))")]
    [InlineData(DType.Int64, new[] { 0 }, "tensor([], dtype=torch.int64)")]        // no element shows it is int64
    [InlineData(DType.Bool, new[] { 2, 0 }, "tensor([], size=(2, 0), dtype=torch.bool)")]
    [InlineData(DType.Float64, new[] { 0, 3 }, "tensor([], size=(0, 3), dtype=torch.float64)")]
    public void Empty_tensors(DType dtype, int[] shape, string expected) =>
        Assert.Equal(expected, Tensor.FromDoubles([], shape, dtype).ToString());

    [Fact]
    public void Empty_tensor_requiring_grad() =>
        Assert.Equal("tensor([], dtype=torch.float64, requires_grad=True)",
            Tensor.FromDoubles([], [0], DType.Float64, requiresGrad: true).ToString());

    // ---- layout ---------------------------------------------------------------------------------------------

    [Fact]
    public void Long_int_row_wraps_at_80_columns()
    {
        // width 2 -> floor((80 - 7) / 4) = 18 items per line; the first line is 79 characters.
        Assert.Equal(
            "tensor([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n" +
            "        18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29])",
            Arange(30, DType.Int64).ToString());
    }

    [Fact]
    public void Long_float_row_wraps_at_80_columns()
    {
        var values = new double[12];
        for (int i = 0; i < values.Length; i++) values[i] = i + 0.5;
        // width 7 ("11.5000") -> floor(73 / 9) = 8 per line.
        Assert.Equal(
            "tensor([ 0.5000,  1.5000,  2.5000,  3.5000,  4.5000,  5.5000,  6.5000,  7.5000,\n" +
            "         8.5000,  9.5000, 10.5000, 11.5000])",
            F32(values).ToString());
    }

    [Fact]
    public void Matrix_rows_wrap_with_one_more_space_of_indent()
    {
        // rows sit at indent 8: floor((80 - 8) / 4) = 18 per line, continuation lines indented 9.
        Assert.Equal(
            "tensor([[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,\n" +
            "         18, 19],\n" +
            "        [20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37,\n" +
            "         38, 39]])",
            Arange(40, DType.Int64, 2, 20).ToString());
    }

    [Fact]
    public void Three_d_blocks_are_separated_by_a_blank_line() =>
        Assert.Equal("""
            tensor([[[ 0.,  1.,  2.],
                     [ 3.,  4.,  5.]],

                    [[ 6.,  7.,  8.],
                     [ 9., 10., 11.]]])
            """, Arange(12, DType.Float32, 2, 2, 3).ToString());

    [Fact]
    public void Four_d_blocks_are_separated_by_two_blank_lines() =>
        Assert.Equal("tensor([[[[1, 2]]],\n\n\n        [[[3, 4]]]])",
            Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 1, 1, 2).ToString());

    [Fact]
    public void Column_vector() =>
        Assert.Equal("tensor([[1.],\n        [2.],\n        [3.]])", Tensor.FromDoubles([1, 2, 3], [3, 1], DType.Float32).ToString());

    // ---- summarization --------------------------------------------------------------------------------------

    [Fact]
    public void Summarized_vector() =>
        Assert.Equal("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", Arange(2000, DType.Int64).ToString());

    [Fact]
    public void Threshold_is_exclusive() =>
        Assert.DoesNotContain("...", Arange(1000, DType.Int64).ToString());

    [Fact]
    public void Summarized_formatter_ignores_hidden_values()
    {
        // 1e10 sits in the hidden middle, so it neither widens the columns nor forces scientific notation.
        var values = new double[2000];
        for (int i = 0; i < values.Length; i++) values[i] = i + 500;
        values[1000] = 1e10;
        Assert.Equal("tensor([ 500.,  501.,  502.,  ..., 2497., 2498., 2499.])", F32(values).ToString());
    }

    [Fact]
    public void Summarized_float_range_is_scientific_and_wraps()
    {
        // Shown values 0..2 and 1997..1999: 1999 / 1 > 1000, so scientific; width 10 fits floor(73 / 12) = 6 a line.
        var values = new double[2000];
        for (int i = 0; i < values.Length; i++) values[i] = i;
        Assert.Equal(
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n" +
            "        1.9990e+03])",
            F32(values).ToString());
    }

    [Fact]
    public void Summarized_matrix() =>
        Assert.Equal("""
            tensor([[   0,    1,    2,  ...,   97,   98,   99],
                    [ 100,  101,  102,  ...,  197,  198,  199],
                    [ 200,  201,  202,  ...,  297,  298,  299],
                    ...,
                    [9700, 9701, 9702,  ..., 9797, 9798, 9799],
                    [9800, 9801, 9802,  ..., 9897, 9898, 9899],
                    [9900, 9901, 9902,  ..., 9997, 9998, 9999]])
            """, Arange(10000, DType.Int64, 100, 100).ToString());

    [Fact]
    public void Summarization_cuts_only_dims_longer_than_six()
    {
        // 1400 elements: dim 0 (7) and dim 2 (100) are cut to 3 + 3, dim 1 (2) is kept whole.
        Assert.Equal("""
            tensor([[[   0,    1,    2,  ...,   97,   98,   99],
                     [ 100,  101,  102,  ...,  197,  198,  199]],

                    [[ 200,  201,  202,  ...,  297,  298,  299],
                     [ 300,  301,  302,  ...,  397,  398,  399]],

                    [[ 400,  401,  402,  ...,  497,  498,  499],
                     [ 500,  501,  502,  ...,  597,  598,  599]],

                    ...,

                    [[ 800,  801,  802,  ...,  897,  898,  899],
                     [ 900,  901,  902,  ...,  997,  998,  999]],

                    [[1000, 1001, 1002,  ..., 1097, 1098, 1099],
                     [1100, 1101, 1102,  ..., 1197, 1198, 1199]],

                    [[1200, 1201, 1202,  ..., 1297, 1298, 1299],
                     [1300, 1301, 1302,  ..., 1397, 1398, 1399]]])
            """, Arange(1400, DType.Int64, 7, 2, 100).ToString());
    }

    [Fact]
    public void Summarized_float_matrix_with_suffixes()
    {
        // 1001 elements in a 7 x 143 float64 matrix of i / 8: max / min is exactly 1000, so fixed mode;
        // the widest shown value is "125.0000" (8), so 7 items fit a row and the last row ends at column 79.
        var values = new double[1001];
        for (int i = 0; i < values.Length; i++) values[i] = i / 8.0;
        var x = Tensor.FromDoubles(values, [7, 143], DType.Float64, requiresGrad: true);
        Assert.Equal("""
            tensor([[  0.0000,   0.1250,   0.2500,  ...,  17.5000,  17.6250,  17.7500],
                    [ 17.8750,  18.0000,  18.1250,  ...,  35.3750,  35.5000,  35.6250],
                    [ 35.7500,  35.8750,  36.0000,  ...,  53.2500,  53.3750,  53.5000],
                    ...,
                    [ 71.5000,  71.6250,  71.7500,  ...,  89.0000,  89.1250,  89.2500],
                    [ 89.3750,  89.5000,  89.6250,  ..., 106.8750, 107.0000, 107.1250],
                    [107.2500, 107.3750, 107.5000,  ..., 124.7500, 124.8750, 125.0000]],
                   dtype=torch.float64, requires_grad=True)
            """, x.ToString());
    }

    // ---- suffixes -------------------------------------------------------------------------------------------

    [Fact]
    public void Grad_fn_suffix_wraps_past_80_columns()
    {
        var x = F64(0.0910, 0.3815, 0.3216, 0.5905);
        x.GradFn = new NamedNode("TanhBackwardBackward0");
        Assert.Equal("tensor([0.0910, 0.3815, 0.3216, 0.5905], dtype=torch.float64,\n       grad_fn=<TanhBackwardBackward0>)",
            x.ToString());
    }

    [Fact]
    public void Real_op_grad_fn_suffix_wraps_past_80_columns()
    {
        // ", dtype=torch.float64" ends at column 62; ", grad_fn=<MulBackward0>" would end at 86.
        var x = Tensor.FromDoubles([0.0910, 0.3815, 0.3216, 0.5905], [4], DType.Float64, requiresGrad: true);
        Assert.Equal("tensor([0.0910, 0.3815, 0.3216, 0.5905], dtype=torch.float64,\n       grad_fn=<MulBackward0>)",
            x.Mul(1.0).ToString());
    }

    [Theory]
    // "tensor([1., 2.]" is 15 long, so the check is 17 + len(suffix) + 2 > 80 with len(suffix) = 10 + len(name).
    [InlineData(51, false)]   // the line ends at column 79: fits
    [InlineData(52, true)]
    public void Suffix_wrap_boundary(int nameLength, bool wraps)
    {
        var x = F32(1, 2);
        string name = new('N', nameLength);
        x.GradFn = new NamedNode(name);
        string expected = "tensor([1., 2.]" + (wraps ? ",\n       " : ", ") + "grad_fn=<" + name + ">)";
        Assert.Equal(expected, x.ToString());
    }

    [Fact]
    public void Line_length_restarts_after_a_wrapped_suffix()
    {
        // The body line is 71 long: dtype wraps, then requires_grad fits after it on the new line.
        var x = Tensor.FromDoubles([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5], [8], DType.Float64, requiresGrad: true);
        Assert.Equal("tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000],\n       dtype=torch.float64, requires_grad=True)",
            x.ToString());
    }

    [Fact]
    public void Grad_fn_takes_precedence_over_requires_grad()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float32, requiresGrad: true);
        Assert.Equal("tensor([1., 2.], requires_grad=True)", x.ToString());
        Assert.Equal("tensor([2., 3.], grad_fn=<AddBackward0>)", x.Add(1.0).ToString());
    }

    [Fact]
    public void Gradients_print_without_suffixes()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float32, requiresGrad: true);
        x.Mul(x).Sum().Backward();
        Assert.Equal("tensor([2., 4.])", x.Grad!.ToString());
    }

    // ---- culture --------------------------------------------------------------------------------------------

    [Fact]
    public void Output_is_culture_invariant()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            // Guard: the runtime really is formatting German here (not in invariant-globalization mode).
            Assert.Equal("4,5", 4.5.ToString(CultureInfo.CurrentCulture));

            Assert.Equal("tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])",
                Tensor.FromDoubles([4.5, 4.5, 4.5, 4.5], [2, 2], DType.Float32).ToString());
            Assert.Equal("tensor([1.0000e-05, 1.0000e+00])", F32(1e-5, 1).ToString());
            Assert.Equal("tensor([   0,    1,    2,  ..., 1997, 1998, 1999])", Arange(2000, DType.Int64).ToString());
            Assert.Equal("tensor([-1.5000,  2.2500], dtype=torch.float64)", F64(-1.5, 2.25).ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }
}
