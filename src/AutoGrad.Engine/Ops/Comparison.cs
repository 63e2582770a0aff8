using System.Numerics;
using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Comparisons (Bool results, never differentiable) and where(condition, x, y).
public sealed partial class Tensor
{
    public Tensor Eq(Tensor other) => Compare<EqualOperator>(this, other);
    public Tensor Eq(double other) => Compare<EqualOperator>(this, WrapNumber(other));
    public Tensor Eq(long other) => Compare<EqualOperator>(this, WrapNumber(other));
    public Tensor Ne(Tensor other) => Compare<NotEqualOperator>(this, other);
    public Tensor Ne(double other) => Compare<NotEqualOperator>(this, WrapNumber(other));
    public Tensor Gt(Tensor other) => Compare<GreaterOperator>(this, other);
    public Tensor Gt(double other) => Compare<GreaterOperator>(this, WrapNumber(other));
    public Tensor Gt(long other) => Compare<GreaterOperator>(this, WrapNumber(other));
    public Tensor Ge(Tensor other) => Compare<GreaterOrEqualOperator>(this, other);
    public Tensor Ge(double other) => Compare<GreaterOrEqualOperator>(this, WrapNumber(other));
    public Tensor Ge(long other) => Compare<GreaterOrEqualOperator>(this, WrapNumber(other));
    public Tensor Lt(Tensor other) => Compare<LessOperator>(this, other);
    public Tensor Lt(double other) => Compare<LessOperator>(this, WrapNumber(other));
    public Tensor Le(Tensor other) => Compare<LessOrEqualOperator>(this, other);
    public Tensor Le(double other) => Compare<LessOrEqualOperator>(this, WrapNumber(other));

    public Tensor LogicalAnd(Tensor other) => Compare<LogicalAndOperator>(this, other);

    /// <summary>
    /// Compares in the promoted dtype, as PyTorch does: an int64 tensor against 2.5 compares as float32, against an
    /// int as int64 (exactly, even beyond 2^53). Bool operands compare as 0 and 1.
    /// </summary>
    private static Tensor Compare<TOp>(Tensor a, Tensor b) where TOp : IComparisonOperator
    {
        var dtype = TypePromotion.ResultType(a, b);
        var outShape = Shapes.Broadcast(a._shape, b._shape);
        var result = new bool[Shapes.NumElements(outShape)];
        switch (dtype)
        {
            case DType.Float32: CompareAs<TOp, float>(a, b, DType.Float32, outShape, result); break;
            case DType.Float64: CompareAs<TOp, double>(a, b, DType.Float64, outShape, result); break;
            default: CompareAs<TOp, long>(a, b, DType.Int64, outShape, result); break;
        }
        return new Tensor(result, outShape, DType.Bool).WithElementwiseLayout(a, b);
    }

    private static void CompareAs<TOp, T>(Tensor a, Tensor b, DType dtype, int[] outShape, bool[] result)
        where TOp : IComparisonOperator where T : INumber<T>
    {
        var truth = new T[result.Length];
        BinaryKernel.RunScalar((T[])a.StorageAs(dtype), a._shape, (T[])b.StorageAs(dtype), b._shape, truth, outShape,
            static (x, y) => TOp.Invoke(x, y) ? T.One : T.Zero);
        for (int i = 0; i < result.Length; i++) result[i] = !T.IsZero(truth[i]);
    }

    /// <summary>torch.where(condition, x, y): x where condition is true, else y, all three broadcast.</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        if (condition.DType != DType.Bool)
            throw TorchException.Runtime("WhereConditionNotBool",
                $"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.DType.ScalarTypeName()}");
        var dtype = TypePromotion.ResultType(x, y);
        var outShape = Shapes.Broadcast(Shapes.Broadcast(condition._shape, x._shape), y._shape);
        var result = Empty(outShape, dtype).WithElementwiseLayout(condition, x, y);
        var c = condition.ExpandData(outShape);
        var xs = x.Cast(dtype).ExpandData(outShape);
        var ys = y.Cast(dtype).ExpandData(outShape);
        var cb = (bool[])c;
        for (int i = 0; i < cb.Length; i++)
            result.Storage.SetValue(cb[i] ? xs.GetValue(i) : ys.GetValue(i), i);
        if (Graph.NeedsGrad(x, y))
            Graph.Record(result, "WhereBackward0", [x, y], [condition], null, static (g, s, _, n) =>
            {
                var zero = ZerosScalar(g.DType);
                return [n[0] ? Where(s[0], g, zero) : null, n[1] ? Where(s[0], zero, g) : null];
            });
        return result;
    }

    /// <summary>A copy of the storage laid out as if broadcast to <paramref name="shape"/> (no graph).</summary>
    internal Array ExpandData(int[] shape)
    {
        if (Shapes.Equal(_shape, shape)) return Storage;
        int n = Shapes.NumElements(shape);
        var dst = Allocate(DType, n);
        var strides = Shapes.BroadcastStrides(_shape, shape);
        var index = new int[shape.Length];
        int off = 0;
        for (int i = 0; i < n; i++)
        {
            Array.Copy(Storage, off, dst, i, 1);
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d]++;
                off += strides[d];
                if (index[d] < shape[d]) break;
                off -= strides[d] * index[d];
                index[d] = 0;
            }
        }
        return dst;
    }

    /// <summary>The same values in another dtype, without recording (a data conversion).</summary>
    internal Tensor Cast(DType dtype) => dtype == DType ? this : new Tensor(CastKernel.Convert(Storage, dtype), _shape, dtype);
}
