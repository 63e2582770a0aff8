namespace AutoGrad;

/// <summary>The element types a tensor can hold, named as PyTorch names them (torch.float32 ...).</summary>
/// <remarks>
/// Int64-based so that PowerShell's ConvertTo-Json writes a tensor's dtype as its name ("Float32"), not a number:
/// it writes enums over long by name (and those over int as numbers).
/// </remarks>
public enum DType : long
{
    Float32,
    Float64,
    Int64,
    Bool,
}

/// <summary>Facts about dtypes: category, PyTorch's name, parsing, and the promotion lattice.</summary>
public static class DTypes
{
    /// <summary>The dtype a Python float becomes (torch.get_default_dtype()).</summary>
    public const DType DefaultFloat = DType.Float32;

    /// <summary>A value outside the enum (([DType]7) in PowerShell, a cast in C#): a TypeError, not a crash.</summary>
    internal static TorchException Invalid(DType d) =>
        TorchException.Type("InvalidDType", $"{(int)d} is not a dtype: expected Float32, Float64, Int64 or Bool");

    public static bool IsFloating(this DType d) => d is DType.Float32 or DType.Float64;

    /// <summary>PyTorch's spelling, e.g. <c>torch.float64</c>.</summary>
    public static string TorchName(this DType d) => d switch
    {
        DType.Float32 => "torch.float32",
        DType.Float64 => "torch.float64",
        DType.Int64 => "torch.int64",
        DType.Bool => "torch.bool",
        _ => throw Invalid(d),
    };

    /// <summary>PyTorch's C++ scalar type name, used in some error messages ("Got: Long").</summary>
    public static string ScalarTypeName(this DType d) => d switch
    {
        DType.Float32 => "Float",
        DType.Float64 => "Double",
        DType.Int64 => "Long",
        DType.Bool => "Bool",
        _ => throw Invalid(d),
    };

    /// <summary>The legacy tensor type name PyTorch's messages print (Tensor.toString()): <c>torch.FloatTensor</c>.</summary>
    internal static string LegacyTypeName(this DType d) => "torch." + d.ScalarTypeName() + "Tensor";

    /// <summary>The .NET element type of the dtype's arrays.</summary>
    internal static Type ClrType(this DType d) => d switch
    {
        DType.Float32 => typeof(float),
        DType.Float64 => typeof(double),
        DType.Int64 => typeof(long),
        DType.Bool => typeof(bool),
        _ => throw Invalid(d),
    };

    /// <summary>The dtype whose arrays hold <typeparamref name="T"/> (the inverse of <see cref="ClrType"/>; folded by the JIT).</summary>
    internal static DType Of<T>() =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(long) ? DType.Int64
        : typeof(T) == typeof(bool) ? DType.Bool
        : throw new ArgumentException($"no dtype holds {typeof(T).Name}", nameof(T));

    /// <summary>Bytes per element (torch.Tensor.element_size()).</summary>
    public static int ItemSize(this DType d) => d switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int64 => 8,
        DType.Bool => 1,
        _ => throw Invalid(d),
    };

    /// <summary>
    /// Parses a dtype name as a user may write it: Float32, float64, torch.int64, double, long, single, bool ...
    /// Returns false for anything else.
    /// </summary>
    public static bool TryParse(string? text, out DType dtype)
    {
        dtype = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim().ToLowerInvariant();
        if (s.StartsWith("torch.", StringComparison.Ordinal)) s = s.Substring(6);
        if (s.StartsWith("system.", StringComparison.Ordinal)) s = s.Substring(7);
        switch (s)
        {
            case "float32": case "float": case "single": dtype = DType.Float32; return true;
            case "float64": case "double": dtype = DType.Float64; return true;
            case "int64": case "long": dtype = DType.Int64; return true;
            case "bool": case "boolean": dtype = DType.Bool; return true;
            default: return false;
        }
    }

    /// <summary>Maps a CLR element type to a dtype ([single], [double], [long], [bool]).</summary>
    public static bool TryFromType(Type type, out DType dtype)
    {
        dtype = default;
        if (type == typeof(float)) dtype = DType.Float32;
        else if (type == typeof(double)) dtype = DType.Float64;
        else if (type == typeof(long)) dtype = DType.Int64;
        else if (type == typeof(bool)) dtype = DType.Bool;
        else return false;
        return true;
    }

    /// <summary>
    /// The promotion lattice restricted to our four dtypes: Bool &lt; Int64 &lt; Float32 &lt; Float64,
    /// which is what c10::promoteTypes gives for every pair of them.
    /// </summary>
    public static DType Promote(DType a, DType b) => Rank(a) >= Rank(b) ? a : b;

    private static int Rank(DType d) => d switch
    {
        DType.Bool => 0,
        DType.Int64 => 1,
        DType.Float32 => 2,
        DType.Float64 => 3,
        _ => throw Invalid(d),
    };
}
