using System.IO.Compression;
using System.Text;

namespace AutoGrad.Serialization;

/// <summary>
/// PyTorch's torch.save format (the zip one, PyTorch 1.6 and later): a zip archive with one top folder holding
/// <c>data.pkl</c> (the pickled object, tensors referring to storages by key), <c>data/&lt;key&gt;</c> (each storage's raw
/// little-endian bytes), <c>version</c>, and in PyTorch 2.x <c>byteorder</c>, <c>.format_version</c> and
/// <c>.storage_alignment</c>. Written so that torch.load(path, weights_only=True) reads it; read with a restricted
/// unpickler that executes nothing.
/// </summary>
public static class TorchSaveFormat
{
    /// <summary>The top folder this writer uses, as torch.save does when it writes to a buffer.</summary>
    public const string ArchiveName = "archive";

    /// <summary>True for a zip archive's first bytes ("PK\x03\x04").</summary>
    public static bool HasZipMagic(ReadOnlySpan<byte> first) =>
        first.Length >= 4 && first[0] == 'P' && first[1] == 'K' && first[2] == 3 && first[3] == 4;

    /// <summary>
    /// Writes <paramref name="root"/>: a tensor, a dictionary (saved as an OrderedDict, like a state dict), or lists,
    /// strings, numbers, booleans and null nested in them. <paramref name="unwrap"/> lets a host strip its own
    /// wrappers (PowerShell's PSObject) from nested values.
    /// </summary>
    public static void Write(Stream stream, object? root, Func<object?, object?>? unwrap = null)
    {
        var pickler = new PickleWriter { Unwrap = unwrap ?? (v => v) };
        var pickle = pickler.Dump(root);
        var zip = new TorchZipWriter(stream, ArchiveName);
        zip.WriteRecord("data.pkl", pickle);
        zip.WriteRecord(".format_version", "1"u8);
        zip.WriteRecord(".storage_alignment", "64"u8);
        zip.WriteRecord("byteorder", "little"u8);
        // torch.save writes the storages in the order of their keys as strings: 0, 1, 10, 11, 2 ...
        var keyed = pickler.Storages.Select((t, i) => (Key: i.ToString(System.Globalization.CultureInfo.InvariantCulture), Tensor: t))
            .OrderBy(e => e.Key, StringComparer.Ordinal);
        foreach (var (key, tensor) in keyed)
            zip.WriteRecord("data/" + key, s => RawTensorData.Write(s, tensor));
        zip.WriteRecord("version", "3\n"u8);
        zip.Finish();
    }

    /// <summary>Reads a torch.save file from a seekable stream; <paramref name="source"/> names it in messages.</summary>
    public static TensorFileContent Read(Stream stream, string source)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw TensorFileException.Invalid(source, $"is not a readable zip archive, as torch.save writes: {ex.Message}", ex);
        }
        using (zip)
        try
        {
            var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal)
                                                      && e.FullName.IndexOf('/') == e.FullName.Length - "/data.pkl".Length);
            if (pkl is null)
            {
                bool script = zip.Entries.Any(e => e.FullName.EndsWith("/constants.pkl", StringComparison.Ordinal));
                throw new TensorFileException("UnsupportedFormat", script
                    ? $"'{source}' is a TorchScript archive (torch.jit.save), not a torch.save file; save the model's state_dict() with torch.save instead."
                    : $"'{source}' is a zip archive but not a torch.save file: it has no <folder>/data.pkl.");
            }
            var prefix = pkl.FullName[..^"data.pkl".Length];
            long fileLength = stream.CanSeek ? stream.Length : long.MaxValue;
            var pickle = ReadEntry(pkl, source, fileLength, "data.pkl");
            var conversions = new List<string>();

            Array LoadStorage(RestrictedUnpickler.StorageRef storage)
            {
                var name = prefix + "data/" + storage.Key;
                var entry = zip.GetEntry(name)
                    ?? throw TensorFileException.Invalid(source, $"refers to storage '{storage.Key}' but has no record {name}.");
                long expected = storage.Count * storage.Type.ElementSize();
                if (entry.Length != expected)
                    throw TensorFileException.Invalid(source,
                        $"says storage '{storage.Key}' holds {storage.Count} elements of {storage.Type.TorchName()} ({expected} bytes), but its record has {entry.Length} bytes.");
                if (storage.Count > int.MaxValue)
                    throw TensorFileException.Invalid(source, $"has storage '{storage.Key}' of more elements than AutoGrad can hold (2^31 - 1).");
                CheckPlausible(entry, fileLength, source);
                if (storage.Type.IsWidened()) conversions.Add($"storage '{storage.Key}': {storage.Type.TorchName()} read as {storage.Type.ToDType()}");
                using var s = OpenEntry(entry, source);
                return RawTensorData.Read(s, storage.Type, (int)storage.Count, bigEndian: IsBigEndian(zip, prefix),
                    () => TensorFileException.Invalid(source, $"is truncated: storage '{storage.Key}' ends early."));
            }

            var root = new RestrictedUnpickler(pickle, source, LoadStorage).Load();
            return new TensorFileContent(root, null, conversions);
        }
        catch (InvalidDataException ex)
        {
            // The central directory, a record's header or its deflate stream, found corrupt as they are read.
            throw TensorFileException.Invalid(source, $"is a corrupt zip archive: {ex.Message}", ex);
        }
    }

    private static bool IsBigEndian(ZipArchive zip, string prefix)
    {
        var entry = zip.GetEntry(prefix + "byteorder");
        if (entry is null) return false;
        using var s = entry.Open();
        using var r = new StreamReader(s, Encoding.ASCII);
        return r.ReadToEnd().Trim() == "big";
    }

    /// <summary>A record claiming far more bytes than the file could expand to is a lie, not a reason to allocate.</summary>
    private static void CheckPlausible(ZipArchiveEntry entry, long fileLength, string source)
    {
        // Deflate expands at most about 1032:1; stored records are at most the file's size.
        if (entry.CompressedLength > fileLength || entry.Length > Math.Max(entry.CompressedLength, 1) * 1032L)
            throw TensorFileException.Invalid(source, $"has a record {entry.FullName} whose sizes ({entry.CompressedLength} stored, {entry.Length} expanded) are impossible for a file of {fileLength} bytes.");
    }

    private static Stream OpenEntry(ZipArchiveEntry entry, string source)
    {
        try
        {
            return entry.Open();
        }
        catch (InvalidDataException ex)
        {
            throw TensorFileException.Invalid(source, $"has a corrupt record {entry.FullName}: {ex.Message}", ex);
        }
    }

    private static byte[] ReadEntry(ZipArchiveEntry entry, string source, long fileLength, string what)
    {
        CheckPlausible(entry, fileLength, source);
        if (entry.Length > int.MaxValue) throw TensorFileException.Invalid(source, $"has a {what} of {entry.Length} bytes, too large to be a pickle of tensors.");
        var bytes = new byte[entry.Length];
        using var s = OpenEntry(entry, source);
        try
        {
            s.ReadExactly(bytes);
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException)
        {
            throw TensorFileException.Invalid(source, $"is truncated or corrupt: its {what} cannot be read ({ex.Message})", ex);
        }
        return bytes;
    }
}
