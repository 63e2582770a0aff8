using AutoGrad.Autograd;
using AutoGrad.Kernels;
using AutoGrad.Ops;

namespace AutoGrad;

// Binary arithmetic as methods: add, sub, mul and div are their declarations in BinaryOps applied through the one
// binary path; pow (three nodes by operand kind) and the reversed-number forms are written here. Forward kernels
// broadcast without copies; backward formulas are written with tensor ops so that create_graph differentiates them
// again. Gradients are returned in the broadcast shape; the engine sums them back to each input's shape.
public sealed partial class Tensor
{
    public Tensor Add(Tensor other) => BinaryOps.Add.Apply(this, other);
    public Tensor Add(double other) => BinaryOps.Add.Apply(this, WrapNumber(other));
    public Tensor Add(long other) => BinaryOps.Add.Apply(this, WrapNumber(other));

    public Tensor Sub(Tensor other) => BinaryOps.Sub.Apply(this, other);
    public Tensor Sub(double other) => BinaryOps.Sub.Apply(this, WrapNumber(other));
    public Tensor Sub(long other) => BinaryOps.Sub.Apply(this, WrapNumber(other));

    /// <summary><c>number - tensor</c> (torch.rsub; node RsubBackward1).</summary>
    public Tensor RSub(double other) => RSubCore(this, WrapNumber(other));
    public Tensor RSub(long other) => RSubCore(this, WrapNumber(other));

    public Tensor Mul(Tensor other) => BinaryOps.Mul.Apply(this, other);
    public Tensor Mul(double other) => BinaryOps.Mul.Apply(this, WrapNumber(other));
    public Tensor Mul(long other) => BinaryOps.Mul.Apply(this, WrapNumber(other));

    public Tensor Div(Tensor other) => BinaryOps.Div.Apply(this, other);
    public Tensor Div(double other) => BinaryOps.Div.Apply(this, WrapNumber(other));
    public Tensor Div(long other) => BinaryOps.Div.Apply(this, WrapNumber(other));

    /// <summary><c>number / tensor</c>: as Python does it, reciprocal then multiply (node MulBackward0).</summary>
    public Tensor RDiv(double other) => Reciprocal().Mul(other);
    public Tensor RDiv(long other) => Reciprocal().Mul(other);

    /// <summary>number - self: the subtraction kernel with the operands swapped, one gradient (RsubBackward1).</summary>
    private static Tensor RSubCore(Tensor self, Tensor number)
    {
        var result = BinaryOps.Sub.Forward(number, self);
        if (Graph.NeedsGrad(self))
            Graph.Record(result, "RsubBackward1", [self], [], static (g, _, _) => [g.Neg()]);
        return result;
    }

    // ---- pow ------------------------------------------------------------------------------------------------

    /// <summary>self ** exponent (PowBackward0).</summary>
    public Tensor Pow(double exponent) => PowScalarExponent(this, WrapNumber(exponent));
    public Tensor Pow(long exponent) => PowScalarExponent(this, WrapNumber(exponent));

    /// <summary>self ** exponent, elementwise with broadcasting (PowBackward1).</summary>
    public Tensor Pow(Tensor exponent)
    {
        var dtype = TypePromotion.ResultType(this, exponent);
        var result = PowKernel(this, exponent, dtype);
        if (Graph.NeedsGrad(this, exponent))
            Graph.Record(result, "PowBackward1", [this, exponent], [this, exponent, result], static (g, s, n) =>
            {
                Tensor x = s[0], y = s[1], r = s[2];
                Tensor? gx = null, gy = null;
                // d/dx x^y = y x^(y-1), taken as 0 where y == 0; d/dy = x^y log x, taken as 0 where x == 0 and y >= 0.
                // Written as PyTorch's pow_backward_self / pow_backward_exponent (where inside or outside the product).
                if (n[0]) gx = Where(y.Eq(0L), ZerosScalar(g.DType), g.Mul(y.Mul(x.Pow(y.Sub(1L)))));
                if (n[1]) gy = g.Mul(Where(x.Eq(0L).LogicalAnd(y.Ge(0L)), ZerosScalar(g.DType), r.Mul(x.Log())));
                return [gx, gy];
            });
        return result;
    }

    /// <summary>number ** exponent (torch.pow(Scalar, Tensor); PowBackward2).</summary>
    public static Tensor Pow(double self, Tensor exponent) => PowScalarBase(WrapNumber(self), exponent);
    public static Tensor Pow(long self, Tensor exponent) => PowScalarBase(WrapNumber(self), exponent);

    private static Tensor PowScalarExponent(Tensor self, Tensor exponent)
    {
        var dtype = TypePromotion.ResultType(self, exponent);
        var result = PowKernel(self, exponent, dtype);
        if (Graph.NeedsGrad(self))
            Graph.Record(result, "PowBackward0", [self], [self, exponent], static (g, s, _) =>
            {
                Tensor x = s[0], e = s[1];
                double exp = e.GetAsDouble(0);
                if (exp == 0) return [ZerosLike(g)];
                Tensor eMinus1 = e.DType == DType.Int64 ? WrapNumber((long)exp - 1) : WrapNumber(exp - 1);
                return [g.Mul(PowScalarExponent(x, eMinus1).Mul(e))];
            });
        return result;
    }

    private static Tensor PowScalarBase(Tensor number, Tensor exponent)
    {
        var dtype = TypePromotion.ResultType(number, exponent);
        var result = PowKernel(number, exponent, dtype);
        if (Graph.NeedsGrad(exponent))
            Graph.Record(result, "PowBackward2", [exponent], [number, exponent, result], static (g, s, _) =>
            {
                Tensor b = s[0], y = s[1], r = s[2];
                double baseValue = b.GetAsDouble(0);
                var derivative = r.Mul(Math.Log(baseValue));
                return [g.Mul(baseValue == 0 ? Where(y.Ge(0L), ZerosScalar(g.DType), derivative) : derivative)];
            });
        return result;
    }

    private static Tensor PowKernel(Tensor a, Tensor b, DType dtype)
    {
        var outShape = Shapes.Broadcast(a._shape, b._shape);
        var result = EmptyElementwise(outShape, dtype, a, b);
        if (b.NumElements == 1 && dtype.IsFloating() && Shapes.Equal(outShape, a._shape)
            && PowSpecialExponent(b.GetAsDouble(0)) is { } special)
        {
            var x = a.Cast(dtype);
            if (dtype == DType.Float32) UnaryKernel.Map(Strided<float>.Of(x, outShape), Strided<float>.Of(result, outShape), outShape, (s, d) => PowSpecial(s, special, d));
            else UnaryKernel.Map(Strided<double>.Of(x, outShape), Strided<double>.Of(result, outShape), outShape, (s, d) => PowSpecial(s, special, d));
            return result;
        }
        switch (dtype)
        {
            case DType.Float32:
                BinaryKernel.RunScalar(Operand<float>(a, dtype, outShape), Operand<float>(b, dtype, outShape), Strided<float>.Of(result, outShape), outShape,
                    static (p, q) => (float)Math.Pow(p, q));
                break;
            case DType.Float64:
                BinaryKernel.RunScalar(Operand<double>(a, dtype, outShape), Operand<double>(b, dtype, outShape), Strided<double>.Of(result, outShape), outShape, Math.Pow);
                break;
            default:
                var exponents = (long[])b.StorageAs(DType.Int64);
                foreach (var e in exponents)
                    if (e < 0 && dtype == DType.Int64) throw TorchException.Runtime("PowNegativeIntegerExponent", "Integers to negative integer powers are not allowed.");
                var powers = dtype == DType.Int64 ? result : Empty(outShape, DType.Int64);
                BinaryKernel.RunScalar(Operand<long>(a, DType.Int64, outShape), Operand<long>(b, DType.Int64, outShape), Strided<long>.Of(powers, outShape), outShape, IntegerPow);
                if (dtype == DType.Bool) result.CopyValuesFrom(powers);
                break;
        }
        return result;
    }

    /// <summary>
    /// PyTorch computes these scalar exponents with plain arithmetic instead of pow (x*x for 2, x*x*x for 3, sqrt
    /// for 0.5, 1/x for -1 ...), so the same does here: the same bits as PyTorch, and vector speed.
    /// </summary>
    private static double? PowSpecialExponent(double e) => e is 1 or 2 or 3 or 0.5 or -0.5 or -1 or -2 ? e : null;

    private static void PowSpecial<T>(ReadOnlySpan<T> x, double e, Span<T> d) where T : unmanaged, System.Numerics.IRootFunctions<T>
    {
        switch (e)
        {
            case 1: x.CopyTo(d); break;
            case 2: System.Numerics.Tensors.TensorPrimitives.Multiply<T>(x, x, d); break;
            case 3:
                System.Numerics.Tensors.TensorPrimitives.Multiply<T>(x, x, d);
                System.Numerics.Tensors.TensorPrimitives.Multiply<T>(d, x, d);
                break;
            case 0.5: System.Numerics.Tensors.TensorPrimitives.Sqrt<T>(x, d); break;
            case -0.5:
                System.Numerics.Tensors.TensorPrimitives.Sqrt<T>(x, d);
                System.Numerics.Tensors.TensorPrimitives.Divide<T>(T.One, d, d);
                break;
            case -1: System.Numerics.Tensors.TensorPrimitives.Divide<T>(T.One, x, d); break;
            default:
                System.Numerics.Tensors.TensorPrimitives.Multiply<T>(x, x, d);
                System.Numerics.Tensors.TensorPrimitives.Divide<T>(T.One, d, d);
                break;
        }
    }

    private static long IntegerPow(long x, long e)
    {
        long result = 1;
        while (e > 0)
        {
            if ((e & 1) != 0) result = unchecked(result * x);
            x = unchecked(x * x);
            e >>= 1;
        }
        return result;
    }

    // ---- shared machinery -----------------------------------------------------------------------------------

    /// <summary>
    /// A tensor as an operand of an elementwise loop over <paramref name="shape"/> in <paramref name="dtype"/>: its
    /// own elements when it has the dtype, else a converted copy (in its own layout).
    /// </summary>
    internal static Strided<T> Operand<T>(Tensor t, DType dtype, int[] shape) =>
        Strided<T>.Of(t.DType == dtype ? t : t.Cast(dtype), shape);

    /// <summary>dst = a (op) b in dst's dtype, dst laid out however it is (a fresh result, or a tensor updated in place).</summary>
    internal static void RunBinary<TOp>(Tensor a, Tensor b, Tensor dst) where TOp : IBinaryOperator
    {
        if (dst.DType == DType.Bool)
        {
            // Bool arithmetic is integer arithmetic read back as truth: add is "or", mul is "and".
            var integers = Empty(dst._shape, DType.Int64);
            RunBinary<TOp>(a, b, integers);
            dst.CopyValuesFrom(integers);
            return;
        }
        DTypeDispatch.Numeric(dst.DType, new BinaryCall<TOp>(a, b, dst));
    }

    /// <summary>dst = a (op) b over dst's shape, the operands converted to dst's element type where they differ.</summary>
    private readonly record struct BinaryCall<TOp>(Tensor A, Tensor B, Tensor Dst) : INumericAction where TOp : IBinaryOperator
    {
        public void Run<T>() where T : unmanaged, System.Numerics.INumber<T>
        {
            var shape = Dst._shape;
            BinaryKernel.Run<TOp, T>(Operand<T>(A, Dst.DType, shape), Operand<T>(B, Dst.DType, shape), Strided<T>.Of(Dst, shape), shape);
        }
    }

    /// <summary>this += other, in place, without recording (gradient accumulation outside create_graph).</summary>
    internal void AddInPlace(Tensor other)
    {
        if (!Shapes.Equal(Shapes.Broadcast(_shape, other._shape), _shape))
            throw TorchException.Runtime("InPlaceShapeMismatch",
                $"output with shape [{Shapes.Join(_shape)}] doesn't match the broadcast shape [{Shapes.Join(Shapes.Broadcast(_shape, other._shape))}]");
        RunBinary<AddOperator>(this, other, this);
    }

    private static Tensor ZerosScalar(DType dtype) => Full([], 0, dtype);

    internal static Tensor ZerosLike(Tensor t) => Full(t._shape, 0, t.DType);

    internal static Tensor OnesLike(Tensor t) => Full(t._shape, 1, t.DType);
}
