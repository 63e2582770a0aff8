using System.Collections;
using System.Globalization;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Serialization;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes a tensor, a dictionary of tensors or a layer's state dict to a .safetensors, .pt/.pth or .npy file.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "Tensor", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportTensorCommand : AutoGradCmdlet
{
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";

    private object? _input;
    private bool _received;

    /// <summary>The file to write, relative to the current location; a wildcard must match exactly one file.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
    public string Path { get; set; } = "";

    /// <summary>The file to write, taken exactly as written.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true)]
    [Alias("PSPath", "LP")]
    public string LiteralPath { get; set; } = "";

    /// <summary>A tensor, a dictionary of name → tensor, or an object with a StateDict() method (a layer, an optimizer).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    /// <summary>The format; by default the extension decides (.safetensors, .pt, .pth, .npy).</summary>
    [Parameter]
    public TensorFileFormat Format { get; set; }

    /// <summary>String metadata for a .safetensors file's __metadata__ (default: the input's own, from Import-Tensor).</summary>
    [Parameter]
    public IDictionary? Metadata { get; set; }

    /// <summary>Replaces an existing file (by default an existing file is an error and is left as it is).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Writes the file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (_received)
            Fail("TooManyInputs", ErrorCategory.InvalidArgument, InputObject,
                "Export-Tensor writes one object per file: pass one tensor, dictionary or layer (group several tensors in an [ordered] dictionary).");
        _received = true;
        _input = InputObject;
    }

    protected override void EndProcessing()
    {
        if (!_received) return;
        bool literal = ParameterSetName == LiteralPathSet;
        string target;
        try
        {
            target = FilePaths.ResolveTarget(this, literal ? LiteralPath : Path, literal);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemNotFoundException)
        {
            Fail("InvalidPath", ErrorCategory.InvalidArgument, literal ? LiteralPath : Path, ex.Message, ex);
            return;
        }
        var value = Resolve(_input);
        var format = Format == TensorFileFormat.Auto ? TensorFile.FormatOf(target) : Format;
        var metadata = MetadataFor(format);
        if (!Force && File.Exists(target))
            Fail("FileExists", ErrorCategory.ResourceExists, target, $"The file '{target}' already exists; use -Force to replace it.");
        if (!ShouldProcess(target, $"Export {Describe(value)} as {(format == TensorFileFormat.Auto ? "?" : format.ToString())}")) return;
        try
        {
            TensorFile.Save(target, value, format, Force, metadata, Unwrap);
        }
        catch (TensorFileException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + ex.Id, TensorFileErrors.CategoryOf(ex), target));
        }
        catch (ObjectDisposedException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "TensorDisposed", ErrorCategory.InvalidOperation, target));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorPrefix + "WriteFailed", ErrorCategory.WriteError, target));
        }
        if (PassThru) WriteObject(new FileInfo(target));
    }

    /// <summary>Strips PowerShell's wrappers (and turns serialized tensors back into tensors) at every level.</summary>
    private static object? Unwrap(object? value) => TensorData.Unwrap(value);

    private object? Resolve(object? input)
    {
        var value = Unwrap(input);
        if (value is Tensor or IDictionary) return value;
        if (value is not null)
        {
            // A layer or an optimizer from any module: its StateDict() through PowerShell's method adapter.
            var method = PSObject.AsPSObject(input!).Methods["StateDict"] ?? PSObject.AsPSObject(input!).Methods["state_dict"];
            if (method is not null)
            {
                object? state;
                try
                {
                    state = Unwrap(method.Invoke());
                }
                catch (MethodInvocationException ex)
                {
                    Fail("StateDictFailed", ErrorCategory.InvalidOperation, input, $"{value.GetType().Name}.StateDict() failed: {ex.InnerException?.Message ?? ex.Message}", ex);
                    return null;
                }
                if (state is IDictionary d) return d;
                Fail("UnsupportedInput", ErrorCategory.InvalidType, input,
                    $"{value.GetType().Name}.StateDict() returned {(state is null ? "null" : state.GetType().Name)}, not a dictionary.");
            }
        }
        Fail("UnsupportedInput", ErrorCategory.InvalidType, input,
            $"Export-Tensor writes a tensor, a dictionary of name -> tensor, or an object with a StateDict() method; got {(value is null ? "null" : value.GetType().FullName)}.");
        return null;
    }

    private IReadOnlyDictionary<string, string>? MetadataFor(TensorFileFormat format)
    {
        var source = Metadata;
        bool explicitly = source is not null;
        if (source is null && _input is PSObject pso && pso.Properties["Metadata"]?.Value is { } note)
            source = Unwrap(note) as IDictionary;
        if (source is null) return null;
        if (format != TensorFileFormat.Safetensors)
        {
            if (explicitly)
                Fail("MetadataNotSupported", ErrorCategory.InvalidArgument, Metadata, "-Metadata is written to .safetensors files only.");
            return null;
        }
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry e in source)
            result[Convert.ToString(Unwrap(e.Key), CultureInfo.InvariantCulture) ?? ""] =
                Convert.ToString(Unwrap(e.Value), CultureInfo.InvariantCulture) ?? "";
        return result;
    }

    private static string Describe(object? value) => value switch
    {
        Tensor t => $"a tensor of shape [{string.Join(", ", t.Shape)}]",
        IDictionary d => $"{d.Count} entries",
        _ => "the object",
    };
}
