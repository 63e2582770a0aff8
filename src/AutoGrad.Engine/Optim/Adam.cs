using System.Collections;
using System.Collections.Specialized;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace AutoGrad.Optim;

/// <summary>
/// torch.optim.Adam: adaptive moment estimation with bias correction, optional L2 weight decay (added to the
/// gradient), AMSGrad and maximize.
/// </summary>
public class Adam : Optimizer
{
    private static readonly OptionSpec[] s_options =
    [
        new("lr", "LR", OptionKind.Number),
        new("betas", "Betas", OptionKind.Pair),
        new("eps", "Eps", OptionKind.Number),
        new("weight_decay", "WeightDecay", OptionKind.Number),
        new("amsgrad", "AmsGrad", OptionKind.Flag),
        new("maximize", "Maximize", OptionKind.Flag),
        new("foreach", "Foreach", OptionKind.Fixed),
        new("capturable", "Capturable", OptionKind.Fixed),
        new("differentiable", "Differentiable", OptionKind.Fixed),
        new("fused", "Fused", OptionKind.Fixed),
        new("decoupled_weight_decay", "DecoupledWeightDecay", OptionKind.Fixed),
    ];

    /// <summary>PyTorch 2's defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.</summary>
    public Adam(IEnumerable<object> parameters, double lr = 1e-3, double[]? betas = null, double eps = 1e-8, double weightDecay = 0,
        bool amsgrad = false, bool maximize = false)
        : this(parameters, lr, betas, eps, weightDecay, amsgrad, maximize, decoupled: false)
    {
    }

    private protected Adam(IEnumerable<object> parameters, double lr, double[]? betas, double eps, double weightDecay, bool amsgrad,
        bool maximize, bool decoupled)
        : base(parameters, DefaultOptions(lr, betas ?? [0.9, 0.999], eps, weightDecay, amsgrad, maximize, decoupled))
    {
    }

    private static OrderedDictionary DefaultOptions(double lr, double[] betas, double eps, double weightDecay, bool amsgrad,
        bool maximize, bool decoupled)
    {
        if (betas.Length != 2)
            throw TorchException.Value("InvalidOption", $"betas must be two numbers, but got {betas.Length}");
        return OptionValues(s_options, lr, betas, eps, weightDecay, amsgrad, maximize, null, false, false, null, decoupled);
    }

    private protected override IReadOnlyList<OptionSpec> Options => s_options;

    private protected override void Validate(OrderedDictionary o)
    {
        double lr = NumberOption(o, "lr"), eps = NumberOption(o, "eps"), weightDecay = NumberOption(o, "weight_decay");
        var betas = (double[])o["betas"]!;
        Require(0.0 <= lr, "learning rate", lr);
        Require(0.0 <= eps, "epsilon value", eps);
        Require(0.0 <= betas[0] && betas[0] < 1.0, "beta parameter at index 0", betas[0]);
        Require(0.0 <= betas[1] && betas[1] < 1.0, "beta parameter at index 1", betas[1]);
        Require(0.0 <= weightDecay, "weight_decay value", weightDecay);
    }

    private protected override ParamGroup CreateGroup(List<Tensor> parameters, OrderedDictionary options) =>
        new AdamParamGroup(parameters, options, s_options);

    private protected override void StepGroup(ParamGroup group)
    {
        var g = (AdamParamGroup)group;
        var betas = g.Betas;
        double lr = g.LR, eps = g.Eps, weightDecay = g.WeightDecay;
        bool amsgrad = g.AmsGrad, maximize = g.Maximize, decoupled = g["decoupled_weight_decay"] is true;
        foreach (var p in g.Params)
        {
            if (GradientOf(p) is not { } grad) continue;
            var state = StateOf(p);
            var expAvg = state.Buffer("exp_avg", () => Tensor.Zeros(p.Shape, p.DType));
            var expAvgSq = state.Buffer("exp_avg_sq", () => Tensor.Zeros(p.Shape, p.DType));
            var maxExpAvgSq = amsgrad ? state.Buffer("max_exp_avg_sq", () => Tensor.Zeros(p.Shape, p.DType)) : null;
            state.Step += 1;
            var k = new AdamCoefficients(lr, betas[0], betas[1], eps, weightDecay, state.Step, amsgrad, maximize, decoupled);
            if (p.DType == DType.Float32)
                ParameterUpdate.Run<AdamUpdate<float>, float>(new(k), p, grad, expAvg, expAvgSq, maxExpAvgSq);
            else
                ParameterUpdate.Run<AdamUpdate<double>, double>(new(k), p, grad, expAvg, expAvgSq, maxExpAvgSq);
        }
    }

    /// <summary>The step's scalars, computed in double as PyTorch computes them in Python.</summary>
    private readonly record struct AdamCoefficients(double Lr, double Beta1, double Beta2, double Eps, double WeightDecay,
        double Step, bool AmsGrad, bool Maximize, bool Decoupled)
    {
        public double StepSize => Lr / (1 - Math.Pow(Beta1, Step));
        public double BiasCorrection2Sqrt => Math.Sqrt(1 - Math.Pow(Beta2, Step));
    }

    /// <summary>
    /// PyTorch 2's _single_tensor_adam for one element: grad = -grad if maximize; decoupled (AdamW):
    /// param.mul_(1 - lr*wd), else grad.add(param, alpha=wd); exp_avg.lerp_(grad, 1-beta1);
    /// exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1-beta2); max_exp_avg_sq = maximum(max, exp_avg_sq);
    /// denom = (sqrt(v) / sqrt(1-beta2^t)).add_(eps); param.addcdiv_(exp_avg, denom, value=-lr/(1-beta1^t)).
    /// </summary>
    private readonly struct AdamUpdate<T> : IParameterUpdate<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        private readonly T _oneMinusBeta1;
        private readonly Vector256<T> _beta2, _oneMinusBeta2, _weightDecay, _decay, _biasCorrection2Sqrt, _eps, _negStepSize;
        private readonly bool _amsgrad, _maximize, _coupledDecay, _decoupledDecay;

        public AdamUpdate(AdamCoefficients k)
        {
            _oneMinusBeta1 = T.CreateTruncating(1 - k.Beta1);
            _beta2 = Vector256.Create(T.CreateTruncating(k.Beta2));
            _oneMinusBeta2 = Vector256.Create(T.CreateTruncating(1 - k.Beta2));
            _weightDecay = Vector256.Create(T.CreateTruncating(k.WeightDecay));
            _decay = Vector256.Create(T.CreateTruncating(1 - k.Lr * k.WeightDecay));
            _biasCorrection2Sqrt = Vector256.Create(T.CreateTruncating(k.BiasCorrection2Sqrt));
            _eps = Vector256.Create(T.CreateTruncating(k.Eps));
            _negStepSize = Vector256.Create(T.CreateTruncating(-k.StepSize));
            _amsgrad = k.AmsGrad;
            _maximize = k.Maximize;
            _coupledDecay = !k.Decoupled && k.WeightDecay != 0;
            _decoupledDecay = k.Decoupled && k.WeightDecay != 0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Apply(ref Vector256<T> param, Vector256<T> grad, ref Vector256<T> expAvg, ref Vector256<T> expAvgSq,
            ref Vector256<T> maxExpAvgSq)
        {
            if (_maximize) grad = -grad;
            if (_decoupledDecay) param *= _decay;
            else if (_coupledDecay) grad = UpdateMath.MultiplyAdd(param, _weightDecay, grad);
            expAvg = UpdateMath.Lerp(expAvg, grad, _oneMinusBeta1);
            expAvgSq = UpdateMath.MultiplyAdd(_oneMinusBeta2 * grad, grad, expAvgSq * _beta2);
            var second = expAvgSq;
            if (_amsgrad) second = maxExpAvgSq = UpdateMath.Maximum(maxExpAvgSq, expAvgSq);
            var denom = Vector256.Sqrt(second) / _biasCorrection2Sqrt + _eps;
            param += _negStepSize * expAvg / denom;
        }
    }
}

/// <summary>
/// torch.optim.AdamW: Adam with decoupled weight decay (the parameter shrinks by lr * weight_decay each step
/// instead of the decay entering the gradient); weight_decay defaults to 1e-2.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>PyTorch 2's defaults: lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2.</summary>
    public AdamW(IEnumerable<object> parameters, double lr = 1e-3, double[]? betas = null, double eps = 1e-8, double weightDecay = 1e-2,
        bool amsgrad = false, bool maximize = false)
        : base(parameters, lr, betas, eps, weightDecay, amsgrad, maximize, decoupled: true)
    {
    }
}

/// <summary>A parameter group of <see cref="Adam"/> or <see cref="AdamW"/>: lr, betas, eps, weight_decay, amsgrad, maximize.</summary>
public sealed class AdamParamGroup : ParamGroup
{
    internal AdamParamGroup(List<Tensor> parameters, OrderedDictionary options, IReadOnlyList<OptionSpec> specs)
        : base(parameters, options, specs)
    {
    }

    /// <summary>The decay rates of the two moment averages (beta1, beta2); a copy.</summary>
    public double[] Betas
    {
        get => Pair("betas");
        set => this["betas"] = value;
    }

    public double Eps
    {
        get => Number("eps");
        set => this["eps"] = value;
    }

    public bool AmsGrad
    {
        get => Flag("amsgrad");
        set => this["amsgrad"] = value;
    }
}
