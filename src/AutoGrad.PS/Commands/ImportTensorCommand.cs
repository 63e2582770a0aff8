using System.Collections.Specialized;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Serialization;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Reads tensors from .safetensors, .pt/.pth (torch.save) and .npy files.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "Tensor", DefaultParameterSetName = PathSet)]
[OutputType(typeof(Tensor), typeof(OrderedDictionary))]
public sealed class ImportTensorCommand : AutoGradCmdlet
{
    public const string PathSet = "Path";
    public const string LiteralPathSet = "LiteralPath";

    /// <summary>Files to read, relative to the current location; wildcards are expanded.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string[] Path { get; set; } = [];

    /// <summary>Files to read, taken exactly as written (no wildcards).</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    public string[] LiteralPath { get; set; } = [];

    /// <summary>The format when neither the first bytes nor the extension tell (a safetensors file named .bin).</summary>
    [Parameter]
    public TensorFileFormat Format { get; set; }

    /// <summary>Always writes an ordered dictionary: a lone tensor comes as its only entry, named 'tensor'.</summary>
    [Parameter]
    public SwitchParameter AsDictionary { get; set; }

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (var path in literal ? LiteralPath : Path)
        {
            List<string> files;
            try
            {
                files = FilePaths.ResolveExisting(this, path, literal, (p, inner) => WriteError(new ErrorRecord(
                    new FileNotFoundException($"Cannot find the file '{p}'.", p, inner),
                    ErrorPrefix + "FileNotFound", ErrorCategory.ObjectNotFound, p)));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorPrefix + "InvalidPath", ErrorCategory.InvalidArgument, path));
                continue;
            }
            foreach (var file in files) ImportFile(file);
        }
    }

    private void ImportFile(string file)
    {
        TensorFileContent content;
        try
        {
            content = TensorFile.Load(file, Format);
        }
        catch (TensorFileException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorPrefix + ex.Id, TensorFileErrors.CategoryOf(ex), file));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, ErrorPrefix + "ReadFailed", ErrorCategory.ReadError, file));
            return;
        }
        foreach (var note in content.Conversions) WriteVerbose($"{file}: {note}");

        var value = content.Value;
        bool safetensors = content.Metadata is not null || TensorFile.FormatOf(file) == TensorFileFormat.Safetensors
                           || Format == TensorFileFormat.Safetensors;
        // A safetensors file has no single-tensor form: one entry under the name Export-Tensor uses for a lone tensor is one.
        if (!AsDictionary && safetensors && value is OrderedDictionary { Count: 1 } single
            && single.Contains(SafetensorsFormat.SingleTensorKey) && single[0] is Tensor lone)
            value = lone;
        if (AsDictionary && value is Tensor t)
            value = new OrderedDictionary { [SafetensorsFormat.SingleTensorKey] = t };

        var output = PSObject.AsPSObject(value ?? (object)string.Empty);
        if (value is null)
        {
            WriteObject(null);
            return;
        }
        if (content.Metadata is not null && value is OrderedDictionary)
        {
            var metadata = new OrderedDictionary(StringComparer.Ordinal);
            foreach (var (k, v) in content.Metadata) metadata[k] = v;
            output.Properties.Add(new PSNoteProperty("Metadata", metadata));
        }
        WriteObject(output, enumerateCollection: false);
    }
}
