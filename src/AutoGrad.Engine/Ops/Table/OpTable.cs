namespace AutoGrad.Ops;

/// <summary>
/// The ops by case-insensitive name: what Invoke-Op runs and completes, what the docs list, and what the tests
/// check against PyTorch. Elementwise ops of one and two tensors come from <see cref="UnaryOps"/> and
/// <see cref="BinaryOps"/>; the others are entries here, each with its PyTorch expression and sample calls.
/// </summary>
public static class OpTable
{
    private static readonly OpInfo[] s_ops =
    [
        // Elementwise functions of two tensors (add, sub, mul, div, maximum, minimum, comparisons), declared in BinaryOps.
        .. BinaryOps.All.Select(static b => b.Info),

        // x ** other: other is a tensor (PowBackward1) or a number (PowBackward0; 0.5, 2, 3, -1 ... as plain arithmetic).
        new("Pow", "x ** other", OpArgs.Other, OpArgs.None, static a => a.Other switch
        {
            Tensor t => a.Input.Pow(t),
            long l => a.Input.Pow(l),
            double d => a.Input.Pow(d),
            bool b => a.Input.Pow(b ? 1L : 0L),
            _ => throw NotAnOperand("Pow", a.Other),
        })
        {
            Family = OpFamily.Arithmetic, Torch = "torch.pow(x, other)", Domain = SampleDomain.Positive,
            Samples = static s =>
            [
                .. OpSamples.Binary(SampleDomain.Positive, SampleDomain.Any, numbers: true)(s),
                s.Call("square root", new(s.X(SampleDomain.Positive, 2, 3), 0.5)),
                s.Call("cube", new(s.X(SampleDomain.Positive, 2, 3), 3L)),
                s.Call("reciprocal", new(s.X(SampleDomain.Positive, 2, 3), -1L)),
                s.Call("transposed squared", new(s.Transposed(SampleDomain.Positive, 2, 3), 2L)),
                s.Call("int64 base", new(s.Integers(SampleDomain.Positive, 2, 3), 2L)),
                s.Call("int64 negative exponent", new(s.Integers(SampleDomain.Positive, 2, 3), -1L)),
            ],
        },
        TensorBinary("MatMul", "x @ other (matrix product; other must be a tensor)", static (a, b) => a.MatMul(b)) with
        {
            Torch = "torch.matmul(x, other)",
            Samples = static s =>
            [
                s.Call("matrix @ matrix", new(s.X(2, 3), s.X(3, 4))),
                s.Call("matrix @ vector", new(s.X(2, 3), s.X(3))),
                s.Call("vector @ vector", new(s.X(3), s.X(3))),
                s.Call("vector @ matrix", new(s.X(3), s.X(3, 4))),
                s.Call("batch @ matrix", new(s.X(2, 2, 3), s.X(3, 4))),
                s.Call("batch @ vector", new(s.X(2, 2, 3), s.X(3))),
                s.Call("vector @ batch", new(s.X(3), s.X(2, 3, 4))),
                s.Call("batch @ batch", new(s.X(2, 2, 3), s.X(2, 3, 4))),
                s.Call("broadcast batch", new(s.X(2, 1, 2, 3), s.X(3, 3, 2))),
                s.Call("transposed @ matrix", new(s.Transposed(SampleDomain.Any, 2, 3), s.X(3, 4))),
                s.Call("int64 @ int64", new(s.Integers(SampleDomain.Any, 2, 3), s.Integers(SampleDomain.Any, 3, 2))),
            ],
        },

        // The elementwise functions of one tensor, declared in UnaryOps.
        .. UnaryOps.All.Select(static u => u.Info),

        new("Square", "x ** 2", OpArgs.None, OpArgs.None, static a => a.Input.Square())
        {
            Family = OpFamily.Elementwise, Torch = "torch.square(x)", Samples = OpSamples.Unary(SampleDomain.Any),
        },
        new("Clamp", "x limited to [-Min, -Max]; bounds are numbers or tensors, at least one given",
            OpArgs.None, OpArgs.Min | OpArgs.Max, static a => Clamp(a))
        {
            Family = OpFamily.Elementwise, Torch = "torch.clamp(x, min=min, max=max)",
            Samples = static s =>
            [
                s.Call("number bounds", new(s.X(2, 3)) { Min = -0.5, Max = 0.5 }),
                s.Call("min only", new(s.X(2, 3)) { Min = -0.25 }),
                s.Call("max only", new(s.X(2, 3)) { Max = 0.25 }),
                s.Call("integer bounds", new(s.X(2, 3)) { Min = 0L, Max = 1L }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3)) { Min = -0.5, Max = 0.5 }),
                s.Call("0-d", new(s.X()) { Min = -0.5, Max = 0.5 }),
                s.Call("tensor min", new(s.X(2, 3)) { Min = s.Between(-0.5, 0.5, 3) }),
                s.Call("tensor bounds", new(s.X(2, 3)) { Min = s.Between(-0.7, -0.3, 3), Max = s.Between(0.3, 0.7, 2, 1) }),
                s.Call("int64 integer bounds", new(s.Integers(SampleDomain.Any, 2, 3)) { Min = -1L, Max = 1L }),
                s.Call("int64 fractional bound", new(s.Integers(SampleDomain.Any, 2, 3)) { Min = -0.5 }),
            ],
        },
        new("Where", "torch.where(-Condition, x, -Other): x where the Bool condition holds, else other",
            OpArgs.Condition | OpArgs.Other, OpArgs.None,
            static a => Tensor.Where(a.Condition!, a.Input, AsTensor(a.Other!, a.Input)))
        {
            Family = OpFamily.Elementwise, Torch = "torch.where(condition, x, other)",
            Samples = static s =>
            [
                s.Call("same shape", new(s.X(2, 3), s.X(2, 3)) { Condition = s.Bool(2, 3) }),
                s.Call("number", new(s.X(2, 3), 0.0) { Condition = s.Bool(2, 3) }),
                s.Call("broadcast", new(s.X(2, 3), s.X(3)) { Condition = s.Bool(2, 1) }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), s.X(2, 3)) { Condition = s.Bool(2, 3) }),
                s.Call("int64 and a number", new(s.Integers(SampleDomain.Any, 2, 3), 0.5) { Condition = s.Bool(2, 3) }),
            ],
        },
        new("LeakyRelu", "x if x > 0 else -NegativeSlope * x (default 0.01)", OpArgs.None,
            OpArgs.NegativeSlope, static a => a.Input.LeakyRelu(a.NegativeSlope))
        {
            Family = OpFamily.Elementwise, Domain = SampleDomain.AwayFromZero,
            Torch = "torch.nn.functional.leaky_relu(x, negative_slope=negative_slope)",
            Samples = static s =>
            [
                .. OpSamples.Unary(SampleDomain.AwayFromZero)(s),
                s.Call("slope 0.2", new(s.X(SampleDomain.AwayFromZero, 2, 3)) { NegativeSlope = 0.2 }),
            ],
        },
        new("Gelu", "x * Phi(x); -Approximate tanh for the tanh formula", OpArgs.None, OpArgs.Approximate,
            static a => a.Input.Gelu(a.Approximate))
        {
            Family = OpFamily.Elementwise, Torch = "torch.nn.functional.gelu(x, approximate=approximate)",
            Samples = static s =>
            [
                .. OpSamples.Unary(SampleDomain.Any)(s),
                s.Call("tanh", new(s.X(2, 3)) { Approximate = "tanh" }),
                s.Call("tanh transposed", new(s.Transposed(SampleDomain.Any, 2, 3)) { Approximate = "tanh" }),
            ],
        },
        new("Softplus", "log(1 + e ** (beta * x)) / beta with -Beta (default 1); linear above -Threshold (default 20)",
            OpArgs.None, OpArgs.Beta | OpArgs.Threshold, static a => a.Input.Softplus(a.Beta, a.Threshold))
        {
            Family = OpFamily.Elementwise, Torch = "torch.nn.functional.softplus(x, beta=beta, threshold=threshold)",
            Samples = static s =>
            [
                .. OpSamples.Unary(SampleDomain.Any)(s),
                s.Call("beta 2 threshold 1", new(s.X(2, 3)) { Beta = 2, Threshold = 1 }),
            ],
        },

        new("Reshape", "x.reshape(-Shape); one dim may be -1", OpArgs.Shape, OpArgs.None,
            static a => a.Input.Reshape(a.Shape!))
        {
            Family = OpFamily.Shape, Torch = "x.reshape(shape)",
            Samples = static s =>
            [
                s.Call("contiguous", new(s.X(2, 3), Shape: [3, 2])),
                s.Call("flat", new(s.X(2, 3), Shape: [-1])),
                s.Call("transposed (copies)", new(s.Transposed(SampleDomain.Any, 2, 3), Shape: [6])),
                s.Call("transposed (views)", new(s.Transposed(SampleDomain.Any, 2, 3), Shape: [2, 1, 3])),
                s.Call("0-d", new(s.X(), Shape: [1])),
                s.Call("empty", new(s.X(SampleDomain.Any, 0, 3), Shape: [3, 0])),
            ],
        },
        new("View", "x.view(-Shape); one dim may be -1", OpArgs.Shape, OpArgs.None,
            static a => a.Input.View(a.Shape!))
        {
            Family = OpFamily.Shape, Torch = "x.view(shape)",
            Samples = static s =>
            [
                s.Call("contiguous", new(s.X(2, 3), Shape: [3, -1])),
                s.Call("merge", new(s.X(2, 3, 4), Shape: [6, 4])),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Shape: [2, 1, 3])),
                s.Call("0-d", new(s.X(), Shape: [1, 1])),
            ],
        },
        new("Expand", "x.expand(-Shape): size-1 dims repeated; -1 keeps a size", OpArgs.Shape, OpArgs.None,
            static a => a.Input.Expand(a.Shape!))
        {
            Family = OpFamily.Shape, Torch = "x.expand(shape)",
            Samples = static s =>
            [
                s.Call("new dim", new(s.X(3), Shape: [2, 3])),
                s.Call("size-1 dim", new(s.X(2, 1), Shape: [2, 3])),
                s.Call("keep with -1", new(s.X(1, 3), Shape: [2, -1, 3])),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 3, 1), Shape: [3, 4])),
                s.Call("0-d", new(s.X(), Shape: [2, 2])),
            ],
        },
        new("Unsqueeze", "x with a size-1 dim inserted at -Dim", OpArgs.Dim, OpArgs.None,
            static a => a.Input.Unsqueeze(a.Dim![0]))
        {
            SingleDim = true, Family = OpFamily.Shape, Torch = "x.unsqueeze(dim)",
            Samples = static s =>
            [
                s.Call("dim 0", new(s.X(2, 3), Dim: [0])),
                s.Call("dim -1", new(s.X(2, 3), Dim: [-1])),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1])),
                s.Call("0-d", new(s.X(), Dim: [0])),
            ],
        },
        new("Squeeze", "x without its size-1 dims, or only dim -Dim if its size is 1", OpArgs.None, OpArgs.Dim,
            static a => a.Dim is null ? a.Input.Squeeze() : a.Input.Squeeze(a.Dim[0]))
        {
            SingleDim = true, Family = OpFamily.Shape, Torch = "x.squeeze() if dim is None else x.squeeze(dim)",
            Samples = static s =>
            [
                s.Call("all", new(s.X(1, 2, 1, 3))),
                s.Call("dim 2", new(s.X(1, 2, 1, 3), Dim: [2])),
                s.Call("dim of size 2", new(s.X(2, 3), Dim: [0])),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 1, 3))),
                s.Call("0-d", new(s.X())),
            ],
        },
        new("Permute", "x with its dims reordered as -Dims", OpArgs.Dims, OpArgs.None,
            static a => a.Input.Permute(a.Dims!))
        {
            Family = OpFamily.Shape, Torch = "x.permute(dims)",
            Samples = static s =>
            [
                s.Call("3-d", new(s.X(2, 3, 4)) { Dims = [2, 0, 1] }),
                s.Call("negative dims", new(s.X(2, 3, 4)) { Dims = [-1, 0, -2] }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3)) { Dims = [1, 0] }),
            ],
        },
        new("Transpose", "x with dims -Dim0 and -Dim1 swapped", OpArgs.Dim0 | OpArgs.Dim1, OpArgs.None,
            static a => a.Input.Transpose(a.Dim0, a.Dim1))
        {
            Family = OpFamily.Shape, Torch = "x.transpose(dim0, dim1)",
            Samples = static s =>
            [
                s.Call("3-d", new(s.X(2, 3, 4)) { Dim0 = 0, Dim1 = 2 }),
                s.Call("matrix", new(s.X(2, 3)) { Dim0 = -1, Dim1 = 0 }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3)) { Dim0 = 0, Dim1 = 1 }),
            ],
        },
        new("T", "x.T: transpose of a matrix (0-d and 1-d tensors unchanged)", OpArgs.None, OpArgs.None,
            static a => a.Input.T())
        {
            Family = OpFamily.Shape, Torch = "x.t()",
            Samples = static s =>
            [
                s.Call("matrix", new(s.X(2, 3))),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3))),
                s.Call("1-d", new(s.X(3))),
                s.Call("0-d", new(s.X())),
            ],
        },
        new("Flatten", "x with dims -StartDim..-EndDim (default all) merged into one",
            OpArgs.None, OpArgs.StartDim | OpArgs.EndDim,
            static a => a.Input.Flatten(a.StartDim, a.EndDim))
        {
            Family = OpFamily.Shape, Torch = "x.flatten(start_dim, end_dim)",
            Samples = static s =>
            [
                s.Call("all", new(s.X(2, 3, 4))),
                s.Call("from dim 1", new(s.X(2, 3, 4)) { StartDim = 1 }),
                s.Call("dims 0 to 1", new(s.X(2, 3, 4)) { StartDim = 0, EndDim = 1 }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3))),
                s.Call("0-d", new(s.X())),
            ],
        },
        new("Select", "x[..., -Index, ...] along -Dim: that dim removed", OpArgs.Dim | OpArgs.Index,
            OpArgs.None, static a => a.Input.Select(a.Dim![0], SingleIndex("select", a.Index)))
        {
            SingleDim = true, Family = OpFamily.Shape, Torch = "x.select(dim, index)",
            Samples = static s =>
            [
                s.Call("row", new(s.X(2, 3), Dim: [0]) { Index = 1L }),
                s.Call("last column", new(s.X(2, 3), Dim: [1]) { Index = -1L }),
                s.Call("3-d", new(s.X(2, 3, 4), Dim: [1]) { Index = 2L }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [0]) { Index = 0L }),
            ],
        },
        new("Narrow", "-Length entries of x along -Dim from -Start (x[..., start:start+length])",
            OpArgs.Dim | OpArgs.Start | OpArgs.Length, OpArgs.None,
            static a => a.Input.Narrow(a.Dim![0], a.Start, a.Length))
        {
            SingleDim = true, Family = OpFamily.Shape, Torch = "x.narrow(dim, start, length)",
            Samples = static s =>
            [
                s.Call("rows", new(s.X(4, 3), Dim: [0]) { Start = 1, Length = 2 }),
                s.Call("columns", new(s.X(4, 3), Dim: [1]) { Start = 1, Length = 2 }),
                s.Call("last dim", new(s.X(2, 3, 4), Dim: [-1]) { Start = 0, Length = 1 }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1]) { Start = 1, Length = 2 }),
            ],
        },
        new("IndexSelect", "entries of x along -Dim picked by -Index (int array or Int64 tensor)",
            OpArgs.Dim | OpArgs.Index, OpArgs.None, static a => IndexSelect(a))
        {
            SingleDim = true, Family = OpFamily.Shape, Torch = "x.index_select(dim, torch.as_tensor(index).reshape(-1))",
            Samples = static s =>
            [
                s.Call("repeated rows", new(s.X(4, 3), Dim: [0]) { Index = new long[] { 3, 0, 3 } }),
                s.Call("tensor index", new(s.X(4, 3), Dim: [1]) { Index = SampleBuilder.Long([2, 0]) }),
                s.Call("one number", new(s.X(4, 3), Dim: [0]) { Index = 1L }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1]) { Index = new long[] { 1, 1 } }),
            ],
        },

        Reduction("Sum", "sum of x, over -Dim if given, -KeepDim keeps reduced dims",
            static x => x.Sum(), static (x, dims, keep) => x.Sum(dims, keep)) with
        {
            Torch = "x.sum() if dim is None and not keepdim else x.sum(dim=dim or [], keepdim=keepdim)",
            Samples = static s => ReductionSamples(s, emptyInput: true),
        },
        Reduction("Mean", "mean of x (floating dtypes), over -Dim if given, -KeepDim keeps reduced dims",
            static x => x.Mean(), static (x, dims, keep) => x.Mean(dims, keep)) with
        {
            Torch = "x.mean() if dim is None and not keepdim else x.mean(dim=dim or [], keepdim=keepdim)",
            Samples = static s => ReductionSamples(s, emptyInput: true),
        },
        new("Max", "largest element; with -Dim the values along it (-WithIndices: values and indices); with -Other a tensor, Maximum",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.WithIndices | OpArgs.Other,
            static a => Extreme(a, isMax: true))
        {
            SingleDim = true, Family = OpFamily.Reduction, OtherIsTensor = true,
            Torch = "torch.max(x, other) if other is not None else x.max() if dim is None else tuple(x.max(dim=dim, keepdim=keepdim)) if with_indices else x.max(dim=dim, keepdim=keepdim).values",
            Samples = static s => ExtremeSamples(s),
        },
        new("Min", "smallest element; with -Dim the values along it (-WithIndices: values and indices); with -Other a tensor, Minimum",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.WithIndices | OpArgs.Other,
            static a => Extreme(a, isMax: false))
        {
            SingleDim = true, Family = OpFamily.Reduction, OtherIsTensor = true,
            Torch = "torch.min(x, other) if other is not None else x.min() if dim is None else tuple(x.min(dim=dim, keepdim=keepdim)) if with_indices else x.min(dim=dim, keepdim=keepdim).values",
            Samples = static s => ExtremeSamples(s),
        },
        new("ArgMax", "index of the largest element (of the flattened x, or along -Dim)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim,
            static a => OneDimOrAll(a, "argmax", static x => x.ArgMax(), static (x, d, k) => x.ArgMax(d, k)))
        {
            SingleDim = true, Family = OpFamily.Reduction, Differentiable = false,
            Torch = "x.argmax() if dim is None else x.argmax(dim=dim, keepdim=keepdim)",
            Samples = static s => OneDimSamples(s),
        },
        new("ArgMin", "index of the smallest element (of the flattened x, or along -Dim)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim,
            static a => OneDimOrAll(a, "argmin", static x => x.ArgMin(), static (x, d, k) => x.ArgMin(d, k)))
        {
            SingleDim = true, Family = OpFamily.Reduction, Differentiable = false,
            Torch = "x.argmin() if dim is None else x.argmin(dim=dim, keepdim=keepdim)",
            Samples = static s => OneDimSamples(s),
        },
        new("Prod", "product of the elements, or along -Dim",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim,
            static a => OneDimOrAll(a, "prod", static x => x.Prod(), static (x, d, k) => x.Prod(d, k)))
        {
            SingleDim = true, Family = OpFamily.Reduction,
            Torch = "x.prod() if dim is None else x.prod(dim=dim, keepdim=keepdim)",
            Samples = static s => OneDimSamples(s),
        },
        new("Amax", "largest values over -Dim (all dims when omitted); ties share the gradient",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim, static a => a.Input.Amax(a.Dim, a.KeepDim))
        {
            Family = OpFamily.Reduction, Torch = "x.amax(dim=dim or [], keepdim=keepdim)",
            Samples = static s => ReductionSamples(s, emptyInput: false),
        },
        new("Amin", "smallest values over -Dim (all dims when omitted); ties share the gradient",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim, static a => a.Input.Amin(a.Dim, a.KeepDim))
        {
            Family = OpFamily.Reduction, Torch = "x.amin(dim=dim or [], keepdim=keepdim)",
            Samples = static s => ReductionSamples(s, emptyInput: false),
        },
        new("LogSumExp", "log(sum(exp(x))) over -Dim, computed stably", OpArgs.Dim, OpArgs.KeepDim,
            static a => a.Input.LogSumExp(a.Dim!, a.KeepDim))
        {
            Family = OpFamily.Reduction, Torch = "torch.logsumexp(x, dim=dim, keepdim=keepdim)",
            Samples = static s =>
            [
                s.Call("dim 1", new(s.X(2, 3), Dim: [1])),
                s.Call("all dims kept", new(s.X(2, 3), Dim: [0, 1], KeepDim: true)),
                s.Call("3-d", new(s.X(2, 3, 2), Dim: [0, 2])),
                s.Call("0-d", new(s.X(), Dim: [0])),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [0])),
                s.Call("int64", new(s.Integers(SampleDomain.Any, 2, 3), Dim: [1])),
            ],
        },
        new("Var", "variance over -Dim (all dims when omitted), divisor N - -Correction (default 1)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.Correction,
            static a => a.Input.Var(a.Dim, a.Correction, a.KeepDim))
        {
            Family = OpFamily.Reduction, Torch = "torch.var(x, dim=dim, correction=correction, keepdim=keepdim)",
            Samples = static s => MomentSamples(s),
        },
        new("Std", "standard deviation over -Dim (all dims when omitted), divisor N - -Correction (default 1)",
            OpArgs.None, OpArgs.Dim | OpArgs.KeepDim | OpArgs.Correction,
            static a => a.Input.Std(a.Dim, a.Correction, a.KeepDim))
        {
            Family = OpFamily.Reduction, Torch = "torch.std(x, dim=dim, correction=correction, keepdim=keepdim)",
            Samples = static s => MomentSamples(s),
        },
        new("Norm", "p-norm (-P, default 2) over -Dim (all dims when omitted)",
            OpArgs.None, OpArgs.P | OpArgs.Dim | OpArgs.KeepDim,
            static a => a.Input.Norm(a.P, a.Dim, a.KeepDim))
        {
            Family = OpFamily.Reduction, Domain = SampleDomain.AwayFromZero,
            Torch = "torch.linalg.vector_norm(x, ord=p, dim=dim, keepdim=keepdim)",
            Samples = static s =>
            [
                s.Call("all", new(s.X(SampleDomain.AwayFromZero, 2, 3))),
                s.Call("p 1 dim 1", new(s.X(SampleDomain.AwayFromZero, 2, 3), Dim: [1]) { P = 1 }),
                s.Call("p 3 dim 0 kept", new(s.X(SampleDomain.AwayFromZero, 2, 3), Dim: [0], KeepDim: true) { P = 3 }),
                s.Call("transposed", new(s.Transposed(SampleDomain.AwayFromZero, 2, 3), Dim: [1])),
                s.Call("int64", new(s.Integers(SampleDomain.AwayFromZero, 2, 3))),
            ],
        },

        TensorBinary("Dot", "dot product of two 1-d tensors", static (a, b) => a.Dot(b)) with
        {
            Torch = "torch.dot(x, other)",
            Samples = static s => [s.Call("vectors", new(s.X(3), s.X(3)))],
        },
        TensorBinary("Outer", "outer product of two 1-d tensors", static (a, b) => a.Outer(b)) with
        {
            Torch = "torch.outer(x, other)",
            Samples = static s => [s.Call("vectors", new(s.X(3), s.X(4)))],
        },
        TensorBinary("Bmm", "batched matrix product of [b,n,m] and [b,m,p] tensors", static (a, b) => a.Bmm(b)) with
        {
            Torch = "torch.bmm(x, other)",
            Samples = static s =>
            [
                s.Call("batches", new(s.X(2, 3, 4), s.X(2, 4, 5))),
            ],
        },

        new("Softmax", "exp(x) / sum(exp(x)) along -Dim", OpArgs.Dim, OpArgs.None,
            static a => a.Input.Softmax(a.Dim![0]))
        {
            SingleDim = true, Family = OpFamily.NeuralNetwork, Torch = "torch.softmax(x, dim=dim)",
            Samples = static s => SoftmaxSamples(s),
        },
        new("LogSoftmax", "log(softmax(x)) along -Dim, computed stably", OpArgs.Dim, OpArgs.None,
            static a => a.Input.LogSoftmax(a.Dim![0]))
        {
            SingleDim = true, Family = OpFamily.NeuralNetwork, Torch = "torch.log_softmax(x, dim=dim)",
            Samples = static s => SoftmaxSamples(s),
        },

        Loss("MseLoss", "mean squared error against -Target", static (x, t, r) => x.MseLoss(t, r)) with
        {
            Torch = "torch.nn.functional.mse_loss(x, target, reduction=reduction)",
            Samples = static s => [.. LossSamples(s, SampleDomain.Any), s.Call("target with grad", new(s.X(2, 3)) { Target = s.X(2, 3) })],
        },
        Loss("L1Loss", "mean absolute error against -Target", static (x, t, r) => x.L1Loss(t, r)) with
        {
            Torch = "torch.nn.functional.l1_loss(x, target, reduction=reduction)",
            Samples = static s => [.. LossSamples(s, SampleDomain.Any), s.Call("target with grad", new(s.X(2, 3)) { Target = s.X(2, 3) })],
        },
        ClassLoss("NllLoss", "negative log likelihood of log-probabilities [N,C] at Int64 class -Target [N]",
            static (x, t, r, i) => x.NllLoss(t, r, i)) with
        {
            Torch = "torch.nn.functional.nll_loss(x, target, reduction=reduction, ignore_index=ignore_index)",
            Samples = static s => ClassLossSamples(s),
        },
        ClassLoss("CrossEntropy", "cross entropy of logits [N,C] and Int64 class -Target [N]",
            static (x, t, r, i) => x.CrossEntropy(t, r, i)) with
        {
            Torch = "torch.nn.functional.cross_entropy(x, target, reduction=reduction, ignore_index=ignore_index)",
            Samples = static s => ClassLossSamples(s),
        },
        Loss("BinaryCrossEntropyWithLogits", "binary cross entropy of logits x and probabilities -Target",
            static (x, t, r) => x.BinaryCrossEntropyWithLogits(t, r)) with
        {
            Torch = "torch.nn.functional.binary_cross_entropy_with_logits(x, target, reduction=reduction)",
            Samples = static s =>
            [
                .. LossSamples(s, SampleDomain.UnitInterval),
                s.Call("target with grad", new(s.X(2, 3)) { Target = s.X(SampleDomain.UnitInterval, 2, 3) }),
            ],
        },

        new("To", "x converted to -DType (a copy that keeps the graph)", OpArgs.DType, OpArgs.None,
            static a => a.Input.To(a.DType))
        {
            Family = OpFamily.Conversion, Torch = "x.to(dtype)",
            Samples = static s =>
            [
                s.Call("to float64", new(s.X(2, 3)) { DType = DType.Float64 }),
                s.Call("to float32", new(s.X(2, 3)) { DType = DType.Float32 }),
                s.Call("to int64", new(s.X(SampleDomain.AwayFromZero, 2, 3)) { DType = DType.Int64 }),
                s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3)) { DType = DType.Float64 }),
                s.Call("int64 to float32", new(s.Integers(SampleDomain.Any, 2, 3)) { DType = DType.Float32 }),
                s.Call("to bool", new(s.X(2, 3)) { DType = DType.Bool }),
            ],
        },
        new("Detach", "x cut from the graph: same values, no grad_fn, no requires_grad", OpArgs.None, OpArgs.None,
            static a => a.Input.Detach())
        {
            Family = OpFamily.Conversion, Torch = "x.detach()", Differentiable = false, Samples = OpSamples.Unary(SampleDomain.Any),
        },
    ];

    /// <summary>The entries as callers get them: every call's arguments checked first (<see cref="WithArgumentChecks"/>).</summary>
    private static readonly OpInfo[] s_checked = s_ops.Select(WithArgumentChecks).ToArray();

    private static readonly Dictionary<string, OpInfo> s_byName =
        s_checked.ToDictionary(op => op.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All ops, sorted by name (completion order).</summary>
    public static IReadOnlyList<OpInfo> All { get; } =
        s_checked.OrderBy(op => op.Name, StringComparer.OrdinalIgnoreCase).ToArray();

    /// <summary>
    /// The checks every op's call gets before its entry runs, so that no entry needs its own: a missing input or
    /// required argument (a null from C#, $null from PowerShell) is PyTorch's TypeError naming the op and the argument
    /// ("softmax(): argument 'dim' must be int, not NoneType"), and a one-dim op given several dims says so, instead
    /// of a NullReferenceException or IndexOutOfRangeException from inside the entry.
    /// </summary>
    private static OpInfo WithArgumentChecks(OpInfo op)
    {
        var apply = op.Apply;
        return op with
        {
            Apply = call =>
            {
                ArgumentNullException.ThrowIfNull(call);
                Arg.Tensor(call.Input, "input", op.Name);
                if (MissingArgument(op, call) is { } missing) throw missing;
                if (op.SingleDim && call.Dim is { Length: not 1 } dims)
                    throw TorchException.Type("DimCount", $"{Arg.SnakeCase(op.Name)}(): argument 'dim' must be int, not a list of {dims.Length}");
                return apply(call);
            },
        };
    }

    /// <summary>The TypeError for the first required argument of <paramref name="call"/> that is null (PyTorch's names and types).</summary>
    private static TorchException? MissingArgument(OpInfo op, OpCall call)
    {
        if (op.Requires(OpArgs.Other) && call.Other is null) return Arg.None(op.Name, "other", "Tensor");
        if (op.Requires(OpArgs.Dim) && call.Dim is null) return Arg.None(op.Name, "dim", "int");
        if (op.Requires(OpArgs.Shape) && call.Shape is null) return Arg.None(op.Name, "shape", "tuple of ints");
        if (op.Requires(OpArgs.Dims) && call.Dims is null) return Arg.None(op.Name, "dims", "tuple of ints");
        if (op.Requires(OpArgs.Index) && call.Index is null) return Arg.None(op.Name, "index", "Tensor");
        if (op.Requires(OpArgs.Target) && call.Target is null) return Arg.None(op.Name, "target", "Tensor");
        if (op.Requires(OpArgs.Condition) && call.Condition is null) return Arg.None(op.Name, "condition", "Tensor");
        if (op.Requires(OpArgs.Approximate) && call.Approximate is null) return Arg.None(op.Name, "approximate", "str");
        return null;
    }

    public static bool TryGet(string? name, out OpInfo op)
    {
        op = null!;
        return name is not null && s_byName.TryGetValue(name.Trim(), out op!);
    }

    /// <summary>Like <see cref="TryGet"/> for names that are known to exist (the Measure-* cmdlets).</summary>
    public static OpInfo Get(string name) => s_byName[name];

    // ---- entry helpers ----------------------------------------------------------------------------------------

    /// <summary>An op whose other operand must be a tensor (torch.matmul rejects plain numbers).</summary>
    private static OpInfo TensorBinary(string name, string synopsis, Func<Tensor, Tensor, Tensor> tensor) =>
        new(name, synopsis, OpArgs.Other, OpArgs.None, a => a.Other is Tensor t
            ? tensor(a.Input, t)
            : throw new TorchException(TorchErrorKind.TypeError, "ArgumentNotTensor",
                $"{name.ToLowerInvariant()}(): argument 'other' (position 1) must be Tensor, not {PythonTypeName(a.Other)}"))
        { Family = OpFamily.LinearAlgebra, OtherIsTensor = true };

    /// <summary>A reduction over all elements, or over -Dim (all dims when only -KeepDim is given).</summary>
    private static OpInfo Reduction(string name, string synopsis, Func<Tensor, Tensor> all,
        Func<Tensor, int[], bool, Tensor> overDims) =>
        new(name, synopsis, OpArgs.None, OpArgs.Dim | OpArgs.KeepDim, a =>
            a.Dim is null && !a.KeepDim ? all(a.Input) : overDims(a.Input, a.Dim ?? [], a.KeepDim))
        { Family = OpFamily.Reduction };

    /// <summary>A loss against -Target with -Reduction (Mean by default).</summary>
    private static OpInfo Loss(string name, string synopsis, Func<Tensor, Tensor, Reduction, Tensor> loss) =>
        new(name, synopsis + "; -Reduction Mean (default), Sum or None", OpArgs.Target, OpArgs.Reduction,
            a => loss(a.Input, a.Target!, a.Reduction))
        { Family = OpFamily.NeuralNetwork };

    /// <summary>A loss against class indices: -Target, -Reduction and -IgnoreIndex (default -100).</summary>
    private static OpInfo ClassLoss(string name, string synopsis, Func<Tensor, Tensor, Reduction, long, Tensor> loss) =>
        new(name, synopsis + "; -Reduction Mean (default), Sum or None; -IgnoreIndex skips a class", OpArgs.Target,
            OpArgs.Reduction | OpArgs.IgnoreIndex, a => loss(a.Input, a.Target!, a.Reduction, a.IgnoreIndex))
        { Family = OpFamily.NeuralNetwork };

    // ---- samples shared by several entries ----------------------------------------------------------------------

    /// <summary>-Dim (a list) and -KeepDim: all elements, one dim, kept dims, several dims, 3-d, 0-d, transposed.</summary>
    private static IEnumerable<OpSample> ReductionSamples(SampleBuilder s, bool emptyInput)
    {
        yield return s.Call("all", new(s.X(2, 3)));
        yield return s.Call("dim 1", new(s.X(2, 3), Dim: [1]));
        yield return s.Call("dim 0 kept", new(s.X(2, 3), Dim: [0], KeepDim: true));
        yield return s.Call("dims 0 and 1", new(s.X(2, 3), Dim: [0, 1]));
        yield return s.Call("all kept", new(s.X(2, 3), KeepDim: true));
        yield return s.Call("3-d last dim", new(s.X(2, 3, 4), Dim: [-1]));
        yield return s.Call("0-d", new(s.X()));
        yield return s.Call("0-d dim 0", new(s.X(), Dim: [0]));
        yield return s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1]));
        yield return s.Call("int64", new(s.Integers(SampleDomain.Any, 2, 3), Dim: [1]));
        if (emptyInput)
        {
            yield return s.Call("empty", new(s.X(SampleDomain.Any, 0, 3)));
            yield return s.Call("empty dim 0", new(s.X(SampleDomain.Any, 0, 3), Dim: [0]));
        }
    }

    /// <summary>One optional -Dim: all elements, along dim 1, along dim 0 kept, transposed, 0-d.</summary>
    private static IEnumerable<OpSample> OneDimSamples(SampleBuilder s) =>
    [
        s.Call("all", new(s.X(2, 3))),
        s.Call("dim 1", new(s.X(2, 3), Dim: [1])),
        s.Call("dim 0 kept", new(s.X(2, 3), Dim: [0], KeepDim: true)),
        s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1])),
        s.Call("0-d", new(s.X())),
        s.Call("0-d along dim", new(s.X(), Dim: [-1])),
        s.Call("int64", new(s.Integers(SampleDomain.Any, 2, 3), Dim: [1])),
    ];

    /// <summary>max/min: the one-dim samples, values with indices, and the elementwise form with -Other.</summary>
    private static IEnumerable<OpSample> ExtremeSamples(SampleBuilder s) =>
    [
        .. OneDimSamples(s),
        s.Call("with indices", new(s.X(2, 3), Dim: [1]) { WithIndices = true }),
        s.Call("with indices kept", new(s.X(2, 3), Dim: [0], KeepDim: true) { WithIndices = true }),
        s.Call("other", new(s.X(2, 3), s.X(3))),
    ];

    /// <summary>var/std: all elements, one dim, population variance over kept dims, transposed.</summary>
    private static IEnumerable<OpSample> MomentSamples(SampleBuilder s) =>
    [
        s.Call("all", new(s.X(2, 3))),
        s.Call("dim 1", new(s.X(2, 3), Dim: [1])),
        s.Call("correction 0 kept", new(s.X(2, 3, 2), Dim: [0, 2], KeepDim: true) { Correction = 0 }),
        s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1])),
        s.Call("int64", new(s.Integers(SampleDomain.Any, 2, 3))),
    ];

    private static IEnumerable<OpSample> SoftmaxSamples(SampleBuilder s) =>
    [
        s.Call("dim 1", new(s.X(2, 3), Dim: [1])),
        s.Call("dim 0", new(s.X(2, 3), Dim: [0])),
        s.Call("3-d last dim", new(s.X(2, 3, 2), Dim: [-1])),
        s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3), Dim: [1])),
        s.Call("0-d", new(s.X(), Dim: [0])),
        s.Call("int64", new(s.Integers(SampleDomain.Any, 2, 3), Dim: [1])),
    ];

    /// <summary>A loss of x [2,3] against a target of its shape, each reduction, and a transposed input.</summary>
    private static IEnumerable<OpSample> LossSamples(SampleBuilder s, SampleDomain target) =>
    [
        s.Call("mean", new(s.X(2, 3)) { Target = s.Const(target, 2, 3) }),
        s.Call("sum", new(s.X(2, 3)) { Target = s.Const(target, 2, 3), Reduction = AutoGrad.Reduction.Sum }),
        s.Call("none", new(s.X(2, 3)) { Target = s.Const(target, 2, 3), Reduction = AutoGrad.Reduction.None }),
        s.Call("transposed", new(s.Transposed(SampleDomain.Any, 2, 3)) { Target = s.Const(target, 2, 3) }),
    ];

    /// <summary>A class loss of x [3,4] against classes [3], each reduction, an ignored class, a transposed input.</summary>
    private static IEnumerable<OpSample> ClassLossSamples(SampleBuilder s) =>
    [
        s.Call("mean", new(s.X(3, 4)) { Target = SampleBuilder.Long([2, 0, 3]) }),
        s.Call("sum", new(s.X(3, 4)) { Target = SampleBuilder.Long([1, 1, 0]), Reduction = AutoGrad.Reduction.Sum }),
        s.Call("none", new(s.X(3, 4)) { Target = SampleBuilder.Long([3, 2, 1]), Reduction = AutoGrad.Reduction.None }),
        s.Call("ignore index", new(s.X(3, 4)) { Target = SampleBuilder.Long([2, 0, 0]), IgnoreIndex = 0 }),
        s.Call("transposed", new(s.Transposed(SampleDomain.Any, 3, 4)) { Target = SampleBuilder.Long([0, 1, 2]) }),
    ];

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
        Tensor { DType: DType.Int64, NumElements: 1 } t => (int)t,
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

    internal static TorchException NotAnOperand(string name, object? other) =>
        new(TorchErrorKind.TypeError, "ArgumentNotTensor",
            $"{name.ToLowerInvariant()}(): argument 'other' must be Tensor or Number, not {PythonTypeName(other)}");

    internal static string PythonTypeName(object? value) => value switch
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
