using System.Collections;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Lets a Tensor[] parameter take tensors, or plain data for one tensor: <c>-GradOutputs @(1, 0.5)</c> is one
/// gradient [1, 0.5], <c>-GradOutputs $g1, $g2</c> two. Data is converted as New-Tensor converts it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TensorArrayTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = TensorData.Unwrap(inputData);
        switch (value)
        {
            case null:
                return null;
            case Tensor t:
                return new[] { t };
            case IEnumerable items when value is not string:
            {
                var list = new List<object?>();
                foreach (var item in items) list.Add(TensorData.Unwrap(item));
                if (list.Count > 0 && list.All(i => i is Tensor)) return list.Cast<Tensor>().ToArray();
                break;
            }
        }
        return new[] { TensorTransformationAttribute.FromData(value!) };
    }
}
