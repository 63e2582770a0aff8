using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Elementwise functions of one tensor. Floating functions of an integer tensor give the default float dtype
// (torch.exp(int64) is float32); neg, abs and relu keep integer dtypes.
public sealed partial class Tensor
{
    public Tensor Neg()
    {
        if (DType == DType.Bool)
            throw TorchException.Runtime("NegBool",
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        var result = DType == DType.Int64 ? MapLong(static v => -v) : MapFloat<NegOperator>(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "NegBackward0", [this], [], null, static (g, _, _, _) => [g.Neg()]);
        return result;
    }

    public Tensor Exp() => FloatUnary<ExpOperator>("ExpBackward0", saveResult: true, static (g, s) => g.Mul(s));
    public Tensor Log() => FloatUnary<LogOperator>("LogBackward0", saveResult: false, static (g, s) => g.Div(s));
    public Tensor Sqrt() => FloatUnary<SqrtOperator>("SqrtBackward0", saveResult: true, static (g, s) => g.Div(s.Mul(2L)));
    public Tensor Sin() => FloatUnary<SinOperator>("SinBackward0", saveResult: false, static (g, s) => g.Mul(s.Cos()));
    public Tensor Cos() => FloatUnary<CosOperator>("CosBackward0", saveResult: false, static (g, s) => g.Mul(s.Sin().Neg()));
    public Tensor Tanh() => FloatUnary<TanhOperator>("TanhBackward0", saveResult: true, TanhBackward);
    public Tensor Sigmoid() => FloatUnary<SigmoidOperator>("SigmoidBackward0", saveResult: true, SigmoidBackward);

    /// <summary>1 / x (ReciprocalBackward0).</summary>
    public Tensor Reciprocal()
    {
        var x = DType.IsFloating() ? this : Cast(DTypes.DefaultFloat);
        var result = Binary<DivideOperator>(Full([], 1, x.DType), x, x.DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ReciprocalBackward0", [this], [result], null,
                static (g, s, _, _) => [g.Mul(s[0].Mul(s[0]).Neg())]);
        return result;
    }

    public Tensor Abs()
    {
        if (DType == DType.Bool) return Clone();
        var result = DType == DType.Int64 ? MapLong(Math.Abs) : MapFloat<AbsOperator>(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "AbsBackward0", [this], [this], null, static (g, s, _, _) => [g.Mul(s[0].Sign())]);
        return result;
    }

    /// <summary>max(x, 0). The gradient at 0 is 0, as PyTorch's threshold_backward gives.</summary>
    public Tensor Relu()
    {
        if (DType == DType.Bool)
            throw TorchException.Runtime("ReluBool", "\"clamp_min_cpu\" not implemented for 'Bool'");
        var result = DType == DType.Int64 ? MapLong(static v => Math.Max(v, 0)) : MapFloat<ReluOperator>(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ReluBackward0", [this], [result], null,
                static (g, s, _, _) => [ThresholdBackward(g, s[0], 0)]);
        return result;
    }

    /// <summary>-1, 0 or 1 per element (SignBackward0: gradient zero everywhere).</summary>
    public Tensor Sign()
    {
        Tensor result = DType switch
        {
            DType.Int64 => MapLong(static v => Math.Sign(v)),
            DType.Bool => Clone(),
            _ => MapFloat<SignOperator>(this),
        };
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "SignBackward0", [this], [], null, static (g, _, _, _) => [ZerosLike(g)]);
        return result;
    }

    private Tensor MapLong(Func<long, long> f)
    {
        var result = EmptyElementwise(_shape, DType.Int64, this);
        UnaryKernel.Map(Strided<long>.Of(this, _shape), Strided<long>.Of(result, _shape), _shape, (x, d) =>
        {
            for (int i = 0; i < x.Length; i++) d[i] = f(x[i]);
        });
        return result;
    }

    /// <summary>A floating kernel over a floating tensor, the result laid out as the input.</summary>
    private static Tensor MapFloat<TOp>(Tensor x) where TOp : IUnaryOperator
    {
        var shape = x._shape;
        var result = EmptyElementwise(shape, x.DType, x);
        if (x.DType == DType.Float32)
            UnaryKernel.Map(Strided<float>.Of(x, shape), Strided<float>.Of(result, shape), shape, static (s, d) => TOp.Invoke(s, d));
        else
            UnaryKernel.Map(Strided<double>.Of(x, shape), Strided<double>.Of(result, shape), shape, static (s, d) => TOp.Invoke(s, d));
        return result;
    }

    /// <summary>
    /// A floating function with a one-line derivative: <paramref name="derivative"/> maps (grad, saved) to the
    /// input gradient, where saved is the result (<paramref name="saveResult"/>) or the input.
    /// </summary>
    private Tensor FloatUnary<TOp>(string nodeName, bool saveResult, Func<Tensor, Tensor, Tensor> derivative)
        where TOp : IUnaryOperator
    {
        var result = MapFloat<TOp>(DType.IsFloating() ? this : Cast(DTypes.DefaultFloat));
        if (Graph.NeedsGrad(this))
            Graph.Record(result, nodeName, [this], [saveResult ? result : this], derivative,
                static (g, s, state, _) => [((Func<Tensor, Tensor, Tensor>)state!)(g, s[0])]);
        return result;
    }
}
