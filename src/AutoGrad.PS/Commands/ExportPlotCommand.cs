using System.Collections;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Visualization;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Plots numeric properties of the piped objects (e.g. one object per epoch) as lines, to a PNG or SVG file.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "Plot")]
[OutputType(typeof(FileInfo))]
public sealed class ExportPlotCommand : ExportPictureCommandBase
{
    private static readonly Dictionary<string, PlotFormat> s_extensions = new()
    {
        [".png"] = PlotFormat.Png,
        [".svg"] = PlotFormat.Svg,
    };

    /// <summary>The name a piped bare number (or one-element tensor) is plotted under.</summary>
    public const string ValueName = "Value";

    private readonly List<PSObject> _rows = [];

    /// <summary>One point per object: its properties (or a hashtable's keys) named by -X and -Y. A bare number is a Value.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public PSObject? InputObject { get; set; }

    /// <summary>The picture to write: .png or .svg.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The property on the x axis; without it, the objects' positions 0, 1, 2, ...</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? X { get; set; }

    /// <summary>The properties drawn as lines against the left axis; without -Y and -RightY, every numeric property but -X.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string[]? Y { get; set; }

    /// <summary>Properties drawn against a second axis on the right (e.g. Accuracy beside Loss).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RightY { get; set; }

    /// <summary>The title above the plot.</summary>
    [Parameter]
    public string? Title { get; set; }

    /// <summary>The x axis' label; by default -X's name (or Index).</summary>
    [Parameter]
    public string? XLabel { get; set; }

    /// <summary>The left axis' label; by default the property's name when one is drawn there.</summary>
    [Parameter]
    public string? YLabel { get; set; }

    /// <summary>Picture width in pixels.</summary>
    [Parameter]
    [ValidateRange(16, 16384)]
    public int Width { get; set; } = 800;

    /// <summary>Picture height in pixels.</summary>
    [Parameter]
    [ValidateRange(16, 16384)]
    public int Height { get; set; } = 500;

    /// <summary>Png or Svg; by default from -Path's extension.</summary>
    [Parameter]
    public PlotFormat Format { get; set; }

    private PlotFormat _format;
    private string _fullPath = "";

    /// <summary>The format and the file are the parameters' problems: checked (terminating) before any input is read.</summary>
    protected override void BeginProcessing()
    {
        _format = MyInvocation.BoundParameters.ContainsKey(nameof(Format))
            ? Format
            : FormatFromExtension(Path, s_extensions) ?? UnknownFormat();
        _fullPath = ResolveOutputPath(Path);
    }

    protected override void ProcessRecord()
    {
        if (InputObject is not null) _rows.Add(InputObject);
    }

    protected override void EndProcessing()
    {
        var (format, fullPath) = (_format, _fullPath);
        if (_rows.Count == 0)
            Fail("NoData", ErrorCategory.InvalidData, null, "There is nothing to plot: no object came through the pipeline.");

        var rows = _rows.Select(Row).ToList();
        var left = Y ?? (RightY is null ? NumericColumns(rows) : []);
        var right = RightY ?? [];
        if (left.Length + right.Length == 0)
            Fail("NoNumericProperty", ErrorCategory.InvalidData, null,
                "The objects have no numeric property to plot" + (X is null ? "." : $" besides -X '{X}'.") + " Name them with -Y.");
        foreach (var name in (X is null ? left.Concat(right) : left.Concat(right).Append(X)))
            if (!rows.Any(r => r.ContainsKey(name)))
                Fail("PropertyNotFound", ErrorCategory.ObjectNotFound, name,
                    $"No object has a property '{name}'. The first object's properties: {string.Join(", ", rows[0].Keys)}.");

        double[] xs = X is null
            ? Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray()
            : Column(rows, X);
        var series = left.Select(n => new LineSeries(n, xs, Column(rows, n)))
            .Concat(right.Select(n => new LineSeries(n, xs, Column(rows, n), RightAxis: true)))
            .ToList();
        var chart = new LineChart
        {
            Title = Title,
            XLabel = XLabel ?? X ?? "Index",
            YLabel = YLabel ?? (left.Length == 1 ? left[0] : null),
            RightYLabel = right.Length == 1 ? right[0] : null,
            Series = series,
            Width = Width,
            Height = Height,
        };
        try
        {
            DrawingLoadContext.SaveChart(chart, fullPath, format.ToString());
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            var inner = ExportTensorGraphCommand.Innermost(ex);
            Fail(inner is IOException or UnauthorizedAccessException ? "WriteFailed" : "PlotFailed",
                ErrorCategory.WriteError, Path, "Could not draw the plot: " + inner.Message, ex);
        }
        Written(fullPath);
    }

    private PlotFormat UnknownFormat()
    {
        Fail("UnknownFormat", ErrorCategory.InvalidArgument, Path,
            $"Cannot tell the format from the extension of '{Path}': use .png or .svg, or give -Format Png or Svg.");
        return default;
    }

    /// <summary>An object's values by property name (case-insensitive, as PowerShell's); a bare number is {Value}.</summary>
    private static Dictionary<string, object?> Row(PSObject item)
    {
        var row = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        var value = item.BaseObject;
        if (IsNumber(value) || value is Tensor)
        {
            row[ValueName] = value;
        }
        else if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
                if (entry.Key?.ToString() is { } key) row[key] = entry.Value;
        }
        else
        {
            foreach (var property in item.Properties)
            {
                if (!property.IsGettable) continue;
                try { row[property.Name] = property.Value; }
                catch (GetValueException) { } // a property that throws when read is not data
            }
        }
        return row;
    }

    /// <summary>Every property, in the first object's order, whose values are all numbers where present.</summary>
    private string[] NumericColumns(List<Dictionary<string, object?>> rows) =>
        rows.SelectMany(r => r.Keys).Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(name => !string.Equals(name, X, StringComparison.OrdinalIgnoreCase))
            .Where(name => rows.All(r => !r.TryGetValue(name, out var v) || v is null || TryNumber(v, out _)))
            .Where(name => rows.Any(r => r.TryGetValue(name, out var v) && v is not null))
            .ToArray();

    /// <summary>One property's values as doubles; a missing one is a gap (NaN), a non-numeric one a non-terminating error and a gap.</summary>
    private double[] Column(List<Dictionary<string, object?>> rows, string name)
    {
        var values = new double[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            values[i] = double.NaN;
            if (!rows[i].TryGetValue(name, out var v) || v is null) continue;
            if (TryNumber(v, out double d)) values[i] = d;
            else
                WriteError(new ErrorRecord(new ArgumentException(
                        $"Object {i}'s '{name}' is not a number ('{v}'); it is left out of the plot."),
                    ErrorPrefix + "NotNumeric", ErrorCategory.InvalidData, _rows[i]));
        }
        return values;
    }

    private static bool IsNumber(object? v) => v is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal;

    /// <summary>Numbers, one-element tensors (a loss), and numeric text (Import-Csv's columns) in the invariant culture.</summary>
    private static bool TryNumber(object? value, out double result)
    {
        if (value is PSObject pso) value = pso.BaseObject;
        switch (value)
        {
            case double d: result = d; return true;
            case float f: result = f; return true;
            case decimal m: result = (double)m; return true;
            case byte or sbyte or short or ushort or int or uint or long or ulong:
                result = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                return true;
            case Tensor { NumElements: 1 } t:
                result = t.ToDoubleArray()[0];
                return true;
            case string s:
                return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
            default:
                result = double.NaN;
                return false;
        }
    }
}
