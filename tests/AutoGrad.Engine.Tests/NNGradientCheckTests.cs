using AutoGrad.Autograd;
using AutoGrad.Random;

namespace AutoGrad.Tests;

/// <summary>
/// The new ops' backward formulas against float64 central differences (torch.autograd.gradcheck), and their
/// second derivatives (gradgradcheck) where the backward is itself differentiable.
/// </summary>
public class NNGradientCheckTests
{
    private static Tensor U(int seed, params int[] shape) => TestTensors.Uniform(seed, shape, DType.Float64, requiresGrad: true);

    private static void Check(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        var result = GradientCheck.Run(f, inputs);
        Assert.True(result.Passed, result.ToString());
    }

    /// <summary>gradgradcheck: the gradient (for a fixed cotangent) is itself differentiated numerically.</summary>
    private static void CheckSecondOrder(Func<Tensor[], Tensor> f, params Tensor[] inputs)
    {
        Tensor FirstOrder(Tensor[] xs)
        {
            // The numeric pass evaluates under no_grad with plain inputs: the gradient is still needed there.
            using var _ = GradMode.Set(true);
            var wrt = xs.Select(x => x.RequiresGrad ? x : Tensor.FromDoubles(x.ToDoubleArray(), x.Shape, DType.Float64, true)).ToArray();
            var y = f(wrt);
            var v = TestTensors.Uniform(99, y.Shape, DType.Float64);
            var grads = BackwardEngine.Grad([y], wrt, [v], createGraph: true, allowUnused: true);
            return Tensor.Cat(grads.Select((g, i) => (g ?? Tensor.Zeros(wrt[i].Shape, DType.Float64)).Reshape(-1)).ToArray());
        }
        Check(FirstOrder, inputs);
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(0.5, -2.0)]
    [InlineData(0.0, 3.0)]
    public void AddmmGradients(double beta, double alpha)
    {
        Check(a => Tensor.Addmm(a[0], a[1], a[2], beta, alpha), U(1, 3), U(2, 4, 2), U(3, 2, 3));
        Check(a => Tensor.Addmm(a[0], a[1], a[2], beta, alpha), U(4, 4, 3), U(5, 4, 2), U(6, 2, 3));
        CheckSecondOrder(a => Tensor.Addmm(a[0], a[1], a[2], beta, alpha), U(7, 3), U(8, 4, 2), U(9, 2, 3));
    }

    [Theory]
    [InlineData(new[] { 5, 4 }, true)]
    [InlineData(new[] { 5, 4 }, false)]
    [InlineData(new[] { 4 }, true)]
    [InlineData(new[] { 2, 3, 4 }, true)]
    [InlineData(new[] { 2, 3, 4 }, false)]
    public void LinearGradients(int[] inputShape, bool bias)
    {
        if (bias) Check(a => Tensor.Linear(a[0], a[1], a[2]), U(1, inputShape), U(2, 3, 4), U(3, 3));
        else Check(a => Tensor.Linear(a[0], a[1]), U(1, inputShape), U(2, 3, 4));
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, new[] { 4 })]
    [InlineData(new[] { 2, 3, 4 }, new[] { 3, 4 })]
    [InlineData(new[] { 4 }, new[] { 4 })]
    public void LayerNormGradientsOfFirstAndSecondOrder(int[] inputShape, int[] normalized)
    {
        Check(a => Tensor.LayerNorm(a[0], normalized, a[1], a[2], 1e-5), U(1, inputShape), U(2, normalized), U(3, normalized));
        Check(a => Tensor.LayerNorm(a[0], normalized, null, null, 1e-3), U(4, inputShape));
        CheckSecondOrder(a => Tensor.LayerNorm(a[0], normalized, a[1], a[2], 1e-5), U(5, inputShape), U(6, normalized), U(7, normalized));
    }

    [Theory]
    [InlineData(new[] { 5, 3 })]
    [InlineData(new[] { 2, 3, 4 })]
    public void BatchNormGradientsInTrainingAndEval(int[] inputShape)
    {
        Check(a => Tensor.BatchNorm(a[0], null, null, a[1], a[2], training: true), U(1, inputShape), U(2, 3), U(3, 3));
        Check(a => Tensor.BatchNorm(a[0], null, null, null, null, training: true, eps: 1e-3), U(4, inputShape));
        var mean = TestTensors.Uniform(5, [3], DType.Float64);
        var variance = TestTensors.Uniform(6, [3], DType.Float64, lo: 0.5, hi: 2);
        Check(a => Tensor.BatchNorm(a[0], mean, variance, a[1], a[2], training: false), U(7, inputShape), U(8, 3), U(9, 3));
        CheckSecondOrder(a => Tensor.BatchNorm(a[0], null, null, a[1], a[2], training: true), U(10, inputShape), U(11, 3), U(12, 3));
    }

    [Fact]
    public void EmbeddingGradientAddsRepeatedRowsAndSkipsThePaddingRow()
    {
        var indices = Tensor.FromArray(new long[] { 0, 2, 5, 2, 1, 1 }, 2, 3);
        Check(a => Tensor.Embedding(a[0], indices), U(1, 6, 3));
        var weight = U(2, 6, 3);
        Tensor.Embedding(weight, indices, paddingIdx: 2).Sum().Backward();
        var grad = weight.Grad!.ToDoubleArray();
        double[] counts = [1, 2, 0, 0, 0, 1]; // row 2 appears twice but is the padding row
        for (int row = 0; row < 6; row++)
            for (int j = 0; j < 3; j++) Assert.Equal(counts[row], grad[row * 3 + j]);
    }

    [Fact]
    public void DropoutGradientIsTheScaledMask()
    {
        // The same generator state for every evaluation, so the mask is fixed while differences are taken.
        Check(a => a[0].Dropout(0.4, true, new Generator(3)), U(1, 4, 5));
        CheckSecondOrder(a => a[0].Dropout(0.4, true, new Generator(3)).Mul(a[0]), U(2, 4, 5));
    }
}
