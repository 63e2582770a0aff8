using System.Numerics.Tensors;
using AutoGrad.Kernels;

namespace AutoGrad.Ops;

/// <summary>
/// The elementwise functions of one tensor, one declaration each: name, synopsis, node, kernels, what it saves and
/// its derivative (as in PyTorch's derivatives.yaml). Adding one is a line here, plus its one-line method on
/// <see cref="Tensor"/> and, when it needs SIMD, a kernel; Invoke-Op and the tests (gradient, float32 against
/// float64, node names, PyTorch's values) pick it up from <see cref="All"/>, and build.ps1 OpReference and
/// build.ps1 Docs regenerate its PyTorch reference data and the docs' op list (docs/architecture.md).
/// </summary>
internal static class UnaryOps
{
    public static readonly UnaryOp Neg = new("Neg", "-x", "NegBackward0",
        UnaryKernels.Of<NegOperator>().WithInt64(static v => -v), Saves.None, static (g, _, _) => g.Neg(), IntegerInputs.Keep)
    { BoolError = "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead." };

    public static readonly UnaryOp Exp = new("Exp", "e ** x", "ExpBackward0",
        UnaryKernels.Of<ExpOperator>(), Saves.Result, static (g, _, r) => g.Mul(r));

    public static readonly UnaryOp Log = new("Log", "natural logarithm of x", "LogBackward0",
        UnaryKernels.Of<LogOperator>(), Saves.Input, static (g, x, _) => g.Div(x)) { Domain = SampleDomain.Positive };

    public static readonly UnaryOp Sqrt = new("Sqrt", "square root of x", "SqrtBackward0",
        UnaryKernels.Of<SqrtOperator>(), Saves.Result, static (g, _, r) => g.Div(r.Mul(2L))) { Domain = SampleDomain.Positive };

    public static readonly UnaryOp Abs = new("Abs", "|x|", "AbsBackward0",
        UnaryKernels.Of<AbsOperator>().WithInt64(static v => v < 0 ? unchecked(-v) : v), Saves.Input, static (g, x, _) => g.Mul(x.Sign()), IntegerInputs.Keep)
    { Domain = SampleDomain.AwayFromZero };

    public static readonly UnaryOp Sin = new("Sin", "sine of x", "SinBackward0",
        UnaryKernels.Of<SinOperator>(), Saves.Input, static (g, x, _) => g.Mul(x.Cos()));

    public static readonly UnaryOp Cos = new("Cos", "cosine of x", "CosBackward0",
        UnaryKernels.Of<CosOperator>(), Saves.Input, static (g, x, _) => g.Mul(x.Sin().Neg()));

    public static readonly UnaryOp Tanh = new("Tanh", "hyperbolic tangent of x", "TanhBackward0",
        UnaryKernels.Of<TanhOperator>(), Saves.Result, static (g, _, r) => Tensor.TanhBackward(g, r));

    public static readonly UnaryOp Sigmoid = new("Sigmoid", "1 / (1 + e ** -x)", "SigmoidBackward0",
        UnaryKernels.Of<SigmoidOperator>(), Saves.Result, static (g, _, r) => Tensor.SigmoidBackward(g, r));

    /// <summary>The gradient at 0 is 0, as PyTorch's threshold_backward gives.</summary>
    public static readonly UnaryOp Relu = new("Relu", "max(x, 0)", "ReluBackward0",
        UnaryKernels.Of<ReluOperator>().WithInt64(static v => Math.Max(v, 0)), Saves.Result,
        static (g, _, r) => Tensor.ThresholdBackward(g, r, 0), IntegerInputs.Keep)
    { BoolError = "\"clamp_min_cpu\" not implemented for 'Bool'", Domain = SampleDomain.AwayFromZero };

    public static readonly UnaryOp Sign = new("Sign", "-1, 0 or 1 by the sign of x (zero gradient)", "SignBackward0",
        UnaryKernels.Of<SignOperator>().WithInt64(static v => Math.Sign(v)), Saves.None, null, IntegerInputs.Keep)
    { Domain = SampleDomain.AwayFromZero };

    public static readonly UnaryOp Log1p = new("Log1p", "log(1 + x), precise near 0", "Log1PBackward0",
        UnaryKernels.Of(SpecialFunctions.LogOnePlus), Saves.Input, static (g, x, _) => g.Div(x.Add(1L)));

    public static readonly UnaryOp Expm1 = new("Expm1", "e ** x - 1, precise near 0", "Expm1Backward0",
        UnaryKernels.Of(SpecialFunctions.ExpMinusOne), Saves.Result, static (g, _, r) => g.Mul(r.Add(1L)));

    public static readonly UnaryOp Reciprocal = new("Reciprocal", "1 / x", "ReciprocalBackward0",
        new(static (x, d) => TensorPrimitives.Divide(1f, x, d), static (x, d) => TensorPrimitives.Divide(1.0, x, d)),
        Saves.Result, static (g, _, r) => g.Mul(r.Mul(r).Neg()))
    { Domain = SampleDomain.AwayFromZero };

    public static readonly UnaryOp Rsqrt = new("Rsqrt", "1 / sqrt(x)", "RsqrtBackward0",
        UnaryKernels.Of(static v => 1.0 / Math.Sqrt(v)), Saves.Result, static (g, _, r) => g.Mul(r.Pow(3L).Mul(-0.5)))
    { Domain = SampleDomain.Positive };

    public static readonly UnaryOp Floor = new("Floor", "largest integer <= x (zero gradient)", "FloorBackward0",
        UnaryKernels.Of(Math.Floor), Saves.None, null, IntegerInputs.Copy);

    public static readonly UnaryOp Ceil = new("Ceil", "smallest integer >= x (zero gradient)", "CeilBackward0",
        UnaryKernels.Of(Math.Ceiling), Saves.None, null, IntegerInputs.Copy);

    /// <summary>Half to even, as torch.round.</summary>
    public static readonly UnaryOp Round = new("Round", "x rounded half to even (zero gradient)", "RoundBackward0",
        UnaryKernels.Of(static v => Math.Round(v, MidpointRounding.ToEven)), Saves.None, null, IntegerInputs.Copy);

    public static readonly UnaryOp Silu = new("Silu", "x * sigmoid(x)", "SiluBackward0",
        UnaryKernels.Of(static v => v / (1.0 + Math.Exp(-v))), Saves.Input, static (g, x, _) =>
        {
            var sig = x.Sigmoid();
            return g.Mul(sig).Mul(x.Mul(sig.RSub(1L)).Add(1L));
        }, IntegerInputs.Refuse)
    { Torch = "torch.nn.functional.silu(x)", TorchKernel = "silu_cpu" };

    public static readonly UnaryOp Erf = new("Erf", "error function of x", "ErfBackward0",
        UnaryKernels.Of(SpecialFunctions.Erf), Saves.Input, static (g, x, _) => g.Mul(x.Mul(x).Neg().Exp().Mul(2 / Math.Sqrt(Math.PI))));

    /// <summary>Every op above, in declaration order.</summary>
    public static IReadOnlyList<UnaryOp> All { get; } = typeof(UnaryOps)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(UnaryOp))
        .Select(f => (UnaryOp)f.GetValue(null)!)
        .ToArray();
}
