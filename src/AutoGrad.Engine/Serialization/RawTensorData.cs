using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AutoGrad.Serialization;

/// <summary>
/// The one place where the file formats touch raw elements: a tensor's values as little-endian bytes, and stored
/// bytes (any <see cref="StoredDType"/>, either byte order) back into a tensor, through a storage offset and strides
/// where the format has them. Everything goes through Tensor's public API (ToArray, FromArray), so a change to the
/// tensor's internals needs no change here.
/// </summary>
internal static class RawTensorData
{
    /// <summary>Elements per chunk when streaming: bounded buffers for any tensor size.</summary>
    private const int ChunkElements = 1 << 16;

    /// <summary>Bytes a tensor takes on disk (its dtype's size times its element count).</summary>
    public static long ByteCount(Tensor t) => (long)t.NumElements * StoredDTypes.FromDType(t.DType).ElementSize();

    /// <summary>Writes the tensor's elements, row-major and little-endian (bool as one byte, 0 or 1).</summary>
    public static void Write(Stream stream, Tensor tensor)
    {
        RequireLittleEndianHost();
        switch (tensor.ToArray())
        {
            case float[] f: WriteChunks(stream, f); break;
            case double[] d: WriteChunks(stream, d); break;
            case long[] l: WriteChunks(stream, l); break;
            case bool[] b:
            {
                var buffer = new byte[Math.Min(b.Length, ChunkElements)];
                for (int start = 0; start < b.Length; start += ChunkElements)
                {
                    int n = Math.Min(ChunkElements, b.Length - start);
                    for (int i = 0; i < n; i++) buffer[i] = b[start + i] ? (byte)1 : (byte)0;
                    stream.Write(buffer, 0, n);
                }
                break;
            }
            default: throw new InvalidOperationException($"unexpected storage for {tensor.DType}");
        }
    }

    private static void WriteChunks<T>(Stream stream, T[] data) where T : unmanaged
    {
        for (int start = 0; start < data.Length; start += ChunkElements)
            stream.Write(MemoryMarshal.AsBytes(data.AsSpan(start, Math.Min(ChunkElements, data.Length - start))));
    }

    /// <summary>
    /// Reads <paramref name="count"/> elements of <paramref name="type"/> into an array of the dtype they are read
    /// as (float[], double[], long[] or bool[]). A stream that ends early gives <paramref name="truncated"/>.
    /// </summary>
    public static Array Read(Stream stream, StoredDType type, int count, bool bigEndian, Func<Exception> truncated)
    {
        RequireLittleEndianHost();
        Array result = type.ToDType() switch
        {
            DType.Float32 => new float[count],
            DType.Float64 => new double[count],
            DType.Int64 => new long[count],
            _ => new bool[count],
        };
        int size = type.ElementSize();
        var buffer = new byte[Math.Min(count, ChunkElements) * size];
        for (int start = 0; start < count; start += ChunkElements)
        {
            int n = Math.Min(ChunkElements, count - start);
            var bytes = buffer.AsSpan(0, n * size);
            try
            {
                stream.ReadExactly(bytes);
            }
            catch (EndOfStreamException)
            {
                throw truncated();
            }
            if (bigEndian && size > 1) ReverseEach(bytes, size);
            Decode(type, bytes, result, start);
        }
        return result;
    }

    private static void ReverseEach(Span<byte> bytes, int size)
    {
        for (int i = 0; i < bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    private static void Decode(StoredDType type, ReadOnlySpan<byte> bytes, Array result, int start)
    {
        switch (type)
        {
            case StoredDType.F64: MemoryMarshal.Cast<byte, double>(bytes).CopyTo(((double[])result).AsSpan(start)); break;
            case StoredDType.F32: MemoryMarshal.Cast<byte, float>(bytes).CopyTo(((float[])result).AsSpan(start)); break;
            case StoredDType.I64: MemoryMarshal.Cast<byte, long>(bytes).CopyTo(((long[])result).AsSpan(start)); break;
            case StoredDType.F16:
            {
                var src = MemoryMarshal.Cast<byte, Half>(bytes);
                var dst = ((float[])result).AsSpan(start);
                for (int i = 0; i < src.Length; i++) dst[i] = (float)src[i];
                break;
            }
            case StoredDType.BF16:
            {
                // bfloat16 is the upper half of a float32: widening is a shift.
                var dst = ((float[])result).AsSpan(start);
                for (int i = 0; i < dst.Length && 2 * i < bytes.Length; i++)
                    dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(2 * i)) << 16);
                break;
            }
            case StoredDType.I32: Widen(MemoryMarshal.Cast<byte, int>(bytes), (long[])result, start); break;
            case StoredDType.I16: Widen(MemoryMarshal.Cast<byte, short>(bytes), (long[])result, start); break;
            case StoredDType.U16: Widen(MemoryMarshal.Cast<byte, ushort>(bytes), (long[])result, start); break;
            case StoredDType.U32: Widen(MemoryMarshal.Cast<byte, uint>(bytes), (long[])result, start); break;
            case StoredDType.I8: Widen(MemoryMarshal.Cast<byte, sbyte>(bytes), (long[])result, start); break;
            case StoredDType.U8: Widen(bytes, (long[])result, start); break;
            case StoredDType.Bool:
            {
                var dst = ((bool[])result).AsSpan(start);
                for (int i = 0; i < bytes.Length; i++) dst[i] = bytes[i] != 0;
                break;
            }
            default: throw new ArgumentOutOfRangeException(nameof(type));
        }
    }

    private static void Widen<T>(ReadOnlySpan<T> src, long[] dst, int start) where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        for (int i = 0; i < src.Length; i++) dst[start + i] = long.CreateTruncating(src[i]);
    }

    /// <summary>A tensor over a copy of <paramref name="data"/> (float[], double[], long[] or bool[]).</summary>
    public static Tensor ToTensor(Array data, int[] shape) => data switch
    {
        float[] f => Tensor.FromArray(f, shape),
        double[] d => Tensor.FromArray(d, shape),
        long[] l => Tensor.FromArray(l, shape),
        bool[] b => Tensor.FromArray(b, shape),
        _ => throw new ArgumentException($"unexpected storage {data.GetType().Name}", nameof(data)),
    };

    /// <summary>
    /// The tensor that views <paramref name="storage"/> at <paramref name="offset"/> with <paramref name="strides"/>
    /// (PyTorch's as_strided), copied out densely. The caller has checked that every element lies in the storage
    /// (so offset and strides fit in int).
    /// </summary>
    public static Tensor FromStorage(Array storage, int[] shape, long offset, long[] strides)
    {
        int count = Shapes.NumElements(shape);
        if (offset == 0 && count == storage.Length && IsContiguous(shape, strides)) return ToTensor(storage, shape);
        if (count == 0) return ToTensor(Array.CreateInstance(storage.GetType().GetElementType()!, 0), shape);
        return ToTensor(Kernels.StridedCopy.Gather(storage, shape, strides.Select(s => (int)s).ToArray(), (int)offset), shape);
    }

    /// <summary>Row-major strides (dims of size 1 may have any stride, as PyTorch allows).</summary>
    private static bool IsContiguous(int[] shape, long[] strides)
    {
        long expected = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /// <summary>Largest storage element a strided view touches, plus one (0 for an empty view).</summary>
    public static long Extent(int[] shape, long offset, long[] strides)
    {
        long last = offset;
        foreach (var s in shape) if (s == 0) return 0;
        for (int d = 0; d < shape.Length; d++) last += (shape[d] - 1) * strides[d];
        return last + 1;
    }

    private static void RequireLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Tensor files are read and written on little-endian machines only.");
    }
}
