using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;
using AutoGrad.Ops;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Applies a tensor operation by name to each tensor from the pipeline: $x | Invoke-Op Pow 2.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Op", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Tensor), typeof(ValuesIndicesResult))]
public sealed class InvokeOpCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    private OpInfo? _op;
    private OpCall? _args;

    /// <summary>The op (case-insensitive), PyTorch's function name in PascalCase: Add, MatMul, Softmax, CrossEntropy, ...</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(OpNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>The second operand of a binary op: a tensor, a number (integral → long, fractional → double) or nested array.</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 1)]
    public object? Other { get; set; }

    /// <summary>The tensor the op applies to.</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, ValueFromPipeline = true)]
    [TensorArgument]
    public Tensor InputObject { get; set; } = null!;

    /// <summary>The dim(s) an op works along: reductions take several, Softmax, Select, ... one; negative dims count from the end.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowEmptyCollection]
    public int[]? Dim { get; set; }

    /// <summary>Keeps reduced dims with size 1.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter KeepDim { get; set; }

    /// <summary>The target shape of Reshape, View and Expand (one dim may be -1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowEmptyCollection]
    public int[]? Shape { get; set; }

    /// <summary>Clamp's lower bound: a number or a tensor (broadcast).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public object? Min { get; set; }

    /// <summary>Clamp's upper bound: a number or a tensor (broadcast).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public object? Max { get; set; }

    /// <summary>Permute's new order of dims.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowEmptyCollection]
    public int[]? Dims { get; set; }

    /// <summary>Transpose's first dim.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int Dim0 { get; set; }

    /// <summary>Transpose's second dim.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int Dim1 { get; set; }

    /// <summary>Flatten's first dim (default 0).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int StartDim { get; set; }

    /// <summary>Flatten's last dim (default -1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int EndDim { get; set; } = -1;

    /// <summary>Select's index (an integer), or IndexSelect's indices (integers or an Int64 tensor).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public object? Index { get; set; }

    /// <summary>Narrow's first index.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int Start { get; set; }

    /// <summary>Narrow's number of entries.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int Length { get; set; }

    /// <summary>A loss's target: a tensor or data (class indices become Int64).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [TensorTransformation]
    public Tensor? Target { get; set; }

    /// <summary>A loss's reduction: Mean (default), Sum or None.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ArgumentCompleter(typeof(ReductionCompleter))]
    public string? Reduction { get; set; }

    /// <summary>Where's Bool condition: a tensor or data such as $true, $false.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [TensorTransformation]
    public Tensor? Condition { get; set; }

    /// <summary>To's dtype: Float32, Float64, Int64 or Bool (also torch.float64, double, [long] ...).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [DTypeTransformation]
    public DType DType { get; set; }

    /// <summary>Var/Std: the divisor is N - Correction (default 1, Bessel's correction).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Correction { get; set; } = 1;

    /// <summary>Norm's p (default 2).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double P { get; set; } = 2;

    /// <summary>LeakyRelu's slope for negative inputs (default 0.01).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double NegativeSlope { get; set; } = 0.01;

    /// <summary>Gelu's formula: none (exact, default) or tanh.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ArgumentCompleter(typeof(ApproximateCompleter))]
    public string Approximate { get; set; } = "none";

    /// <summary>Max/Min with -Dim: writes values and indices (torch.return_types.max) instead of the values.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter WithIndices { get; set; }

    /// <summary>Softplus's beta (default 1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Beta { get; set; } = 1;

    /// <summary>Softplus's threshold above which it is linear (default 20).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Threshold { get; set; } = 20;

    /// <summary>NllLoss/CrossEntropy: a target class that contributes nothing (default -100).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public long IgnoreIndex { get; set; } = -100;

    /// <summary>Each op argument with its parameter's name, made once: Enum.GetValues and ToString per call were a
    /// measurable part of a call on small tensors.</summary>
    private static readonly (OpArgs Arg, string Name)[] s_opArgs =
        Enum.GetValues<OpArgs>().Where(a => a != OpArgs.None).Select(a => (a, a.ToString())).ToArray();

    /// <summary>Resolves the op and checks its arguments once, before any pipeline input.</summary>
    protected override void BeginProcessing()
    {
        if (!OpTable.TryGet(Name, out var op))
            Fail("UnknownOp", ErrorCategory.InvalidArgument, Name,
                $"Unknown op '{Name}'. Valid ops: {string.Join(", ", OpTable.All.Select(o => o.Name))}.");
        _op = op;

        var bound = MyInvocation.BoundParameters;
        foreach (var (parameter, name) in s_opArgs)
        {
            bool given = bound.TryGetValue(name, out var value)
                && (value is not SwitchParameter s || s.IsPresent);
            CheckParameter(parameter, name, given);
        }
        // -Dim $null given explicitly is no dim either.
        if (op.SingleDim && bound.ContainsKey(nameof(Dim)) && Dim is not { Length: 1 })
            Fail("DimCount", ErrorCategory.InvalidArgument, Dim,
                $"The op {op.Name} takes one -Dim, got {Dim?.Length ?? 0}. {Usage(op)}");

        var reduction = AutoGrad.Reduction.Mean;
        if (Reduction is not null)
            reduction = Engine(() => Tensor.ParseReduction(Reduction), Reduction);

        _args = new OpCall(null!, bound.ContainsKey(nameof(Other)) ? Normalize(Other, nameof(Other)) : null,
            Dim, KeepDim.IsPresent, Shape)
        {
            Min = bound.ContainsKey(nameof(Min)) ? Normalize(Min, nameof(Min)) : null,
            Max = bound.ContainsKey(nameof(Max)) ? Normalize(Max, nameof(Max)) : null,
            Dims = Dims,
            Dim0 = Dim0,
            Dim1 = Dim1,
            StartDim = StartDim,
            EndDim = EndDim,
            Index = bound.ContainsKey(nameof(Index)) ? NormalizeIndex(Index) : null,
            Start = Start,
            Length = Length,
            Target = Target,
            Reduction = reduction,
            Condition = Condition,
            DType = DType,
            Correction = Correction,
            P = P,
            NegativeSlope = NegativeSlope,
            Approximate = Approximate,
            WithIndices = WithIndices.IsPresent,
            Beta = Beta,
            Threshold = Threshold,
            IgnoreIndex = IgnoreIndex,
        };
    }

    protected override void ProcessRecord()
    {
        var op = _op!;
        var args = _args! with { Input = InputObject };
        var result = Engine(() => op.Apply(args), args.Other ?? InputObject);
        if (result is Tensor t) WriteTensor(t);
        else WriteObject(result);
    }

    private void CheckParameter(OpArgs parameter, string name, bool given)
    {
        var op = _op!;
        if (given && !op.Accepts(parameter))
            Fail("UnexpectedParameter", ErrorCategory.InvalidArgument, Name,
                $"The op {op.Name} does not take -{name}. {Usage(op)}");
        if (!given && op.Requires(parameter))
            Fail("Missing" + name, ErrorCategory.InvalidArgument, Name,
                $"The op {op.Name} needs -{name}. {Usage(op)}");
    }

    /// <summary>"Usage: $x | Invoke-Op Clamp [-Min &lt;number or tensor&gt;] ... (synopsis)." from the op's parameters.</summary>
    private static string Usage(OpInfo op) => OpSignature.Of(op).Usage;

    /// <summary>
    /// How an op is called: "Clamp [-Min &lt;number or tensor&gt;] [-Max &lt;number or tensor&gt;]" (each line of the
    /// docs' op list; the same arguments as the usage in error messages and Get-TensorOp's Syntax).
    /// </summary>
    public static string Signature(OpInfo op) =>
        OpSignature.Of(op).Arguments is { Length: > 0 } arguments ? $"{op.Name} {arguments}" : op.Name;

    /// <summary>-Index as the registry expects it: a Tensor, a long, or a tensor made from data (integers → Int64).</summary>
    private object NormalizeIndex(object? index)
    {
        var value = TensorData.Unwrap(index);
        if (value is Tensor t) return t;
        if (value is null)
            Fail("NullIndex", ErrorCategory.InvalidArgument, null, $"-Index cannot be null for the op {_op!.Name}.");
        if (TensorData.TryGetNumber(value, out var number) && number is long l) return l;
        return Engine(() =>
        {
            var parsed = TensorData.Parse(value);
            return parsed.ToTensor(parsed.InferredDType, parsed.Shape);
        }, index);
    }

    /// <summary>
    /// -Other as the registry expects it: a Tensor, a long (integral number, so int64 tensors stay int64), a double
    /// (fractional number) or a bool; arrays become tensors as New-Tensor would make them.
    /// </summary>
    private object Normalize(object? other, string parameter)
    {
        var value = TensorData.Unwrap(other);
        if (value is Tensor t) return t;
        if (value is null)
            Fail("Null" + parameter, ErrorCategory.InvalidArgument, null, $"-{parameter} cannot be null for the op {_op!.Name}.");
        if (TensorData.TryGetNumber(value, out var number)) return number;
        return Engine(() =>
        {
            var parsed = TensorData.Parse(value);
            return parsed.ToTensor(parsed.InferredDType, parsed.Shape);
        }, other);
    }
}
