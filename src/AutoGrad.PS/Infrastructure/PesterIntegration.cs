using System.Collections;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using AutoGrad.Testing;

namespace AutoGrad.PowerShell.Infrastructure;

/// <summary>
/// Runs on every Import-Module of AutoGrad.PS (PowerShell calls it once per import, in the importing runspace) and
/// on Remove-Module: registers <c>Should -BeTensor</c> with Pester (see <see cref="PesterRegistration"/>).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport() => PesterRegistration.Attach();

    public void OnRemove(PSModuleInfo psModuleInfo) => PesterRegistration.Detach();
}

/// <summary>
/// Registers the <c>Should -BeTensor</c> operator with Pester (5 or 6) in one runspace, whichever of the two modules
/// is imported first. At import, every Pester already loaded gets it. For a Pester imported later (or re-imported
/// with -Force, which forgets its operators), a PostCommandLookupAction watches command lookups: the first command
/// resolved from a Pester module that has finished importing (it exports Add-ShouldOperator) and has not got the
/// operator yet (Invoke-Pester, Describe, Should, ...) registers it, before that command binds its parameters. Per
/// lookup the watcher only reads the resolved command's module name; it calls any action installed before it, and
/// Remove-Module AutoGrad.PS puts that action back.
/// </summary>
internal sealed class PesterRegistration
{
    /// <summary>The operator as Pester calls it. Pester turns its parameters into Should's -BeTensor parameter set.</summary>
    internal const string OperatorScript = """
        param($ActualValue, $ExpectedValue, $RTol, $ATol, [switch] $EqualNan, [switch] $CheckDType, [switch] $Negate, [string] $Because)
        [AutoGrad.PowerShell.Infrastructure.BeTensorOperator]::Test($ActualValue, $ExpectedValue, $PSBoundParameters)
        """;

    // -InternalName: Get-ShouldOperator -Name BeTensor shows the help of Assert-TensorClose.
    private const string RegisterScript =
        "param($AddShouldOperator, $Test) & $AddShouldOperator -Name BeTensor -Test $Test -InternalName Assert-TensorClose";

    private static readonly ConditionalWeakTable<EngineIntrinsics, PesterRegistration> s_byRunspace = new();

    private readonly EngineIntrinsics _engine;
    private readonly EventHandler<CommandLookupEventArgs> _watcher;
    private readonly ConditionalWeakTable<PSModuleInfo, object> _seen = new();
    private EventHandler<CommandLookupEventArgs>? _previous;
    private bool _registering;

    private PesterRegistration(EngineIntrinsics engine)
    {
        _engine = engine;
        _watcher = OnCommandLookup;
    }

    /// <summary>Registers with the Pester modules loaded now and watches for later ones (idempotent per runspace).</summary>
    internal static void Attach()
    {
        var engine = CurrentEngine();
        if (engine is null) return;
        var registration = s_byRunspace.GetValue(engine, e => new PesterRegistration(e));
        var current = engine.InvokeCommand.PostCommandLookupAction;
        if (current != registration._watcher)
        {
            registration._previous = current;
            engine.InvokeCommand.PostCommandLookupAction = registration._watcher;
        }
        foreach (var pester in Invoke("Get-Module -Name Pester").Select(o => o.BaseObject).OfType<PSModuleInfo>())
            registration.Register(pester);
    }

    /// <summary>Stops watching (the operators Pester already has stay: Pester cannot remove them).</summary>
    internal static void Detach()
    {
        var engine = CurrentEngine();
        if (engine is null || !s_byRunspace.TryGetValue(engine, out var registration)) return;
        if (engine.InvokeCommand.PostCommandLookupAction == registration._watcher)
            engine.InvokeCommand.PostCommandLookupAction = registration._previous;
        s_byRunspace.Remove(engine);
    }

    private void OnCommandLookup(object? sender, CommandLookupEventArgs e)
    {
        _previous?.Invoke(sender, e);
        if (_registering || e.Command?.Module is not { Name: "Pester" } pester) return;
        Register(pester);
    }

    private void Register(PSModuleInfo pester)
    {
        if (_seen.TryGetValue(pester, out _)) return;
        // A Pester that is still importing has no exports (and no version) yet: try again on a later lookup.
        var exports = pester.ExportedFunctions;
        if (exports.Count == 0) return;
        _seen.AddOrUpdate(pester, true);
        // Pester 4's Should has no Add-ShouldOperator (and no room for this operator).
        if (pester.Version.Major < 5 || !exports.TryGetValue("Add-ShouldOperator", out var add)) return;
        _registering = true;
        try
        {
            // The same script text each time, so a second registration (re-import) is a duplicate Pester ignores.
            // Bound to a session state of its own (GetNewClosure): Pester 6 refuses an unbound script block, which
            // would run inside Pester's module.
            ScriptBlock.Create(RegisterScript).Invoke(add, ScriptBlock.Create(OperatorScript).GetNewClosure());
        }
        catch (Exception ex) when (ex is RuntimeException or InvalidOperationException)
        {
            _engine.Host.UI.WriteWarningLine($"AutoGrad.PS could not add 'Should -BeTensor' to Pester {pester.Version}: {ex.Message}");
        }
        finally
        {
            _registering = false;
        }
    }

    /// <summary>The engine of the runspace running on this thread (the one importing the module).</summary>
    private static EngineIntrinsics? CurrentEngine() =>
        Invoke("$ExecutionContext").Select(o => o.BaseObject).OfType<EngineIntrinsics>().FirstOrDefault();

    private static IEnumerable<PSObject> Invoke(string script)
    {
        try
        {
            return ScriptBlock.Create(script).Invoke().Where(o => o is not null);
        }
        catch (Exception ex) when (ex is RuntimeException or InvalidOperationException)
        {
            return [];   // no runspace on this thread (the assembly loaded from C#): nothing to register with
        }
    }
}

/// <summary>
/// <c>$actual | Should -BeTensor $expected [-RTol] [-ATol] [-EqualNan] [-CheckDType:$false]</c>: Pester's side of
/// Assert-TensorClose. Fails with torch.testing.assert_close's message; <c>Should -Not -BeTensor</c> fails when the
/// tensors are close. Actual and expected may be tensors or data (converted as New-Tensor converts it).
/// </summary>
public static class BeTensorOperator
{
    /// <summary>The operator's result as Pester expects it: Succeeded, FailureMessage and ExpectResult.</summary>
    public static PSObject Test(object? actualValue, object? expectedValue, IDictionary bound)
    {
        bool negate = IsSet(bound, "Negate");
        string because = bound["Because"] is string b && !string.IsNullOrWhiteSpace(b) ? b.Trim() : "";
        double? rtol = Number(bound, "RTol"), atol = Number(bound, "ATol");
        bool checkDType = !bound.Contains("CheckDType") || IsSet(bound, "CheckDType");

        var expected = ToTensor(expectedValue)
            ?? throw new ArgumentException("Should -BeTensor needs the expected tensor (or data), not $null.");
        var actual = ToTensor(actualValue);
        string message;
        CloseResult? result = null;
        if (actual is null) message = "Expected a tensor, but got $null.";
        else
        {
            result = TensorTesting.Compare(actual, expected, rtol, atol, IsSet(bound, "EqualNan"), checkDType);
            message = result.Message ?? "";
        }

        bool close = result is { IsClose: true };
        bool succeeded = negate ? !close : close;
        string? failure = null;
        if (!succeeded && negate)
            failure = $"Expected the tensors not to be close ({result!.Tolerances})" +
                      $"{BecauseClause(because)}, but they are: {actual}.";
        else if (!succeeded)
            failure = because.Length == 0 ? message : $"Expected the tensors to be close{BecauseClause(because)}, but they are not.\n\n{message}";

        var output = new PSObject();
        output.Properties.Add(new PSNoteProperty("Succeeded", succeeded));
        output.Properties.Add(new PSNoteProperty("FailureMessage", failure));
        output.Properties.Add(new PSNoteProperty("ExpectResult", new Hashtable
        {
            ["Actual"] = actual?.ToString() ?? "$null",
            ["Expected"] = expected.ToString(),
            ["Because"] = because,
        }));
        return output;
    }

    /// <summary>Pester's wording: ", because X," (a reason that already starts with "because" keeps it once).</summary>
    private static string BecauseClause(string because) =>
        because.Length == 0 ? "" :
        because.StartsWith("because ", StringComparison.OrdinalIgnoreCase) ? $", {because}" : $", because {because}";

    private static bool IsSet(IDictionary bound, string name) => bound[name] switch
    {
        SwitchParameter s => s.IsPresent,
        bool b => b,
        _ => false,
    };

    private static double? Number(IDictionary bound, string name)
    {
        if (!bound.Contains(name)) return null;
        var value = TensorData.Unwrap(bound[name]);
        return value is null ? null : LanguagePrimitives.ConvertTo<double>(value);
    }

    private static Tensor? ToTensor(object? value)
    {
        value = TensorData.Unwrap(value);
        return value switch
        {
            null => null,
            Tensor t => t,
            _ => TensorTransformationAttribute.FromData(value),
        };
    }
}
