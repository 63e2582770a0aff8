using AutoGrad.Autograd;
using AutoGrad.Kernels;
using AutoGrad.Ops;

namespace AutoGrad;

// Elementwise ops with arguments or two inputs: clamp, maximum/minimum and the parameterized activations (leaky
// relu, softplus, gelu). Functions are evaluated in double and rounded to the tensor's dtype.
public sealed partial class Tensor
{
    /// <summary>torch.clamp with number bounds (ClampBackward1): gradient passes where min &lt;= x &lt;= max.</summary>
    public Tensor Clamp(double? min = null, double? max = null)
    {
        if (min is null && max is null)
            throw TorchException.Runtime("ClampNoBounds", "torch.clamp: At least one of 'min' or 'max' must not be None");
        bool integral = (min is null || min == Math.Floor(min.Value)) && (max is null || max == Math.Floor(max.Value));
        var dtype = DType;
        if (!DType.IsFloating() && !integral) dtype = DTypes.DefaultFloat;
        var x = Cast(dtype);
        double lo = min ?? double.NegativeInfinity, hi = max ?? double.PositiveInfinity;
        Tensor result;
        if (dtype == DType.Float32 || dtype == DType.Float64)
        {
            result = EmptyElementwise(x._shape, dtype, x);
            if (dtype == DType.Float32)
                UnaryKernel.Map(Strided<float>.Of(x, x._shape), Strided<float>.Of(result, x._shape), x._shape,
                    (s, d) => ClampKernel.Run(s, d, (float)lo, (float)hi));
            else
                UnaryKernel.Map(Strided<double>.Of(x, x._shape), Strided<double>.Of(result, x._shape), x._shape,
                    (s, d) => ClampKernel.Run(s, d, lo, hi));
        }
        else
            result = x.MapValues(v => ClampKernel.Scalar(v, lo, hi));
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ClampBackward1", [this], [this], (lo, hi), static (g, s, state, _) =>
            {
                var (l, h) = state;
                var inside = s[0].Ge(l).LogicalAnd(s[0].Le(h));
                return [Where(inside, g, ZerosScalar(g.DType))];
            });
        return result;
    }

    /// <summary>torch.clamp with tensor bounds (ClampBackward0), broadcast with the input.</summary>
    public Tensor Clamp(Tensor? min, Tensor? max)
    {
        if (min is null && max is null)
            throw TorchException.Runtime("ClampNoBounds", "torch.clamp: At least one of 'min' or 'max' must not be None");
        var lower = min is null ? this : BinaryOps.Maximum.Forward(this, min);
        var result = max is null ? lower : BinaryOps.Minimum.Forward(lower, max);
        result = result.Detach();
        var inputs = new List<Tensor> { this };
        if (min is not null) inputs.Add(min);
        if (max is not null) inputs.Add(max);
        if (Graph.NeedsGrad(inputs.ToArray()))
            Graph.Record(result, "ClampBackward0", inputs.ToArray(), inputs.ToArray(), (min is not null, max is not null),
                static (g, s, state, n) =>
                {
                    var (hasMin, hasMax) = state;
                    var x = s[0];
                    var zero = ZerosScalar(g.DType);
                    Tensor? lo = hasMin ? s[1] : null, hi = hasMax ? s[hasMin ? 2 : 1] : null;
                    var pass = lo is null ? hi!.Ge(x) : hi is null ? x.Ge(lo) : x.Ge(lo).LogicalAnd(x.Le(hi));
                    var grads = new List<Tensor?> { n[0] ? Where(pass, g, zero) : null };
                    if (lo is not null) grads.Add(n[1] ? Where(x.Lt(lo), g, zero) : null);
                    if (hi is not null) grads.Add(n[hasMin ? 2 : 1] ? Where(x.Gt(hi), g, zero) : null);
                    return grads.ToArray();
                });
        return result;
    }

    /// <summary>Elementwise max (MaximumBackward0); on ties each side gets half the gradient.</summary>
    public Tensor Maximum(Tensor other) => BinaryOps.Maximum.Apply(this, other);

    /// <summary>Elementwise min (MinimumBackward0); on ties each side gets half the gradient.</summary>
    public Tensor Minimum(Tensor other) => BinaryOps.Minimum.Apply(this, other);

    // ---- activations ----------------------------------------------------------------------------------------

    /// <summary>max(0,x) + slope*min(0,x) (LeakyReluBackward0).</summary>
    public Tensor LeakyRelu(double negativeSlope = 0.01)
    {
        var result = FloatingOnly("leaky_relu_cpu").MapValues(v => v > 0 ? v : v * negativeSlope);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "LeakyReluBackward0", [this], [this], negativeSlope, static (g, s, state, _) =>
                [Where(s[0].Gt(0L), g, g.Mul(state))]);
        return result;
    }

    /// <summary>log(1 + exp(beta x)) / beta, linear above the threshold (SoftplusBackward0).</summary>
    public Tensor Softplus(double beta = 1, double threshold = 20)
    {
        var result = FloatingOnly("softplus_cpu").MapValues(v => v * beta > threshold ? v : SpecialFunctions.LogOnePlus(Math.Exp(v * beta)) / beta);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "SoftplusBackward0", [this], [this], (beta, threshold), static (g, s, state, _) =>
            {
                var (b, t) = state;
                var x = s[0];
                var z = x.Mul(b).Exp();
                return [Where(x.Mul(b).Gt(t), g, g.Mul(z).Div(z.Add(1L)))];
            });
        return result;
    }

    /// <summary>
    /// x * Phi(x) with the exact normal CDF (approximate: "none"), or the tanh approximation ("tanh")
    /// (GeluBackward0).
    /// </summary>
    public Tensor Gelu(string approximate = "none")
    {
        bool tanh = approximate switch
        {
            "none" => false,
            "tanh" => true,
            _ => throw TorchException.Runtime("GeluApproximate", $"approximate argument must be either none or tanh."),
        };
        var x = FloatingOnly("GeluKernelImpl");
        Tensor result;
        if (!tanh && DType == DType.Float32)
        {
            // PyTorch's own float kernel (its vectorized erf), in float lanes.
            result = EmptyElementwise(_shape, DType, this);
            UnaryKernel.Map(Strided<float>.Of(this, _shape), Strided<float>.Of(result, _shape), _shape, GeluFloat.Run);
        }
        else
            result = x.MapValues(tanh ? GeluTanh : static v => 0.5 * v * (1 + SpecialFunctions.Erf(v / Math.Sqrt(2))));
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "GeluBackward0", [this], [this], tanh,
                static (g, s, state, _) => [GeluBackward(g, s[0], state)]);
        return result;
    }

    private const double SqrtTwoOverPi = 0.7978845608028654;
    private const double GeluCubic = 0.044715;

    /// <summary>
    /// gelu'(x): Phi(x) + x phi(x), or for the tanh form 0.5 (1 + t) + 0.5 x (1 - t^2) u' with
    /// u = sqrt(2/pi) (x + 0.044715 x^3), t = tanh(u). Only a value (the normal CDF has no recorded op); its
    /// derivative is <see cref="GeluSecondDerivative"/>.
    /// </summary>
    internal static Tensor GeluDerivative(Tensor x, bool tanh)
    {
        if (tanh)
        {
            var t = x.Add(x.Pow(3L).Mul(GeluCubic)).Mul(SqrtTwoOverPi).Tanh();
            var du = x.Mul(x).Mul(3 * GeluCubic).Add(1L).Mul(SqrtTwoOverPi);
            return t.Add(1L).Mul(0.5).Add(x.Mul(0.5).Mul(t.Mul(t).RSub(1L)).Mul(du));
        }
        if (x.DType == DType.Float32)
        {
            // PyTorch's vectorized float kernel, in float lanes.
            var derivative = EmptyElementwise(x._shape, x.DType, x);
            UnaryKernel.Map(Strided<float>.Of(x, x._shape), Strided<float>.Of(derivative, x._shape), x._shape, GeluDerivativeFloat.Run);
            return derivative;
        }
        var cdf = x.MapValues(static v => 0.5 * (1 + SpecialFunctions.Erf(v / Math.Sqrt(2))));
        return cdf.Add(x.Mul(NormalPdf(x)));
    }

    /// <summary>
    /// gelu''(x) from recorded ops, so gradients of any order stay exact: phi(x) (2 - x^2), or for the tanh form
    /// (1 - t^2) (u' + 0.5 x (u'' - 2 t u'^2)).
    /// </summary>
    internal static Tensor GeluSecondDerivative(Tensor x, bool tanh)
    {
        if (tanh)
        {
            var t = x.Add(x.Pow(3L).Mul(GeluCubic)).Mul(SqrtTwoOverPi).Tanh();
            var du = x.Mul(x).Mul(3 * GeluCubic).Add(1L).Mul(SqrtTwoOverPi);
            var d2u = x.Mul(6 * GeluCubic * SqrtTwoOverPi);
            return t.Mul(t).RSub(1L).Mul(du.Add(x.Mul(0.5).Mul(d2u.Sub(t.Mul(du).Mul(du).Mul(2L)))));
        }
        return NormalPdf(x).Mul(x.Mul(x).RSub(2L));
    }

    private static Tensor NormalPdf(Tensor x) => x.Mul(x).Mul(-0.5).Exp().Mul(0.3989422804014327);

    private static double GeluTanh(double v)
    {
        const double k = 0.7978845608028654;
        return 0.5 * v * (1 + Math.Tanh(k * (v + 0.044715 * v * v * v)));
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private Tensor FloatingInput() => DType.IsFloating() ? this : Cast(DTypes.DefaultFloat);

    /// <summary>This tensor, which must be floating: PyTorch's activation kernels exist for floating dtypes only.</summary>
    private Tensor FloatingOnly(string kernel) => DType.IsFloating() ? this
        : throw TorchException.Runtime("NotImplementedForDType", $"\"{kernel}\" not implemented for '{DType.ScalarTypeName()}'");

    /// <summary>Applies a double function to each element, keeping the dtype and the layout (no graph).</summary>
    internal Tensor MapValues(Func<double, double> f)
    {
        var result = EmptyElementwise(_shape, DType, this);
        switch (DType)
        {
            case DType.Float32:
                UnaryKernel.Map(Strided<float>.Of(this, _shape), Strided<float>.Of(result, _shape), _shape, (x, d) =>
                {
                    for (int i = 0; i < x.Length; i++) d[i] = (float)f(x[i]);
                });
                break;
            case DType.Float64:
                UnaryKernel.Map(Strided<double>.Of(this, _shape), Strided<double>.Of(result, _shape), _shape, (x, d) =>
                {
                    for (int i = 0; i < x.Length; i++) d[i] = f(x[i]);
                });
                break;
            default:
                var wide = Cast(DType.Float64).MapValues(f);
                result.CopyValuesFrom(wide);
                break;
        }
        return result;
    }
}
