using System.Collections;
using System.Collections.Specialized;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.Adagrad: divides the gradient by the root of the sum of all past squared gradients, with a learning
/// rate that decays as lr / (1 + (step - 1) * lr_decay), optional L2 weight decay and maximize. As in PyTorch, every
/// parameter's state (step 0 and a sum filled with initial_accumulator_value) exists from construction, and the
/// sums of the groups given to the constructor start from the constructor's initial_accumulator_value even when a
/// group sets its own (PyTorch reads the argument, not the group). A group added later starts from its own value.
/// </summary>
public sealed class Adagrad : Optimizer
{
    private readonly bool _constructed;

    private static readonly OptionSpec[] s_options =
    [
        new("lr", "LR", OptionKind.Number),
        new("lr_decay", "LRDecay", OptionKind.Number),
        new("eps", "Eps", OptionKind.Number),
        new("weight_decay", "WeightDecay", OptionKind.Number),
        new("initial_accumulator_value", "InitialAccumulatorValue", OptionKind.Number),
        new("foreach", "Foreach", OptionKind.Fixed),
        new("maximize", "Maximize", OptionKind.Flag),
        new("differentiable", "Differentiable", OptionKind.Fixed),
        new("fused", "Fused", OptionKind.Fixed),
    ];

    /// <summary>PyTorch 2's defaults: lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10.</summary>
    public Adagrad(IEnumerable<object> parameters, double lr = 1e-2, double lrDecay = 0, double weightDecay = 0,
        double initialAccumulatorValue = 0, double eps = 1e-10, bool maximize = false)
        : base(parameters, DefaultOptions(lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize))
    {
        _constructed = true;
    }

    private static OrderedDictionary DefaultOptions(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue,
        double eps, bool maximize) =>
        OptionValues(s_options, lr, lrDecay, eps, weightDecay, initialAccumulatorValue, null, maximize, false, null);

    private protected override IReadOnlyList<OptionSpec> Options => s_options;

    private protected override void Validate(OrderedDictionary o)
    {
        double lr = NumberOption(o, "lr"), lrDecay = NumberOption(o, "lr_decay"), weightDecay = NumberOption(o, "weight_decay");
        double initial = NumberOption(o, "initial_accumulator_value"), eps = NumberOption(o, "eps");
        Require(0.0 <= lr, "learning rate", lr);
        Require(0.0 <= lrDecay, "lr_decay value", lrDecay);
        Require(0.0 <= weightDecay, "weight_decay value", weightDecay);
        Require(0.0 <= initial, "initial_accumulator_value value", initial);
        Require(0.0 <= eps, "epsilon value", eps);
    }

    private protected override ParamGroup CreateGroup(List<Tensor> parameters, OrderedDictionary options) =>
        new AdagradParamGroup(parameters, options, s_options);

    private protected override void OnGroupAdded(ParamGroup group)
    {
        double initial = _constructed
            ? ((AdagradParamGroup)group).InitialAccumulatorValue
            : (double)Defaults["initial_accumulator_value"]!;
        foreach (var p in group.Params)
            if (!State.ContainsKey(p) && p.DType.IsFloating())
                SumOf(StateOf(p), p, initial);
    }

    private static Tensor SumOf(ParamState state, Tensor p, double initial) =>
        state.Buffer("sum", () => Tensor.Full(p.Shape, initial, p.DType));

    private protected override void StepGroup(ParamGroup group)
    {
        var g = (AdagradParamGroup)group;
        double lr = g.LR, lrDecay = g.LRDecay, eps = g.Eps, weightDecay = g.WeightDecay;
        bool maximize = g.Maximize;
        foreach (var p in g.Params)
        {
            if (GradientOf(p) is not { } grad) continue;
            var state = StateOf(p);
            var sum = SumOf(state, p, g.InitialAccumulatorValue);
            state.Step += 1;
            double clr = lr / (1 + (state.Step - 1) * lrDecay);
            if (p.DType == DType.Float32)
                ParameterUpdate.Run<AdagradUpdate<float>, float>(new(clr, eps, weightDecay, maximize), p, grad, sum);
            else
                ParameterUpdate.Run<AdagradUpdate<double>, double>(new(clr, eps, weightDecay, maximize), p, grad, sum);
        }
    }

    /// <summary>
    /// PyTorch's _single_tensor_adagrad for one element: grad = -grad if maximize; grad.add(param, alpha=wd);
    /// state_sum.addcmul_(grad, grad, value=1); std = state_sum.sqrt().add_(eps); param.addcdiv_(grad, std, value=-clr).
    /// </summary>
    private readonly struct AdagradUpdate<T> : IParameterUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly Vector256<T> _negClr, _eps, _weightDecay;
        private readonly bool _hasWeightDecay, _maximize;

        public AdagradUpdate(double clr, double eps, double weightDecay, bool maximize)
        {
            _negClr = Vector256.Create(T.CreateTruncating(-clr));
            _eps = Vector256.Create(T.CreateTruncating(eps));
            _weightDecay = Vector256.Create(T.CreateTruncating(weightDecay));
            _hasWeightDecay = weightDecay != 0;
            _maximize = maximize;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector256<T> param, Vector256<T> grad, ref Vector256<T> sum, ref Vector256<T> s1, ref Vector256<T> s2)
        {
            if (_maximize) grad = -grad;
            if (_hasWeightDecay) grad = UpdateMath.MultiplyAdd(param, _weightDecay, grad);
            sum = UpdateMath.MultiplyAdd(grad, grad, sum);
            var std = Vector256.Sqrt(sum) + _eps;
            param += _negClr * grad / std;
        }
    }
}

/// <summary>A parameter group of <see cref="Adagrad"/>: lr, lr_decay, eps, weight_decay, initial_accumulator_value, maximize.</summary>
public sealed class AdagradParamGroup : ParamGroup
{
    internal AdagradParamGroup(List<Tensor> parameters, OrderedDictionary options, IReadOnlyList<OptionSpec> specs)
        : base(parameters, options, specs)
    {
    }

    public double LRDecay
    {
        get => Number("lr_decay");
        set => this["lr_decay"] = value;
    }

    public double Eps
    {
        get => Number("eps");
        set => this["eps"] = value;
    }

    public double InitialAccumulatorValue
    {
        get => Number("initial_accumulator_value");
        set => this["initial_accumulator_value"] = value;
    }
}
