using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Text;

namespace AutoGrad.Serialization;

/// <summary>
/// Pickles what torch.save pickles, with protocol 2 and only the opcodes that torch.load(weights_only=True)
/// accepts: a tensor as <c>torch._utils._rebuild_tensor_v2(storage, 0, size, stride, requires_grad, OrderedDict())</c>
/// with its storage as a persistent id <c>('storage', torch.FloatStorage, key, 'cpu', numel)</c>, dictionaries as
/// <c>collections.OrderedDict</c> (what state_dict() returns), lists, strings, ints, floats, bools and None.
/// Floats use BINFLOAT, which PyTorch 2.x's weights_only loader reads and 1.13's does not (tensors never need it).
/// </summary>
internal sealed class PickleWriter
{
    private const int Batch = 1000;
    private readonly MemoryStream _out = new();
    private readonly List<Tensor> _storages = new();

    /// <summary>The tensors whose storages the pickle refers to, in key order "0", "1", ...</summary>
    public IReadOnlyList<Tensor> Storages => _storages;

    public byte[] Dump(object? root)
    {
        Op(0x80); Op(2);                 // PROTO 2
        Save(root, 0);
        Op((byte)'.');                   // STOP
        return _out.ToArray();
    }

    private void Op(byte b) => _out.WriteByte(b);

    private void Save(object? value, int depth)
    {
        if (depth > 100) throw new TensorFileException("UnsupportedValue", "The object to save is nested more than 100 levels deep (or contains itself).");
        switch (value)
        {
            case null: Op((byte)'N'); break;
            case bool b: Op(b ? (byte)0x88 : (byte)0x89); break;
            case Tensor t: SaveTensor(t); break;
            case string s: SaveString(s); break;
            case sbyte or byte or short or ushort or int or uint or long: SaveInt(Convert.ToInt64(value)); break;
            case ulong u:
                if (u > long.MaxValue) SaveBigInt(u); else SaveInt((long)u);
                break;
            case float or double or decimal: SaveFloat(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            case IDictionary d: SaveDict(d, depth); break;
            case IEnumerable e when value is not byte[]: SaveList(e, depth); break;
            default:
                throw new TensorFileException("UnsupportedValue",
                    $"A value of type {value.GetType().FullName} cannot be saved to a .pt file: only tensors, dictionaries, lists, strings, numbers, booleans and null can.");
        }
    }

    private void SaveGlobal(string module, string name)
    {
        Op((byte)'c');
        var bytes = Encoding.ASCII.GetBytes(module + "\n" + name + "\n");
        _out.Write(bytes);
    }

    private void SaveString(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        Op((byte)'X');
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)bytes.Length);
        _out.Write(len);
        _out.Write(bytes);
    }

    private void SaveInt(long v)
    {
        if (v is >= 0 and <= 0xFF) { Op((byte)'K'); Op((byte)v); return; }
        if (v is >= 0 and <= 0xFFFF)
        {
            Op((byte)'M');
            Span<byte> b2 = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(b2, (ushort)v);
            _out.Write(b2);
            return;
        }
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            Op((byte)'J');
            Span<byte> b4 = stackalloc byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b4, (int)v);
            _out.Write(b4);
            return;
        }
        SaveBigInt(v);
    }

    private void SaveBigInt(BigInteger v)
    {
        var bytes = v.ToByteArray();   // two's complement, little-endian, minimal: what LONG1 wants
        Op(0x8a);
        Op((byte)bytes.Length);
        _out.Write(bytes);
    }

    private void SaveFloat(double d)
    {
        Op((byte)'G');
        Span<byte> b8 = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(b8, d);
        _out.Write(b8);
    }

    private void SaveTuple(IReadOnlyList<long> items)
    {
        if (items.Count == 0) { Op((byte)')'); return; }
        if (items.Count > 3) Op((byte)'(');
        foreach (var i in items) SaveInt(i);
        Op(items.Count switch { 1 => 0x85, 2 => 0x86, 3 => 0x87, _ => (byte)'t' });
    }

    private void SaveEmptyOrderedDict()
    {
        SaveGlobal("collections", "OrderedDict");
        Op((byte)')');
        Op((byte)'R');
    }

    private void SaveTensor(Tensor t)
    {
        string key = _storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _storages.Add(t);
        var shape = t.Shape;
        SaveGlobal("torch._utils", "_rebuild_tensor_v2");
        Op((byte)'(');
        // The persistent id: ('storage', torch.FloatStorage, key, 'cpu', numel)
        Op((byte)'(');
        SaveString("storage");
        SaveGlobal("torch", StorageClass(t.DType));
        SaveString(key);
        SaveString("cpu");
        SaveInt(t.NumElements);
        Op((byte)'t');
        Op((byte)'Q');                   // BINPERSID
        SaveInt(0);                      // storage offset
        SaveTuple(shape.Select(s => (long)s).ToArray());
        SaveTuple(Shapes.ContiguousStrides(shape).Select(s => (long)s).ToArray());   // a size-0 dim counts as 1, as in PyTorch
        Op(t.RequiresGrad ? (byte)0x88 : (byte)0x89);
        SaveEmptyOrderedDict();          // backward hooks
        Op((byte)'t');
        Op((byte)'R');
    }

    internal static string StorageClass(DType d) => d switch
    {
        DType.Float32 => "FloatStorage",
        DType.Float64 => "DoubleStorage",
        DType.Int64 => "LongStorage",
        DType.Bool => "BoolStorage",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    private void SaveDict(IDictionary d, int depth)
    {
        SaveEmptyOrderedDict();
        var entries = new List<DictionaryEntry>();
        foreach (DictionaryEntry e in d) entries.Add(e);
        for (int start = 0; start < entries.Count; start += Batch)
        {
            Op((byte)'(');
            foreach (var e in entries.Skip(start).Take(Batch))
            {
                var key = Unwrap(e.Key);
                if (key is not (string or sbyte or byte or short or ushort or int or uint or long or bool))
                    throw new TensorFileException("UnsupportedValue",
                        $"A dictionary key of type {key?.GetType().FullName ?? "null"} cannot be saved to a .pt file: keys must be strings or integers.");
                Save(key, depth + 1);
                Save(Unwrap(e.Value), depth + 1);
            }
            Op((byte)'u');
        }
    }

    private void SaveList(IEnumerable e, int depth)
    {
        Op((byte)']');
        var items = e.Cast<object?>().ToList();
        for (int start = 0; start < items.Count; start += Batch)
        {
            Op((byte)'(');
            foreach (var item in items.Skip(start).Take(Batch)) Save(Unwrap(item), depth + 1);
            Op((byte)'e');
        }
    }

    /// <summary>Values from PowerShell arrive wrapped; the layer above passes an unwrapper in.</summary>
    public Func<object?, object?> Unwrap { get; init; } = v => v;
}
