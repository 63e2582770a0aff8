using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Lets -DType take what a PowerShell or PyTorch user would write: Float64, 'float64', 'torch.float64', 'double',
/// 'long' (any case), or a type: [double], [single], [long], [bool]. Anything else fails with the valid names.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class DTypeTransformationAttribute : ArgumentTransformationAttribute
{
    internal const string ValidNames =
        "Float32 (float, single, torch.float32), Float64 (double, torch.float64), Int64 (long, torch.int64), Bool (torch.bool)";

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        switch (value)
        {
            case DType d:
                return d;
            case string s when DTypes.TryParse(s, out var parsed):
                return parsed;
            case Type t when DTypes.TryFromType(t, out var fromType):
                return fromType;
        }
        var shown = value switch
        {
            null => "null",
            Type t => $"[{t.Name}]",
            _ => $"'{value}'",
        };
        throw new ArgumentTransformationMetadataException(
            $"Unknown dtype {shown}. Valid dtypes: {ValidNames}; or the types [single], [double], [long], [bool].");
    }
}
