using AutoGrad.Random;

namespace AutoGrad.NN;

/// <summary>
/// y = x W^T + b (torch.nn.Linear). Weight [out, in] and bias [out] are drawn as nn.Linear.reset_parameters draws
/// them, directly in the layer's dtype: kaiming_uniform_(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), then the
/// bias from U(-1/sqrt(in), 1/sqrt(in)). After the same seed the tensors equal PyTorch's, bit for bit.
/// </summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, DType dtype = DType.Float32, Generator? generator = null)
    {
        Init.CheckSizes([outFeatures, inFeatures]);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.KaimingUniform([outFeatures, inFeatures], Math.Sqrt(5), dtype, generator));
        if (bias)
        {
            double bound = inFeatures > 0 ? 1 / Math.Sqrt(inFeatures) : 0;
            Bias = RegisterParameter("bias", Tensor.Uniform([outFeatures], -bound, bound, dtype, generator));
        }
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }

    /// <summary>[out_features, in_features].</summary>
    public Tensor Weight { get; }

    /// <summary>[out_features], or null for a layer made without bias.</summary>
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Tensor.Linear(input, Weight, Bias);

    public override string ExtraRepr() =>
        $"in_features={PythonRepr.Int(InFeatures)}, out_features={PythonRepr.Int(OutFeatures)}, bias={PythonRepr.Bool(Bias is not null)}";
}

/// <summary>The parts of torch.nn.init the layers use, with PyTorch's arithmetic for the bounds.</summary>
internal static class Init
{
    /// <summary>
    /// kaiming_uniform_(mode="fan_in", nonlinearity="leaky_relu"): bound = sqrt(3) * gain / sqrt(fan_in) with
    /// gain = sqrt(2 / (1 + a^2)), computed in double as Python does. A tensor with a zero-size dim draws nothing.
    /// </summary>
    public static Tensor KaimingUniform(int[] shape, double a, DType dtype, Generator? generator)
    {
        if (shape.Contains(0)) return Tensor.Zeros(shape, dtype);
        int fanIn = shape.Length > 1 ? shape[1] * Shapes.NumElements(shape.AsSpan(2)) : shape[0];
        double gain = Math.Sqrt(2.0 / (1 + Math.Pow(a, 2)));
        double std = gain / Math.Sqrt(fanIn);
        double bound = Math.Sqrt(3.0) * std;
        return Tensor.Uniform(shape, -bound, bound, dtype, generator);
    }

    /// <summary>torch.empty's check: "Trying to create tensor with negative dimension -1: [8, -1]".</summary>
    public static void CheckSizes(int[] shape)
    {
        foreach (var size in shape)
            if (size < 0)
                throw TorchException.Runtime("NegativeDimension",
                    $"Trying to create tensor with negative dimension {size}: [{Shapes.Join(shape)}]");
    }
}
