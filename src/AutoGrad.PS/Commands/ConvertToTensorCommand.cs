using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Makes one tensor of the objects from the pipeline: CSV rows, custom objects, hashtables, numbers or arrays.</para>
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "Tensor")]
[OutputType(typeof(Tensor))]
public sealed class ConvertToTensorCommand : AutoGradCmdlet
{
    private readonly List<(object Row, int Number)> _rows = new();
    private int _count;
    private DType _dtype;
    private bool _dtypeGiven;

    /// <summary>
    /// The rows: objects with properties, hashtables, numbers, numeric strings or arrays; one row per pipeline
    /// object (an array given as an argument is a list of rows).
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object? InputObject { get; set; }

    /// <summary>The properties (columns) to take, in this order. Default: the numeric ones of the first object (with -AsCategory, its text ones).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Property { get; set; }

    /// <summary>Float32, Float64, Int64 or Bool; by default inferred as New-Tensor infers it (Int64 with -AsCategory).</summary>
    [Parameter]
    [DTypeTransformation]
    public DType DType
    {
        get => _dtype;
        set { _dtype = value; _dtypeGiven = true; }
    }

    /// <summary>Turns text values into Int64 class indices, numbered in order of first appearance.</summary>
    [Parameter]
    public SwitchParameter AsCategory { get; set; }

    /// <summary>The known categories, in index order (string[] for one column, or a dictionary column → names).</summary>
    [Parameter]
    public object? Categories { get; set; }

    /// <summary>The value for missing (empty) and non-numeric values, e.g. NaN; without it they are errors.</summary>
    [Parameter]
    public double MissingValue { get; set; }

    /// <summary>Makes the result a leaf that requires gradients (floating dtypes only).</summary>
    [Parameter]
    public SwitchParameter RequiresGrad { get; set; }

    private bool HasMissingValue => MyInvocation.BoundParameters.ContainsKey(nameof(MissingValue));

    protected override void ProcessRecord()
    {
        // From the pipeline each object is a row, arrays included; as an argument, an array is the list of rows.
        var items = !MyInvocation.ExpectingInput && TensorData.Unwrap(InputObject) is IList list
            ? list.Cast<object?>()
            : [InputObject];
        foreach (var item in items)
        {
            _count++;
            if (item is null) Fail("NullRow", ErrorCategory.InvalidData, null, $"Row {_count} is null.");
            // A tensor, or a serialized one (ConvertFrom-Json, Import-Clixml), is a tensor of its own, not a row
            // (torch.as_tensor); Join-Tensor -Stack stacks tensors.
            if (TensorData.Unwrap(item) is Tensor t)
            {
                WriteTensor(Finish(t.Detach().Clone(), t.RequiresGrad));
                continue;
            }
            _rows.Add((item, _count));
        }
    }

    protected override void EndProcessing()
    {
        if (_rows.Count == 0) return;
        var first = TensorData.Unwrap(_rows[0].Row)!;
        if (IsScalar(first) || first is IList)
        {
            if (Property is not null)
                Fail("PropertyOnValues", ErrorCategory.InvalidArgument, Property,
                    $"-Property picks properties of objects, but row 1 is a {(first is IList ? "list" : "value")}.");
            if (AsCategory) { EmitCategories(null); return; }
            EmitValues();
            return;
        }
        if (AsCategory) EmitCategories(ColumnsOf(first));
        else EmitProperties(ColumnsOf(first));
    }

    private static bool IsScalar(object v) => v is string or bool || v.GetType().IsPrimitive || v is decimal;

    private Tensor Finish(Tensor t, bool requiresGrad = false)
    {
        if (_dtypeGiven && t.DType != _dtype) t = t.To(_dtype);
        if ((RequiresGrad || requiresGrad) && t.DType.IsFloating()) t.RequiresGrad = true;
        else if (RequiresGrad) Fail("RequiresGradNonFloating", ErrorCategory.InvalidArgument, t,
            "only Tensors of floating point and complex dtype can require gradients");
        return t;
    }

    /// <summary>Numbers or arrays as rows: torch.tensor of the list of rows.</summary>
    private void EmitValues()
    {
        var rows = new object?[_rows.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            var v = TensorData.Unwrap(_rows[i].Row);
            if (v is not IList && !(v is not null && IsScalar(v)))
                Fail("MixedRows", ErrorCategory.InvalidData, _rows[i].Row, $"Row {_rows[i].Number} is an object with properties, but row 1 is a value.");
            if (v is string s)
            {
                if (TryNumber(s, out var n)) v = n;
                else if (HasMissingValue) v = MissingValue;
            }
            rows[i] = v;
        }
        var parsed = Engine(() => TensorData.Parse(rows), InputObject);
        WriteTensor(Engine(() => Finish(parsed.ToTensor(_dtypeGiven ? _dtype : parsed.InferredDType, parsed.Shape)), InputObject));
    }

    /// <summary>The property names of the first row, in order; with no -Property, the numeric (or text) ones.</summary>
    private string[] ColumnsOf(object first)
    {
        if (Property is not null) return Property;
        var names = new List<string>();
        foreach (var (name, value) in PropertiesOf(first))
        {
            var v = TensorData.Unwrap(value);
            bool numeric = v is not null && v is not string { Length: 0 } && TryNumber(v, out _);
            if (numeric != AsCategory.IsPresent) names.Add(name);
        }
        if (names.Count == 0)
            Fail("NoColumns", ErrorCategory.InvalidData, first, AsCategory
                ? "Row 1 has no text properties to turn into categories; name them with -Property."
                : "Row 1 has no numeric properties; name the properties to take with -Property (numbers in text are read with the invariant culture).");
        return names.ToArray();
    }

    private static IEnumerable<(string Name, object? Value)> PropertiesOf(object row)
    {
        if (TensorData.Unwrap(row) is IDictionary d)
        {
            foreach (DictionaryEntry e in d) yield return (Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e.Value);
            yield break;
        }
        foreach (var p in PSObject.AsPSObject(row).Properties)
            if (p.IsGettable) yield return (p.Name, SafeValue(p));
    }

    private static object? SafeValue(PSPropertyInfo p)
    {
        try { return p.Value; }
        catch (GetValueException) { return null; }
    }

    private static bool TryGet(object row, string name, out object? value)
    {
        value = null;
        if (TensorData.Unwrap(row) is IDictionary d)
        {
            if (!d.Contains(name)) return false;
            value = d[name];
            return true;
        }
        var p = PSObject.AsPSObject(row).Properties[name];
        if (p is null) return false;
        value = SafeValue(p);
        return true;
    }

    /// <summary>
    /// A number, or text read as one: with the invariant culture first ("4.5", "1e-3", "NaN"), then with the
    /// session's culture, so that what Export-Csv wrote in a de-DE session ("4,5") reads back as the same value.
    /// </summary>
    private static bool TryNumber(object? v, out object number)
    {
        if (TensorData.TryGetNumber(v, out number)) return true;
        if (v is string s && double.TryParse(s, NumberStyles.Float, CultureInfo.CurrentCulture, out var d))
        {
            number = d;
            return true;
        }
        return false;
    }

    private static bool IsMissing(object? v) => v is null || v is string s && string.IsNullOrWhiteSpace(s);

    private void EmitProperties(string[] columns)
    {
        var rows = new object?[_rows.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            var (row, number) = _rows[i];
            var cells = new object?[columns.Length];
            for (int j = 0; j < columns.Length; j++)
            {
                if (!TryGet(row, columns[j], out var raw) && !HasMissingValue)
                    Fail("MissingProperty", ErrorCategory.InvalidData, row, $"Row {number} has no property '{columns[j]}'.");
                var v = TensorData.Unwrap(raw);
                if (!IsMissing(v) && TryNumber(v, out var n)) { cells[j] = n; continue; }
                if (HasMissingValue) { cells[j] = MissingValue; continue; }
                Fail(IsMissing(v) ? "MissingValue" : "NonNumericValue", ErrorCategory.InvalidData, row, IsMissing(v)
                    ? $"Row {number} has no value for property '{columns[j]}'; pass -MissingValue (e.g. NaN) to fill such gaps."
                    : $"Row {number} has '{v}' for property '{columns[j]}', which is not a number; pass -MissingValue to replace such values, or -AsCategory for text.");
            }
            rows[i] = columns.Length == 1 ? cells[0] : cells;
        }
        var parsed = Engine(() => TensorData.Parse(rows), InputObject);
        var tensor = Engine(() => Finish(parsed.ToTensor(_dtypeGiven ? _dtype : parsed.InferredDType, parsed.Shape)), InputObject);
        WriteObject(TensorColumns.Attach(tensor, columns, null));
    }

    /// <summary>Text to class indices, one list of names per column, in order of first appearance.</summary>
    private void EmitCategories(string[]? columns)
    {
        int k = columns?.Length ?? 1;
        var keys = columns ?? ["0"];
        var lists = new List<string>[k];
        var index = new Dictionary<string, long>[k];
        var given = KnownCategories(keys);
        for (int j = 0; j < k; j++)
        {
            lists[j] = given[j] is { } g ? g.ToList() : new List<string>();
            index[j] = new Dictionary<string, long>(StringComparer.Ordinal);
            for (int c = 0; c < lists[j].Count; c++) index[j].TryAdd(lists[j][c], c);
        }
        var values = new long[_rows.Count * k];
        for (int i = 0; i < _rows.Count; i++)
        {
            var (row, number) = _rows[i];
            for (int j = 0; j < k; j++)
            {
                object? raw;
                if (columns is null) raw = row;
                else if (!TryGet(row, columns[j], out raw) && !HasMissingValue)
                    Fail("MissingProperty", ErrorCategory.InvalidData, row, $"Row {number} has no property '{columns[j]}'.");
                var v = TensorData.Unwrap(raw);
                string where = columns is null ? "" : $" for property '{columns[j]}'";
                if (IsMissing(v))
                {
                    if (!HasMissingValue)
                        Fail("MissingValue", ErrorCategory.InvalidData, row, $"Row {number} has no value{where}; pass -MissingValue to give such rows an index (e.g. -1).");
                    values[i * k + j] = double.IsNaN(MissingValue) ? long.MinValue : (long)MissingValue;
                    continue;
                }
                var text = v is IFormattable f ? f.ToString(null, CultureInfo.InvariantCulture) : v!.ToString() ?? "";
                if (!index[j].TryGetValue(text, out var id))
                {
                    if (given[j] is not null)
                        Fail("UnknownCategory", ErrorCategory.InvalidData, row,
                            $"Row {number} has '{text}'{where}, which is not one of the categories {string.Join(", ", given[j]!)}.");
                    id = lists[j].Count;
                    lists[j].Add(text);
                    index[j][text] = id;
                }
                values[i * k + j] = id;
            }
        }
        int[] shape = k == 1 ? [_rows.Count] : [_rows.Count, k];
        var tensor = Engine(() => Finish(Tensor.FromArray(values, shape)), InputObject);
        var categories = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
        for (int j = 0; j < k; j++) categories[keys[j]] = lists[j].ToArray();
        WriteObject(TensorColumns.Attach(tensor, columns, categories));
    }

    private string[]?[] KnownCategories(string[] keys)
    {
        var lists = TensorColumns.CategoryLists(Categories, keys);
        if (lists is null)
            Fail("CategoriesAmbiguous", ErrorCategory.InvalidArgument, Categories,
                "-Categories as a list fits one column; for several, pass a dictionary of column name -> names.");
        return lists!;
    }
}
