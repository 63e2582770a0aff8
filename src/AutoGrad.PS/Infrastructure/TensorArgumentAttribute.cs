using System.Collections;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Hands a tensor parameter the tensor itself rather than the PSObject that wraps it (a variable that holds a
/// cmdlet's output holds a PSObject). Without it, PowerShell converts the wrapper with LanguagePrimitives.ConvertTo
/// and then formats the result for a trace message whether or not tracing is on: Tensor.ToString, the whole repr,
/// on every call (`Measure-Sum -InputObject $x` of a [64,8] tensor cost about 50 times the same call piped; see
/// docs/performance.md). Anything that
/// is not a tensor passes through unchanged, so PowerShell's own binding error still names it.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class TensorArgumentAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        switch (inputData)
        {
            case PSObject { BaseObject: Tensor t }:
                return t;
            case object[] items when Array.TrueForAll(items, i => i is Tensor or PSObject { BaseObject: Tensor }):
                var tensors = new Tensor[items.Length];
                for (int i = 0; i < items.Length; i++) tensors[i] = items[i] is PSObject wrapped ? (Tensor)wrapped.BaseObject : (Tensor)items[i];
                return tensors;
            case PSObject { BaseObject: object[] } array:
                return Transform(engineIntrinsics, array.BaseObject);
            default:
                return inputData;
        }
    }
}
