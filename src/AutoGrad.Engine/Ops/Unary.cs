using AutoGrad.Ops;

namespace AutoGrad;

// The elementwise functions of one tensor, as methods: each is its declaration in UnaryOps (kernel, node,
// derivative) applied through the one unary path. Floating functions of an integer tensor give the default float
// dtype (torch.exp(int64) is float32); neg, abs, relu and sign keep Int64.
public sealed partial class Tensor
{
    public Tensor Neg() => UnaryOps.Neg.Apply(this);
    public Tensor Exp() => UnaryOps.Exp.Apply(this);
    public Tensor Log() => UnaryOps.Log.Apply(this);
    public Tensor Sqrt() => UnaryOps.Sqrt.Apply(this);
    public Tensor Abs() => UnaryOps.Abs.Apply(this);
    public Tensor Sin() => UnaryOps.Sin.Apply(this);
    public Tensor Cos() => UnaryOps.Cos.Apply(this);
    public Tensor Tanh() => UnaryOps.Tanh.Apply(this);
    public Tensor Sigmoid() => UnaryOps.Sigmoid.Apply(this);
    public Tensor Relu() => UnaryOps.Relu.Apply(this);
    public Tensor Sign() => UnaryOps.Sign.Apply(this);
    public Tensor Log1p() => UnaryOps.Log1p.Apply(this);
    public Tensor Expm1() => UnaryOps.Expm1.Apply(this);
    public Tensor Reciprocal() => UnaryOps.Reciprocal.Apply(this);
    public Tensor Rsqrt() => UnaryOps.Rsqrt.Apply(this);
    public Tensor Floor() => UnaryOps.Floor.Apply(this);
    public Tensor Ceil() => UnaryOps.Ceil.Apply(this);
    public Tensor Round() => UnaryOps.Round.Apply(this);
    public Tensor Silu() => UnaryOps.Silu.Apply(this);
    public Tensor Erf() => UnaryOps.Erf.Apply(this);

    /// <summary>torch.square is pow(x, 2) (PowBackward0).</summary>
    public Tensor Square() => Pow(2L);
}
