using System.Collections;
using System.Management.Automation;
using System.Text;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Visualization;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Draws the backward graph behind a tensor as torchviz's make_dot does: Graphviz DOT, a Mermaid flowchart, or an SVG picture.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "TensorGraph")]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportTensorGraphCommand : ExportPictureCommandBase
{
    private static readonly Dictionary<string, TensorGraphFormat> s_extensions = new()
    {
        [".dot"] = TensorGraphFormat.Dot,
        [".gv"] = TensorGraphFormat.Dot,
        [".mmd"] = TensorGraphFormat.Mermaid,
        [".mermaid"] = TensorGraphFormat.Mermaid,
        [".md"] = TensorGraphFormat.Mermaid,
        [".svg"] = TensorGraphFormat.Svg,
    };

    private readonly List<Tensor> _outputs = [];

    /// <summary>The output(s) whose graph to draw; several (piped or listed) are drawn in one picture, as make_dot((a, b)).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor[] InputObject { get; set; } = [];

    /// <summary>The file to write (.dot/.gv, .mmd/.mermaid, .md for a fenced Mermaid block, .svg); without it the text is written to the pipeline.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Dot, Mermaid or Svg; by default from -Path's extension, else Dot.</summary>
    [Parameter]
    public TensorGraphFormat Format { get; set; }

    /// <summary>Draws each function's saved tensors as orange boxes (make_dot's show_saved=True).</summary>
    [Parameter]
    public SwitchParameter ShowSaved { get; set; }

    /// <summary>Lists each function's saved values under its name (make_dot's show_attrs=True).</summary>
    [Parameter]
    public SwitchParameter ShowAttributes { get; set; }

    /// <summary>Longer attribute values are cut with "..." (make_dot's max_attr_chars).</summary>
    [Parameter]
    [ValidateRange(3, int.MaxValue)]
    public int MaxAttributeChars { get; set; } = 50;

    /// <summary>Names for tensors, e.g. @{ weight = $w; bias = $b } (make_dot's params): the first line of their box.</summary>
    [Parameter]
    public IDictionary? Name { get; set; }

    private TensorGraphFormat _format;
    private string? _fullPath;
    private Dictionary<Tensor, string>? _names;

    /// <summary>The format, the file and -Name are the parameters' problems: checked (terminating) before any input.</summary>
    protected override void BeginProcessing()
    {
        _format = ChooseFormat();
        _fullPath = Path is null ? null : ResolveOutputPath(Path);
        _names = TensorNames();
    }

    protected override void ProcessRecord()
    {
        foreach (var t in InputObject)
            if (t is not null) _outputs.Add(t);
    }

    protected override void EndProcessing()
    {
        if (_outputs.Count == 0) return;
        var (format, fullPath, names) = (_format, _fullPath, _names);
        var graph = Engine(() => BackwardGraph.Build(_outputs, new BackwardGraphOptions
        {
            ShowSaved = ShowSaved,
            ShowAttributes = ShowAttributes,
            MaxAttributeChars = MaxAttributeChars,
            Names = names,
        }), _outputs);
        string text = format switch
        {
            TensorGraphFormat.Mermaid => MermaidWriter.Write(graph),
            TensorGraphFormat.Svg => Render(graph),
            _ => DotWriter.Write(graph),
        };
        if (fullPath is null)
        {
            WriteObject(text);
            return;
        }
        if (format == TensorGraphFormat.Mermaid && fullPath.EndsWith(".md", StringComparison.OrdinalIgnoreCase))
            text = "```mermaid\n" + text + "```\n";
        try
        {
            File.WriteAllText(fullPath, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail("WriteFailed", ErrorCategory.WriteError, Path, ex.Message, ex);
        }
        Written(fullPath);
    }

    private TensorGraphFormat ChooseFormat()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Format))) return Format;
        if (Path is null) return TensorGraphFormat.Dot;
        return FormatFromExtension(Path, s_extensions) ?? Fail<TensorGraphFormat>("UnknownFormat", Path,
            $"Cannot tell the format from the extension of '{Path}': use .dot, .gv, .mmd, .mermaid, .md or .svg, or give -Format Dot, Mermaid or Svg.");
    }

    private string Render(BackwardGraph graph)
    {
        try
        {
            return DrawingLoadContext.GraphToSvg(graph);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException)
        {
            Fail("SvgFailed", ErrorCategory.NotSpecified, Path, "Could not lay out the graph as SVG: " + Innermost(ex).Message, ex);
            return "";
        }
    }

    private Dictionary<Tensor, string>? TensorNames()
    {
        if (Name is null) return null;
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        foreach (DictionaryEntry entry in Name)
        {
            if (LanguagePrimitives.ConvertTo<object>(entry.Value) is PSObject { BaseObject: Tensor t1 }) names[t1] = entry.Key.ToString()!;
            else if (entry.Value is Tensor t) names[t] = entry.Key.ToString()!;
            else Fail("NameNotTensor", ErrorCategory.InvalidArgument, entry.Key,
                $"-Name maps names to tensors; the value for '{entry.Key}' is {(entry.Value is null ? "null" : "a " + entry.Value.GetType().Name)}.");
        }
        return names;
    }

    private T Fail<T>(string idSuffix, object? target, string message)
    {
        Fail(idSuffix, ErrorCategory.InvalidArgument, target, message);
        return default!;
    }

    internal static Exception Innermost(Exception ex)
    {
        while (ex is System.Reflection.TargetInvocationException or TypeInitializationException && ex.InnerException is not null)
            ex = ex.InnerException;
        return ex;
    }
}
