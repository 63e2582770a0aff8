using System.Buffers.Binary;
using System.Text;

namespace AutoGrad.Serialization;

/// <summary>
/// Writes the zip container of torch.save as PyTorch's own writer (miniz in PyTorchStreamWriter) does: every record
/// stored uncompressed under one top folder, its data aligned to 64 bytes by an "FB" padding field in the local
/// header, sizes and CRC-32 in a data descriptor after the data (flags 0x0808), then the central directory.
/// Archives over 4 GiB would need ZIP64, which this writer refuses with a clear error instead of writing.
/// </summary>
internal sealed class TorchZipWriter
{
    private const int Alignment = 64;
    private readonly Stream _stream;
    private readonly string _prefix;
    private readonly List<(byte[] Name, uint Crc, long Size, long Offset)> _records = new();
    private long _position;

    public TorchZipWriter(Stream stream, string archiveName)
    {
        _stream = stream;
        _prefix = archiveName + "/";
    }

    public void WriteRecord(string name, ReadOnlySpan<byte> data)
    {
        var copy = data.ToArray();
        WriteRecord(name, s => s.Write(copy));
    }

    /// <summary>Writes one record whose bytes <paramref name="writeData"/> produces (CRC and size are counted on the way).</summary>
    public void WriteRecord(string name, Action<Stream> writeData)
    {
        var nameBytes = Encoding.UTF8.GetBytes(_prefix + name);
        long offset = _position;
        long dataStart = offset + 30 + nameBytes.Length + 4;
        int padding = (int)((Alignment - dataStart % Alignment) % Alignment);

        Span<byte> header = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 0);       // version needed (as PyTorch writes it)
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0x0808);  // data descriptor follows; UTF-8 names
        // method 0 (stored), time, date, CRC and sizes are 0 here: the data descriptor carries them.
        header[8..26].Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(header[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(header[28..], (ushort)(4 + padding));
        Emit(header);
        Emit(nameBytes);
        Span<byte> fb = stackalloc byte[4];
        fb[0] = (byte)'F';
        fb[1] = (byte)'B';
        BinaryPrimitives.WriteUInt16LittleEndian(fb[2..], (ushort)padding);
        Emit(fb);
        var pad = new byte[padding];
        pad.AsSpan().Fill((byte)'Z');
        Emit(pad);

        var counting = new CrcStream(_stream);
        writeData(counting);
        _position += counting.Length;
        CheckSize(counting.Length, name);

        Span<byte> descriptor = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[4..], counting.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[8..], (uint)counting.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(descriptor[12..], (uint)counting.Length);
        Emit(descriptor);
        _records.Add((nameBytes, counting.Crc, counting.Length, offset));
    }

    /// <summary>Writes the central directory and its end record; the archive is complete afterwards.</summary>
    public void Finish()
    {
        long directoryStart = _position;
        foreach (var (name, crc, size, offset) in _records)
        {
            Span<byte> entry = stackalloc byte[46];
            entry.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(entry, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[8..], 0x0808);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[20..], (uint)size);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[24..], (uint)size);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[28..], (ushort)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[42..], (uint)offset);
            Emit(entry);
            Emit(name);
        }
        long directorySize = _position - directoryStart;
        CheckSize(_position, "the archive");
        if (_records.Count > ushort.MaxValue)
            throw new TensorFileException("TooLarge", $"A .pt file of more than {ushort.MaxValue} records needs ZIP64, which is not written.");
        Span<byte> end = stackalloc byte[22];
        end.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)_records.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)_records.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], (uint)directoryStart);
        Emit(end);
        _stream.Flush();
    }

    private static void CheckSize(long value, string what)
    {
        if (value >= uint.MaxValue)
            throw new TensorFileException("TooLarge",
                $"{what} reaches 4 GiB, which a .pt file can only hold with ZIP64, which is not written; use .safetensors for tensors this large.");
    }

    private void Emit(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _position += bytes.Length;
    }

    /// <summary>Passes writes through while counting bytes and their CRC-32.</summary>
    private sealed class CrcStream(Stream inner) : Stream
    {
        private uint _crc = 0xFFFFFFFF;
        public uint Crc => ~_crc;
        public override long Length => _length;
        private long _length;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _crc = Crc32.Update(_crc, buffer);
            _length += buffer.Length;
            inner.Write(buffer);
        }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) as zip uses it.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Build();

    private static uint[] Build()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>Continues a running CRC (start with 0xFFFFFFFF, finish with ~).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }
}
