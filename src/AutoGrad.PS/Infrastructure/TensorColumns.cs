using System.Collections.Specialized;
using System.Management.Automation;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// The column names and category names ConvertTo-Tensor attaches to the tensor it makes (as the note properties
/// Columns and Categories), so that ConvertFrom-Tensor can turn rows and class indices back into what they were.
/// PowerShell keeps instance members with the object itself, so they follow the tensor through variables and the
/// pipeline (not through ops: a computed tensor is a new one).
/// </summary>
internal static class TensorColumns
{
    public const string ColumnsName = "Columns";
    public const string CategoriesName = "Categories";

    public static PSObject Attach(Tensor tensor, string[]? columns, OrderedDictionary? categories)
    {
        var pso = PSObject.AsPSObject(tensor);
        if (columns is not null) pso.Properties.Add(new PSNoteProperty(ColumnsName, columns));
        if (categories is { Count: > 0 }) pso.Properties.Add(new PSNoteProperty(CategoriesName, categories));
        return pso;
    }

    public static string[]? Columns(Tensor tensor) =>
        PSObject.AsPSObject(tensor).Properties[ColumnsName]?.Value is { } v ? LanguagePrimitives.ConvertTo<string[]>(v) : null;

    /// <summary>
    /// Per column, the category names given as a dictionary (column name → names, matched case-insensitively; a
    /// one-entry dictionary fits a one-column tensor whatever its key) or as one list, which fits one column only:
    /// null when a list is given for several columns.
    /// </summary>
    public static string[]?[]? CategoryLists(object? given, string[] columns)
    {
        var lists = new string[]?[columns.Length];
        switch (TensorData.Unwrap(given))
        {
            case null:
                return lists;
            case System.Collections.IDictionary d:
                for (int j = 0; j < columns.Length; j++)
                    foreach (System.Collections.DictionaryEntry e in d)
                        if (string.Equals(Convert.ToString(e.Key, System.Globalization.CultureInfo.InvariantCulture), columns[j], StringComparison.OrdinalIgnoreCase)
                            || d.Count == 1 && columns.Length == 1)
                            lists[j] = LanguagePrimitives.ConvertTo<string[]>(e.Value);
                return lists;
            case var list when columns.Length == 1:
                lists[0] = LanguagePrimitives.ConvertTo<string[]>(list);
                return lists;
            default:
                return null;
        }
    }

    public static System.Collections.IDictionary? Categories(Tensor tensor) =>
        TensorData.Unwrap(PSObject.AsPSObject(tensor).Properties[CategoriesName]?.Value) as System.Collections.IDictionary;
}
