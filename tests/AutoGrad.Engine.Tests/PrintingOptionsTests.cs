using AutoGrad.Printing;

namespace AutoGrad.Engine.Tests;

/// <summary>TensorFormatter.Format with torch.set_printoptions-style options.</summary>
public class PrintingOptionsTests
{
    private static Tensor F32(params double[] values) => Tensor.FromDoubles(values, [values.Length], DType.Float32);

    private static Tensor Arange(int count, DType dtype)
    {
        var values = new double[count];
        for (int i = 0; i < count; i++) values[i] = i;
        return Tensor.FromDoubles(values, [count], dtype);
    }

    [Fact]
    public void Null_options_are_the_defaults()
    {
        var x = F32(1.12345, 1e-5);
        Assert.Equal(x.ToString(), TensorFormatter.Format(x));
        Assert.Equal(x.ToString(), TensorFormatter.Format(x, PrintOptions.Default));
    }

    [Fact]
    public void Precision_changes_the_digits() =>
        Assert.Equal("tensor([1.12])", TensorFormatter.Format(F32(1.12345), new PrintOptions { Precision = 2 }));

    [Fact]
    public void Precision_applies_to_scientific_notation() =>
        Assert.Equal("tensor([1.00e-05, 1.00e+00])", TensorFormatter.Format(F32(1e-5, 1), new PrintOptions { Precision = 2 }));

    [Fact]
    public void Precision_zero_drops_the_point() =>
        // 0.5 -> "0" and 2.5 -> "2" (ties to even); width 1.
        Assert.Equal("tensor([0, 2])", TensorFormatter.Format(F32(0.5, 2.5), new PrintOptions { Precision = 0 }));

    [Fact]
    public void Threshold_and_the_ellipsis_item() =>
        // " ..." is an item of its own, so it follows ", " with two spaces.
        Assert.Equal("tensor([0, 1, 2,  ..., 7, 8, 9])", TensorFormatter.Format(Arange(10, DType.Int64), new PrintOptions { Threshold = 5 }));

    [Fact]
    public void Edge_items() =>
        Assert.Equal("tensor([0,  ..., 9])", TensorFormatter.Format(Arange(10, DType.Int64), new PrintOptions { Threshold = 5, EdgeItems = 1 }));

    [Fact]
    public void Short_profile() =>
        Assert.Equal("tensor([0.00, 1.50,  ..., 7.50, 9.00])",
            TensorFormatter.Format(Tensor.FromDoubles([0, 1.5, 3, 4.5, 6, 7.5, 9], [7], DType.Float32), PrintOptions.Short with { Threshold = 5 }));

    [Fact]
    public void Full_profile_never_summarizes()
    {
        string text = TensorFormatter.Format(Arange(2000, DType.Int64), PrintOptions.Full);
        Assert.DoesNotContain("...", text);
        Assert.Contains(" 999, 1000, 1001,", text);
    }

    [Fact]
    public void Line_width_wraps_rows_and_keeps_at_least_one_item_per_line()
    {
        // floor((10 - 7) / 8) = 0 items per line, raised to 1.
        Assert.Equal("tensor([1.5000,\n        2.5000])", TensorFormatter.Format(F32(1.5, 2.5), new PrintOptions { LineWidth = 10 }));
    }

    [Fact]
    public void Line_width_wraps_suffixes()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float64);
        // "tensor([1., 2.]" gives 17; 17 + 19 + 2 = 38 > 30.
        Assert.Equal("tensor([1., 2.],\n       dtype=torch.float64)", TensorFormatter.Format(x, new PrintOptions { LineWidth = 30 }));
    }

    [Fact]
    public void Forcing_fixed_mode_keeps_the_scientific_width() =>
        // Automatic mode measured "1.0000e-05" (10); the forced fixed values are padded to it, as in PyTorch.
        Assert.Equal("tensor([    0.0000,     1.0000])", TensorFormatter.Format(F32(1e-5, 1), new PrintOptions { SciMode = false }));

    [Fact]
    public void Forcing_fixed_mode_on_int_mode_values() =>
        Assert.Equal("tensor([        1., 1000000000.])", TensorFormatter.Format(F32(1, 1e9), new PrintOptions { SciMode = false }));

    [Fact]
    public void Forcing_scientific_mode() =>
        Assert.Equal("tensor([1.5000e+00, 2.5000e+00])", TensorFormatter.Format(F32(1.5, 2.5), new PrintOptions { SciMode = true }));

    [Fact]
    public void Forced_scientific_mode_does_not_apply_without_nonzero_finite_values() =>
        // PyTorch's formatter returns before reading sci_mode when there is nothing to measure.
        Assert.Equal("tensor([0., nan])", TensorFormatter.Format(F32(0, double.NaN), new PrintOptions { SciMode = true }));

    [Fact]
    public void Forced_scientific_mode_does_not_apply_to_integers() =>
        Assert.Equal("tensor([1, 2])", TensorFormatter.Format(Tensor.FromArray(new long[] { 1, 2 }, 2), new PrintOptions { SciMode = true }));

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrintOptions { Precision = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrintOptions { EdgeItems = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrintOptions { Threshold = double.NaN });
    }
}
