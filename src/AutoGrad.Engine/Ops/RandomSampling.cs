using AutoGrad.NN;
using AutoGrad.Random;

namespace AutoGrad;

// Random factories beyond rand/randn, on PyTorch's generator (the global one unless a generator is given):
// torch.empty(shape).uniform_(a, b), torch.empty(shape).bernoulli_(p) and torch.randperm(n). Layer initialisation,
// Dropout and mini-batch shuffling draw from these, in PyTorch's order.
public sealed partial class Tensor
{
    /// <summary>
    /// Uniform samples in [<paramref name="from"/>, <paramref name="to"/>), as torch.empty(shape).uniform_(from, to):
    /// the values and the draws they consume are PyTorch's for the same generator state.
    /// </summary>
    public static Tensor Uniform(int[] shape, double from, double to, DType dtype = DType.Float32,
        Generator? generator = null, bool requiresGrad = false)
    {
        shape = (int[])Arg.Ints(shape).Clone();
        Shapes.CheckNonNegative(shape);
        if (!dtype.IsFloating())
            throw TorchException.Runtime("RandomNonFloating", $"\"check_uniform_bounds\" not implemented for '{dtype.ScalarTypeName()}'");
        if (!(from <= to))
            throw TorchException.Runtime("UniformBounds",
                $"uniform_ expects to return a [from, to) range, but found from={PythonRepr.Float(from)} > to={PythonRepr.Float(to)}");
        var g = generator ?? Generator.Default;
        var t = dtype == DType.Float32
            ? FromArray(g.UniformFloats(Shapes.NumElements(shape), from, to), shape)
            : FromArray(g.UniformDoubles(Shapes.NumElements(shape), from, to), shape);
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    /// <summary>
    /// 1 with probability <paramref name="p"/>, else 0, as torch.empty(shape, dtype).bernoulli_(p) on a CPU build
    /// without MKL: two 32-bit draws per element.
    /// </summary>
    public static Tensor Bernoulli(int[] shape, double p, DType dtype = DType.Float32, Generator? generator = null)
    {
        shape = (int[])Arg.Ints(shape).Clone();
        Shapes.CheckNonNegative(shape);
        var g = generator ?? Generator.Default;
        return FromDoubles(g.BernoulliDoubles(Shapes.NumElements(shape), p), shape, dtype);
    }

    /// <summary>torch.randperm(n): a random permutation of 0..n-1 (Int64 by default).</summary>
    public static Tensor RandPerm(int n, DType dtype = DType.Int64, Generator? generator = null)
    {
        if (dtype == DType.Bool)
            throw TorchException.Runtime("RandPermBool", "\"randperm\" not implemented for 'Bool'");
        var g = generator ?? Generator.Default;
        long[] perm;
        // n longs at once: beyond what an array can hold (or the memory there is), PyTorch's allocator error.
        try { perm = g.RandPerm(n); }
        catch (OutOfMemoryException) { throw OutOfMemory.For((long)n * sizeof(long)); }
        return dtype == DType.Int64 ? FromArray(perm, n) : FromDoubles(perm.Select(v => (double)v).ToArray(), [n], dtype);
    }
}
