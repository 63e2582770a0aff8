using System.Collections;
using System.Collections.Specialized;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.RMSprop: divides the gradient by a running root mean square of past gradients (centered: by their
/// running standard deviation), with optional momentum, L2 weight decay and maximize.
/// </summary>
public sealed class RMSprop : Optimizer
{
    private static readonly OptionSpec[] s_options =
    [
        new("lr", "LR", OptionKind.Number),
        new("momentum", "Momentum", OptionKind.Number),
        new("alpha", "Alpha", OptionKind.Number),
        new("eps", "Eps", OptionKind.Number),
        new("centered", "Centered", OptionKind.Flag),
        new("weight_decay", "WeightDecay", OptionKind.Number),
        new("capturable", "Capturable", OptionKind.Fixed),
        new("foreach", "Foreach", OptionKind.Fixed),
        new("maximize", "Maximize", OptionKind.Flag),
        new("differentiable", "Differentiable", OptionKind.Fixed),
    ];

    /// <summary>PyTorch 2's defaults: lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0.</summary>
    public RMSprop(IEnumerable<object> parameters, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0,
        double momentum = 0, bool centered = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, alpha, eps, weightDecay, momentum, centered, maximize))
    {
    }

    private static OrderedDictionary DefaultOptions(double lr, double alpha, double eps, double weightDecay, double momentum,
        bool centered, bool maximize) =>
        OptionValues(s_options, lr, momentum, alpha, eps, centered, weightDecay, false, null, maximize, false);

    private protected override IReadOnlyList<OptionSpec> Options => s_options;

    private protected override void Validate(OrderedDictionary o)
    {
        double lr = NumberOption(o, "lr"), eps = NumberOption(o, "eps"), momentum = NumberOption(o, "momentum");
        double weightDecay = NumberOption(o, "weight_decay"), alpha = NumberOption(o, "alpha");
        Require(0.0 <= lr, "learning rate", lr);
        Require(0.0 <= eps, "epsilon value", eps);
        Require(0.0 <= momentum, "momentum value", momentum);
        Require(0.0 <= weightDecay, "weight_decay value", weightDecay);
        Require(0.0 <= alpha, "alpha value", alpha);
    }

    private protected override ParamGroup CreateGroup(List<Tensor> parameters, OrderedDictionary options) =>
        new RMSpropParamGroup(parameters, options, s_options);

    private protected override void StepGroup(ParamGroup group)
    {
        var g = (RMSpropParamGroup)group;
        double lr = g.LR, alpha = g.Alpha, eps = g.Eps, weightDecay = g.WeightDecay, momentum = g.Momentum;
        bool centered = g.Centered, maximize = g.Maximize;
        foreach (var p in g.Params)
        {
            if (GradientOf(p) is not { } grad) continue;
            var state = StateOf(p);
            // PyTorch's creation order, which is also the state dict's: step, square_avg, momentum_buffer, grad_avg.
            var squareAvg = state.Buffer("square_avg", () => Tensor.Zeros(p.Shape, p.DType));
            var buffer = momentum > 0 ? state.Buffer("momentum_buffer", () => Tensor.Zeros(p.Shape, p.DType)) : null;
            var gradAvg = centered ? state.Buffer("grad_avg", () => Tensor.Zeros(p.Shape, p.DType)) : null;
            state.Step += 1;
            if (p.DType == DType.Float32)
                ParameterUpdate.Run<RMSpropUpdate<float>, float>(new(lr, alpha, eps, weightDecay, momentum, centered, maximize), p, grad, squareAvg, buffer, gradAvg);
            else
                ParameterUpdate.Run<RMSpropUpdate<double>, double>(new(lr, alpha, eps, weightDecay, momentum, centered, maximize), p, grad, squareAvg, buffer, gradAvg);
        }
    }

    /// <summary>
    /// PyTorch 2's _single_tensor_rmsprop for one element: grad = -grad if maximize; grad.add(param, alpha=wd);
    /// square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha); centered: grad_avg.lerp_(grad, 1-alpha) and
    /// avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_(), else avg = square_avg.sqrt(); avg.add_(eps);
    /// momentum: buf.mul_(momentum).addcdiv_(grad, avg) and param.add_(buf, alpha=-lr), else
    /// param.addcdiv_(grad, avg, value=-lr).
    /// </summary>
    private readonly struct RMSpropUpdate<T> : IParameterUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusAlpha;
        private readonly Vector256<T> _negLr, _alpha, _oneMinusAlphaVector, _eps, _weightDecay, _momentum;
        private readonly bool _hasWeightDecay, _hasMomentum, _centered, _maximize;

        public RMSpropUpdate(double lr, double alpha, double eps, double weightDecay, double momentum, bool centered, bool maximize)
        {
            _oneMinusAlpha = T.CreateTruncating(1 - alpha);
            _oneMinusAlphaVector = Vector256.Create(_oneMinusAlpha);
            _negLr = Vector256.Create(T.CreateTruncating(-lr));
            _alpha = Vector256.Create(T.CreateTruncating(alpha));
            _eps = Vector256.Create(T.CreateTruncating(eps));
            _weightDecay = Vector256.Create(T.CreateTruncating(weightDecay));
            _momentum = Vector256.Create(T.CreateTruncating(momentum));
            _hasWeightDecay = weightDecay != 0;
            _hasMomentum = momentum > 0;
            _centered = centered;
            _maximize = maximize;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector256<T> param, Vector256<T> grad, ref Vector256<T> squareAvg, ref Vector256<T> buf,
            ref Vector256<T> gradAvg)
        {
            if (_maximize) grad = -grad;
            if (_hasWeightDecay) grad = UpdateMath.MultiplyAdd(param, _weightDecay, grad);
            squareAvg = UpdateMath.MultiplyAdd(_oneMinusAlphaVector * grad, grad, squareAvg * _alpha);
            Vector256<T> avg;
            if (_centered)
            {
                gradAvg = UpdateMath.Lerp(gradAvg, grad, _oneMinusAlpha);
                avg = Vector256.Sqrt(UpdateMath.MultiplyAdd(-gradAvg, gradAvg, squareAvg));
            }
            else
            {
                avg = Vector256.Sqrt(squareAvg);
            }
            avg += _eps;
            if (_hasMomentum)
            {
                buf = buf * _momentum + grad / avg;
                param = UpdateMath.MultiplyAdd(buf, _negLr, param);
            }
            else
            {
                param += _negLr * grad / avg;
            }
        }
    }
}

/// <summary>A parameter group of <see cref="RMSprop"/>: lr, momentum, alpha, eps, centered, weight_decay, maximize.</summary>
public sealed class RMSpropParamGroup : ParamGroup
{
    internal RMSpropParamGroup(List<Tensor> parameters, OrderedDictionary options, IReadOnlyList<OptionSpec> specs)
        : base(parameters, options, specs)
    {
    }

    public double Momentum
    {
        get => Number("momentum");
        set => this["momentum"] = value;
    }

    public double Alpha
    {
        get => Number("alpha");
        set => this["alpha"] = value;
    }

    public double Eps
    {
        get => Number("eps");
        set => this["eps"] = value;
    }

    public bool Centered
    {
        get => Flag("centered");
        set => this["centered"] = value;
    }
}
