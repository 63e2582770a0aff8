using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Lets a tensor parameter also take plain data (a number or a rectangular array), converted as New-Tensor
/// converts it: <c>Invoke-Backward -Gradient @(1, 0.5, 0)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TensorTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = TensorData.Unwrap(inputData);
        return value is null or Tensor ? value : FromData(value);
    }

    /// <summary>Plain data as a tensor, as New-Tensor makes it; a binding error when it is not tensor data.</summary>
    internal static Tensor FromData(object value)
    {
        try
        {
            var parsed = TensorData.Parse(value);
            return parsed.ToTensor(parsed.InferredDType, parsed.Shape);
        }
        catch (Exception ex) when (ex is TensorDataException or TorchException)
        {
            throw new ArgumentTransformationMetadataException($"Cannot convert the value to a tensor: {ex.Message}", ex);
        }
    }
}
