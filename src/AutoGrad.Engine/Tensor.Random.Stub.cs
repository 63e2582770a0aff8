namespace AutoGrad;

// =================================================================================================================
// STUB (branch `cmdlets`): stands in for the lead engineer's PyTorch-compatible Tensor.Rand / Tensor.RandN so that
// New-Tensor -Rand/-RandN builds and runs. Values come from System.Random, NOT PyTorch's mt19937/Philox streams, so
// they do not match torch.rand/torch.randn for the same seed. DELETE THIS FILE when the real implementation lands
// (same signatures, so the cmdlets need no change).
// =================================================================================================================
public sealed partial class Tensor
{
    /// <summary>STUB: uniform [0, 1) numbers (torch.rand); not PyTorch's stream.</summary>
    public static Tensor Rand(int[] shape, DType dtype, long? seed, bool requiresGrad)
    {
        if (!dtype.IsFloating())
            throw TorchException.Runtime("RandNonFloating", $"\"check_uniform_bounds\" not implemented for '{dtype.ScalarTypeName()}'");
        var rng = seed is { } s ? new Random(unchecked((int)(s ^ (s >> 32)))) : new Random();
        var values = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextDouble();
        return FromDoubles(values, shape, dtype, requiresGrad);
    }

    /// <summary>STUB: standard normal numbers (torch.randn) by Box-Muller; not PyTorch's stream.</summary>
    public static Tensor RandN(int[] shape, DType dtype, long? seed, bool requiresGrad)
    {
        if (!dtype.IsFloating())
            throw TorchException.Runtime("RandNNonFloating", $"\"normal_kernel_cpu\" not implemented for '{dtype.ScalarTypeName()}'");
        var rng = seed is { } s ? new Random(unchecked((int)(s ^ (s >> 32)))) : new Random();
        var values = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++)
        {
            double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
            values[i] = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
        return FromDoubles(values, shape, dtype, requiresGrad);
    }
}
