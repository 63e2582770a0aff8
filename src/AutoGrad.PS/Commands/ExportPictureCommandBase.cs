using System.Management.Automation;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// What Export-TensorGraph and Export-Plot share: a -Path resolved as PowerShell resolves paths (relative to the
/// current location, PSDrives included), the format taken from the file's extension unless -Format says, the
/// file overwritten unless -NoClobber (as Export-Csv), and -PassThru writing the file's FileInfo.
/// </summary>
public abstract class ExportPictureCommandBase : AutoGradCmdlet
{
    /// <summary>Do not overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Writes the written file's FileInfo to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The full file-system path for <paramref name="path"/>; fails when its folder does not exist or -NoClobber forbids it.</summary>
    private protected string ResolveOutputPath(string path)
    {
        string full = "";
        try
        {
            full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
            if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
                Fail("NotFileSystem", ErrorCategory.InvalidArgument, path, $"The path '{path}' is not a file-system path (it belongs to the {provider.Name} provider).");
            // A name no file can have (a NUL character) is InvalidPath here, not an ArgumentException from the write.
            full = System.IO.Path.GetFullPath(full);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException
                                       or ProviderNotFoundException or NotSupportedException or ArgumentException)
        {
            Fail("InvalidPath", ErrorCategory.InvalidArgument, path, ex.Message, ex);
        }
        string? folder = System.IO.Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
            Fail("FolderNotFound", ErrorCategory.ObjectNotFound, path, $"Could not find a part of the path '{full}': the folder '{folder}' does not exist.");
        if (Directory.Exists(full))
            Fail("PathIsFolder", ErrorCategory.InvalidArgument, path, $"The path '{full}' is a folder; give a file name.");
        if (NoClobber && File.Exists(full))
            Fail("FileExists", ErrorCategory.ResourceExists, path, $"The file '{full}' already exists (-NoClobber).");
        return full;
    }

    /// <summary>The format an extension names (case-insensitive), or null for one not in <paramref name="byExtension"/>.</summary>
    private protected static T? FormatFromExtension<T>(string path, IReadOnlyDictionary<string, T> byExtension) where T : struct =>
        byExtension.TryGetValue(System.IO.Path.GetExtension(path).ToLowerInvariant(), out var format) ? format : null;

    /// <summary>After a file is written: its FileInfo with -PassThru.</summary>
    private protected void Written(string fullPath)
    {
        // Through the FileSystem provider, so the FileInfo carries PSPath, UnixMode... and prints as Get-Item's.
        if (PassThru) WriteObject(SessionState.InvokeProvider.Item.Get([fullPath], force: true, literalPath: true), enumerateCollection: true);
    }
}
