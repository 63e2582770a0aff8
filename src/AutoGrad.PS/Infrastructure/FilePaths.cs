using System.Management.Automation;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// PowerShell's path conventions for the file cmdlets: -Path is relative to the current location and may hold
/// wildcards, -LiteralPath is taken as written; both must end up on the FileSystem provider.
/// </summary>
internal static class FilePaths
{
    /// <summary>Existing files for reading; each path that matches nothing is reported through <paramref name="notFound"/>.</summary>
    public static List<string> ResolveExisting(PSCmdlet cmdlet, string path, bool literal, Action<string, Exception?> notFound)
    {
        var result = new List<string>();
        try
        {
            if (literal)
            {
                var full = Unresolved(cmdlet, path);
                if (File.Exists(full)) result.Add(full);
                else notFound(path, null);
                return result;
            }
            var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            RequireFileSystem(provider, path);
            foreach (var p in resolved)
                if (File.Exists(p)) result.Add(p);
            if (result.Count == 0) notFound(path, null);
        }
        catch (ItemNotFoundException ex)
        {
            notFound(path, ex);
        }
        return result;
    }

    /// <summary>
    /// The file a write goes to: -LiteralPath as written; -Path with wildcards must match exactly one existing item,
    /// without them it is the (possibly new) file it names.
    /// </summary>
    public static string ResolveTarget(PSCmdlet cmdlet, string path, bool literal)
    {
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            var resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
            RequireFileSystem(provider, path);
            if (resolved.Count != 1)
                throw new ArgumentException($"The path '{path}' matches {resolved.Count} items; a file to write must be one. Use -LiteralPath for a name with wildcard characters.");
            return resolved[0];
        }
        return Unresolved(cmdlet, path);
    }

    private static string Unresolved(PSCmdlet cmdlet, string path)
    {
        var full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        RequireFileSystem(provider, path);
        // A name no file can have (a NUL character) fails here as the ArgumentException the cmdlets report as their
        // InvalidPath error, not later inside the write.
        return System.IO.Path.GetFullPath(full);
    }

    private static void RequireFileSystem(ProviderInfo provider, string path)
    {
        if (provider.Name != "FileSystem")
            throw new ArgumentException($"The path '{path}' is on the {provider.Name} provider; tensor files live on the FileSystem.");
    }
}
