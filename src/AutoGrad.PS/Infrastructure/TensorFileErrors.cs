using System.Management.Automation;
using AutoGrad.Serialization;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>Error categories for tensor file problems, by the engine's ids.</summary>
internal static class TensorFileErrors
{
    public static ErrorCategory CategoryOf(TensorFileException ex) => ex.Id switch
    {
        "FileExists" => ErrorCategory.ResourceExists,
        "UnsupportedValue" or "InvalidName" => ErrorCategory.InvalidArgument,
        "UnsupportedDType" or "UnsupportedFormat" => ErrorCategory.NotImplemented,
        "ForbiddenGlobal" => ErrorCategory.SecurityError,
        "TooLarge" => ErrorCategory.LimitsExceeded,
        _ => ErrorCategory.InvalidData,
    };
}
