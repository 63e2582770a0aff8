namespace AutoGrad.PowerShell.Infrastructure;

internal static class Completion
{
    /// <summary>The word being completed without the quote the user may have opened.</summary>
    public static string StripQuotes(string? word) => (word ?? string.Empty).Trim('\'', '"');
}
