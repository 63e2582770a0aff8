using AutoGrad.Autograd;

namespace AutoGrad;

// The backward formulas of tanh, sigmoid and relu are ops of their own in PyTorch (tanh_backward, sigmoid_backward,
// threshold_backward) with derivatives.yaml entries, so a gradient built with create_graph is named
// TanhBackwardBackward0, SigmoidBackwardBackward0 or ThresholdBackwardBackward0 rather than after the arithmetic
// inside. Each computes its value without recording, then records itself as one node.
public sealed partial class Tensor
{
    /// <summary>grad * (1 - y^2), for y = tanh(x).</summary>
    internal static Tensor TanhBackward(Tensor grad, Tensor output)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = grad.Mul(output.Mul(output).RSub(1L));
        if (Graph.NeedsGrad(grad, output))
            Graph.Record(result, "TanhBackwardBackward0", [grad, output], [grad, output], null, static (g, s, _, n) =>
                [n[0] ? TanhBackward(g, s[1]) : null, n[1] ? g.Mul(s[1].Mul(-2L).Mul(s[0])) : null]);
        return result;
    }

    /// <summary>grad * (1 - y) * y, for y = sigmoid(x).</summary>
    internal static Tensor SigmoidBackward(Tensor grad, Tensor output)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = grad.Mul(output.RSub(1L)).Mul(output);
        if (Graph.NeedsGrad(grad, output))
            Graph.Record(result, "SigmoidBackwardBackward0", [grad, output], [grad, output], null, static (g, s, _, n) =>
                [n[0] ? SigmoidBackward(g, s[1]) : null, n[1] ? g.Mul(s[0]).Mul(s[1].Mul(-2L).Add(1L)) : null]);
        return result;
    }

    /// <summary>grad where x &gt; 0, else 0 (threshold_backward with threshold 0; NaN in x lets grad through).</summary>
    internal static Tensor ThresholdBackward(Tensor grad, Tensor x)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = Where(x.Le(0.0), ZerosScalar(grad.DType), grad);
        if (Graph.NeedsGrad(grad, x))
            Graph.Record(result, "ThresholdBackwardBackward0", [grad, x], [x], null, static (g, s, _, n) =>
                [n[0] ? ThresholdBackward(g, s[0]) : null, n[1] ? ZerosLike(g) : null]);
        return result;
    }
}
