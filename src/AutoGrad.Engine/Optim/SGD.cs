using System.Collections;
using System.Collections.Specialized;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.SGD: stochastic gradient descent with optional momentum (PyTorch's form: the buffer starts as the
/// first gradient and dampening applies from the second step), Nesterov momentum, L2 weight decay and maximize.
/// </summary>
public sealed class SGD : Optimizer
{
    private static readonly OptionSpec[] s_options =
    [
        new("lr", "LR", OptionKind.Number),
        new("momentum", "Momentum", OptionKind.Number),
        new("dampening", "Dampening", OptionKind.Number),
        new("weight_decay", "WeightDecay", OptionKind.Number),
        new("nesterov", "Nesterov", OptionKind.Flag),
        new("maximize", "Maximize", OptionKind.Flag),
        new("foreach", "Foreach", OptionKind.Fixed),
        new("differentiable", "Differentiable", OptionKind.Fixed),
        new("fused", "Fused", OptionKind.Fixed),
    ];

    /// <summary>PyTorch 2's defaults: lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False.</summary>
    public SGD(IEnumerable<object> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0,
        bool nesterov = false, bool maximize = false)
        : base(parameters, DefaultOptions(lr, momentum, dampening, weightDecay, nesterov, maximize))
    {
    }

    private static OrderedDictionary DefaultOptions(double lr, double momentum, double dampening, double weightDecay, bool nesterov,
        bool maximize) =>
        OptionValues(s_options, lr, momentum, dampening, weightDecay, nesterov, maximize, null, false, null);

    private protected override IReadOnlyList<OptionSpec> Options => s_options;

    private protected override bool CountsSteps => false;

    private protected override void Validate(OrderedDictionary o)
    {
        double lr = NumberOption(o, "lr"), momentum = NumberOption(o, "momentum"), weightDecay = NumberOption(o, "weight_decay");
        Require(!(lr < 0.0), "learning rate", lr);
        Require(!(momentum < 0.0), "momentum value", momentum);
        Require(!(weightDecay < 0.0), "weight_decay value", weightDecay);
        if (FlagOption(o, "nesterov") && (momentum <= 0 || NumberOption(o, "dampening") != 0))
            throw TorchException.Value("InvalidOption", "Nesterov momentum requires a momentum and zero dampening");
    }

    private protected override ParamGroup CreateGroup(List<Tensor> parameters, OrderedDictionary options) =>
        new SGDParamGroup(parameters, options, s_options);

    private protected override void StepGroup(ParamGroup group)
    {
        var g = (SGDParamGroup)group;
        double lr = g.LR, momentum = g.Momentum, dampening = g.Dampening, weightDecay = g.WeightDecay;
        bool nesterov = g.Nesterov, maximize = g.Maximize;
        foreach (var p in g.Params)
        {
            if (GradientOf(p) is not { } grad) continue;
            Tensor? buffer = null;
            bool first = false;
            if (momentum != 0)
            {
                var state = StateOf(p);
                first = state.Buffer("momentum_buffer") is null;
                buffer = state.Buffer("momentum_buffer", () => Tensor.Zeros(p.Shape, p.DType));
            }
            if (p.DType == DType.Float32)
                ParameterUpdate.Run<SgdUpdate<float>, float>(new(lr, momentum, dampening, weightDecay, nesterov, maximize, first), p, grad, buffer);
            else
                ParameterUpdate.Run<SgdUpdate<double>, double>(new(lr, momentum, dampening, weightDecay, nesterov, maximize, first), p, grad, buffer);
        }
    }

    /// <summary>
    /// PyTorch's _single_tensor_sgd for one element: grad = -grad if maximize; grad.add(param, alpha=wd);
    /// buf = grad on the first step, else buf.mul_(momentum).add_(grad, alpha=1-dampening); grad =
    /// grad.add(buf, alpha=momentum) (Nesterov) or buf; param.add_(grad, alpha=-lr).
    /// </summary>
    private readonly struct SgdUpdate<T> : IParameterUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector256<T> _negLr, _momentum, _oneMinusDampening, _weightDecay;
        private readonly bool _hasMomentum, _hasWeightDecay, _nesterov, _maximize, _first;

        public SgdUpdate(double lr, double momentum, double dampening, double weightDecay, bool nesterov, bool maximize, bool first)
        {
            _negLr = Vector256.Create(T.CreateTruncating(-lr));
            _momentum = Vector256.Create(T.CreateTruncating(momentum));
            _oneMinusDampening = Vector256.Create(T.CreateTruncating(1 - dampening));
            _weightDecay = Vector256.Create(T.CreateTruncating(weightDecay));
            _hasMomentum = momentum != 0;
            _hasWeightDecay = weightDecay != 0;
            _nesterov = nesterov;
            _maximize = maximize;
            _first = first;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector256<T> param, Vector256<T> grad, ref Vector256<T> buf, ref Vector256<T> s1, ref Vector256<T> s2)
        {
            if (_maximize) grad = -grad;
            if (_hasWeightDecay) grad = UpdateMath.MultiplyAdd(param, _weightDecay, grad);
            if (_hasMomentum)
            {
                buf = _first ? grad : UpdateMath.MultiplyAdd(grad, _oneMinusDampening, buf * _momentum);
                grad = _nesterov ? UpdateMath.MultiplyAdd(buf, _momentum, grad) : buf;
            }
            param = UpdateMath.MultiplyAdd(grad, _negLr, param);
        }
    }
}

/// <summary>A parameter group of <see cref="SGD"/>: lr, momentum, dampening, weight_decay, nesterov, maximize.</summary>
public sealed class SGDParamGroup : ParamGroup
{
    internal SGDParamGroup(List<Tensor> parameters, OrderedDictionary options, IReadOnlyList<OptionSpec> specs)
        : base(parameters, options, specs)
    {
    }

    public double Momentum
    {
        get => Number("momentum");
        set => this["momentum"] = value;
    }

    public double Dampening
    {
        get => Number("dampening");
        set => this["dampening"] = value;
    }

    public bool Nesterov
    {
        get => Flag("nesterov");
        set => this["nesterov"] = value;
    }
}
