using System.Numerics;
using AutoGrad.Autograd;
using AutoGrad.Kernels;
using AutoGrad.Ops;

namespace AutoGrad;

// Comparisons as methods (their declarations in BinaryOps; Bool results, never differentiable), logical and/or,
// and where(condition, x, y).
public sealed partial class Tensor
{
    public Tensor Eq(Tensor other) => BinaryOps.Eq.Apply(this, other);
    public Tensor Eq(double other) => BinaryOps.Eq.Apply(this, WrapNumber(other));
    public Tensor Eq(long other) => BinaryOps.Eq.Apply(this, WrapNumber(other));
    public Tensor Ne(Tensor other) => BinaryOps.Ne.Apply(this, other);
    public Tensor Ne(double other) => BinaryOps.Ne.Apply(this, WrapNumber(other));
    public Tensor Gt(Tensor other) => BinaryOps.Gt.Apply(this, other);
    public Tensor Gt(double other) => BinaryOps.Gt.Apply(this, WrapNumber(other));
    public Tensor Gt(long other) => BinaryOps.Gt.Apply(this, WrapNumber(other));
    public Tensor Ge(Tensor other) => BinaryOps.Ge.Apply(this, other);
    public Tensor Ge(double other) => BinaryOps.Ge.Apply(this, WrapNumber(other));
    public Tensor Ge(long other) => BinaryOps.Ge.Apply(this, WrapNumber(other));
    public Tensor Lt(Tensor other) => BinaryOps.Lt.Apply(this, other);
    public Tensor Lt(double other) => BinaryOps.Lt.Apply(this, WrapNumber(other));
    public Tensor Le(Tensor other) => BinaryOps.Le.Apply(this, other);
    public Tensor Le(double other) => BinaryOps.Le.Apply(this, WrapNumber(other));

    public Tensor LogicalAnd(Tensor other) => Compare<LogicalAndOperator>(this, other);

    /// <summary>A comparison-like op outside the op table (logical and/or): a Bool result laid out as the operands.</summary>
    private static Tensor Compare<TOp>(Tensor a, Tensor b, [System.Runtime.CompilerServices.CallerMemberName] string op = "")
        where TOp : IComparisonOperator
    {
        Arg.Tensor(b, "other", op);
        var result = EmptyElementwise(Shapes.Broadcast(a._shape, b._shape), DType.Bool, a, b);
        RunComparison<TOp>(a, b, result);
        return result;
    }

    /// <summary>
    /// dst = a (op) b, compared in the promoted dtype, as PyTorch does: an int64 tensor against 2.5 compares as
    /// float32, against an int as int64 (exactly, even beyond 2^53). Bool operands compare as 0 and 1.
    /// </summary>
    internal static void RunComparison<TOp>(Tensor a, Tensor b, Tensor dst) where TOp : IComparisonOperator
    {
        var dtype = TypePromotion.ResultType(a, b);
        DTypeDispatch.Numeric(dtype == DType.Bool ? DType.Int64 : dtype, new ComparisonCall<TOp>(a, b, dst));
    }

    /// <summary>dst = a (op) b as truth values, the operands in the element type they are compared in.</summary>
    private readonly record struct ComparisonCall<TOp>(Tensor A, Tensor B, Tensor Dst) : INumericAction where TOp : IComparisonOperator
    {
        public void Run<T>() where T : unmanaged, System.Numerics.INumber<T>
        {
            var (shape, dtype) = (Dst._shape, DTypes.Of<T>());
            BinaryKernel.RunScalar(Operand<T>(A, dtype, shape), Operand<T>(B, dtype, shape), Strided<bool>.Of(Dst, shape), shape,
                static (x, y) => TOp.Invoke(x, y));
        }
    }

    /// <summary>torch.where(condition, x, y): x where condition is true, else y, all three broadcast.</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        Arg.Tensor(condition);
        Arg.Tensor(x, "input");
        Arg.Tensor(y, "other");
        if (condition.DType != DType.Bool)
            throw TorchException.Runtime("WhereConditionNotBool",
                $"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.DType.ScalarTypeName()}");
        var dtype = TypePromotion.ResultType(x, y);
        var outShape = Shapes.Broadcast(Shapes.Broadcast(condition._shape, x._shape), y._shape);
        var result = EmptyElementwise(outShape, dtype, condition, x, y);
        // Computed row-major, then laid out as the result (the layout follows the inputs, as in PyTorch).
        var values = result.IsCompact ? result : Empty(outShape, dtype);
        var c = (bool[])condition.ExpandedDense(outShape);
        // A one-element branch (where(mask, g, 0) in backward formulas) is read as a constant, not expanded.
        var xs = x.Cast(dtype);
        var ys = y.Cast(dtype);
        var xData = xs.NumElements == 1 ? xs.Dense : xs.ExpandedDense(outShape);
        var yData = ys.NumElements == 1 ? ys.Dense : ys.ExpandedDense(outShape);
        switch (values.Buffer)
        {
            case float[] r: Select(c, (float[])xData, (float[])yData, r); break;
            case double[] r: Select(c, (double[])xData, (double[])yData, r); break;
            case long[] r: Select(c, (long[])xData, (long[])yData, r); break;
            case bool[] r: Select(c, (bool[])xData, (bool[])yData, r); break;
        }
        if (!ReferenceEquals(values, result)) result.CopyValuesFrom(values);
        if (Graph.NeedsGrad(x, y))
            Graph.Record(result, "WhereBackward0", [x, y], [condition], static (g, s, n) =>
            {
                var zero = ZerosScalar(g.DType);
                return [n[0] ? Where(s[0], g, zero) : null, n[1] ? Where(s[0], zero, g) : null];
            });
        return result;
    }

    /// <summary>Per element, x where the condition holds, else y; a one-element x or y is a constant.</summary>
    private static void Select<T>(bool[] condition, T[] x, T[] y, T[] dst)
    {
        bool xConst = x.Length == 1 && dst.Length != 1, yConst = y.Length == 1 && dst.Length != 1;
        for (int i = 0; i < dst.Length; i++)
            dst[i] = condition[i] ? x[xConst ? 0 : i] : y[yConst ? 0 : i];
    }
}
