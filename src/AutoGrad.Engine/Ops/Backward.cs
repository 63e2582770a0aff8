using AutoGrad.Autograd;

namespace AutoGrad;

public sealed partial class Tensor
{
    /// <summary>
    /// torch.Tensor.backward: accumulates d(this)/d(leaf) into each leaf's .grad. Without
    /// <paramref name="gradient"/> this tensor must hold one element. <paramref name="trace"/> receives each node
    /// the pass runs, in order (see <see cref="BackwardStep"/>).
    /// </summary>
    public void Backward(Tensor? gradient = null, bool? retainGraph = null, bool createGraph = false,
        Action<BackwardStep>? trace = null) =>
        BackwardEngine.Backward([this], [gradient], retainGraph, createGraph, trace);
}
