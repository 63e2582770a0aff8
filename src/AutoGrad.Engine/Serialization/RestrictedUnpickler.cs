using System.Buffers.Binary;
using System.Collections;
using System.Collections.Specialized;
using System.Numerics;
using System.Text;

namespace AutoGrad.Serialization;

/// <summary>
/// Reads the pickle inside a torch.save file without executing anything. Like torch.load(weights_only=True), it
/// knows a fixed list of globals (the tensor and parameter rebuild functions, storage classes, OrderedDict,
/// torch.Size, dtypes) and builds .NET values for them itself; any other global is refused with an error that names
/// it. Containers become OrderedDictionary (dict, OrderedDict), List&lt;object?&gt; (list) and object?[] (tuple).
/// Attributes set on a dictionary by BUILD (a state dict's <c>_metadata</c>) are read and ignored.
/// </summary>
internal sealed class RestrictedUnpickler
{
    /// <summary>A storage reference from a persistent id: which record, what type, how many elements.</summary>
    internal sealed record StorageRef(string Key, StoredDType Type, long Count);

    private enum Known
    {
        OrderedDict, RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, RebuildFromTypeV2,
        ParameterClass, TensorClass, Size, StorageClass, DTypeValue,
    }

    private sealed record Global(Known Kind, string Name, StoredDType Storage = default);

    private static readonly Dictionary<string, StoredDType> StorageClasses = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = StoredDType.F64, ["FloatStorage"] = StoredDType.F32, ["HalfStorage"] = StoredDType.F16,
        ["BFloat16Storage"] = StoredDType.BF16, ["LongStorage"] = StoredDType.I64, ["IntStorage"] = StoredDType.I32,
        ["ShortStorage"] = StoredDType.I16, ["CharStorage"] = StoredDType.I8, ["ByteStorage"] = StoredDType.U8,
        ["BoolStorage"] = StoredDType.Bool,
    };

    // After StorageClasses: static fields initialize in textual order.
    private static readonly Dictionary<string, Global> Allowed = BuildAllowed();

    private static Dictionary<string, Global> BuildAllowed()
    {
        var a = new Dictionary<string, Global>(StringComparer.Ordinal);
        void Add(string name, Known kind) => a[name] = new Global(kind, name);
        Add("collections.OrderedDict", Known.OrderedDict);
        Add("torch._utils._rebuild_tensor_v2", Known.RebuildTensorV2);
        Add("torch._utils._rebuild_tensor", Known.RebuildTensor);
        Add("torch._utils._rebuild_parameter", Known.RebuildParameter);
        Add("torch._utils._rebuild_parameter_with_state", Known.RebuildParameterWithState);
        Add("torch._utils._rebuild_from_type_v2", Known.RebuildFromTypeV2);
        Add("torch.nn.parameter.Parameter", Known.ParameterClass);
        Add("torch.Tensor", Known.TensorClass);
        Add("torch.Size", Known.Size);
        foreach (var (cls, type) in StorageClasses) a["torch." + cls] = new Global(Known.StorageClass, "torch." + cls, type);
        foreach (var dt in new[] { "float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool",
                     "complex64", "complex128", "complex32" })
            Add("torch." + dt, Known.DTypeValue);
        return a;
    }

    private readonly byte[] _data;
    private readonly string _source;
    private readonly Func<StorageRef, Array> _loadStorage;
    private int _pos;
    private List<object?> _stack = new();
    private readonly Stack<List<object?>> _metastack = new();
    private readonly Dictionary<long, object?> _memo = new();

    public RestrictedUnpickler(byte[] data, string source, Func<StorageRef, Array> loadStorage)
    {
        _data = data;
        _source = source;
        _loadStorage = loadStorage;
    }

    private Exception Bad(string what) => TensorFileException.Invalid(_source, $"holds a pickle that {what} (at byte {_pos} of data.pkl).");

    private ReadOnlySpan<byte> Take(long n)
    {
        if (n < 0 || n > _data.Length - _pos) throw Bad("is truncated");
        var span = _data.AsSpan(_pos, (int)n);
        _pos += (int)n;
        return span;
    }

    private string ReadLine()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Bad("is truncated");
        var s = Encoding.UTF8.GetString(_data, _pos, end - _pos);
        _pos = end + 1;
        return s;
    }

    private object? Pop()
    {
        if (_stack.Count == 0) throw Bad("pops an empty stack");
        var v = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return v;
    }

    private object? Top => _stack.Count > 0 ? _stack[^1] : throw Bad("reads an empty stack");

    private List<object?> PopMark()
    {
        if (_metastack.Count == 0) throw Bad("has no MARK to pop to");
        var items = _stack;
        _stack = _metastack.Pop();
        return items;
    }

    public object? Load()
    {
        while (true)
        {
            if (_pos >= _data.Length) throw Bad("ends without STOP");
            byte op = _data[_pos++];
            switch (op)
            {
                case 0x80: Take(1); break;                                   // PROTO
                case 0x95: Take(8); break;                                   // FRAME
                case (byte)'.':                                              // STOP
                    return Pop();
                case (byte)'(': _metastack.Push(_stack); _stack = new(); break;  // MARK
                case (byte)'}': _stack.Add(new OrderedDictionary()); break;  // EMPTY_DICT
                case (byte)']': _stack.Add(new List<object?>()); break;      // EMPTY_LIST
                case (byte)')': _stack.Add(Array.Empty<object?>()); break;   // EMPTY_TUPLE
                case 0x8f: _stack.Add(new List<object?>()); break;           // EMPTY_SET (as a list)
                case (byte)'t': { var items = PopMark(); _stack.Add(items.ToArray()); break; }      // TUPLE (pop first: _stack changes)
                case 0x85: _stack.Add(new[] { Pop() }); break;               // TUPLE1
                case 0x86: { var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); _stack.Add(new[] { a, b, c }); break; }
                case (byte)'N': _stack.Add(null); break;
                case 0x88: _stack.Add(true); break;
                case 0x89: _stack.Add(false); break;
                case (byte)'J': _stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break;
                case (byte)'K': _stack.Add((long)Take(1)[0]); break;
                case (byte)'M': _stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break;
                case 0x8a: _stack.Add(ReadLong(Take(1)[0])); break;          // LONG1
                case 0x8b: _stack.Add(ReadLong(BinaryPrimitives.ReadInt32LittleEndian(Take(4)))); break; // LONG4
                case (byte)'G': _stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break;    // BINFLOAT
                case (byte)'X': _stack.Add(Utf8(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break;
                case 0x8c: _stack.Add(Utf8(Take(Take(1)[0]))); break;        // SHORT_BINUNICODE
                case 0x8d: _stack.Add(Utf8(Take(checked((long)BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))))); break;
                case (byte)'U': _stack.Add(Encoding.Latin1.GetString(Take(Take(1)[0]))); break;       // SHORT_BINSTRING
                case (byte)'T': _stack.Add(Encoding.Latin1.GetString(Take(BinaryPrimitives.ReadInt32LittleEndian(Take(4))))); break;
                case (byte)'C': _stack.Add(Take(Take(1)[0]).ToArray()); break;                        // SHORT_BINBYTES
                case (byte)'B': _stack.Add(Take(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))).ToArray()); break;
                case (byte)'q': _memo[Take(1)[0]] = Top; break;              // BINPUT
                case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Top; break;
                case 0x94: _memo[_memo.Count] = Top; break;                  // MEMOIZE
                case (byte)'h': _stack.Add(Memo(Take(1)[0])); break;         // BINGET
                case (byte)'j': _stack.Add(Memo(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break;
                case (byte)'c': _stack.Add(Resolve(ReadLine(), ReadLine())); break;                   // GLOBAL
                case 0x93:                                                   // STACK_GLOBAL
                {
                    var name = Pop() as string;
                    var module = Pop() as string;
                    if (name is null || module is null) throw Bad("names a global with something other than strings");
                    _stack.Add(Resolve(module, name));
                    break;
                }
                case (byte)'R': { var args = Pop(); var func = Pop(); _stack.Add(Call(func, args)); break; }   // REDUCE
                case 0x81: { var args = Pop(); var cls = Pop(); _stack.Add(New(cls, args)); break; }           // NEWOBJ
                case (byte)'b': { var state = Pop(); Build(Top, state); break; }                             // BUILD
                case (byte)'s': { var v = Pop(); var k = Pop(); SetItem(Top, k, v); break; }                 // SETITEM
                case (byte)'u':                                                                                 // SETITEMS
                {
                    var items = PopMark();
                    if (items.Count % 2 != 0) throw Bad("has SETITEMS with an odd number of items");
                    for (int i = 0; i < items.Count; i += 2) SetItem(Top, items[i], items[i + 1]);
                    break;
                }
                case (byte)'a': { var v = Pop(); AsList(Top).Add(v); break; }                                  // APPEND
                case (byte)'e': { var items = PopMark(); AsList(Top).AddRange(items); break; }                 // APPENDS
                case 0x90: { var items = PopMark(); AsList(Top).AddRange(items); break; }                      // ADDITEMS (set)
                case (byte)'Q': _stack.Add(PersistentLoad(Pop())); break;                                      // BINPERSID
                default:
                    throw Bad($"uses opcode 0x{op:x2}, which torch.save does not write and Import-Tensor does not read");
            }
        }
    }

    private static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private object ReadLong(long n)
    {
        var bytes = Take(n);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        // Not a ternary: its common type would box the long as a BigInteger.
        if (value >= long.MinValue && value <= long.MaxValue) return (long)value;
        return value;
    }

    private object? Memo(long key) => _memo.TryGetValue(key, out var v) ? v : throw Bad($"reads memo entry {key}, which was never stored");

    private List<object?> AsList(object? target) => target as List<object?> ?? throw Bad($"appends to a {Describe(target)}, not a list");

    private void SetItem(object? target, object? key, object? value)
    {
        if (target is not OrderedDictionary dict) throw Bad($"sets an item on a {Describe(target)}, not a dict");
        if (key is null) throw Bad("uses None as a dictionary key, which Import-Tensor cannot represent");
        dict[key] = value;
    }

    private static string Describe(object? v) => v switch
    {
        null => "None",
        Global g => g.Name,
        _ => v.GetType().Name,
    };

    private object Resolve(string module, string name)
    {
        var full = module + "." + name;
        if (Allowed.TryGetValue(full, out var g)) return g;
        if (module == "torch" && name.EndsWith("Storage", StringComparison.Ordinal))
            throw new TensorFileException("UnsupportedDType",
                $"'{_source}' holds a tensor stored as {full}, whose dtype AutoGrad cannot hold (supported: float64, float32, float16, bfloat16, int64, int32, int16, int8, uint8, bool).");
        throw new TensorFileException("ForbiddenGlobal",
            $"'{_source}' refers to '{full}', which is not a tensor, storage or container. Import-Tensor reads only tensors and containers of them (as torch.load(weights_only=True) does); nothing in the file was run.");
    }

    private object? PersistentLoad(object? pid)
    {
        if (pid is not object?[] { Length: >= 5 } t || t[0] is not string kind || kind != "storage")
            throw Bad($"has a persistent id that is not a storage ({Describe(pid)})");
        if (t[1] is not Global { Kind: Known.StorageClass } cls) throw Bad($"has a storage of type {Describe(t[1])}");
        if (t[2] is not string key) throw Bad("has a storage key that is not a string");
        if (t[4] is not long count || count < 0) throw Bad("has a storage size that is not a count");
        return new StorageRef(key, cls.Storage, count);
    }

    private object? Call(object? func, object? argsObj)
    {
        if (func is not Global g) throw Bad($"calls a {Describe(func)}");
        if (argsObj is not object?[] args) throw Bad($"calls {g.Name} with arguments that are not a tuple");
        switch (g.Kind)
        {
            case Known.OrderedDict:
            {
                var d = new OrderedDictionary();
                if (args.Length == 1 && args[0] is IEnumerable pairs)
                    foreach (var p in pairs)
                        if (p is object?[] { Length: 2 } kv) SetItem(d, kv[0], kv[1]);
                        else throw Bad("builds an OrderedDict from something other than pairs");
                else if (args.Length != 0) throw Bad("builds an OrderedDict with unexpected arguments");
                return d;
            }
            case Known.RebuildTensorV2 when args.Length is 6 or 7:
                return RebuildTensor(args[0], args[1], args[2], args[3], args[4]);
            case Known.RebuildTensor when args.Length == 4:
                return RebuildTensor(args[0], args[1], args[2], args[3], false);
            case Known.RebuildParameter when args.Length == 3:
            case Known.RebuildParameterWithState when args.Length == 4:
                return AsParameter(args[0], args[1]);
            case Known.RebuildFromTypeV2 when args.Length == 4:
            {
                if (args[1] is not Global { Kind: Known.TensorClass or Known.ParameterClass })
                    throw Bad($"rebuilds a tensor subclass {Describe(args[1])}");
                return Call(args[0], args[2]);
            }
            case Known.Size when args.Length == 1 && args[0] is object?[] dims:
                return dims;
            default:
                throw Bad($"calls {g.Name} with {args.Length} arguments, which torch.save does not write");
        }
    }

    private object? New(object? cls, object? argsObj)
    {
        if (cls is Global { Kind: Known.ParameterClass } && argsObj is object?[] { Length: >= 1 } args)
            return AsParameter(args[0], args.Length > 1 ? args[1] : true);
        throw Bad($"instantiates {Describe(cls)}");
    }

    private Tensor AsParameter(object? data, object? requiresGrad)
    {
        if (data is not Tensor t) throw Bad($"makes a Parameter of a {Describe(data)}");
        if (requiresGrad is true && t.DType.IsFloating()) t.RequiresGrad = true;
        return t;
    }

    private void Build(object? target, object? state)
    {
        // A state dict's _metadata (and any other attribute torch.save put on a dict or a parameter): read, ignored.
        if (target is OrderedDictionary or Tensor) return;
        throw Bad($"sets the state of a {Describe(target)}");
    }

    private readonly Dictionary<string, Array> _storages = new(StringComparer.Ordinal);

    private Tensor RebuildTensor(object? storageObj, object? offsetObj, object? sizeObj, object? strideObj, object? requiresGrad)
    {
        if (storageObj is not StorageRef storage) throw Bad($"rebuilds a tensor from a {Describe(storageObj)}, not a storage");
        if (offsetObj is not long offset || offset < 0) throw Bad("rebuilds a tensor at a storage offset that is not a count");
        var shape = Ints(sizeObj, "size");
        var strides = Ints(strideObj, "stride");
        if (strides.Length != shape.Length) throw Bad($"rebuilds a tensor whose stride has {strides.Length} entries for {shape.Length} dims");
        long count = 1;
        foreach (var s in shape)
        {
            if (s < 0 || s > int.MaxValue) throw Bad($"rebuilds a tensor with size {s}");
            count *= s;
            if (count > int.MaxValue) throw Bad("rebuilds a tensor of more elements than AutoGrad can hold (2^31 - 1)");
        }
        foreach (var s in strides) if (s < 0) throw Bad("rebuilds a tensor with a negative stride");
        var intShape = shape.Select(s => (int)s).ToArray();
        long extent = RawTensorData.Extent(intShape, offset, strides);
        if (extent > storage.Count)
            throw TensorFileException.Invalid(_source,
                $"holds a tensor of size [{string.Join(", ", shape)}] that reaches element {extent} of storage '{storage.Key}', which has only {storage.Count}.");
        if (!_storages.TryGetValue(storage.Key, out var data))
            _storages[storage.Key] = data = _loadStorage(storage);
        var t = RawTensorData.FromStorage(data, intShape, offset, strides);
        if (requiresGrad is true && t.DType.IsFloating()) t.RequiresGrad = true;
        return t;
    }

    private long[] Ints(object? value, string what)
    {
        if (value is not object?[] items) throw Bad($"rebuilds a tensor whose {what} is not a tuple");
        var result = new long[items.Length];
        for (int i = 0; i < items.Length; i++)
            result[i] = items[i] is long l ? l : throw Bad($"rebuilds a tensor whose {what} holds a {Describe(items[i])}");
        return result;
    }
}
