using AutoGrad;

namespace AutoGrad.PowerShell.Ops;

/// <summary>
/// The ops Invoke-Op knows, by case-insensitive name. Adding an op is one entry in <see cref="s_ops"/>: pick the
/// helper for its shape (Unary, Binary, TensorBinary, Reduction, or a plain <see cref="OpDefinition"/> that says
/// which parameters it needs) and point it at the engine method. Completion and validation follow automatically.
/// </summary>
internal static class OpRegistry
{
    private static readonly OpDefinition[] s_ops =
    [
        // x (op) other: other is a tensor, an integral number (long overload) or a fractional one (double).
        Binary("Add", "x + other", static (a, b) => a.Add(b), static (a, d) => a.Add(d), static (a, l) => a.Add(l)),
        Binary("Sub", "x - other", static (a, b) => a.Sub(b), static (a, d) => a.Sub(d), static (a, l) => a.Sub(l)),
        Binary("Mul", "x * other", static (a, b) => a.Mul(b), static (a, d) => a.Mul(d), static (a, l) => a.Mul(l)),
        Binary("Div", "x / other", static (a, b) => a.Div(b), static (a, d) => a.Div(d), static (a, l) => a.Div(l)),
        Binary("Pow", "x ** other", static (a, b) => a.Pow(b), static (a, d) => a.Pow(d), static (a, l) => a.Pow(l)),
        TensorBinary("MatMul", "x @ other (matrix product; other must be a tensor)", static (a, b) => a.MatMul(b)),

        Unary("Neg", "-x", static x => x.Neg()),
        Unary("Exp", "e ** x", static x => x.Exp()),
        Unary("Log", "natural logarithm of x", static x => x.Log()),
        Unary("Sqrt", "square root of x", static x => x.Sqrt()),
        Unary("Abs", "|x|", static x => x.Abs()),
        Unary("Sin", "sine of x", static x => x.Sin()),
        Unary("Cos", "cosine of x", static x => x.Cos()),
        Unary("Tanh", "hyperbolic tangent of x", static x => x.Tanh()),
        Unary("Sigmoid", "1 / (1 + e ** -x)", static x => x.Sigmoid()),
        Unary("Relu", "max(x, 0)", static x => x.Relu()),
        Unary("T", "x.T: transpose of a matrix (0-d and 1-d tensors unchanged)", static x => x.T()),

        new("Reshape", "x.reshape(-Shape); one dim may be -1", OpParameters.Shape, OpParameters.None,
            static a => a.Input.Reshape(a.Shape!)),

        Reduction("Sum", "sum of x, over -Dim if given, -KeepDim keeps reduced dims",
            static x => x.Sum(), static (x, dims, keep) => x.Sum(dims, keep)),
        Reduction("Mean", "mean of x (floating dtypes), over -Dim if given, -KeepDim keeps reduced dims",
            static x => x.Mean(), static (x, dims, keep) => x.Mean(dims, keep)),
    ];

    private static readonly Dictionary<string, OpDefinition> s_byName =
        s_ops.ToDictionary(op => op.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All ops, sorted by name (completion order).</summary>
    public static IReadOnlyList<OpDefinition> All { get; } =
        s_ops.OrderBy(op => op.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    public static bool TryGet(string? name, out OpDefinition op)
    {
        op = null!;
        return name is not null && s_byName.TryGetValue(name.Trim(), out op!);
    }

    /// <summary>Like <see cref="TryGet"/> for names that are known to exist (the Measure-* cmdlets).</summary>
    public static OpDefinition Get(string name) => s_byName[name];

    // ---- entry helpers ----------------------------------------------------------------------------------------

    private static OpDefinition Unary(string name, string synopsis, Func<Tensor, Tensor> apply) =>
        new(name, synopsis, OpParameters.None, OpParameters.None, a => apply(a.Input));

    private static OpDefinition Binary(string name, string synopsis, Func<Tensor, Tensor, Tensor> tensor,
        Func<Tensor, double, Tensor> fractional, Func<Tensor, long, Tensor> integral) =>
        new(name, synopsis, OpParameters.Other, OpParameters.None, a => a.Other switch
        {
            Tensor t => tensor(a.Input, t),
            long l => integral(a.Input, l),
            double d => fractional(a.Input, d),
            bool b => tensor(a.Input, Tensor.FromArray(new[] { b })),
            _ => throw NotAnOperand(name, a.Other),
        });

    /// <summary>An op whose other operand must be a tensor (torch.matmul rejects plain numbers).</summary>
    private static OpDefinition TensorBinary(string name, string synopsis, Func<Tensor, Tensor, Tensor> tensor) =>
        new(name, synopsis, OpParameters.Other, OpParameters.None, a => a.Other is Tensor t
            ? tensor(a.Input, t)
            : throw new TorchException(TorchErrorKind.TypeError, "ArgumentNotTensor",
                $"{name.ToLowerInvariant()}(): argument 'other' (position 1) must be Tensor, not {PythonTypeName(a.Other)}"));

    /// <summary>A reduction over all elements, or over -Dim (all dims when only -KeepDim is given).</summary>
    private static OpDefinition Reduction(string name, string synopsis, Func<Tensor, Tensor> all,
        Func<Tensor, int[], bool, Tensor> overDims) =>
        new(name, synopsis, OpParameters.None, OpParameters.Dim | OpParameters.KeepDim, a =>
            a.Dim is null && !a.KeepDim ? all(a.Input) : overDims(a.Input, a.Dim ?? [], a.KeepDim));

    private static TorchException NotAnOperand(string name, object? other) =>
        new(TorchErrorKind.TypeError, "ArgumentNotTensor",
            $"{name.ToLowerInvariant()}(): argument 'other' must be Tensor or Number, not {PythonTypeName(other)}");

    private static string PythonTypeName(object? value) => value switch
    {
        null => "NoneType",
        long => "int",
        double => "float",
        bool => "bool",
        _ => value.GetType().Name,
    };
}
