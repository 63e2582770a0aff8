using AutoGrad.Random;

namespace AutoGrad;

// Random factories (torch.rand / torch.randn) on PyTorch's generator, so seeded values match PyTorch's.
public sealed partial class Tensor
{
    /// <summary>Uniform samples in [0, 1). A seed gives a fresh generator (torch.manual_seed(seed) then rand).</summary>
    public static Tensor Rand(int[] shape, DType dtype = DType.Float32, long? seed = null, bool requiresGrad = false) =>
        Rand(Arg.Ints(shape), dtype, GeneratorFor(seed), requiresGrad);

    public static Tensor Rand(int[] shape, DType dtype, Generator generator, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var t = RandomTensor(Arg.Ints(shape), dtype, "check_uniform_bounds");
        if (t.Buffer is float[] f) generator.FillUniform(f); else generator.FillUniform((double[])t.Buffer);
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    /// <summary>Standard normal samples. A seed gives a fresh generator (torch.manual_seed(seed) then randn).</summary>
    public static Tensor RandN(int[] shape, DType dtype = DType.Float32, long? seed = null, bool requiresGrad = false) =>
        RandN(Arg.Ints(shape), dtype, GeneratorFor(seed), requiresGrad);

    public static Tensor RandN(int[] shape, DType dtype, Generator generator, bool requiresGrad = false)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var t = RandomTensor(Arg.Ints(shape), dtype, "normal_kernel_cpu");
        if (t.Buffer is float[] f) generator.FillNormal(f); else generator.FillNormal((double[])t.Buffer);
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    private static Generator GeneratorFor(long? seed) => seed is { } s ? new Generator(unchecked((ulong)s)) : Generator.Default;

    private static Tensor RandomTensor(int[] shape, DType dtype, string kernelName)
    {
        shape = (int[])shape.Clone();
        Shapes.CheckNonNegative(shape);
        if (!dtype.IsFloating())
            throw TorchException.Runtime("RandomNonFloating", $"\"{kernelName}\" not implemented for '{dtype.ScalarTypeName()}'");
        return Empty(shape, dtype);
    }
}
