using AutoGrad.Autograd;

namespace AutoGrad.Tests;

/// <summary>In-place updates: PyTorch's refusal on leaves, rebasing of non-leaves, and version checks.</summary>
public class InPlaceTests
{
    [Fact]
    public void InPlaceOnLeafThatRequiresGradIsRefusedUnderGradMode()
    {
        var w = Tensor.Ones([2], DType.Float32, requiresGrad: true);
        var e = Assert.Throws<TorchException>(() => w.Add_(1.0));
        Assert.Equal("a leaf Variable that requires grad is being used in an in-place operation.", e.Message);
        Assert.Equal(new[] { 1.0, 1.0 }, w.ToDoubleArray());
    }

    [Fact]
    public void OptimizerStepUnderNoGradUpdatesTheLeafAndItsViews()
    {
        var w = Tensor.FromDoubles([1, 2], [2], DType.Float64, requiresGrad: true);
        w.Mul(w).Sum().Backward();
        var view = w.Detach();
        using (GradMode.NoGrad()) w.Sub_(w.Grad!.Mul(0.25));
        Assert.Equal(new[] { 0.5, 1.0 }, w.ToDoubleArray());
        Assert.Equal(new[] { 0.5, 1.0 }, view.ToDoubleArray());
        Assert.True(w.IsLeaf);
        Assert.True(w.RequiresGrad);
        Assert.Equal(1, w.VersionNumber);
    }

    [Fact]
    public void BackwardAfterSavedTensorWasModifiedFailsWithPyTorchsMessage()
    {
        var w = Tensor.FromDoubles([1, 2], [2], DType.Float32, requiresGrad: true);
        var y = w.Mul(w);
        using (GradMode.NoGrad()) w.Add_(1.0);
        var e = Assert.Throws<TorchException>(() => y.Sum().Backward());
        Assert.Equal(
            "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [2]] is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).",
            e.Message);
    }

    [Fact]
    public void InPlaceOnNonLeafRebasesItsHistory()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float64, requiresGrad: true);
        var y = x.Mul(3L);
        y.Mul_(x);
        Assert.Equal("MulBackward0", y.GradFn!.Name);
        Assert.Equal(new[] { 3.0, 12.0 }, y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal(new[] { 6.0, 12.0 }, x.Grad!.ToDoubleArray());
    }

    [Theory]
    [InlineData("result type Float can't be cast to the desired output type Long")]
    public void FloatResultCannotBeWrittenIntoIntegerTensor(string message)
    {
        var i = Tensor.FromArray(new long[] { 1, 2 }, 2);
        var e = Assert.Throws<TorchException>(() => i.Mul_(1.5));
        Assert.Equal(message, e.Message);
        Assert.Equal(new[] { 1.0, 2.0 }, i.ToDoubleArray());
    }

    [Fact]
    public void ZeroAndFillAndCopy()
    {
        var t = Tensor.FromDoubles([1, 2, 3], [3], DType.Float32);
        t.Zero_();
        Assert.Equal(new[] { 0.0, 0, 0 }, t.ToDoubleArray());
        t.Fill_(2.5);
        Assert.Equal(new[] { 2.5, 2.5, 2.5 }, t.ToDoubleArray());
        t.Copy_(Tensor.FromArray(new long[] { 7 }, 1));
        Assert.Equal(new[] { 7.0, 7, 7 }, t.ToDoubleArray());
        Assert.Equal(3, t.VersionNumber);
    }
}

public class RetainGraphDefaultTests
{
    [Fact]
    public void CreateGraphRetainsByDefaultButAnExplicitFalseFrees()
    {
        var x = Tensor.FromDoubles([0.5, 1.5], [2], DType.Float64, requiresGrad: true);
        var y = x.Tanh().Sum();
        y.Backward(createGraph: true);
        y.Backward(createGraph: true);
        var z = x.Tanh().Sum();
        z.Backward(retainGraph: false, createGraph: true);
        var e = Assert.Throws<TorchException>(() => z.Backward());
        Assert.StartsWith("Trying to backward through the graph a second time", e.Message);
    }
}

/// <summary>Leaves keep engine-made gradients without a copy only when nothing else shares them.</summary>
public class GradientOwnershipTests
{
    [Fact]
    public void LeavesFedTheSameGradientDoNotShareStorage()
    {
        var x = Tensor.FromDoubles([1, 2], [2], DType.Float64, requiresGrad: true);
        var y = Tensor.FromDoubles([3, 4], [2], DType.Float64, requiresGrad: true);
        x.Add(y).Sum().Backward();          // AddBackward0 hands one tensor to both leaves
        x.Mul(2L).Add(y).Sum().Backward();  // accumulates in place into each .grad
        Assert.Equal(new[] { 3.0, 3.0 }, x.Grad!.ToDoubleArray());
        Assert.Equal(new[] { 2.0, 2.0 }, y.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ALeafBehindAViewGetsItsOwnGradient()
    {
        var x = Tensor.FromDoubles([1, 2, 3, 4], [2, 2], DType.Float64, requiresGrad: true);
        var g = Tensor.FromDoubles([1, 1, 1, 1], [4], DType.Float64);
        x.Reshape(4).Backward(g);           // ViewBackward0 returns an alias of the caller's gradient
        x.Reshape(4).Backward(g);
        Assert.Equal(new[] { 2.0, 2, 2, 2 }, x.Grad!.ToDoubleArray());
        Assert.Equal(new[] { 1.0, 1, 1, 1 }, g.ToDoubleArray());
    }

    [Fact]
    public void AFreshGradientAccumulatesCorrectlyAcrossPasses()
    {
        var w = Tensor.FromDoubles([1, 2, 3, 4, 5, 6], [2, 3], DType.Float32, requiresGrad: true);
        var x = Tensor.FromDoubles([1, 0, 2, 1], [2, 2], DType.Float32);
        for (int i = 0; i < 3; i++) x.MatMul(w).Sum().Backward();
        Assert.Equal(new[] { 9.0, 9, 9, 3, 3, 3 }, w.Grad!.ToDoubleArray());
    }
}
