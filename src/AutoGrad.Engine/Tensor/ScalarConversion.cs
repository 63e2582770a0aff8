namespace AutoGrad;

/// <summary>
/// PyTorch's checked conversion of a Python number into a tensor element (c10's checked_convert, used by
/// torch.tensor, torch.full and fill_): a value the element type cannot hold is an error, not a wrapped or saturated
/// number. Casts between tensors (tensor.to(torch.int64)) stay C casts and do not check, as in PyTorch.
/// </summary>
public static class ScalarConversion
{
    // (double)long.MaxValue is 2^63: PyTorch's bound check (value > max) lets 2^63 itself through, which the cast
    // then turns into INT64_MIN, exactly as torch.tensor(2.0**63, dtype=torch.int64) does.
    private const double Int64Bound = 9.2233720368547758E+18;

    /// <summary>
    /// double → int64 with truncation; NaN, infinities and values beyond the int64 range raise
    /// <c>value cannot be converted to type {typeName} without overflow</c> (torch.tensor names the type "int64",
    /// torch.full and fill_ "int64_t").
    /// </summary>
    public static long ToInt64(double value, string typeName = "int64")
    {
        if (double.IsNaN(value) || value > Int64Bound || value < -Int64Bound) throw Overflow(typeName);
        return value >= Int64Bound ? long.MinValue : (long)value;
    }

    /// <summary>
    /// double → float32 for torch.full and fill_: a finite value beyond float's range is an error; infinities and
    /// NaN carry over (torch.tensor does not check floats at all, and gives inf).
    /// </summary>
    public static float ToFloat32(double value)
    {
        if (double.IsFinite(value) && Math.Abs(value) > float.MaxValue) throw Overflow("float");
        return (float)value;
    }

    private static TorchException Overflow(string typeName) =>
        TorchException.Runtime("ValueOverflow", $"value cannot be converted to type {typeName} without overflow");
}
