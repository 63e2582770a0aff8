using System.Management.Automation;
using AutoGrad.Ops;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Lists the ops Invoke-Op runs, with their parameters and one-line descriptions.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "TensorOp", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(OpSignature))]
public sealed class GetTensorOpCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    private readonly HashSet<OpSignature> _written = [];

    /// <summary>Op names (case-insensitive), wildcards allowed; all ops when omitted.</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(OpNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = ["*"];

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
        {
            var pattern = WildcardPattern.Get(name.Trim(), WildcardOptions.IgnoreCase);
            var found = OpSignature.All.Where(op => pattern.IsMatch(op.Name)).ToArray();
            if (found.Length == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                // Like Get-Command: a name that matches nothing is a non-terminating error, a pattern is not.
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"Invoke-Op has no op named '{name}'. Valid ops: {string.Join(", ", OpSignature.All.Select(o => o.Name))}."),
                    ErrorPrefix + "NotFound", ErrorCategory.ObjectNotFound, name));
                continue;
            }
            foreach (var op in found)
                if (_written.Add(op)) WriteObject(op);
        }
    }
}
