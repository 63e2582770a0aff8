using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.PowerShell.Ops;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Applies a tensor operation by name to each tensor from the pipeline: $x | Invoke-Op Pow 2.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Op", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor))]
public sealed class InvokeOpCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    private OpDefinition? _op;
    private object? _other;

    /// <summary>The op (case-insensitive): Add, Sub, Mul, Div, Pow, MatMul, Neg, Exp, Log, ..., Reshape, Sum, Mean.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(OpNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>The second operand of a binary op: a tensor, a number (integral → long, fractional → double) or nested array.</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 1)]
    public object? Other { get; set; }

    /// <summary>The tensor the op applies to.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, ValueFromPipeline = true)]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>Dims a reduction (Sum, Mean) reduces over; negative dims count from the end.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowEmptyCollection]
    public int[]? Dim { get; set; }

    /// <summary>Keeps reduced dims with size 1.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter KeepDim { get; set; }

    /// <summary>The target shape of Reshape (one dim may be -1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowEmptyCollection]
    public int[]? Shape { get; set; }

    /// <summary>Resolves the op and checks its arguments once, before any pipeline input.</summary>
    protected override void BeginProcessing()
    {
        if (!OpRegistry.TryGet(Name, out var op))
            Fail("UnknownOp", ErrorCategory.InvalidArgument, Name,
                $"Unknown op '{Name}'. Valid ops: {string.Join(", ", OpRegistry.All.Select(o => o.Name))}.");
        _op = op;

        var bound = MyInvocation.BoundParameters;
        CheckParameter(OpParameters.Other, nameof(Other), bound.ContainsKey(nameof(Other)));
        CheckParameter(OpParameters.Dim, nameof(Dim), bound.ContainsKey(nameof(Dim)));
        CheckParameter(OpParameters.KeepDim, nameof(KeepDim), KeepDim.IsPresent);
        CheckParameter(OpParameters.Shape, nameof(Shape), bound.ContainsKey(nameof(Shape)));

        if (bound.ContainsKey(nameof(Other)))
            _other = NormalizeOther(Other);
    }

    protected override void ProcessRecord()
    {
        var op = _op!;
        var args = new OpArguments(InputObject, _other, Dim, KeepDim.IsPresent, Shape);
        WriteTensor(Engine(() => op.Apply(args), _other ?? InputObject));
    }

    private void CheckParameter(OpParameters parameter, string name, bool given)
    {
        var op = _op!;
        if (given && !op.Accepts(parameter))
            Fail("UnexpectedParameter", ErrorCategory.InvalidArgument, Name,
                $"The op {op.Name} does not take -{name}. {Usage(op)}");
        if (!given && op.Requires(parameter))
            Fail("Missing" + name, ErrorCategory.InvalidArgument, Name,
                $"The op {op.Name} needs -{name}. {Usage(op)}");
    }

    private static string Usage(OpDefinition op)
    {
        var parts = new List<string> { $"Usage: $x | Invoke-Op {op.Name}" };
        if (op.Requires(OpParameters.Other)) parts.Add("<tensor or number>");
        if (op.Requires(OpParameters.Shape)) parts.Add("-Shape <int[]>");
        if (op.Accepts(OpParameters.Dim) && !op.Requires(OpParameters.Dim)) parts.Add("[-Dim <int[]>]");
        if (op.Accepts(OpParameters.KeepDim)) parts.Add("[-KeepDim]");
        return string.Join(" ", parts) + $" ({op.Synopsis}).";
    }

    /// <summary>
    /// -Other as the registry expects it: a Tensor, a long (integral number, so int64 tensors stay int64), a double
    /// (fractional number) or a bool; arrays become tensors as New-Tensor would make them.
    /// </summary>
    private object NormalizeOther(object? other)
    {
        var value = TensorData.Unwrap(other);
        if (value is Tensor t) return t;
        if (value is null)
            Fail("NullOther", ErrorCategory.InvalidArgument, null, $"-Other cannot be null for the op {_op!.Name}.");
        if (TensorData.TryGetNumber(value, out var number)) return number;
        return Engine(() =>
        {
            var parsed = TensorData.Parse(value);
            return parsed.ToTensor(parsed.InferredDType, parsed.Shape);
        }, other);
    }
}
