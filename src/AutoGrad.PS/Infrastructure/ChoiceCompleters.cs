using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Completes a string parameter from a fixed list of PyTorch's choices while leaving the value a string, so an
/// unknown one fails with PyTorch's message ([ArgumentCompletions] is not in PowerShellStandard 5.1).
/// </summary>
public abstract class ChoiceCompleter : IArgumentCompleter
{
    private protected abstract string[] Choices { get; }

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Completion.StripQuotes(wordToComplete);
        foreach (var choice in Choices)
            if (choice.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(choice, choice, CompletionResultType.ParameterValue, choice);
    }
}

/// <summary>-Reduction: Mean, Sum, None.</summary>
public sealed class ReductionCompleter : ChoiceCompleter
{
    private protected override string[] Choices => ["Mean", "Sum", "None"];
}

/// <summary>-Approximate (Gelu): none, tanh.</summary>
public sealed class ApproximateCompleter : ChoiceCompleter
{
    private protected override string[] Choices => ["none", "tanh"];
}
