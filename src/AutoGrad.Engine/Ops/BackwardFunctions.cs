using AutoGrad.Autograd;

namespace AutoGrad;

// PyTorch computes some gradients with dedicated, differentiable backward functions (tanh_backward,
// sigmoid_backward, threshold_backward, _softmax_backward_data, mse_loss_backward, ...). Using the same functions
// here makes create_graph produce the same nodes (TanhBackwardBackward0 ...) and the same second derivatives, with
// the formulas of tools/autograd/derivatives.yaml (checked against PyTorch: tests/data/double_backward.py).
public sealed partial class Tensor
{
    /// <summary>
    /// _softmax_backward_data(grad, output, dim) = output * (grad - sum(grad * output, dim)). In output its
    /// derivative is softmax_double_backward: grad * gg - sum(output * grad) * gg - grad * sum(output * gg).
    /// </summary>
    internal static Tensor SoftmaxBackwardData(Tensor grad, Tensor output, int dim)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = output.Mul(grad.Sub(grad.Mul(output).Sum([dim], keepDim: true)));
        if (Graph.NeedsGrad(grad, output))
            Graph.Record(result, "SoftmaxBackwardDataBackward0", [grad, output], [grad, output], dim, static (gg, s, d, n) =>
            {
                var (g, o) = (s[0], s[1]);
                return [n[0] ? SoftmaxBackwardData(gg, o, d) : null,
                        n[1] ? g.Mul(gg).Sub(o.Mul(g).Sum([d], keepDim: true).Mul(gg)).Sub(g.Mul(o.Mul(gg).Sum([d], keepDim: true))) : null];
            });
        return result;
    }

    /// <summary>
    /// _log_softmax_backward_data(grad, output, dim) = grad - exp(output) * sum(grad, dim); its derivatives are
    /// gg - sum(gg * exp(output)) in grad and -sum(grad) * exp(output) * gg in output.
    /// </summary>
    internal static Tensor LogSoftmaxBackwardData(Tensor grad, Tensor output, int dim)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = grad.Sub(output.Exp().Mul(grad.Sum([dim], keepDim: true)));
        if (Graph.NeedsGrad(grad, output))
            Graph.Record(result, "LogSoftmaxBackwardDataBackward0", [grad, output], [grad, output], dim, static (gg, s, d, n) =>
            {
                var (g, o) = (s[0], s[1]);
                return [n[0] ? gg.Sub(gg.Mul(o.Exp()).Sum([d], keepDim: true)) : null,
                        n[1] ? g.Sum([d], keepDim: true).Neg().Mul(o.Exp()).Mul(gg) : null];
            });
        return result;
    }

    /// <summary>
    /// mse_loss_backward(grad, self, target) = norm * (self - target) * grad, norm = 2 / numel for the mean, else
    /// 2 (ATen's kernel, in that order). Its derivative in self is norm * gg * grad, in target the negative, and
    /// in grad mse_loss_backward itself (summed to the 0-d grad of a reduced loss).
    /// </summary>
    internal static Tensor MseLossBackward(Tensor grad, Tensor self, Tensor target, Reduction reduction)
    {
        Tensor result;
        double norm = reduction == Reduction.Mean ? 2.0 / self.NumElements : 2.0;
        using (GradMode.NoGrad()) result = self.Sub(target).Mul(norm).Mul(grad);
        if (Graph.NeedsGrad([grad, self, target]))
            Graph.Record(result, "MseLossBackwardBackward0", [grad, self, target], [grad, self, target], (reduction, norm),
                static (gg, s, state, n) =>
                {
                    var (g, x, t) = (s[0], s[1], s[2]);
                    var (red, nrm) = state;
                    var dx = n[1] || n[2] ? gg.Mul(g).Mul(nrm) : null;
                    Tensor? dg = null;
                    if (n[0])
                        dg = red == Reduction.None
                            ? MseLossBackward(gg, x, t, red)
                            : MseLossBackward(OnesLike(g), x, t, red).Mul(gg).Sum();
                    return [dg, n[1] ? dx : null, n[2] ? dx!.Neg() : null];
                });
        return result;
    }

    /// <summary>
    /// gelu_backward(grad, self, approximate) = grad * gelu'(self) (GeluBackwardBackward0). Its derivative in self
    /// is gelu''(self), so second-order gradients of gelu are exact, as PyTorch's gelu_double_backward.
    /// </summary>
    internal static Tensor GeluBackward(Tensor grad, Tensor self, bool tanh)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = grad.Mul(GeluDerivative(self, tanh));
        if (Graph.NeedsGrad(grad, self))
            Graph.Record(result, "GeluBackwardBackward0", [grad, self], [grad, self], tanh, static (gg, s, state, n) =>
                [n[0] ? GeluBackward(gg, s[1], state) : null,
                 n[1] ? gg.Mul(s[0]).Mul(GeluSecondDerivative(s[1], state)) : null]);
        return result;
    }

    /// <summary>tanh_backward(grad, output) = grad * (1 - output^2).</summary>
    internal static Tensor TanhBackward(Tensor grad, Tensor output)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = grad.Mul(output.Mul(output).RSub(1L));
        if (Graph.NeedsGrad(grad, output))
            Graph.Record(result, "TanhBackwardBackward0", [grad, output], [grad, output], static (gg, s, n) =>
                [n[0] ? TanhBackward(gg, s[1]) : null, n[1] ? gg.Mul(s[1].Mul(-2L).Mul(s[0])) : null]);
        return result;
    }

    /// <summary>sigmoid_backward(grad, output) = grad * (1 - output) * output.</summary>
    internal static Tensor SigmoidBackward(Tensor grad, Tensor output)
    {
        Tensor result;
        using (GradMode.NoGrad()) result = grad.Mul(output.RSub(1L)).Mul(output);
        if (Graph.NeedsGrad(grad, output))
            Graph.Record(result, "SigmoidBackwardBackward0", [grad, output], [grad, output], static (gg, s, n) =>
                [n[0] ? SigmoidBackward(gg, s[1]) : null, n[1] ? gg.Mul(s[0]).Mul(s[1].Mul(-2L).Add(1L)) : null]);
        return result;
    }

    /// <summary>
    /// threshold_backward(grad, self, threshold): 0 where self &lt;= threshold, else grad. Written as ATen's kernel
    /// does (x &lt;= threshold ? 0 : grad), so a NaN in self lets the gradient through.
    /// </summary>
    internal static Tensor ThresholdBackward(Tensor grad, Tensor self, double threshold)
    {
        Tensor result;
        // relu's case (same shape and dtype) is one fused pass; anything else goes through where().
        if (grad.DType == self.DType && Shapes.Equal(grad._shape, self._shape) && grad.DType.IsFloating() && grad.IsCompact && self.IsCompact)
            result = new Tensor(grad.Buffer switch
            {
                float[] g => ThresholdSelect(g, (float[])self.Buffer, (float)threshold),
                _ => ThresholdSelect((double[])grad.Buffer, (double[])self.Buffer, threshold),
            }, grad.ShapeArray, grad.DType);
        else
            using (GradMode.NoGrad()) result = Where(self.Le(threshold), ZerosScalar(grad.DType), grad);
        if (Graph.NeedsGrad(grad, self))
            Graph.Record(result, "ThresholdBackwardBackward0", [grad, self], [self], threshold, static (gg, s, state, n) =>
                [n[0] ? ThresholdBackward(gg, s[0], state) : null, n[1] ? ZerosLike(gg) : null]);
        return result;
    }

    /// <summary>grad where self &gt; threshold, else 0 (NaN in self passes the gradient, as PyTorch's kernel).</summary>
    private static T[] ThresholdSelect<T>(T[] grad, T[] self, T threshold) where T : System.Numerics.INumber<T>
    {
        var result = new T[grad.Length];
        for (int i = 0; i < result.Length; i++) result[i] = self[i] <= threshold ? T.Zero : grad[i];
        return result;
    }
}
