namespace AutoGrad.Serialization;

/// <summary>A tensor's elements as one little-endian byte array and back (for hosts that serialize bytes, such as CLIXML).</summary>
public static class TensorBytes
{
    public static byte[] ToBytes(Tensor tensor)
    {
        using var ms = new MemoryStream((int)Math.Min(RawTensorData.ByteCount(tensor), int.MaxValue));
        RawTensorData.Write(ms, tensor);
        return ms.ToArray();
    }

    /// <summary>The tensor of <paramref name="dtype"/> and <paramref name="shape"/> whose bytes these are.</summary>
    public static Tensor FromBytes(byte[] bytes, DType dtype, int[] shape)
    {
        Shapes.CheckNonNegative(shape);
        var type = StoredDTypes.FromDType(dtype);
        long count = Shapes.NumElements(shape);
        if (count * type.ElementSize() != bytes.Length)
            throw new ArgumentException($"{bytes.Length} bytes cannot hold {count} elements of {dtype}", nameof(bytes));
        var data = RawTensorData.Read(new MemoryStream(bytes, writable: false), type, (int)count, bigEndian: false,
            () => new ArgumentException("the bytes end early", nameof(bytes)));
        return RawTensorData.ToTensor(data, shape);
    }
}
