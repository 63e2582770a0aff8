using System.Collections;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Turns PowerShell data (a number, a flat or rectangular nested array, PSObject-wrapped values, numeric strings,
/// tensors) into a tensor, inferring shape and dtype the way <c>torch.tensor</c> does: all-bool data is Bool,
/// any fractional number ([double], [single], [decimal], "1.5") makes it Float32, otherwise integers give Int64.
/// Numeric strings are parsed with the invariant culture, so "4.5" means 4.5 in every session culture.
/// </summary>
internal static class TensorData
{
    internal enum Kind : byte { Bool, Integer, Float }

    internal readonly record struct Scalar(Kind Kind, long Long, double Double)
    {
        public static Scalar Of(bool b) => new(Kind.Bool, b ? 1 : 0, b ? 1 : 0);
        public static Scalar Of(long l) => new(Kind.Integer, l, l);
        public static Scalar Of(double d) => new(Kind.Float, 0, d);
    }

    /// <summary>Shape, values and inferred dtype of some data, before it becomes a tensor.</summary>
    internal sealed class Parsed
    {
        private readonly List<Scalar> _values;

        internal Parsed(List<Scalar> values, int[] shape)
        {
            _values = values;
            Shape = shape;
        }

        public int[] Shape { get; }
        public int Count => _values.Count;

        /// <summary>torch.tensor's inference: Float32 if anything is fractional, else Int64, else Bool.</summary>
        public DType InferredDType
        {
            get
            {
                if (_values.Count == 0) return DTypes.DefaultFloat;
                var max = Kind.Bool;
                foreach (var v in _values)
                    if (v.Kind > max) max = v.Kind;
                return max switch
                {
                    Kind.Float => DTypes.DefaultFloat,
                    Kind.Integer => DType.Int64,
                    _ => DType.Bool,
                };
            }
        }

        /// <summary>A new leaf tensor of these values cast to <paramref name="dtype"/>, in <paramref name="shape"/>.</summary>
        public Tensor ToTensor(DType dtype, int[] shape)
        {
            int n = _values.Count;
            switch (dtype)
            {
                case DType.Float32:
                {
                    var a = new float[n];
                    for (int i = 0; i < n; i++) a[i] = (float)AsDouble(_values[i]);
                    return Tensor.FromArray(a, shape);
                }
                case DType.Float64:
                {
                    var a = new double[n];
                    for (int i = 0; i < n; i++) a[i] = AsDouble(_values[i]);
                    return Tensor.FromArray(a, shape);
                }
                case DType.Int64:
                {
                    var a = new long[n];
                    for (int i = 0; i < n; i++)
                        a[i] = _values[i].Kind == Kind.Float ? ScalarConversion.ToInt64(_values[i].Double) : _values[i].Long;
                    return Tensor.FromArray(a, shape);
                }
                case DType.Bool:
                {
                    var a = new bool[n];
                    for (int i = 0; i < n; i++)
                        a[i] = _values[i].Kind == Kind.Float ? _values[i].Double != 0 : _values[i].Long != 0;
                    return Tensor.FromArray(a, shape);
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(dtype));
            }
        }

        private static double AsDouble(Scalar s) => s.Kind == Kind.Float ? s.Double : s.Long;
    }

    /// <summary>Walks <paramref name="data"/> and checks it is rectangular and numeric.</summary>
    /// <exception cref="TensorDataException">Null, jagged or non-numeric data.</exception>
    public static Parsed Parse(object? data)
    {
        var walker = new Walker();
        walker.Walk(data, 0);
        return new Parsed(walker.Values, walker.Dims.ToArray());
    }

    /// <summary>
    /// Strips the PSObject wrapper PowerShell puts around pipeline and array values; a serialized tensor (from
    /// Import-Clixml, a job, or ConvertFrom-Json) becomes the tensor again.
    /// </summary>
    public static object? Unwrap(object? value) =>
        value is PSObject pso && pso.BaseObject is not PSCustomObject ? pso.BaseObject
        : TensorRecord.TryToTensor(value, out var tensor) ? tensor : value;

    /// <summary>
    /// A single plain number as an op operand: integral values → long (so int64 tensors stay int64), fractional
    /// ones → double, bool → bool. Returns false for anything that is not one number.
    /// </summary>
    public static bool TryGetNumber(object? value, out object number)
    {
        number = null!;
        var unwrapped = Unwrap(value);
        if (unwrapped is null || !TryScalar(unwrapped, out var s, out _)) return false;
        number = s.Kind switch
        {
            Kind.Bool => s.Long != 0,
            Kind.Integer => s.Long,
            _ => s.Double,
        };
        return true;
    }

    private static bool IsSequence(object value) => value is IEnumerable and not string and not IDictionary;

    private static string Describe(object value) =>
        value is string s ? $"'{s}'" : Convert.ToString(value, CultureInfo.InvariantCulture) ?? value.GetType().Name;

    private static bool TryScalar(object value, out Scalar scalar, out string? error)
    {
        error = null;
        switch (value)
        {
            case bool b: scalar = Scalar.Of(b); return true;
            case sbyte v: scalar = Scalar.Of(v); return true;
            case byte v: scalar = Scalar.Of(v); return true;
            case short v: scalar = Scalar.Of(v); return true;
            case ushort v: scalar = Scalar.Of(v); return true;
            case int v: scalar = Scalar.Of(v); return true;
            case uint v: scalar = Scalar.Of(v); return true;
            case long v: scalar = Scalar.Of(v); return true;
            case ulong v when v <= long.MaxValue: scalar = Scalar.Of((long)v); return true;
            case ulong:
                scalar = default;
                error = "Overflow when unpacking long";
                return false;
            case float v: scalar = Scalar.Of((double)v); return true;
            case double v: scalar = Scalar.Of(v); return true;
            case decimal v: scalar = Scalar.Of((double)v); return true;
            case string s: return TryParseNumber(s, out scalar, out error);
            default:
                scalar = default;
                var typeName = (value is PSObject pso ? pso.BaseObject : value).GetType().Name;
                error = $"new(): invalid data type '{typeName}': {Describe(value)} is not a number";
                return false;
        }
    }

    /// <summary>Invariant-culture number parsing: "3" is an integer, "4.5", "1e-3", "inf", "nan" are floats.</summary>
    private static bool TryParseNumber(string text, out Scalar scalar, out string? error)
    {
        error = null;
        var s = text.Trim();
        if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            scalar = Scalar.Of(l);
            return true;
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            scalar = Scalar.Of(d);
            return true;
        }
        switch (s.ToLowerInvariant())
        {
            case "inf": case "+inf": case "infinity": case "+infinity": scalar = Scalar.Of(double.PositiveInfinity); return true;
            case "-inf": case "-infinity": scalar = Scalar.Of(double.NegativeInfinity); return true;
            case "nan": case "+nan": case "-nan": scalar = Scalar.Of(double.NaN); return true;
        }
        scalar = default;
        error = $"could not convert string to float: '{text}'";
        return false;
    }

    /// <summary>
    /// Depth-first walk. The first element at each depth fixes that dim's length (as PyTorch's compute_sizes
    /// does); every later sequence must match it, and all numbers must sit at the same depth. Messages say "dim d"
    /// for nesting depth d, as PyTorch's "expected sequence of length 2 at dim 1 (got 1)" does.
    /// </summary>
    private sealed class Walker
    {
        /// <summary>The deepest nesting torch.tensor accepts (torch/csrc/utils/tensor_new.cpp's MAX_DIMS).</summary>
        public const int MaxDims = 128;

        public readonly List<Scalar> Values = new();
        public readonly List<int> Dims = new();
        private int _leafDepth = -1;

        public void Walk(object? node, int depth)
        {
            node = Unwrap(node);
            if (node is null)
            {
                throw depth == 0
                    ? new TensorDataException("NullData", ErrorCategory.InvalidArgument, null,
                        "Cannot create a tensor from null data.")
                    : new TensorDataException("NullData", ErrorCategory.InvalidData, null,
                        $"new(): invalid data type 'NoneType': the data holds a null element at dim {depth - 1}");
            }
            switch (node)
            {
                case Tensor t:
                    WalkTensor(t, depth);
                    return;
                // Typed arrays ([double[]] ...) skip boxing every element: a million doubles stay fast.
                case double[] d:
                    EnterPrimitiveRow(depth, d.Length, node);
                    foreach (var v in d) Values.Add(Scalar.Of(v));
                    return;
                case float[] f:
                    EnterPrimitiveRow(depth, f.Length, node);
                    foreach (var v in f) Values.Add(Scalar.Of((double)v));
                    return;
                case long[] l:
                    EnterPrimitiveRow(depth, l.Length, node);
                    foreach (var v in l) Values.Add(Scalar.Of(v));
                    return;
                case int[] i:
                    EnterPrimitiveRow(depth, i.Length, node);
                    foreach (var v in i) Values.Add(Scalar.Of(v));
                    return;
                case bool[] b:
                    EnterPrimitiveRow(depth, b.Length, node);
                    foreach (var v in b) Values.Add(Scalar.Of(v));
                    return;
                // A rectangular .NET array (double[,], object[,,]): its dims, then its elements in row-major order.
                case Array { Rank: > 1 } grid:
                {
                    for (int k = 0; k < grid.Rank; k++) EnterSequence(depth + k, grid.GetLength(k), node);
                    foreach (var item in grid) Walk(item, depth + grid.Rank);
                    return;
                }
                case var seq when IsSequence(seq):
                {
                    var items = new List<object?>();
                    foreach (var item in (IEnumerable)seq) items.Add(item);
                    EnterSequence(depth, items.Count, node);
                    foreach (var item in items) Walk(item, depth + 1);
                    return;
                }
                default:
                    if (!TryScalar(node, out var scalar, out var error))
                        throw new TensorDataException("NonNumericData", ErrorCategory.InvalidData, node, error!);
                    EnterLeaf(depth, node);
                    Values.Add(scalar);
                    return;
            }
        }

        /// <summary>A tensor inside the data contributes its dims and values, as in torch.tensor([t1, t2]).</summary>
        private void WalkTensor(Tensor t, int depth)
        {
            var shape = t.Shape;
            for (int k = 0; k < shape.Length; k++) EnterSequence(depth + k, shape[k], t);
            if (t.NumElements == 0) return;
            EnterLeaf(depth + shape.Length, t);
            switch (t.ToArray())
            {
                case float[] f: foreach (var v in f) Values.Add(Scalar.Of((double)v)); break;
                case double[] d: foreach (var v in d) Values.Add(Scalar.Of(v)); break;
                case long[] l: foreach (var v in l) Values.Add(Scalar.Of(v)); break;
                case bool[] b: foreach (var v in b) Values.Add(Scalar.Of(v)); break;
            }
        }

        /// <summary>A sequence of numbers at <paramref name="depth"/>, its numbers one level deeper.</summary>
        private void EnterPrimitiveRow(int depth, int length, object target)
        {
            EnterSequence(depth, length, target);
            if (length > 0) EnterLeaf(depth + 1, target);
        }

        private void EnterSequence(int depth, int length, object target)
        {
            // PyTorch's MAX_DIMS for nested data. It also bounds this walk's recursion: data nested 30000 deep is an
            // error here, not a stack overflow.
            if (depth >= MaxDims)
                throw new TensorDataException("TooManyDimensions", ErrorCategory.InvalidData, null,
                    $"too many dimensions '{(target is PSObject pso ? pso.BaseObject : target).GetType().Name}' (data may nest at most {MaxDims} levels deep)");
            if (_leafDepth >= 0 && depth >= _leafDepth)
                throw Jagged(target, $"expected a number at dim {depth} (got a sequence of length {length})");
            if (depth == Dims.Count)
                Dims.Add(length);
            else if (Dims[depth] != length)
                throw Jagged(target, $"expected sequence of length {Dims[depth]} at dim {depth} (got {length})");
        }

        private void EnterLeaf(int depth, object target)
        {
            if (_leafDepth < 0)
            {
                if (depth < Dims.Count)
                    throw Jagged(target, $"expected sequence of length {Dims[depth]} at dim {depth} (got a number)");
                _leafDepth = depth;
            }
            else if (depth != _leafDepth)
                throw Jagged(target, depth < _leafDepth
                    ? $"expected sequence of length {Dims[depth]} at dim {depth} (got a number)"
                    : $"expected a number at dim {_leafDepth} (got a sequence)");
        }

        private static TensorDataException Jagged(object target, string message) =>
            new("JaggedData", ErrorCategory.InvalidData, target, message);
    }
}
