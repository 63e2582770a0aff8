using System.Globalization;
using System.Text;

namespace AutoGrad.Serialization;

/// <summary>
/// NumPy's .npy format (one array): the magic <c>\x93NUMPY</c>, a version, a header length, and a Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c> padded with spaces to a multiple of 64 bytes
/// and ending in a newline, then the raw data. Reading takes either byte order and Fortran order; writing is
/// version 1.0 (2.0 for a header over 64 KiB), little-endian, C order, exactly as numpy.save writes it.
/// </summary>
public static class NpyFormat
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private static readonly Dictionary<string, StoredDType> Kinds = new(StringComparer.Ordinal)
    {
        ["f8"] = StoredDType.F64, ["f4"] = StoredDType.F32, ["f2"] = StoredDType.F16,
        ["i8"] = StoredDType.I64, ["i4"] = StoredDType.I32, ["i2"] = StoredDType.I16, ["i1"] = StoredDType.I8,
        ["u1"] = StoredDType.U8, ["u2"] = StoredDType.U16, ["u4"] = StoredDType.U32, ["b1"] = StoredDType.Bool,
    };

    /// <summary>True when the stream starts with the .npy magic (the position is restored).</summary>
    public static bool HasMagic(ReadOnlySpan<byte> firstBytes) => firstBytes.Length >= 6 && firstBytes[..6].SequenceEqual(Magic);

    public static TensorFileContent Read(Stream stream, string source)
    {
        var prefix = new byte[10];
        int got = stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false);
        if (got < 8 || !HasMagic(prefix))
            throw TensorFileException.Invalid(source, "is not a .npy file: it does not start with NumPy's magic \\x93NUMPY.");
        int major = prefix[6];
        int headerLength;
        if (major == 1)
        {
            if (got < 10) throw TensorFileException.Invalid(source, "is truncated: the file ends inside the .npy preamble.");
            headerLength = prefix[8] | prefix[9] << 8;
        }
        else if (major is 2 or 3)
        {
            var more = new byte[2];
            if (got < 10 || stream.ReadAtLeast(more, 2, throwOnEndOfStream: false) < 2)
                throw TensorFileException.Invalid(source, "is truncated: the file ends inside the .npy preamble.");
            uint n = BitConverter.ToUInt32([prefix[8], prefix[9], more[0], more[1]]);
            if (n > 100_000_000) throw TensorFileException.Invalid(source, $"is not a valid .npy file: its header length {n} is implausible.");
            headerLength = (int)n;
        }
        else
            throw new TensorFileException("UnsupportedFormat", $"'{source}' is a .npy file of version {major}.{prefix[7]}, which is not supported (1.0, 2.0 and 3.0 are).");
        if (stream.CanSeek && stream.Position + headerLength > stream.Length)
            throw TensorFileException.Invalid(source, $"is not a valid .npy file: its header length {headerLength} runs past the end of the file.");
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerLength, throwOnEndOfStream: false) < headerLength)
            throw TensorFileException.Invalid(source, "is truncated: the file ends inside the .npy header.");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);

        var dict = HeaderParser.Parse(header, source);
        if (!dict.TryGetValue("descr", out var descrObj) || descrObj is not string descr)
            throw TensorFileException.Invalid(source, $"is not a valid .npy file: its header has no 'descr' string ({header.Trim()}).");
        if (!dict.TryGetValue("fortran_order", out var fo) || fo is not bool fortran)
            throw TensorFileException.Invalid(source, "is not a valid .npy file: its header has no 'fortran_order' True/False.");
        if (!dict.TryGetValue("shape", out var shapeObj) || shapeObj is not List<long> shapeList)
            throw TensorFileException.Invalid(source, "is not a valid .npy file: its header has no 'shape' tuple.");

        var (type, bigEndian) = ParseDescr(descr, source);
        var shape = new int[shapeList.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeList[i] < 0 || shapeList[i] > int.MaxValue)
                throw TensorFileException.Invalid(source, $"is not a valid .npy file: shape entry {shapeList[i]} is not a size.");
            shape[i] = (int)shapeList[i];
            count *= shape[i];
            if (count > int.MaxValue) throw TensorFileException.Invalid(source, "holds more elements than a tensor can (2^31 - 1).");
        }
        if (stream.CanSeek && stream.Length - stream.Position < count * type.ElementSize())
            throw TensorFileException.Invalid(source,
                $"is truncated: its header promises {count * type.ElementSize()} bytes of data but only {stream.Length - stream.Position} follow.");
        var data = RawTensorData.Read(stream, type, (int)count, bigEndian,
            () => TensorFileException.Invalid(source, "is truncated: the array data ends early."));
        Tensor tensor;
        if (fortran && shape.Length > 1)
        {
            // Fortran order: the first index varies fastest, i.e. column-major strides over the same data.
            var strides = new long[shape.Length];
            long s = 1;
            for (int d = 0; d < shape.Length; d++) { strides[d] = s; s *= shape[d]; }
            tensor = RawTensorData.FromStorage(data, shape, 0, strides);
        }
        else
            tensor = RawTensorData.ToTensor(data, shape);
        var conversions = type.IsWidened() ? new[] { $"{descr} read as {type.ToDType()}" } : Array.Empty<string>();
        return new TensorFileContent(tensor, null, conversions);
    }

    private static (StoredDType, bool) ParseDescr(string descr, string source)
    {
        if (descr.Length >= 2)
        {
            char order = descr[0];
            var kind = descr.Substring(1);
            if (order is '<' or '>' or '|' or '=' && Kinds.TryGetValue(kind, out var type))
                return (type, order == '>' && type.ElementSize() > 1);
        }
        throw new TensorFileException("UnsupportedDType",
            $"'{source}' holds NumPy dtype '{descr}', which AutoGrad cannot hold. Supported: float64, float32, float16, int64, int32, int16, int8, uint8, uint16, uint32, bool (in either byte order).");
    }

    public static void Write(Stream stream, Tensor tensor)
    {
        var descr = tensor.DType switch
        {
            DType.Float64 => "<f8",
            DType.Float32 => "<f4",
            DType.Int64 => "<i8",
            _ => "|b1",
        };
        var shape = tensor.Shape;
        var shapeText = shape.Length == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")";
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // numpy pads so that magic + version + length + header is a multiple of 64, the header ending in '\n'.
        int preamble = 10;
        int total = preamble + dict.Length + 1;
        int version = 1;
        if (total + (64 - total % 64) % 64 - preamble > ushort.MaxValue)
        {
            version = 2;
            preamble = 12;
            total = preamble + dict.Length + 1;
        }
        var header = dict + new string(' ', (64 - total % 64) % 64) + "\n";
        stream.Write(Magic);
        stream.WriteByte((byte)version);
        stream.WriteByte(0);
        if (version == 1)
        {
            stream.WriteByte((byte)(header.Length & 0xFF));
            stream.WriteByte((byte)(header.Length >> 8));
        }
        else
            stream.Write(BitConverter.GetBytes((uint)header.Length));
        stream.Write(Encoding.Latin1.GetBytes(header));
        RawTensorData.Write(stream, tensor);
    }

    /// <summary>
    /// Reads the header's Python literal: a dict of string keys to strings, True/False, and tuples of integers
    /// (which is all numpy writes there). Nothing is evaluated.
    /// </summary>
    private sealed class HeaderParser
    {
        private readonly string _text;
        private readonly string _source;
        private int _pos;

        private HeaderParser(string text, string source)
        {
            _text = text;
            _source = source;
        }

        public static Dictionary<string, object> Parse(string text, string source)
        {
            var p = new HeaderParser(text, source);
            var result = p.ParseDict();
            p.SkipSpace();
            if (p._pos != text.Length) throw p.Error("unexpected text after the dict");
            return result;
        }

        private Exception Error(string what) =>
            TensorFileException.Invalid(_source, $"is not a valid .npy file: its header {what} at character {_pos} ({_text.Trim()}).");

        private void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }

        private bool TryEat(char c)
        {
            SkipSpace();
            if (_pos < _text.Length && _text[_pos] == c)
            {
                _pos++;
                return true;
            }
            return false;
        }

        private void Expect(char c)
        {
            if (!TryEat(c)) throw Error($"is missing '{c}'");
        }

        private Dictionary<string, object> ParseDict()
        {
            Expect('{');
            var d = new Dictionary<string, object>(StringComparer.Ordinal);
            while (!TryEat('}'))
            {
                var key = ParseString();
                Expect(':');
                d[key] = ParseValue();
                if (!TryEat(',')) { Expect('}'); break; }
            }
            return d;
        }

        private object ParseValue()
        {
            SkipSpace();
            if (_pos >= _text.Length) throw Error("ends early");
            char c = _text[_pos];
            if (c is '\'' or '"') return ParseString();
            if (c == '(') return ParseTuple();
            if (Word("True")) return true;
            if (Word("False")) return false;
            throw Error("has a value that is not a string, True/False or a tuple of integers");
        }

        private bool Word(string w)
        {
            if (string.CompareOrdinal(_text, _pos, w, 0, w.Length) != 0) return false;
            _pos += w.Length;
            return true;
        }

        private string ParseString()
        {
            SkipSpace();
            if (_pos >= _text.Length || _text[_pos] is not ('\'' or '"')) throw Error("expects a quoted string");
            char quote = _text[_pos++];
            int start = _pos;
            while (_pos < _text.Length && _text[_pos] != quote) _pos++;
            if (_pos >= _text.Length) throw Error("has an unterminated string");
            return _text.Substring(start, _pos++ - start);
        }

        private List<long> ParseTuple()
        {
            Expect('(');
            var items = new List<long>();
            while (!TryEat(')'))
            {
                SkipSpace();
                int start = _pos;
                while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '-')) _pos++;
                // numpy on Python 2 wrote longs as 3L.
                var digits = _text.Substring(start, _pos - start);
                if (_pos < _text.Length && _text[_pos] == 'L') _pos++;
                if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
                    throw Error("has a shape entry that is not an integer");
                items.Add(v);
                if (!TryEat(',')) { Expect(')'); break; }
            }
            return items;
        }
    }
}
