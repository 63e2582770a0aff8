using System.Collections;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Turns a tensor back into PowerShell data: one object per row (for Export-Csv), or nested arrays (tolist()).</para>
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "Tensor", DefaultParameterSetName = RowsSet)]
[OutputType(typeof(PSObject), typeof(object[]))]
public sealed class ConvertFromTensorCommand : AutoGradCmdlet
{
    public const string RowsSet = "Rows";
    public const string ArraySet = "Array";

    /// <summary>The tensor: 0-d, 1-d (one value per row) or 2-d (rows by columns) for rows; any shape with -AsArray.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>The property names of the columns (default: the names ConvertTo-Tensor recorded, else 0, 1, ...).</summary>
    [Parameter(ParameterSetName = RowsSet)]
    [ValidateNotNullOrEmpty]
    public string[]? Property { get; set; }

    /// <summary>Writes the values as nested arrays, as tolist() returns them.</summary>
    [Parameter(ParameterSetName = ArraySet, Mandatory = true)]
    public SwitchParameter AsArray { get; set; }

    /// <summary>With -AsArray: writes the outer array as one object instead of one object per row.</summary>
    [Parameter(ParameterSetName = ArraySet)]
    public SwitchParameter NoEnumerate { get; set; }

    /// <summary>Names for class indices: string[] for a 1-d tensor, or a dictionary of column → names (default: recorded by ConvertTo-Tensor -AsCategory).</summary>
    [Parameter]
    public object? Categories { get; set; }

    protected override void ProcessRecord()
    {
        var t = InputObject;
        var list = Engine(() => t.ToList(), t);
        int columns = t.Rank == 2 ? t.Shape[1] : 1;
        var names = ColumnNames(t, columns);
        var decode = CategoryMaps(t, names);
        if (AsArray)
        {
            WriteObject(Decode(list, t.Rank, decode), enumerateCollection: !NoEnumerate && list is object[]);
            return;
        }
        if (t.Rank > 2)
            Fail("RankTooHigh", ErrorCategory.InvalidArgument, t,
                $"Rows need a 0-d, 1-d or 2-d tensor; this one has shape [{string.Join(", ", t.Shape)}]. Use -AsArray for nested arrays.");
        var rows = t.Rank switch
        {
            0 => [new object[] { list }],
            1 => ((object[])list).Select(v => new[] { v }).ToArray(),
            _ => ((object[])list).Cast<object[]>().ToArray(),
        };
        foreach (var row in rows)
        {
            var pso = new PSObject();
            for (int j = 0; j < columns; j++) pso.Properties.Add(new PSNoteProperty(names[j], Map(decode[j], row[j])));
            WriteObject(pso);
        }
    }

    private string[] ColumnNames(Tensor t, int columns)
    {
        if (Property is not null)
        {
            if (Property.Length != columns)
                Fail("PropertyCount", ErrorCategory.InvalidArgument, Property,
                    $"-Property names {Property.Length} columns but the tensor of shape [{string.Join(", ", t.Shape)}] has {columns}.");
            return Property;
        }
        if (TensorColumns.Columns(t) is { } recorded && recorded.Length == columns) return recorded;
        return Enumerable.Range(0, columns).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Per column, the names its class indices stand for (null when it is not categorical).</summary>
    private string[]?[] CategoryMaps(Tensor t, string[] names)
    {
        var given = Categories ?? TensorColumns.Categories(t);
        if (given is not null && t.DType != DType.Int64)
            Fail("CategoriesNotIndices", ErrorCategory.InvalidArgument, t, $"Category names need class indices (Int64); the tensor is {t.DType}.");
        var lists = TensorColumns.CategoryLists(given, names);
        if (lists is null)
            Fail("CategoriesAmbiguous", ErrorCategory.InvalidArgument, Categories,
                "-Categories as a list fits a 1-d tensor; for several columns, pass a dictionary of column name -> names.");
        return lists!;
    }

    private object Map(string[]? names, object value)
    {
        if (names is null) return value;
        long i = (long)value;
        if (i < 0 || i >= names.Length)
            Fail("CategoryOutOfRange", ErrorCategory.InvalidData, value, $"Class index {i} has no category name (there are {names.Length}: {string.Join(", ", names)}).");
        return names[i];
    }

    private object Decode(object list, int rank, string[]?[] maps)
    {
        if (maps.All(m => m is null) || rank > 2) return list;
        if (rank == 0) return Map(maps[0], list);
        var rows = (object[])list;
        return rank == 1
            ? rows.Select(v => Map(maps[0], v)).ToArray()
            : rows.Select(r => ((object[])r).Select((v, j) => Map(maps[j], v)).ToArray()).ToArray();
    }
}
