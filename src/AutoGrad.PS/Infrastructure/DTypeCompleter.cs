using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using AutoGrad;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>Tab completion for -DType: the four dtype names, or their torch.* spellings after "torch.".</summary>
public sealed class DTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Completion.StripQuotes(wordToComplete);
        bool torch = word.StartsWith("torch.", StringComparison.OrdinalIgnoreCase);
        foreach (var dtype in Enum.GetValues<DType>())
        {
            var text = torch ? dtype.TorchName() : dtype.ToString();
            if (text.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(text, text, CompletionResultType.ParameterValue,
                    $"{dtype.TorchName()} ([{dtype.ElementType().Name}])");
        }
    }
}

internal static class Completion
{
    public static string StripQuotes(string? word)
    {
        word ??= string.Empty;
        return word.Trim('\'', '"');
    }
}
