namespace AutoGrad;

// Python's float(t), int(t), bool(t) and t.tolist(): C# explicit conversions, which PowerShell applies for
// [double]$t, [long]$t, [int]$t, [bool]$t. A tensor of more (or fewer) than one element fails with PyTorch's words.
public sealed partial class Tensor
{
    public static explicit operator double(Tensor t) => t.ScalarValue();
    public static explicit operator float(Tensor t) => (float)t.ScalarValue();
    public static explicit operator long(Tensor t) => t.DType == DType.Int64 && t.NumElements == 1 ? (long)t.Item() : ToInteger(t.ScalarValue());

    public static explicit operator int(Tensor t)
    {
        long value = (long)t;
        return value is >= int.MinValue and <= int.MaxValue ? (int)value
            : throw TorchException.Runtime("ValueOverflow", "value cannot be converted to type int32 without overflow");
    }

    /// <summary>
    /// Python's int(float): NaN and the infinities are no integer (ValueError, OverflowError there); a value beyond
    /// int64 is c10's overflow error, as .NET has no larger integer to give.
    /// </summary>
    private static long ToInteger(double value)
    {
        if (double.IsNaN(value)) throw TorchException.Value("ScalarNotInteger", "cannot convert float NaN to integer");
        if (double.IsInfinity(value)) throw TorchException.Runtime("ScalarNotInteger", "cannot convert float infinity to integer");
        return ScalarConversion.ToInt64(value);
    }

    public static explicit operator bool(Tensor t)
    {
        if (t.NumElements != 1)
            throw TorchException.Runtime("BoolAmbiguous", t.NumElements == 0
                ? "Boolean value of Tensor with no values is ambiguous"
                : "Boolean value of Tensor with more than one value is ambiguous");
        return t.GetAsDouble(0) != 0;
    }

    private double ScalarValue()
    {
        if (NumElements != 1)
            throw TorchException.Value("ScalarNotOneElement", "only one element tensors can be converted to Python scalars");
        return GetAsDouble(0);
    }

    /// <summary>
    /// The elements as nested arrays (torch.Tensor.tolist()): object[] per dim, each element in the tensor's own
    /// element type (float, double, long, bool); a 0-d tensor gives the element itself.
    /// </summary>
    public object ToList()
    {
        var flat = ToArray();
        if (Rank == 0) return flat.GetValue(0)!;
        int at = 0;
        return Nest(flat, 0, ref at);
    }

    private object[] Nest(Array flat, int dim, ref int at)
    {
        var result = new object[_shape[dim]];
        for (int i = 0; i < result.Length; i++)
            result[i] = dim == Rank - 1 ? flat.GetValue(at++)! : Nest(flat, dim + 1, ref at);
        return result;
    }
}
