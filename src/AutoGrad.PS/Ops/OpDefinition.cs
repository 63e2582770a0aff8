using AutoGrad;

namespace AutoGrad.PowerShell.Ops;

/// <summary>
/// The Invoke-Op parameters an op may take besides its input tensor. Each flag's name is the Invoke-Op parameter
/// it stands for, so the cmdlet checks them all in one loop.
/// </summary>
[Flags]
internal enum OpParameters
{
    None = 0,
    Other = 1 << 0,
    Dim = 1 << 1,
    KeepDim = 1 << 2,
    Shape = 1 << 3,
    Min = 1 << 4,
    Max = 1 << 5,
    Dims = 1 << 6,
    Dim0 = 1 << 7,
    Dim1 = 1 << 8,
    StartDim = 1 << 9,
    EndDim = 1 << 10,
    Index = 1 << 11,
    Start = 1 << 12,
    Length = 1 << 13,
    Target = 1 << 14,
    Reduction = 1 << 15,
    Condition = 1 << 16,
    DType = 1 << 17,
    Correction = 1 << 18,
    P = 1 << 19,
    NegativeSlope = 1 << 20,
    Approximate = 1 << 21,
    WithIndices = 1 << 22,
    Beta = 1 << 23,
    Threshold = 1 << 24,
    IgnoreIndex = 1 << 25,
}

/// <summary>
/// Everything an op receives. <see cref="Other"/>, <see cref="Min"/> and <see cref="Max"/> are already normalized:
/// a <see cref="Tensor"/>, a long (integral number), a double (fractional number) or a bool. <see cref="Index"/> is
/// a Tensor, a long or a long[]. Options an op does not take keep PyTorch's defaults.
/// </summary>
internal sealed record OpArguments(Tensor Input, object? Other = null, int[]? Dim = null, bool KeepDim = false,
    int[]? Shape = null)
{
    public object? Min { get; init; }
    public object? Max { get; init; }
    public int[]? Dims { get; init; }
    public int Dim0 { get; init; }
    public int Dim1 { get; init; }
    public int StartDim { get; init; }
    public int EndDim { get; init; } = -1;
    public object? Index { get; init; }
    public int Start { get; init; }
    public int Length { get; init; }
    public Tensor? Target { get; init; }
    public Reduction Reduction { get; init; } = Reduction.Mean;
    public Tensor? Condition { get; init; }
    public DType DType { get; init; }
    public double Correction { get; init; } = 1;
    public double P { get; init; } = 2;
    public double NegativeSlope { get; init; } = 0.01;
    public string Approximate { get; init; } = "none";
    public bool WithIndices { get; init; }
    public double Beta { get; init; } = 1;
    public double Threshold { get; init; } = 20;
    public long IgnoreIndex { get; init; } = -100;
}

/// <summary>
/// One Invoke-Op operation. <see cref="Required"/> and <see cref="Optional"/> drive the cmdlet's generic
/// argument checks, so an entry never validates its own arguments. <see cref="SingleDim"/> marks ops whose -Dim is
/// one dim (softmax(dim), max(dim)), not a list. <see cref="Apply"/> returns a tensor, or for Max/Min -WithIndices
/// a <see cref="ValuesIndicesResult"/>.
/// </summary>
internal sealed record OpDefinition(
    string Name,
    string Synopsis,
    OpParameters Required,
    OpParameters Optional,
    Func<OpArguments, object> Apply)
{
    public bool SingleDim { get; init; }

    public bool Accepts(OpParameters p) => ((Required | Optional) & p) == p;
    public bool Requires(OpParameters p) => (Required & p) == p;
}
