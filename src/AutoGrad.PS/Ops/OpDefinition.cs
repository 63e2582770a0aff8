using AutoGrad;

namespace AutoGrad.PowerShell.Ops;

/// <summary>The Invoke-Op parameters an op may take besides its input tensor.</summary>
[Flags]
internal enum OpParameters
{
    None = 0,
    Other = 1,
    Dim = 2,
    KeepDim = 4,
    Shape = 8,
}

/// <summary>
/// Everything an op receives. <see cref="Other"/> is already normalized: a <see cref="Tensor"/>, a long (integral
/// number), a double (fractional number) or a bool.
/// </summary>
internal sealed record OpArguments(Tensor Input, object? Other = null, int[]? Dim = null, bool KeepDim = false,
    int[]? Shape = null);

/// <summary>
/// One Invoke-Op operation. <see cref="Required"/> and <see cref="Optional"/> drive the cmdlet's generic
/// argument checks, so an entry never validates its own arguments.
/// </summary>
internal sealed record OpDefinition(
    string Name,
    string Synopsis,
    OpParameters Required,
    OpParameters Optional,
    Func<OpArguments, Tensor> Apply)
{
    public bool Accepts(OpParameters p) => ((Required | Optional) & p) == p;
    public bool Requires(OpParameters p) => (Required & p) == p;
}
