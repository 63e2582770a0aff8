using System.Runtime.CompilerServices;
using AutoGrad.Autograd;

namespace AutoGrad.Tests;

/// <summary>
/// Graphs are garbage once a training step is over: nothing the engine keeps points back at them. Runs alone:
/// heap sizes are process-wide, and tests allocating on other threads would blur the measurement.
/// </summary>
[Collection(nameof(MemoryTests))]
public class MemoryTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference Graph, WeakReference Output) TrainingStep(Tensor w, Tensor x, Tensor target)
    {
        var prediction = x.MatMul(w).Tanh();
        var loss = prediction.MseLoss(target);
        loss.Backward();
        using (GradMode.NoGrad()) w.Sub_(w.Grad!.Mul(0.1));
        w.Grad = null;
        return (new WeakReference(loss.GradFn), new WeakReference(prediction));
    }

    [Fact]
    public void AGraphIsCollectedAfterItsStepWhileTheLeafLivesOn()
    {
        var w = Tensor.RandN([8, 4], DType.Float32, seed: 1, requiresGrad: true);
        var x = Tensor.RandN([16, 8], DType.Float32, seed: 2);
        var target = Tensor.RandN([16, 4], DType.Float32, seed: 3);
        var (graph, output) = TrainingStep(w, x, target);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(graph.IsAlive, "the loss's backward graph is still reachable after the step");
        Assert.False(output.IsAlive, "an intermediate tensor is still reachable after the step");
        Assert.True(w.IsLeaf);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void ManyTrainingStepsDoNotGrowTheHeap()
    {
        var w = Tensor.RandN([8, 4], DType.Float32, seed: 1, requiresGrad: true);
        var x = Tensor.RandN([16, 8], DType.Float32, seed: 2);
        var target = Tensor.RandN([16, 4], DType.Float32, seed: 3);
        for (int i = 0; i < 500; i++) TrainingStep(w, x, target);
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < 20_000; i++) TrainingStep(w, x, target);
        long after = GC.GetTotalMemory(forceFullCollection: true);
        // 20,000 steps allocate hundreds of MB in total; a leak of even one small tensor per step would add > 2 MB.
        Assert.True(after - before < 2_000_000, $"heap grew by {after - before} bytes over 20,000 steps");
    }
}

[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public class MemoryTestsCollection;
