using System.Management.Automation;
using AutoGrad;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a tensor from data (torch.tensor) or filled with zeros, ones, a value or random numbers.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "Tensor", DefaultParameterSetName = DataSet)]
[OutputType(typeof(Tensor))]
public sealed class NewTensorCommand : AutoGradCmdlet
{
    public const string DataSet = "Data";
    public const string ZerosSet = "Zeros";
    public const string OnesSet = "Ones";
    public const string FillSet = "Fill";
    public const string RandSet = "Rand";
    public const string RandNSet = "RandN";

    private DType _dtype;
    private bool _dtypeGiven;

    /// <summary>A number, a flat or rectangular nested array, or a tensor (copied). Each pipeline object is one tensor.</summary>
    [Parameter(ParameterSetName = DataSet, Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public object? Data { get; set; }

    [Parameter(ParameterSetName = ZerosSet, Mandatory = true)]
    public SwitchParameter Zeros { get; set; }

    [Parameter(ParameterSetName = OnesSet, Mandatory = true)]
    public SwitchParameter Ones { get; set; }

    /// <summary>The value every element gets (torch.full); its type picks the dtype unless -DType is given.</summary>
    [Parameter(ParameterSetName = FillSet, Mandatory = true)]
    public object? Fill { get; set; }

    /// <summary>Uniform random numbers in [0, 1) (torch.rand).</summary>
    [Parameter(ParameterSetName = RandSet, Mandatory = true)]
    public SwitchParameter Rand { get; set; }

    /// <summary>Standard normal random numbers (torch.randn).</summary>
    [Parameter(ParameterSetName = RandNSet, Mandatory = true)]
    public SwitchParameter RandN { get; set; }

    /// <summary>The sizes; with -Data, flat data is laid out in this shape (one dim may be -1).</summary>
    [Parameter(ParameterSetName = DataSet)]
    [Parameter(ParameterSetName = ZerosSet, Mandatory = true, Position = 0)]
    [Parameter(ParameterSetName = OnesSet, Mandatory = true, Position = 0)]
    [Parameter(ParameterSetName = FillSet, Mandatory = true, Position = 0)]
    [Parameter(ParameterSetName = RandSet, Mandatory = true, Position = 0)]
    [Parameter(ParameterSetName = RandNSet, Mandatory = true, Position = 0)]
    [AllowEmptyCollection]
    public int[]? Shape { get; set; }

    /// <summary>Seed for -Rand/-RandN (torch.manual_seed); without it every call differs.</summary>
    [Parameter(ParameterSetName = RandSet)]
    [Parameter(ParameterSetName = RandNSet)]
    public long Seed { get; set; }

    /// <summary>Float32, Float64, Int64 or Bool (also torch.float64, double, long, float, or [double], [long]...).</summary>
    /// <remarks>
    /// Tab completion is PowerShell's own for enum-typed parameters (Float32, Float64, Int64, Bool): it takes
    /// precedence over any [ArgumentCompleter] or Register-ArgumentCompleter, so a custom completer would be dead code.
    /// </remarks>
    [Parameter]
    [DTypeTransformation]
    public DType DType
    {
        get => _dtype;
        set
        {
            _dtype = value;
            _dtypeGiven = true;
        }
    }

    /// <summary>Makes the new tensor a leaf that records operations for autograd (floating dtypes only).</summary>
    [Parameter]
    public SwitchParameter RequiresGrad { get; set; }

    protected override void ProcessRecord()
    {
        var tensor = ParameterSetName switch
        {
            ZerosSet => Engine(() => Tensor.Zeros(Shape!, DTypeOr(DTypes.DefaultFloat), RequiresGrad), Shape),
            OnesSet => Engine(() => Tensor.Ones(Shape!, DTypeOr(DTypes.DefaultFloat), RequiresGrad), Shape),
            FillSet => CreateFilled(),
            RandSet => Engine(() => Tensor.Rand(Shape!, DTypeOr(DTypes.DefaultFloat), SeedOrNull, RequiresGrad), Shape),
            RandNSet => Engine(() => Tensor.RandN(Shape!, DTypeOr(DTypes.DefaultFloat), SeedOrNull, RequiresGrad), Shape),
            _ => CreateFromData(),
        };
        WriteTensor(tensor);
    }

    private long? SeedOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Seed)) ? Seed : null;

    private DType DTypeOr(DType fallback) => _dtypeGiven ? _dtype : fallback;

    private Tensor CreateFilled()
    {
        var fill = TensorData.Unwrap(Fill);
        if (!TensorData.TryGetNumber(fill, out var number))
            Fail("NonNumericData", ErrorCategory.InvalidArgument, Fill,
                $"-Fill needs one number (or a numeric string), got {(fill is null ? "null" : $"'{fill}' of type {fill.GetType().Name}")}.");
        // torch.full infers the dtype from the fill value: 3 → int64, 3.5 → float32, $true → bool. Integers stay
        // integers all the way (9007199254740993 is not a double).
        return number switch
        {
            bool b => Engine(() => Tensor.Full(Shape!, b ? 1L : 0L, DTypeOr(DType.Bool), RequiresGrad), Fill),
            long l => Engine(() => Tensor.Full(Shape!, l, DTypeOr(DType.Int64), RequiresGrad), Fill),
            _ => Engine(() => Tensor.Full(Shape!, (double)number, DTypeOr(DTypes.DefaultFloat), RequiresGrad), Fill),
        };
    }

    private Tensor CreateFromData()
    {
        var data = TensorData.Unwrap(Data);
        if (data is Tensor source) return CopyTensor(source);

        var parsed = Engine(() => TensorData.Parse(data), Data);
        var shape = parsed.Shape;
        if (Shape is not null)
            shape = ResolveShape(Shape, parsed.Count, Data);
        var dtype = DTypeOr(parsed.InferredDType);
        return Engine(() =>
        {
            var t = parsed.ToTensor(dtype, shape);
            if (RequiresGrad) t.RequiresGradOnCreation();
            return t;
        }, Data);
    }

    /// <summary>torch.tensor(t): a detached copy, in -DType if given, reshaped if -Shape is given.</summary>
    private Tensor CopyTensor(Tensor source)
    {
        var shape = Shape is null ? source.Shape : ResolveShape(Shape, source.NumElements, source);
        return Engine(() =>
        {
            var detached = source.Detach();
            var dtype = DTypeOr(source.DType);
            var copy = dtype == detached.DType ? detached.Clone() : detached.To(dtype);
            var t = copy.Reshape(shape);
            if (RequiresGrad) t.RequiresGradOnCreation();
            return t;
        }, source);
    }

    /// <summary>The -Shape for this many elements (one -1 inferred), or NewTensorShapeMismatch.</summary>
    private int[] ResolveShape(int[] requested, int count, object? target)
    {
        try
        {
            return Shapes.InferReshape(requested, count);
        }
        catch (TorchException ex)
        {
            Fail("ShapeMismatch", ErrorCategory.InvalidArgument, target, ex.Message, ex);
            throw; // unreachable: Fail always throws, but C# needs a return path
        }
    }
}
