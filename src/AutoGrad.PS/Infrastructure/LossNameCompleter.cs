using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using AutoGrad.Ops;
using AutoGrad.Training;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>Tab completion for Invoke-Training's -Loss: the op table's losses, with their synopses as tooltips.</summary>
public sealed class LossNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = Completion.StripQuotes(wordToComplete);
        foreach (var name in LossFunction.Names)
            if (name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                yield return new CompletionResult(name, name, CompletionResultType.ParameterValue, OpTable.Get(name).Synopsis);
    }
}
