using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Comparisons (Bool results, never differentiable) and where(condition, x, y).
public sealed partial class Tensor
{
    public Tensor Eq(Tensor other) => Compare(this, other, static (a, b) => a == b);
    public Tensor Eq(double other) => Compare(this, WrapNumber(other), static (a, b) => a == b);
    public Tensor Eq(long other) => Compare(this, WrapNumber(other), static (a, b) => a == b);
    public Tensor Ne(Tensor other) => Compare(this, other, static (a, b) => a != b);
    public Tensor Ne(double other) => Compare(this, WrapNumber(other), static (a, b) => a != b);
    public Tensor Gt(Tensor other) => Compare(this, other, static (a, b) => a > b);
    public Tensor Gt(double other) => Compare(this, WrapNumber(other), static (a, b) => a > b);
    public Tensor Ge(Tensor other) => Compare(this, other, static (a, b) => a >= b);
    public Tensor Ge(double other) => Compare(this, WrapNumber(other), static (a, b) => a >= b);
    public Tensor Ge(long other) => Compare(this, WrapNumber(other), static (a, b) => a >= b);
    public Tensor Lt(Tensor other) => Compare(this, other, static (a, b) => a < b);
    public Tensor Lt(double other) => Compare(this, WrapNumber(other), static (a, b) => a < b);
    public Tensor Le(Tensor other) => Compare(this, other, static (a, b) => a <= b);
    public Tensor Le(double other) => Compare(this, WrapNumber(other), static (a, b) => a <= b);

    public Tensor LogicalAnd(Tensor other) => Compare(this, other, static (a, b) => a != 0 && b != 0);

    /// <summary>
    /// Compares in the promoted dtype (so an int64 tensor against 2.5 compares as float32, as PyTorch does), then
    /// widened to double, which is exact for every float32 and every int64 up to 2^53.
    /// </summary>
    private static Tensor Compare(Tensor a, Tensor b, Func<double, double, bool> predicate)
    {
        var dtype = TypePromotion.ResultType(a, b);
        var outShape = Shapes.Broadcast(a._shape, b._shape);
        var x = (double[])CastKernel.Convert(a.StorageAs(dtype), DType.Float64);
        var y = (double[])CastKernel.Convert(b.StorageAs(dtype), DType.Float64);
        var values = new double[Shapes.NumElements(outShape)];
        BinaryKernel.RunScalar(x, a._shape, y, b._shape, values, outShape, (p, q) => predicate(p, q) ? 1.0 : 0.0);
        return new Tensor(CastKernel.Convert(values, DType.Bool), outShape, DType.Bool);
    }

    /// <summary>torch.where(condition, x, y): x where condition is true, else y, all three broadcast.</summary>
    public static Tensor Where(Tensor condition, Tensor x, Tensor y)
    {
        if (condition.DType != DType.Bool)
            throw TorchException.Runtime("WhereConditionNotBool",
                $"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.DType.ScalarTypeName()}");
        var dtype = TypePromotion.ResultType(x, y);
        var outShape = Shapes.Broadcast(Shapes.Broadcast(condition._shape, x._shape), y._shape);
        var result = Empty(outShape, dtype);
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
