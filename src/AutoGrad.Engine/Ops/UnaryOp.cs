using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad.Ops;

/// <summary>What an elementwise op does with an Int64 or Bool input.</summary>
internal enum IntegerInputs
{
    /// <summary>Computed in the default float dtype (torch.exp of an int64 tensor is float32).</summary>
    ToFloat,
    /// <summary>Computed in Int64 by the op's integer kernel (neg, abs, relu, sign); Bool is copied or refused.</summary>
    Keep,
    /// <summary>Returned as a copy: the op changes no integer (floor, ceil, round).</summary>
    Copy,
    /// <summary>Refused, as PyTorch's kernel refuses them (silu): see <see cref="UnaryOp.TorchKernel"/>.</summary>
    Refuse,
}

/// <summary>Which tensors an op's derivative reads, saved by the forward: the input, the result, both or neither.</summary>
internal enum Saves { None, Input, Result, Both }

/// <summary>An elementwise derivative: the input gradient from the output gradient, the input and the result.</summary>
internal delegate Tensor Derivative(Tensor grad, Tensor input, Tensor result);

/// <summary>An elementwise kernel for each dtype it runs in: float32 and float64 always, int64 for ops that keep integers.</summary>
internal sealed record UnaryKernels(SpanMap<float, float> Float32, SpanMap<double, double> Float64, SpanMap<long, long>? Int64 = null)
{
    /// <summary>A vectorized operator (<see cref="IUnaryOperator"/>) for both floating dtypes.</summary>
    public static UnaryKernels Of<TOp>() where TOp : IUnaryOperator =>
        new(static (x, d) => TOp.Invoke(x, d), static (x, d) => TOp.Invoke(x, d));

    /// <summary>A function of one double: float32 elements are widened, computed and rounded back.</summary>
    public static UnaryKernels Of(Func<double, double> f) => new((x, d) =>
    {
        for (int i = 0; i < x.Length; i++) d[i] = (float)f(x[i]);
    }, (x, d) =>
    {
        for (int i = 0; i < x.Length; i++) d[i] = f(x[i]);
    });

    /// <summary>Adds an Int64 kernel (for ops that keep integer dtypes).</summary>
    public UnaryKernels WithInt64(Func<long, long> f) => this with
    {
        Int64 = (x, d) =>
        {
            for (int i = 0; i < x.Length; i++) d[i] = f(x[i]);
        },
    };
}

/// <summary>
/// One elementwise function of one tensor, declared once: its name and synopsis, its node, its kernels, what it does
/// with integers, and its derivative beside it (PyTorch's derivatives.yaml entry). <see cref="Apply"/> is the one
/// path every such op takes: dtype rule, the result laid out as the input (TensorIterator), the kernel over
/// contiguous runs (split across threads when large), and the node recorded with the tensors the derivative reads.
/// </summary>
internal sealed class UnaryOp : IOpDeclaration
{
    public UnaryOp(string name, string synopsis, string node, UnaryKernels kernels, Saves saves, Derivative? derivative,
        IntegerInputs integers = IntegerInputs.ToFloat)
    {
        Name = name;
        Synopsis = synopsis;
        Node = node;
        Kernels = kernels;
        Saves = saves;
        Derivative = derivative;
        Integers = integers;
    }

    public string Name { get; }
    public string Synopsis { get; }
    public string Node { get; }
    public UnaryKernels Kernels { get; }
    public Saves Saves { get; }

    /// <summary>The input gradient; null for ops whose gradient is zero everywhere (floor, sign, ...).</summary>
    public Derivative? Derivative { get; }

    public IntegerInputs Integers { get; }

    /// <summary>PyTorch's message for a Bool input, for ops that refuse one (neg, relu); null: a Bool input is copied.</summary>
    public string? BoolError { get; init; }

    /// <summary>PyTorch's CPU kernel, named in its message for inputs it refuses: "silu_cpu" not implemented for 'Long'.</summary>
    public string? TorchKernel { get; init; }

    /// <summary>The PyTorch expression (x is the input), for the reference data; default torch.&lt;name&gt;(x).</summary>
    public string? Torch { get; init; }

    /// <summary>Where the tests draw inputs from.</summary>
    public SampleDomain Domain { get; init; } = SampleDomain.Any;

    public Tensor Apply(Tensor input)
    {
        // The one null check of every elementwise function (PyTorch's TypeError, naming the op).
        var x = Arg.Tensor(input, "input", Name);
        if (!x.DType.IsFloating())
        {
            if (x.DType == DType.Bool && BoolError is not null) throw TorchException.Runtime(Name + "Bool", BoolError);
            switch (Integers)
            {
                case IntegerInputs.Refuse:
                    throw TorchException.Runtime("NotImplementedForDType", $"\"{TorchKernel}\" not implemented for '{x.DType.ScalarTypeName()}'");
                case IntegerInputs.Copy:
                    return x.Clone();
                case IntegerInputs.Keep:
                    if (x.DType == DType.Bool) return x.Clone();
                    return Map(x, DType.Int64);
                default:
                    x = x.Cast(DTypes.DefaultFloat);
                    break;
            }
        }
        var result = Map(x, x.DType);
        if (Graph.NeedsGrad(input))
        {
            Tensor[] saved = Saves switch
            {
                Saves.Input => [input],
                Saves.Result => [result],
                Saves.Both => [input, result],
                _ => [],
            };
            Graph.Record(result, Node, [input], saved, this, static (g, s, op, _) => [op.Backward(g, s)]);
        }
        return result;
    }

    private Tensor Backward(Tensor grad, Tensor[] saved)
    {
        if (Derivative is null) return Tensor.ZerosLike(grad);
        var (input, result) = Saves switch
        {
            Saves.Input => (saved[0], null!),
            Saves.Result => (null!, saved[0]),
            Saves.Both => (saved[0], saved[1]),
            _ => (null!, null!),
        };
        return Derivative(grad, input, result);
    }

    /// <summary>The kernel over <paramref name="x"/> into a new tensor of <paramref name="dtype"/> laid out as x.</summary>
    private Tensor Map(Tensor x, DType dtype)
    {
        var shape = x.ShapeArray;
        var result = Tensor.EmptyElementwise(shape, dtype, x);
        switch (dtype)
        {
            case DType.Float32: UnaryKernel.Map(Strided<float>.Of(x, shape), Strided<float>.Of(result, shape), shape, Kernels.Float32); break;
            case DType.Float64: UnaryKernel.Map(Strided<double>.Of(x, shape), Strided<double>.Of(result, shape), shape, Kernels.Float64); break;
            default:
                var kernel = Kernels.Int64 ?? throw new InvalidOperationException($"{Name} has no Int64 kernel");
                UnaryKernel.Map(Strided<long>.Of(x, shape), Strided<long>.Of(result, shape), shape, kernel);
                break;
        }
        return result;
    }

    /// <summary>The op's entry in the op table (Invoke-Op, the docs' list, the generated tests).</summary>
    public OpInfo Info => new(Name, Synopsis, OpArgs.None, OpArgs.None, call => Apply(call.Input))
    {
        Family = OpFamily.Elementwise,
        Torch = Torch ?? $"torch.{Name.ToLowerInvariant()}(x)",
        Domain = Domain,
        // Ops with a zero derivative (floor, sign ...) still record a node: their zero gradients are checked too.
        Differentiable = true,
        Samples = OpSamples.Unary(Domain),
    };
}
