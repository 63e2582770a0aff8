using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad.Ops;

/// <summary>The dtype an elementwise binary op returns, from its operands' promoted dtype.</summary>
internal enum BinaryResult
{
    /// <summary>The promoted dtype itself (add, mul, maximum ...).</summary>
    Promoted,
    /// <summary>The promoted dtype, or the default float dtype for integer and bool operands (true division).</summary>
    Floating,
    /// <summary>Bool, computed in the promoted dtype (comparisons); never records a graph.</summary>
    Bool,
}

/// <summary>The gradient of one operand of a binary op from the output gradient and both operands.</summary>
internal delegate Tensor BinaryDerivative(Tensor grad, Tensor self, Tensor other);

/// <summary>
/// An elementwise binary kernel: writes <c>a (op) b</c> into a destination of the op's result dtype, laid out
/// however it is, broadcasting without copies (<see cref="BinaryKernel"/>: one vectorized row loop per operator).
/// </summary>
internal sealed record BinaryKernels(Action<Tensor, Tensor, Tensor> Run)
{
    /// <summary>A vectorized arithmetic operator (<see cref="IBinaryOperator"/>) in the destination's dtype.</summary>
    public static BinaryKernels Of<TOp>() where TOp : IBinaryOperator => new(static (a, b, dst) => Tensor.RunBinary<TOp>(a, b, dst));

    /// <summary>A comparison (<see cref="IComparisonOperator"/>) in the operands' promoted dtype, into Bool.</summary>
    public static BinaryKernels Comparison<TOp>() where TOp : IComparisonOperator => new(static (a, b, dst) => Tensor.RunComparison<TOp>(a, b, dst));
}

/// <summary>
/// One elementwise function of two tensors, declared once: name and synopsis, node, kernel, dtype rule, and the
/// derivative for each operand beside it (PyTorch's derivatives.yaml entry). <see cref="Apply"/> is the one path
/// every such op takes: type promotion, the broadcast result laid out as TensorIterator lays it out (the first
/// operand's layout leads), the kernel, and the node recorded with the operands the derivatives read.
/// </summary>
internal sealed class BinaryOp : IOpDeclaration
{
    public BinaryOp(string name, string synopsis, string node, BinaryKernels kernel, BinaryResult result,
        BinaryDerivative? self, BinaryDerivative? other, bool savesOperands)
    {
        Name = name;
        Synopsis = synopsis;
        Node = node;
        Kernel = kernel;
        Result = result;
        Self = self;
        Other = other;
        SavesOperands = savesOperands;
    }

    public string Name { get; }
    public string Synopsis { get; }
    public string Node { get; }
    public BinaryKernels Kernel { get; }
    public BinaryResult Result { get; }

    /// <summary>The gradient of the first operand; null (with <see cref="Other"/>) for ops without one (comparisons).</summary>
    public BinaryDerivative? Self { get; }

    /// <summary>The gradient of the second operand.</summary>
    public BinaryDerivative? Other { get; }

    /// <summary>Whether the derivatives read the operands (saved by the forward).</summary>
    public bool SavesOperands { get; }

    /// <summary>PyTorch's message when both operands are Bool, for ops that refuse them (sub); null: computed as integers.</summary>
    public string? BoolError { get; init; }

    /// <summary>Whether the second operand may be a plain number (torch.maximum takes tensors only).</summary>
    public bool TakesNumbers { get; init; } = true;

    /// <summary>The PyTorch expression (x and other), for the reference data; default torch.&lt;name&gt;(x, other).</summary>
    public string? Torch { get; init; }

    /// <summary>Where the tests draw the first operand from.</summary>
    public SampleDomain Domain { get; init; } = SampleDomain.Any;

    /// <summary>Where the tests draw the second operand from.</summary>
    public SampleDomain OtherDomain { get; init; } = SampleDomain.Any;

    public Tensor Apply(Tensor a, Tensor b)
    {
        var result = Forward(a, b);
        if (Self is not null && Graph.NeedsGrad(a, b))
            Graph.Record(result, Node, [a, b], SavesOperands ? [a, b] : [], this, static (g, s, op, n) => op.Backward(g, s, n));
        return result;
    }

    /// <summary>The values alone, recording nothing.</summary>
    public Tensor Forward(Tensor a, Tensor b)
    {
        // The one null check of every elementwise op of two tensors (PyTorch's TypeError, naming the op).
        Arg.Tensor(a, "input", Name);
        Arg.Tensor(b, "other", Name);
        var dtype = TypePromotion.ResultType(a, b);
        if (dtype == DType.Bool && BoolError is not null) throw TorchException.Runtime(Name + "Bool", BoolError);
        var resultType = Result switch
        {
            BinaryResult.Bool => DType.Bool,
            BinaryResult.Floating when !dtype.IsFloating() => DTypes.DefaultFloat,
            _ => dtype,
        };
        var result = Tensor.EmptyElementwise(Shapes.Broadcast(a.ShapeArray, b.ShapeArray), resultType, a, b);
        Kernel.Run(a, b, result);
        return result;
    }

    private Tensor?[] Backward(Tensor grad, Tensor[] saved, bool[] needs)
    {
        // Operands that were not saved are not read (add, sub).
        Tensor a = SavesOperands ? saved[0] : null!, b = SavesOperands ? saved[1] : null!;
        return [needs[0] ? Self!(grad, a, b) : null, needs[1] ? Other!(grad, a, b) : null];
    }

    /// <summary>The op's entry in the op table (Invoke-Op, the docs' op list, the generated tests).</summary>
    public OpInfo Info => new(Name, Synopsis, OpArgs.Other, OpArgs.None, call => Apply(call.Input, Operand(call.Other)))
    {
        Family = Result == BinaryResult.Bool ? OpFamily.Comparison : OpFamily.Arithmetic,
        Torch = Torch ?? $"torch.{Name.ToLowerInvariant()}(x, other)",
        Domain = Domain,
        OtherDomain = OtherDomain,
        OtherIsTensor = !TakesNumbers,
        Differentiable = Self is not null,
        Samples = OpSamples.Binary(Domain, OtherDomain, TakesNumbers),
    };

    /// <summary>The second operand of an Invoke-Op call: a tensor, or a number wrapped as Python wraps it.</summary>
    private Tensor Operand(object? other) => other switch
    {
        Tensor t => t,
        long l when TakesNumbers => Tensor.WrapNumber(l),
        double d when TakesNumbers => Tensor.WrapNumber(d),
        bool b when TakesNumbers => Tensor.WrapNumber(b),
        _ when TakesNumbers => throw new TorchException(TorchErrorKind.TypeError, "ArgumentNotTensor",
            $"{Name.ToLowerInvariant()}(): argument 'other' must be Tensor or Number, not {OpTable.PythonTypeName(other)}"),
        _ => throw new TorchException(TorchErrorKind.TypeError, "ArgumentNotTensor",
            $"{Name.ToLowerInvariant()}(): argument 'other' (position 1) must be Tensor, not {OpTable.PythonTypeName(other)}"),
    };
}
