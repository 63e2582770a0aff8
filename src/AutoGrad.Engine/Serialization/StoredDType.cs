namespace AutoGrad.Serialization;

/// <summary>
/// Element types as files store them. Those AutoGrad has (F64, F32, I64, Bool) are read as they are; the others
/// are widened exactly on read (F16 and BF16 to Float32, the smaller integers to Int64) and never written.
/// </summary>
public enum StoredDType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    U16,
    U32,
    Bool,
}

public static class StoredDTypes
{
    public static int ElementSize(this StoredDType t) => t switch
    {
        StoredDType.F64 or StoredDType.I64 => 8,
        StoredDType.F32 or StoredDType.I32 or StoredDType.U32 => 4,
        StoredDType.F16 or StoredDType.BF16 or StoredDType.I16 or StoredDType.U16 => 2,
        _ => 1,
    };

    /// <summary>The dtype a tensor read from this stored type gets.</summary>
    public static DType ToDType(this StoredDType t) => t switch
    {
        StoredDType.F64 => DType.Float64,
        StoredDType.F32 or StoredDType.F16 or StoredDType.BF16 => DType.Float32,
        StoredDType.Bool => DType.Bool,
        _ => DType.Int64,
    };

    /// <summary>True when reading widens the values to another dtype (F16 → Float32, I32 → Int64 ...).</summary>
    public static bool IsWidened(this StoredDType t) =>
        t is not (StoredDType.F64 or StoredDType.F32 or StoredDType.I64 or StoredDType.Bool);

    /// <summary>How a tensor of this dtype is stored (only AutoGrad's own four dtypes are ever written).</summary>
    public static StoredDType FromDType(DType d) => d switch
    {
        DType.Float64 => StoredDType.F64,
        DType.Float32 => StoredDType.F32,
        DType.Int64 => StoredDType.I64,
        DType.Bool => StoredDType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    /// <summary>PyTorch's name for the stored type (torch.float16 ...), for messages.</summary>
    public static string TorchName(this StoredDType t) => t switch
    {
        StoredDType.F64 => "torch.float64",
        StoredDType.F32 => "torch.float32",
        StoredDType.F16 => "torch.float16",
        StoredDType.BF16 => "torch.bfloat16",
        StoredDType.I64 => "torch.int64",
        StoredDType.I32 => "torch.int32",
        StoredDType.I16 => "torch.int16",
        StoredDType.I8 => "torch.int8",
        StoredDType.U8 => "torch.uint8",
        StoredDType.U16 => "torch.uint16",
        StoredDType.U32 => "torch.uint32",
        _ => "torch.bool",
    };
}
