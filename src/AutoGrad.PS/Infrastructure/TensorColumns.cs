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

    public static System.Collections.IDictionary? Categories(Tensor tensor) =>
        TensorData.Unwrap(PSObject.AsPSObject(tensor).Properties[CategoriesName]?.Value) as System.Collections.IDictionary;
}
