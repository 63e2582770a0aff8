using System.Collections;

namespace AutoGrad.Serialization;

/// <summary>The file formats tensors are read from and written to.</summary>
public enum TensorFileFormat
{
    /// <summary>From the file's extension when writing; from its first bytes (and extension) when reading.</summary>
    Auto,
    /// <summary>Hugging Face's .safetensors.</summary>
    Safetensors,
    /// <summary>PyTorch's torch.save zip format (.pt, .pth).</summary>
    Pt,
    /// <summary>NumPy's .npy (one tensor).</summary>
    Npy,
}

/// <summary>
/// Reading and writing tensor files by path: picks the format, and writes atomically (into a temporary file in the
/// same folder, flushed to disk, then renamed over the target), so an export that fails or is interrupted never
/// leaves a partial file under the target's name.
/// </summary>
public static class TensorFile
{
    /// <summary>The format an extension means (.safetensors, .pt/.pth, .npy), or Auto when it means none.</summary>
    public static TensorFileFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".safetensors" => TensorFileFormat.Safetensors,
        ".pt" or ".pth" => TensorFileFormat.Pt,
        ".npy" => TensorFileFormat.Npy,
        _ => TensorFileFormat.Auto,
    };

    /// <summary>Reads a tensor file; the format comes from its first bytes, else from <paramref name="format"/> or the extension.</summary>
    public static TensorFileContent Load(string path, TensorFileFormat format = TensorFileFormat.Auto)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, path, format == TensorFileFormat.Auto ? FormatOf(path) : format);
    }

    /// <summary>Reads from a seekable stream; <paramref name="source"/> names it in messages.</summary>
    public static TensorFileContent Load(Stream stream, string source, TensorFileFormat format)
    {
        var first = new byte[8];
        int got = stream.ReadAtLeast(first, first.Length, throwOnEndOfStream: false);
        stream.Seek(0, SeekOrigin.Begin);
        if (got == 0) throw TensorFileException.Invalid(source, "is empty.");
        if (TorchSaveFormat.HasZipMagic(first)) return TorchSaveFormat.Read(stream, source);
        if (NpyFormat.HasMagic(first)) return NpyFormat.Read(stream, source);
        if (first[0] == 0x80 && got > 1 && first[1] <= 5 && format != TensorFileFormat.Safetensors)
            throw new TensorFileException("UnsupportedFormat",
                $"'{source}' is a bare pickle: torch.save's legacy format (PyTorch before 1.6, or _use_new_zipfile_serialization=False), which Import-Tensor does not read. Load it in PyTorch and save it again with torch.save(obj, path).");
        switch (format)
        {
            case TensorFileFormat.Pt:
                throw TensorFileException.Invalid(source, "is not a torch.save file: it does not start with a zip header (PK\\x03\\x04).");
            case TensorFileFormat.Npy:
                throw TensorFileException.Invalid(source, "is not a .npy file: it does not start with NumPy's magic \\x93NUMPY.");
            case TensorFileFormat.Safetensors:
                return SafetensorsFormat.Read(stream, source);
        }
        // No extension to go by: safetensors has no magic, but its header is JSON right after the 8-byte length.
        if (got == 8 && stream.Length > 8)
        {
            stream.Seek(8, SeekOrigin.Begin);
            int brace = stream.ReadByte();
            stream.Seek(0, SeekOrigin.Begin);
            if (brace == '{') return SafetensorsFormat.Read(stream, source);
        }
        throw new TensorFileException("UnsupportedFormat",
            $"'{source}' is not a tensor file AutoGrad reads: not a torch.save zip, not a .npy and not a .safetensors file.");
    }

    /// <summary>
    /// Writes <paramref name="value"/> to <paramref name="path"/> atomically. Safetensors takes a tensor (stored under
    /// <see cref="SafetensorsFormat.SingleTensorKey"/>) or a dictionary of name → tensor; .npy takes one tensor;
    /// .pt takes a tensor or any dictionary/list of tensors and plain values. Without <paramref name="overwrite"/>,
    /// an existing file is an error and is left untouched.
    /// </summary>
    public static void Save(string path, object? value, TensorFileFormat format = TensorFileFormat.Auto, bool overwrite = false,
        IReadOnlyDictionary<string, string>? metadata = null, Func<object?, object?>? unwrap = null)
    {
        unwrap ??= v => v;
        var full = Path.GetFullPath(path);
        if (format == TensorFileFormat.Auto) format = FormatOf(full);
        if (format == TensorFileFormat.Auto)
            throw new TensorFileException("UnsupportedFormat",
                $"'{full}' has no extension that names a format (.safetensors, .pt, .pth, .npy); give the format explicitly.");
        Action<Stream> write = format switch
        {
            TensorFileFormat.Safetensors => PrepareSafetensors(value, metadata, unwrap),
            TensorFileFormat.Npy => value is Tensor t
                ? s => NpyFormat.Write(s, t)
                : throw new TensorFileException("UnsupportedValue", $"A .npy file holds one tensor; got {Describe(value)}. Use .safetensors or .pt for several."),
            _ => s => TorchSaveFormat.Write(s, value, unwrap),
        };
        if (!overwrite && File.Exists(full))
            throw new TensorFileException("FileExists", $"'{full}' already exists and overwriting was not asked for.");
        WriteAtomically(full, overwrite, write);
    }

    private static Action<Stream> PrepareSafetensors(object? value, IReadOnlyDictionary<string, string>? metadata, Func<object?, object?> unwrap)
    {
        var entries = new List<KeyValuePair<string, Tensor>>();
        switch (value)
        {
            case Tensor t:
                entries.Add(new(SafetensorsFormat.SingleTensorKey, t));
                break;
            case IDictionary d:
                foreach (DictionaryEntry e in d)
                {
                    var key = unwrap(e.Key);
                    if (key is not string name)
                        throw new TensorFileException("UnsupportedValue", $"Safetensors names tensors by strings; the key {Describe(key)} is not one.");
                    if (unwrap(e.Value) is not Tensor tensor)
                        throw new TensorFileException("UnsupportedValue", $"Safetensors holds only tensors; '{name}' is {Describe(unwrap(e.Value))}. Use .pt for other values.");
                    entries.Add(new(name, tensor));
                }
                break;
            default:
                throw new TensorFileException("UnsupportedValue", $"Safetensors holds a tensor or a dictionary of name -> tensor; got {Describe(value)}.");
        }
        return s => SafetensorsFormat.Write(s, entries, metadata);
    }

    private static string Describe(object? v) => v is null ? "null" : $"a {v.GetType().FullName}";

    /// <summary>Writes into a temporary sibling file, flushes it to disk, then renames it over the target.</summary>
    internal static void WriteAtomically(string path, bool overwrite, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(path) ?? ".";
        var temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }
}
