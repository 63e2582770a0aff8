using AutoGrad.Autograd;

namespace AutoGrad;

// PyTorch computes some gradients with dedicated, differentiable backward functions (tanh_backward,
// sigmoid_backward, threshold_backward). Using the same functions here makes create_graph produce the same
// nodes (TanhBackwardBackward0 ...) and the same second derivatives.
public sealed partial class Tensor
{
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
