using AutoGrad.Autograd;

namespace AutoGrad.Tests;

/// <summary>Shared tensor makers and a central-difference gradient checker for the engine tests.</summary>
internal static class TestTensors
{
    /// <summary>A tensor of uniform values in [lo, hi), reproducible from <paramref name="seed"/>.</summary>
    public static Tensor Uniform(int seed, int[] shape, DType dtype = DType.Float64, bool requiresGrad = false,
        double lo = -1, double hi = 1)
    {
        var rng = new System.Random(seed);
        var values = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = lo + (hi - lo) * rng.NextDouble();
        return Tensor.FromDoubles(values, shape, dtype, requiresGrad);
    }

    /// <summary>Values in [lo, hi) that keep at least <paramref name="gap"/> away from 0 (for abs, relu, sqrt...).</summary>
    public static Tensor RandomAwayFromZero(int seed, int[] shape, double gap = 0.1, bool requiresGrad = false)
    {
        var rng = new System.Random(seed);
        var values = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++)
        {
            double m = gap + (1 - gap) * rng.NextDouble();
            values[i] = rng.Next(2) == 0 ? -m : m;
        }
        return Tensor.FromDoubles(values, shape, DType.Float64, requiresGrad);
    }

    public static Tensor F64(double[] values, params int[] shape) => Tensor.FromDoubles(values, shape, DType.Float64);

    public static Tensor F32(double[] values, params int[] shape) => Tensor.FromDoubles(values, shape, DType.Float32);

    public static Tensor I64(long[] values, params int[] shape) => Tensor.FromArray(values, shape);

    public static Tensor Leaf(double[] values, params int[] shape) =>
        Tensor.FromDoubles(values, shape, DType.Float64, requiresGrad: true);

    public static Tensor Leaf32(double[] values, params int[] shape) =>
        Tensor.FromDoubles(values, shape, DType.Float32, requiresGrad: true);

    public static void AssertClose(double[] expected, Tensor actual, double tolerance = 1e-12)
    {
        var got = actual.ToDoubleArray();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++)
            Assert.True(Math.Abs(expected[i] - got[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]:R}, got {got[i]:R}");
    }

    /// <summary>
    /// Checks the engine's vector-Jacobian products of <paramref name="f"/> against central differences:
    /// for a fixed random cotangent v, d(sum(f(x) * v))/dx from BackwardEngine.Grad must match
    /// (L(x + h e_i) - L(x - h e_i)) / 2h for every element of every input.
    /// </summary>
    public static void CheckGradients(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        foreach (var input in inputs) Assert.Equal(DType.Float64, input.DType);
        var output = f(inputs);
        Assert.Equal(DType.Float64, output.DType);
        var v = Uniform(12345, output.Shape);
        var analytic = BackwardEngine.Grad([output], inputs, [v]);

        const double h = 1e-6;
        for (int k = 0; k < inputs.Length; k++)
        {
            Assert.NotNull(analytic[k]);
            Assert.Equal(inputs[k].Shape, analytic[k]!.Shape);
            Assert.Equal(DType.Float64, analytic[k]!.DType);
            var grad = analytic[k]!.ToDoubleArray();
            var x = inputs[k].ToDoubleArray();
            for (int i = 0; i < x.Length; i++)
            {
                double plus = Loss(f, inputs, k, x, i, h, v);
                double minus = Loss(f, inputs, k, x, i, -h, v);
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - grad[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                    $"input {k}, element {i}: finite difference {numeric:R}, autograd {grad[i]:R}");
            }
        }
    }

    private static double Loss(Func<Tensor[], Tensor> f, Tensor[] inputs, int k, double[] x, int i, double step, Tensor v)
    {
        // Grad mode stays on and the shifted input keeps requires_grad, so f may itself take gradients
        // (Hessian-vector products differentiate a gradient graph).
        var shifted = (double[])x.Clone();
        shifted[i] += step;
        var args = (Tensor[])inputs.Clone();
        args[k] = Tensor.FromDoubles(shifted, inputs[k].Shape, DType.Float64, inputs[k].RequiresGrad);
        return (double)f(args).Mul(v).Sum().Item();
    }
}
