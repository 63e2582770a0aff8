using System.Collections.Specialized;
using System.Text;
using System.Text.Json;

namespace AutoGrad.Serialization;

/// <summary>
/// Hugging Face's safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
/// (<c>{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, "__metadata__": {...}}</c>), then
/// the raw little-endian data, which the tensors' byte ranges must cover exactly with no gap or overlap.
/// Reading returns the tensors in the header's order. Writing keeps the caller's order in the header and lays the
/// data out by alignment (8-byte dtypes first, then 4, then 1; stable), so every tensor starts aligned; the header is
/// padded with spaces to a multiple of 8, as the reference writer does.
/// </summary>
public static class SafetensorsFormat
{
    /// <summary>The reference implementation's limit on the header's size.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>The key a lone tensor is stored under, and the one a file must hold alone to read as a tensor.</summary>
    public const string SingleTensorKey = "tensor";

    private const string MetadataKey = "__metadata__";

    private static readonly Dictionary<string, StoredDType> Codes = new(StringComparer.Ordinal)
    {
        ["F64"] = StoredDType.F64, ["F32"] = StoredDType.F32, ["F16"] = StoredDType.F16, ["BF16"] = StoredDType.BF16,
        ["I64"] = StoredDType.I64, ["I32"] = StoredDType.I32, ["I16"] = StoredDType.I16, ["I8"] = StoredDType.I8,
        ["U8"] = StoredDType.U8, ["U16"] = StoredDType.U16, ["U32"] = StoredDType.U32, ["BOOL"] = StoredDType.Bool,
    };

    private static string CodeOf(StoredDType t) => Codes.First(kv => kv.Value == t).Key;

    private sealed record Entry(string Name, StoredDType Type, int[] Shape, long Begin, long End);

    /// <summary>Reads every tensor; <paramref name="source"/> names the file in messages.</summary>
    public static TensorFileContent Read(Stream stream, string source)
    {
        long fileLength = stream.CanSeek ? stream.Length : -1;
        Span<byte> lengthBytes = stackalloc byte[8];
        int got = stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false);
        if (got < 8)
            throw TensorFileException.Invalid(source,
                $"is not a safetensors file: it has {got} bytes, and a safetensors file starts with an 8-byte header length.");
        ulong headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw TensorFileException.Invalid(source,
                $"is not a valid safetensors file: its header length {headerLength} exceeds the format's limit of {MaxHeaderBytes} bytes.");
        if (fileLength >= 0 && 8 + (long)headerLength > fileLength)
            throw TensorFileException.Invalid(source,
                $"is not a valid safetensors file: its header length {headerLength} runs past the end of the file ({fileLength} bytes).");
        var header = new byte[headerLength];
        if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            throw TensorFileException.Invalid(source, "is truncated: the file ends inside the safetensors header.");
        long dataLength = fileLength >= 0 ? fileLength - 8 - (long)headerLength : -1;

        var (entries, metadata) = ParseHeader(header, source);
        CheckLayout(entries, dataLength, source);

        var tensors = new OrderedDictionary(StringComparer.Ordinal);
        var conversions = new List<string>();
        long dataStart = 8 + (long)headerLength;
        long position = dataStart;
        // Read in file order (one forward pass), then hand them out in header order.
        var read = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in entries.OrderBy(e => e.Begin))
        {
            if (stream.CanSeek) stream.Seek(dataStart + e.Begin, SeekOrigin.Begin);
            else if (position != dataStart + e.Begin) throw new InvalidOperationException("unreachable: entries are contiguous");
            int count = Shapes.NumElements(e.Shape);
            var data = RawTensorData.Read(stream, e.Type, count, bigEndian: false,
                () => TensorFileException.Invalid(source, $"is truncated: the data of tensor '{e.Name}' ends early."));
            position = dataStart + e.End;
            read[e.Name] = RawTensorData.ToTensor(data, e.Shape);
            if (e.Type.IsWidened()) conversions.Add($"'{e.Name}': {e.Type.TorchName()} read as {e.Type.ToDType()}");
        }
        foreach (var e in entries) tensors.Add(e.Name, read[e.Name]);
        return new TensorFileContent(tensors, metadata, conversions);
    }

    private static (List<Entry>, Dictionary<string, string>?) ParseHeader(byte[] header, string source)
    {
        // JSON text is UTF-8; the parser would only find out when a string is read (InvalidOperationException).
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw TensorFileException.Invalid(source, "is not a valid safetensors file: its header is not valid UTF-8.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw TensorFileException.Invalid(source, $"is not a valid safetensors file: its header is not valid JSON ({ex.Message})", ex);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw TensorFileException.Invalid(source, "is not a valid safetensors file: its header is not a JSON object.");
            var entries = new List<Entry>();
            Dictionary<string, string>? metadata = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(prop.Name))
                    throw TensorFileException.Invalid(source, $"is not a valid safetensors file: its header names '{prop.Name}' twice.");
                if (prop.Name == MetadataKey)
                {
                    metadata = ParseMetadata(prop.Value, source);
                    continue;
                }
                entries.Add(ParseEntry(prop.Name, prop.Value, source));
            }
            return (entries, metadata);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement value, string source)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw TensorFileException.Invalid(source, "is not a valid safetensors file: __metadata__ is not an object of strings.");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw TensorFileException.Invalid(source, $"is not a valid safetensors file: __metadata__ entry '{m.Name}' is not a string.");
            metadata[m.Name] = m.Value.GetString()!;
        }
        return metadata;
    }

    private static Entry ParseEntry(string name, JsonElement value, string source)
    {
        string Bad(string what) => $"is not a valid safetensors file: tensor '{name}' {what}";
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array)
            throw TensorFileException.Invalid(source, Bad("needs \"dtype\" (a string), \"shape\" and \"data_offsets\" (arrays)."));
        var code = dtypeEl.GetString()!;
        if (!Codes.TryGetValue(code, out var type))
            throw new TensorFileException("UnsupportedDType",
                $"'{source}': tensor '{name}' has dtype {code}, which AutoGrad cannot hold. Supported: {string.Join(", ", Codes.Keys)} (F16 and BF16 are read as Float32, the smaller integers as Int64).");
        var shape = new List<int>();
        long count = 1;
        foreach (var d in shapeEl.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out var size) || size < 0)
                throw TensorFileException.Invalid(source, Bad($"has a shape entry {d.GetRawText()} that is not a size."));
            shape.Add(size);
            count *= size;
            if (count > int.MaxValue)
                throw TensorFileException.Invalid(source, Bad("has more elements than a tensor can hold (2^31 - 1)."));
        }
        var offsets = offEl.EnumerateArray().ToArray();
        if (offsets.Length != 2 || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end)
            || begin < 0 || end < begin)
            throw TensorFileException.Invalid(source, Bad($"has data_offsets {offEl.GetRawText()}, not [begin, end] with begin <= end."));
        long needed = count * type.ElementSize();
        if (end - begin != needed)
            throw TensorFileException.Invalid(source,
                Bad($"claims {end - begin} bytes (data_offsets [{begin}, {end}]) but {code} of shape [{string.Join(", ", shape)}] takes {needed}."));
        return new Entry(name, type, shape.ToArray(), begin, end);
    }

    /// <summary>The byte ranges must tile the data section exactly, as the reference reader requires.</summary>
    private static void CheckLayout(List<Entry> entries, long dataLength, string source)
    {
        long expected = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin != expected)
                throw TensorFileException.Invalid(source,
                    $"is not a valid safetensors file: tensor '{e.Name}' starts at byte {e.Begin} of the data, but the previous tensor ends at {expected} (the ranges must not overlap or leave gaps).");
            expected = e.End;
        }
        if (dataLength >= 0 && expected != dataLength)
            throw expected > dataLength
                ? TensorFileException.Invalid(source, $"is truncated: its tensors need {expected} bytes of data but the file holds {dataLength}.")
                : TensorFileException.Invalid(source, $"is not a valid safetensors file: its tensors cover {expected} bytes but the data section has {dataLength}.");
    }

    /// <summary>
    /// Writes the tensors (names must be unique, non-empty, and not <c>__metadata__</c>) with optional string
    /// metadata.
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in tensors)
        {
            if (string.IsNullOrEmpty(name)) throw new TensorFileException("InvalidName", "A safetensors tensor name cannot be empty.");
            if (name == MetadataKey) throw new TensorFileException("InvalidName", $"'{MetadataKey}' is reserved in safetensors and cannot name a tensor.");
            if (!names.Add(name)) throw new TensorFileException("InvalidName", $"The tensor name '{name}' appears twice.");
        }
        // Data order: by alignment, largest first, keeping the caller's order within one alignment.
        var layout = tensors.Select((kv, i) => (kv.Key, kv.Value, Index: i))
            .OrderByDescending(e => StoredDTypes.FromDType(e.Value.DType).ElementSize()).ThenBy(e => e.Index).ToList();
        var offsets = new Dictionary<string, (long Begin, long End)>(StringComparer.Ordinal);
        long at = 0;
        foreach (var (name, t, _) in layout)
        {
            long n = RawTensorData.ByteCount(t);
            offsets[name] = (at, at + n);
            at += n;
        }

        var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var (name, t) in tensors)
            {
                w.WriteStartObject(name);
                w.WriteString("dtype", CodeOf(StoredDTypes.FromDType(t.DType)));
                w.WriteStartArray("shape");
                foreach (var s in t.Shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offsets[name].Begin);
                w.WriteNumberValue(offsets[name].End);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int padding = (int)((8 - json.Length % 8) % 8);
        for (int i = 0; i < padding; i++) json.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BitConverter.TryWriteBytes(length, (ulong)json.Length);
        stream.Write(length);
        json.Position = 0;
        json.CopyTo(stream);
        foreach (var (_, t, _) in layout) RawTensorData.Write(stream, t);
    }
}
