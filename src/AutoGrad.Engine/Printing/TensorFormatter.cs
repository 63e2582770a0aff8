using System.Globalization;

namespace AutoGrad.Printing;

/// <summary>PyTorch's tensor repr (torch/_tensor_str.py). Placeholder until the full algorithm lands.</summary>
public static class TensorFormatter
{
    public static string Format(Tensor t)
    {
        var values = string.Join(", ", t.ToDoubleArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        return $"tensor([{values}])";
    }
}
