using AutoGrad.Kernels;

namespace AutoGrad.Ops;

/// <summary>
/// The elementwise functions of two tensors, one declaration each: name, synopsis, node, kernel, dtype rule and
/// the derivative of each operand (as in PyTorch's derivatives.yaml). Gradients are written with tensor ops, so
/// create_graph differentiates them again, and in the broadcast shape: the engine sums them back to each operand's
/// shape. Invoke-Op, the docs' op list and the tests pick every op up from <see cref="All"/>. Pow (three nodes by
/// operand kind), where and clamp are entries of their own in <see cref="OpTable"/>.
/// </summary>
internal static class BinaryOps
{
    public static readonly BinaryOp Add = new("Add", "x + other", "AddBackward0",
        BinaryKernels.Of<AddOperator>(), BinaryResult.Promoted, static (g, _, _) => g, static (g, _, _) => g, savesOperands: false);

    public static readonly BinaryOp Sub = new("Sub", "x - other", "SubBackward0",
        BinaryKernels.Of<SubtractOperator>(), BinaryResult.Promoted, static (g, _, _) => g, static (g, _, _) => g.Neg(), savesOperands: false)
    { BoolError = "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead." };

    public static readonly BinaryOp Mul = new("Mul", "x * other", "MulBackward0",
        BinaryKernels.Of<MultiplyOperator>(), BinaryResult.Promoted, static (g, _, b) => g.Mul(b), static (g, a, _) => g.Mul(a), savesOperands: true);

    /// <summary>True division; the other operand's gradient is PyTorch's -grad * ((a / b) / b), finite where b * b overflows.</summary>
    public static readonly BinaryOp Div = new("Div", "x / other (true division: integers divide as floats)", "DivBackward0",
        BinaryKernels.Of<DivideOperator>(), BinaryResult.Floating, static (g, _, b) => g.Div(b),
        static (g, a, b) => g.Neg().Mul(a.Div(b).Div(b)), savesOperands: true)
    { OtherDomain = SampleDomain.AwayFromZero };

    /// <summary>On ties each operand gets half the gradient, as PyTorch's maximum.</summary>
    public static readonly BinaryOp Maximum = new("Maximum", "elementwise max(x, other); NaN wins (other must be a tensor)", "MaximumBackward0",
        BinaryKernels.Of<MaximumOperator>(), BinaryResult.Promoted, static (g, a, b) => Extremum(g, a, b, a.Gt(b)),
        static (g, a, b) => Extremum(g, a, b, b.Gt(a)), savesOperands: true)
    { TakesNumbers = false };

    public static readonly BinaryOp Minimum = new("Minimum", "elementwise min(x, other); NaN wins (other must be a tensor)", "MinimumBackward0",
        BinaryKernels.Of<MinimumOperator>(), BinaryResult.Promoted, static (g, a, b) => Extremum(g, a, b, a.Lt(b)),
        static (g, a, b) => Extremum(g, a, b, b.Lt(a)), savesOperands: true)
    { TakesNumbers = false };

    // Comparisons: Bool results, no gradient. Drawn from a few values so that samples hold ties.
    public static readonly BinaryOp Eq = Comparison<EqualOperator>("Eq", "x == other (Bool)");
    public static readonly BinaryOp Ne = Comparison<NotEqualOperator>("Ne", "x != other (Bool)");
    public static readonly BinaryOp Gt = Comparison<GreaterOperator>("Gt", "x > other (Bool)");
    public static readonly BinaryOp Ge = Comparison<GreaterOrEqualOperator>("Ge", "x >= other (Bool)");
    public static readonly BinaryOp Lt = Comparison<LessOperator>("Lt", "x < other (Bool)");
    public static readonly BinaryOp Le = Comparison<LessOrEqualOperator>("Le", "x <= other (Bool)");

    /// <summary>Every op above, in declaration order.</summary>
    public static IReadOnlyList<BinaryOp> All { get; } = typeof(BinaryOps)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(BinaryOp))
        .Select(f => (BinaryOp)f.GetValue(null)!)
        .ToArray();

    private static BinaryOp Comparison<TOp>(string name, string synopsis) where TOp : IComparisonOperator =>
        new(name, synopsis, "", BinaryKernels.Comparison<TOp>(), BinaryResult.Bool, null, null, savesOperands: false)
        { Domain = SampleDomain.Coarse, OtherDomain = SampleDomain.Coarse };

    /// <summary>The gradient where this operand wins, half of it on ties, zero elsewhere.</summary>
    private static Tensor Extremum(Tensor grad, Tensor a, Tensor b, Tensor wins)
    {
        var zero = Tensor.Full([], 0, grad.DType);
        return Tensor.Where(a.Eq(b), grad.Div(2L), Tensor.Where(wins, grad, zero));
    }
}
