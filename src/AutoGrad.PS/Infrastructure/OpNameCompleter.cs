using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using AutoGrad.Ops;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>Tab completion for Invoke-Op's -Name: every registered op, with its synopsis as the tooltip.</summary>
public sealed class OpNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Completion.StripQuotes(wordToComplete);
        foreach (var op in OpTable.All)
            if (op.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(op.Name, op.Name, CompletionResultType.ParameterValue, op.Synopsis);
    }
}
