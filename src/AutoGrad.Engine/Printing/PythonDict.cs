using System.Collections;
using System.Collections.Specialized;
using System.Text;

namespace AutoGrad.Printing;

/// <summary>
/// An ordered dictionary with case-insensitive string keys (as PowerShell's [ordered]@{} is) that prints as
/// Python prints a dict: <c>{'lr': 0.1, 'betas': (0.9, 0.999), 'params': [0, 1]}</c>. Optimizer state dicts and
/// parameter groups come back as these, so they read as in PyTorch and index as in PowerShell.
/// </summary>
public sealed class PythonDict : OrderedDictionary
{
    public PythonDict() : base(StringComparer.OrdinalIgnoreCase)
    {
    }

    public override string ToString() => PythonRepr.Format(this);
}

/// <summary>A dictionary keyed by integers (an optimizer's state by parameter index) that prints as a Python dict.</summary>
public sealed class PythonIndexDict : Dictionary<int, PythonDict>
{
    public override string ToString() => PythonRepr.Format(this);
}

internal static class PythonDictFormat
{
    public static string Format(IDictionary dict)
    {
        var text = new StringBuilder("{");
        bool first = true;
        foreach (DictionaryEntry entry in dict)
        {
            if (!first) text.Append(", ");
            first = false;
            text.Append(PythonRepr.Format(entry.Key)).Append(": ").Append(PythonRepr.Format(entry.Value));
        }
        return text.Append('}').ToString();
    }
}
