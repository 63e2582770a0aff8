namespace AutoGrad.Ops;

/// <summary>
/// The ops by case-insensitive name: what Invoke-Op runs and completes, what the docs list, and what the tests
/// check against PyTorch. Elementwise unary ops come from <see cref="UnaryOps"/>; the others are entries here.
/// </summary>
public static class OpTable
{
    private static readonly OpInfo[] s_ops =
    [
        // x (op) other: other is a tensor, an integral number (long overload) or a fractional one (double).
        Binary("Add", "x + other", static (a, b) => a.Add(b), static (a, d) => a.Add(d), static (a, l) => a.Add(l)),
        Binary("Sub", "x - other", static (a, b) => a.Sub(b), static (a, d) => a.Sub(d), static (a, l) => a.Sub(l)),
        Binary("Mul", "x * other", static (a, b) => a.Mul(b), static (a, d) => a.Mul(d), static (a, l) => a.Mul(l)),
        Binary("Div", "x / other", static (a, b) => a.Div(b), static (a, d) => a.Div(d), static (a, l) => a.Div(l)),
        Binary("Pow", "x ** other", static (a, b) => a.Pow(b), static (a, d) => a.Pow(d), static (a, l) => a.Pow(l)),
        TensorBinary("MatMul", "x @ other (matrix product; other must be a tensor)", static (a, b) => a.MatMul(b)),

        // The elementwise functions of one tensor, declared in UnaryOps.
        .. UnaryOps.All.Select(static u => u.Info),

        Unary("T", "x.T: transpose of a matrix (0-d and 1-d tensors unchanged)", static x => x.T()),

        Unary("Square", "x ** 2", static x => x.Square()),
        Unary("Detach", "x cut from the graph: same values, no grad_fn, no requires_grad", static x => x.Detach()),
        new("Clamp", "x limited to [-Min, -Max]; bounds are numbers or tensors, at least one given",
            OpArgs.None, OpArgs.Min | OpArgs.Max, static a => Clamp(a)),
        TensorBinary("Maximum", "elementwise max(x, other) (other must be a tensor)", static (a, b) => a.Maximum(b)),
        TensorBinary("Minimum", "elementwise min(x, other) (other must be a tensor)", static (a, b) => a.Minimum(b)),
        new("Where", "torch.where(-Condition, x, -Other): x where the Bool condition holds, else other",
            OpArgs.Condition | OpArgs.Other, OpArgs.None,
            static a => Tensor.Where(a.Condition!, a.Input, AsTensor(a.Other!, a.Input))),

        Comparison("Eq", "x == other (Bool)", static (a, b) => a.Eq(b), static (a, d) => a.Eq(d)),
        Comparison("Ne", "x != other (Bool)", static (a, b) => a.Ne(b), static (a, d) => a.Ne(d)),
        Comparison("Gt", "x > other (Bool)", static (a, b) => a.Gt(b), static (a, d) => a.Gt(d)),
        Comparison("Ge", "x >= other (Bool)", static (a, b) => a.Ge(b), static (a, d) => a.Ge(d)),
        Comparison("Lt", "x < other (Bool)", static (a, b) => a.Lt(b), static (a, d) => a.Lt(d)),
        Comparison("Le", "x <= other (Bool)", static (a, b) => a.Le(b), static (a, d) => a.Le(d)),

        new("Reshape", "x.reshape(-Shape); one dim may be -1", OpArgs.Shape, OpArgs.None,
            static a => a.Input.Reshape(a.Shape!)),
        new("View", "x.view(-Shape); one dim may be -1", OpArgs.Shape, OpArgs.None,
            static a => a.Input.View(a.Shape!)),
        new("Expand", "x.expand(-Shape): size-1 dims repeated; -1 keeps a size", OpArgs.Shape, OpArgs.None,
            static a => a.Input.Expand(a.Shape!)),
        new("Unsqueeze", "x with a size-1 dim inserted at -Dim", OpArgs.Dim, OpArgs.None,
            static a => a.Input.Unsqueeze(a.Dim![0])) { SingleDim = true },
        new("Squeeze", "x without its size-1 dims, or only dim -Dim if its size is 1", OpArgs.None, OpArgs.Dim,
            static a => a.Dim is null ? a.Input.Squeeze() : a.Input.Squeeze(a.Dim[0])) { SingleDim = true },
        new("Permute", "x with its dims reordered as -Dims", OpArgs.Dims, OpArgs.None,
            static a => a.Input.Permute(a.Dims!)),
        new("Transpose", "x with dims -Dim0 and -Dim1 swapped", OpArgs.Dim0 | OpArgs.Dim1, OpArgs.None,
            static a => a.Input.Transpose(a.Dim0, a.Dim1)),
        new("Flatten", "x with dims -StartDim..-EndDim (default all) merged into one",
            OpArgs.None, OpArgs.StartDim | OpArgs.EndDim,
            static a => a.Input.Flatten(a.StartDim, a.EndDim)),
        new("Select", "x[..., -Index, ...] along -Dim: that dim removed", OpArgs.Dim | OpArgs.Index,
            OpArgs.None, static a => a.Input.Select(a.Dim![0], SingleIndex("select", a.Index))) { SingleDim = true },
        new("Narrow", "-Length entries of x along -Dim from -Start (x[..., start:start+length])",
            OpArgs.Dim | OpArgs.Start | OpArgs.Length, OpArgs.None,
            static a => a.Input.Narrow(a.Dim![0], a.Start, a.Length)) { SingleDim = true },
        new("IndexSelect", "entries of x along -Dim picked by -Index (int array or Int64 tensor)",
            OpArgs.Dim | OpArgs.Index, OpArgs.None, static a => IndexSelect(a)) { SingleDim = true },

        Reduction("Sum", "sum of x, over -Dim if given, -KeepDim keeps reduced dims",
            static x => x.Sum(), static (x, dims, keep) => x.Sum(dims, keep)),
        Reduction("Mean", "mean of x (floating dtypes), over -Dim if given, -KeepDim keeps reduced dims",
            static x => x.Mean(), static (x, dims, keep) => x.Mean(dims, keep)),
        new("Max", "largest element; with -Dim the values along it (-WithIndices: values and indices); with -Other a tensor, Maximum",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.WithIndices | OpArgs.Other,
            static a => Extreme(a, isMax: true)) { SingleDim = true },
        new("Min", "smallest element; with -Dim the values along it (-WithIndices: values and indices); with -Other a tensor, Minimum",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.WithIndices | OpArgs.Other,
            static a => Extreme(a, isMax: false)) { SingleDim = true },
        new("ArgMax", "index of the largest element (of the flattened x, or along -Dim)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim,
            static a => OneDimOrAll(a, "argmax", static x => x.ArgMax(), static (x, d, k) => x.ArgMax(d, k))) { SingleDim = true },
        new("ArgMin", "index of the smallest element (of the flattened x, or along -Dim)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim,
            static a => OneDimOrAll(a, "argmin", static x => x.ArgMin(), static (x, d, k) => x.ArgMin(d, k))) { SingleDim = true },
        new("Prod", "product of the elements, or along -Dim",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim,
            static a => OneDimOrAll(a, "prod", static x => x.Prod(), static (x, d, k) => x.Prod(d, k))) { SingleDim = true },
        new("Amax", "largest values over -Dim (all dims when omitted); ties share the gradient",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim, static a => a.Input.Amax(a.Dim, a.KeepDim)),
        new("Amin", "smallest values over -Dim (all dims when omitted); ties share the gradient",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim, static a => a.Input.Amin(a.Dim, a.KeepDim)),
        new("LogSumExp", "log(sum(exp(x))) over -Dim, computed stably", OpArgs.Dim, OpArgs.KeepDim,
            static a => a.Input.LogSumExp(a.Dim!, a.KeepDim)),
        new("Var", "variance over -Dim (all dims when omitted), divisor N - -Correction (default 1)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.Correction,
            static a => a.Input.Var(a.Dim, a.Correction, a.KeepDim)),
        new("Std", "standard deviation over -Dim (all dims when omitted), divisor N - -Correction (default 1)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.Correction,
            static a => a.Input.Std(a.Dim, a.Correction, a.KeepDim)),
        new("Norm", "p-norm (-P, default 2) over -Dim (all dims when omitted)",
            OpArgs.None, OpArgs.P | OpArgs.Dim | OpArgs.KeepDim,
            static a => a.Input.Norm(a.P, a.Dim, a.KeepDim)),

        TensorBinary("Dot", "dot product of two 1-d tensors", static (a, b) => a.Dot(b)),
        TensorBinary("Outer", "outer product of two 1-d tensors", static (a, b) => a.Outer(b)),
        TensorBinary("Bmm", "batched matrix product of [b,n,m] and [b,m,p] tensors", static (a, b) => a.Bmm(b)),

        new("Softmax", "exp(x) / sum(exp(x)) along -Dim", OpArgs.Dim, OpArgs.None,
            static a => a.Input.Softmax(a.Dim![0])) { SingleDim = true },
        new("LogSoftmax", "log(softmax(x)) along -Dim, computed stably", OpArgs.Dim, OpArgs.None,
            static a => a.Input.LogSoftmax(a.Dim![0])) { SingleDim = true },
        new("LeakyRelu", "x if x > 0 else -NegativeSlope * x (default 0.01)", OpArgs.None,
            OpArgs.NegativeSlope, static a => a.Input.LeakyRelu(a.NegativeSlope)),
        new("Gelu", "x * Phi(x); -Approximate tanh for the tanh formula", OpArgs.None, OpArgs.Approximate,
            static a => a.Input.Gelu(a.Approximate)),
        new("Softplus", "log(1 + e ** (beta * x)) / beta with -Beta (default 1); linear above -Threshold (default 20)",
            OpArgs.None, OpArgs.Beta | OpArgs.Threshold, static a => a.Input.Softplus(a.Beta, a.Threshold)),

        Loss("MseLoss", "mean squared error against -Target", static (x, t, r) => x.MseLoss(t, r)),
        Loss("L1Loss", "mean absolute error against -Target", static (x, t, r) => x.L1Loss(t, r)),
        ClassLoss("NllLoss", "negative log likelihood of log-probabilities [N,C] at Int64 class -Target [N]",
            static (x, t, r, i) => x.NllLoss(t, r, i)),
        ClassLoss("CrossEntropy", "cross entropy of logits [N,C] and Int64 class -Target [N]",
            static (x, t, r, i) => x.CrossEntropy(t, r, i)),
        Loss("BinaryCrossEntropyWithLogits", "binary cross entropy of logits x and probabilities -Target",
            static (x, t, r) => x.BinaryCrossEntropyWithLogits(t, r)),

        new("To", "x converted to -DType (a copy that keeps the graph)", OpArgs.DType, OpArgs.None,
            static a => a.Input.To(a.DType)),
    ];

    private static readonly Dictionary<string, OpInfo> s_byName =
        s_ops.ToDictionary(op => op.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All ops, sorted by name (completion order).</summary>
    public static IReadOnlyList<OpInfo> All { get; } =
        s_ops.OrderBy(op => op.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    public static bool TryGet(string? name, out OpInfo op)
    {
        op = null!;
        return name is not null && s_byName.TryGetValue(name.Trim(), out op!);
    }

    /// <summary>Like <see cref="TryGet"/> for names that are known to exist (the Measure-* cmdlets).</summary>
    public static OpInfo Get(string name) => s_byName[name];

    // ---- entry helpers ----------------------------------------------------------------------------------------

    private static OpInfo Unary(string name, string synopsis, Func<Tensor, Tensor> apply) =>
        new(name, synopsis, OpArgs.None, OpArgs.None, a => apply(a.Input));

    private static OpInfo Binary(string name, string synopsis, Func<Tensor, Tensor, Tensor> tensor,
        Func<Tensor, double, Tensor> fractional, Func<Tensor, long, Tensor> integral) =>
        new(name, synopsis, OpArgs.Other, OpArgs.None, a => a.Other switch
        {
            Tensor t => tensor(a.Input, t),
            long l => integral(a.Input, l),
            double d => fractional(a.Input, d),
            bool b => tensor(a.Input, Tensor.FromArray(new[] { b })),
            _ => throw NotAnOperand(name, a.Other),
        });

    /// <summary>An op whose other operand must be a tensor (torch.matmul rejects plain numbers).</summary>
    private static OpInfo TensorBinary(string name, string synopsis, Func<Tensor, Tensor, Tensor> tensor) =>
        new(name, synopsis, OpArgs.Other, OpArgs.None, a => a.Other is Tensor t
            ? tensor(a.Input, t)
            : throw new TorchException(TorchErrorKind.TypeError, "ArgumentNotTensor",
                $"{name.ToLowerInvariant()}(): argument 'other' (position 1) must be Tensor, not {PythonTypeName(a.Other)}"));

    /// <summary>A reduction over all elements, or over -Dim (all dims when only -KeepDim is given).</summary>
    private static OpInfo Reduction(string name, string synopsis, Func<Tensor, Tensor> all,
        Func<Tensor, int[], bool, Tensor> overDims) =>
        new(name, synopsis, OpArgs.None, OpArgs.Dim | OpArgs.KeepDim, a =>
            a.Dim is null && !a.KeepDim ? all(a.Input) : overDims(a.Input, a.Dim ?? [], a.KeepDim));

    /// <summary>A comparison: other is a tensor or a number; the result is Bool and never records a graph.</summary>
    private static OpInfo Comparison(string name, string synopsis, Func<Tensor, Tensor, Tensor> tensor,
        Func<Tensor, double, Tensor> number) =>
        new(name, synopsis, OpArgs.Other, OpArgs.None, a => a.Other switch
        {
            Tensor t => tensor(a.Input, t),
            // An integer as a 0-d Int64 tensor, like a Python int: int64 and bool tensors compare as int64, and a
            // float tensor still compares in its own dtype (0-d int is a lower category).
            long l => tensor(a.Input, Tensor.FromArray(new[] { l }, Array.Empty<int>())),
            double d => number(a.Input, d),
            bool b => tensor(a.Input, Tensor.FromArray(new[] { b }, Array.Empty<int>())),
            _ => throw NotAnOperand(name, a.Other),
        });

    /// <summary>A loss against -Target with -Reduction (Mean by default).</summary>
    private static OpInfo Loss(string name, string synopsis, Func<Tensor, Tensor, Reduction, Tensor> loss) =>
        new(name, synopsis + "; -Reduction Mean (default), Sum or None", OpArgs.Target, OpArgs.Reduction,
            a => loss(a.Input, a.Target!, a.Reduction));

    /// <summary>A loss against class indices: -Target, -Reduction and -IgnoreIndex (default -100).</summary>
    private static OpInfo ClassLoss(string name, string synopsis, Func<Tensor, Tensor, Reduction, long, Tensor> loss) =>
        new(name, synopsis + "; -Reduction Mean (default), Sum or None; -IgnoreIndex skips a class", OpArgs.Target,
            OpArgs.Reduction | OpArgs.IgnoreIndex, a => loss(a.Input, a.Target!, a.Reduction, a.IgnoreIndex));

    /// <summary>torch.clamp: number bounds (ClampBackward1), or tensor bounds (ClampBackward0) when either is a tensor.</summary>
    private static Tensor Clamp(OpCall a)
    {
        if (a.Min is Tensor || a.Max is Tensor)
            return a.Input.Clamp(a.Min is null ? null : AsTensor(a.Min, a.Input), a.Max is null ? null : AsTensor(a.Max, a.Input));
        return a.Input.Clamp(AsDouble(a.Min), AsDouble(a.Max));
    }

    private static double? AsDouble(object? number) => number switch
    {
        null => null,
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new ArgumentOutOfRangeException(nameof(number)),
    };

    /// <summary>A number as a 0-d tensor beside <paramref name="like"/> (its dtype where that keeps the value).</summary>
    private static Tensor AsTensor(object value, Tensor like) => value switch
    {
        Tensor t => t,
        bool b => Tensor.FromArray(new[] { b }, Array.Empty<int>()),
        long l => Tensor.Scalar(l, like.DType == DType.Bool ? DType.Int64 : like.DType),
        double d => Tensor.Scalar(d, like.DType.IsFloating() ? like.DType : DTypes.DefaultFloat),
        _ => throw new ArgumentOutOfRangeException(nameof(value)),
    };

    /// <summary>The one integer index of select(): a number or a one-element Int64 tensor.</summary>
    private static int SingleIndex(string function, object? index) => index switch
    {
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        Tensor { DType: DType.Int64, NumElements: 1 } t => (int)(long)t.Item(),
        _ => throw new TorchException(TorchErrorKind.TypeError, "IndexNotInt",
            $"{function}(): argument 'index' (position 2) must be int, not {PythonTypeName(index)}"),
    };

    private static Tensor IndexSelect(OpCall a) => a.Index switch
    {
        Tensor t => a.Input.IndexSelect(a.Dim![0], t),
        long l => a.Input.IndexSelect(a.Dim![0], [l]),
        long[] ls => a.Input.IndexSelect(a.Dim![0], ls),
        _ => throw new TorchException(TorchErrorKind.TypeError, "IndexNotInt",
            $"index_select(): argument 'index' (position 3) must be Tensor, not {PythonTypeName(a.Index)}"),
    };

    /// <summary>max/min: of all elements, or along -Dim (the values, or with -WithIndices values and indices).</summary>
    private static object Extreme(OpCall a, bool isMax)
    {
        var function = isMax ? "max" : "min";
        if (a.Other is not null)
        {
            // torch.max(input, other) is torch.maximum: elementwise, MaximumBackward0.
            if (a.Dim is not null || a.KeepDim || a.WithIndices)
                throw new TorchException(TorchErrorKind.TypeError, "OtherWithDim", $"{function}(): -Other cannot be combined with -Dim, -KeepDim or -WithIndices");
            if (a.Other is not Tensor other)
                throw new TorchException(TorchErrorKind.TypeError, "ArgumentNotTensor",
                    $"{function}(): argument 'other' (position 1) must be Tensor, not {PythonTypeName(a.Other)}");
            return isMax ? a.Input.Maximum(other) : a.Input.Minimum(other);
        }
        if (a.Dim is null)
        {
            if (a.KeepDim || a.WithIndices) throw NeedsDim(function, a.KeepDim ? "KeepDim" : "WithIndices");
            return isMax ? a.Input.Max() : a.Input.Min();
        }
        var r = isMax ? a.Input.Max(a.Dim[0], a.KeepDim) : a.Input.Min(a.Dim[0], a.KeepDim);
        return a.WithIndices ? new ValuesIndicesResult(function, r.Values, r.Indices) : r.Values;
    }

    /// <summary>An op over all elements, or along the one -Dim (-KeepDim only with -Dim).</summary>
    private static Tensor OneDimOrAll(OpCall a, string function, Func<Tensor, Tensor> all,
        Func<Tensor, int, bool, Tensor> alongDim)
    {
        if (a.Dim is not null) return alongDim(a.Input, a.Dim[0], a.KeepDim);
        if (a.KeepDim) throw NeedsDim(function, "KeepDim");
        return all(a.Input);
    }

    private static TorchException NeedsDim(string function, string parameter) =>
        new(TorchErrorKind.TypeError, "NeedsDim", $"{function}(): -{parameter} needs -Dim");

    private static TorchException NotAnOperand(string name, object? other) =>
        new(TorchErrorKind.TypeError, "ArgumentNotTensor",
            $"{name.ToLowerInvariant()}(): argument 'other' must be Tensor or Number, not {PythonTypeName(other)}");

    private static string PythonTypeName(object? value) => value switch
    {
        null => "NoneType",
        long => "int",
        long[] => "list",
        Tensor => "Tensor",
        double => "float",
        bool => "bool",
        _ => value.GetType().Name,
    };
}
