namespace AutoGrad.Ops;

/// <summary>
/// The arguments an op may take besides its input tensor, named as PyTorch's keywords in PascalCase (Invoke-Op has
/// a parameter of each name), so arguments are checked generically from the table.
/// </summary>
[Flags]
public enum OpArgs
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
/// One call of an op: the input and every argument. <see cref="Other"/>, <see cref="Min"/> and <see cref="Max"/>
/// are a <see cref="Tensor"/>, a long (an integral number, as a Python int), a double (a fractional number) or a
/// bool. <see cref="Index"/> is a Tensor, a long or a long[]. Arguments an op does not take keep PyTorch's defaults.
/// </summary>
public sealed record OpCall(Tensor Input, object? Other = null, int[]? Dim = null, bool KeepDim = false,
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
/// One op of the table: its name (PyTorch's, in PascalCase), a one-line synopsis, the arguments it requires and
/// accepts (checked generically, so an entry never validates its own arguments), and how to apply it.
/// <see cref="SingleDim"/> marks ops whose Dim is one dim (softmax(dim), max(dim)), not a list. <see cref="Apply"/>
/// returns a tensor, or for Max/Min with WithIndices a <see cref="ValuesIndicesResult"/>.
/// <para>
/// The rest describes the op for the docs and for the tests generated from the table: <see cref="Family"/> groups
/// the docs' op list, <see cref="Torch"/> is the same call in PyTorch (a Python expression over x, other and the
/// keyword arguments), <see cref="Samples"/> makes the calls to check (elementwise ops get theirs from their
/// domain), and <see cref="Differentiable"/> says whether gradients are checked.
/// </para>
/// </summary>
public sealed record OpInfo(
    string Name,
    string Synopsis,
    OpArgs Required,
    OpArgs Optional,
    Func<OpCall, object> Apply)
{
    public bool SingleDim { get; init; }

    /// <summary>Whether -Other must be a tensor (torch.matmul, torch.maximum), not also a number.</summary>
    public bool OtherIsTensor { get; init; }

    /// <summary>Where the docs' op list shows the op.</summary>
    public OpFamily Family { get; init; }

    /// <summary>
    /// The PyTorch expression this op is, e.g. <c>torch.exp(x)</c> or <c>x.sum(dim=dim, keepdim=keepdim)</c>: Python
    /// over <c>x</c> (the input), <c>other</c> and every keyword the op accepts, named as PyTorch names them
    /// (<c>dim</c>, <c>keepdim</c>, <c>start_dim</c>, ...), None where the call leaves one out.
    /// </summary>
    public string? Torch { get; init; }

    /// <summary>The input values the op is checked on (its mathematical domain, away from kinks).</summary>
    public SampleDomain Domain { get; init; } = SampleDomain.Any;

    /// <summary>The values of the second operand, for ops that take one (divisors away from zero).</summary>
    public SampleDomain OtherDomain { get; init; } = SampleDomain.Any;

    /// <summary>Whether gradients flow through the op (checked against finite differences and PyTorch).</summary>
    public bool Differentiable { get; init; } = true;

    /// <summary>
    /// The calls the tests make (against PyTorch, finite differences, float32 against float64, Invoke-Op), built
    /// from a <see cref="SampleBuilder"/> of one floating dtype so that both dtypes get the same values.
    /// </summary>
    public Func<SampleBuilder, IEnumerable<OpSample>>? Samples { get; init; }

    /// <summary>The op's sample calls in <paramref name="dtype"/> (Float32 or Float64).</summary>
    public IReadOnlyList<OpSample> SamplesFor(DType dtype) =>
        Samples is null ? [] : Samples(new SampleBuilder(dtype)).ToArray();

    public bool Accepts(OpArgs p) => ((Required | Optional) & p) == p;
    public bool Requires(OpArgs p) => (Required & p) == p;
}

/// <summary>The groups of the docs' op list.</summary>
public enum OpFamily
{
    /// <summary>Elementwise with a second operand that broadcasts: add, sub, mul, div, pow, maximum ...</summary>
    Arithmetic,
    /// <summary>Elementwise comparisons into Bool.</summary>
    Comparison,
    /// <summary>Elementwise functions of one tensor, with or without options.</summary>
    Elementwise,
    /// <summary>Reductions over all elements or over dims.</summary>
    Reduction,
    /// <summary>Views, reshapes and indexing.</summary>
    Shape,
    /// <summary>Matrix and vector products.</summary>
    LinearAlgebra,
    /// <summary>Softmax and the losses.</summary>
    NeuralNetwork,
    /// <summary>dtype conversion and leaving the graph.</summary>
    Conversion,
}

/// <summary>Where an op's sample inputs are drawn from.</summary>
public enum SampleDomain
{
    /// <summary>Uniform in [-1, 1).</summary>
    Any,
    /// <summary>Uniform in [0.5, 2): log, sqrt, rsqrt, pow with a fractional exponent.</summary>
    Positive,
    /// <summary>Magnitude in [0.1, 1) with either sign: abs, relu, sign and other ops with a kink at 0.</summary>
    AwayFromZero,
    /// <summary>Uniform in [0.1, 0.9): probabilities.</summary>
    UnitInterval,
    /// <summary>One of -1, -0.5, 0, 0.5, 1: comparisons, whose samples should hold ties.</summary>
    Coarse,
}

/// <summary>
/// One call the tests make: a label (which layout or option it exercises), the call itself, and the tensors in it
/// that gradients are taken for (every leaf in it that requires grad).
/// </summary>
public sealed record OpSample(string Label, OpCall Call, Tensor[] GradInputs);
