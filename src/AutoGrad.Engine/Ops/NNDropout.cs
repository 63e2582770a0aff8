using AutoGrad.Autograd;
using AutoGrad.NN;
using AutoGrad.Random;

namespace AutoGrad;

// F.dropout as PyTorch computes it on the CPU (ATen's _dropout_impl): noise = bernoulli_(1 - p) / (1 - p), then
// input * noise, so the node is MulBackward0 and its gradient is grad * noise. (The fused native_dropout, whose node
// is NativeDropoutBackward0, is only taken on CUDA/XPU devices; PyTorch 1.13 and 2.x agree on the CPU path.)
public sealed partial class Tensor
{
    /// <summary>
    /// Zeroes each element with probability <paramref name="p"/> and scales the rest by 1 / (1 - p) when
    /// <paramref name="training"/>; otherwise (or with p = 0) returns this tensor itself. The mask is drawn from
    /// <paramref name="generator"/> (the global one by default): one bernoulli sample per element.
    /// </summary>
    public Tensor Dropout(double p = 0.5, bool training = true, Generator? generator = null)
    {
        if (!(p >= 0 && p <= 1))
            throw TorchException.Value("DropoutProbability",
                $"dropout probability has to be between 0 and 1, but got {PythonRepr.Float(p)}");
        if (p == 0 || !training || NumElements == 0) return this;
        if (p == 1) return Mul(Full([], 0, DType));
        if (!DType.IsFloating())
            throw TorchException.Runtime("DropoutNonFloating",
                $"result type Float can't be cast to the desired output type {DType.ScalarTypeName()}");
        Tensor noise;
        using (GradMode.NoGrad()) noise = Bernoulli(ShapeArray, 1 - p, DType, generator).Div(1 - p);
        return Mul(noise);
    }
}
