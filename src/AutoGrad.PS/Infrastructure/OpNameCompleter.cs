using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using AutoGrad.Ops;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Tab completion for Invoke-Op's and Get-TensorOp's -Name: every registered op that starts with the word (which may
/// hold wildcards: *Loss completes to every loss), with its synopsis as the tooltip.
/// </summary>
public sealed class OpNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Completion.StripQuotes(wordToComplete);
        var pattern = WildcardPattern.Get(WildcardPattern.ContainsWildcardCharacters(word) ? word + "*" : WildcardPattern.Escape(word) + "*",
            WildcardOptions.IgnoreCase);
        foreach (var op in OpTable.All)
            if (pattern.IsMatch(op.Name))
                yield return new CompletionResult(op.Name, op.Name, CompletionResultType.ParameterValue, op.Synopsis);
    }
}
