using AutoGrad.Autograd;
using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>
/// The ops beyond the core set (losses, reductions, indexing, activations, batched matmul): first derivatives with
/// broadcasting against central differences, and second derivatives (Hessian-vector products through
/// create_graph), all in float64.
/// </summary>
public class ExtendedOpGradientTests
{
    private static Tensor R(int seed, params int[] shape) => Uniform(seed, shape, requiresGrad: true);
    private static Tensor P(int seed, params int[] shape) => Uniform(seed, shape, requiresGrad: true, lo: 0.5, hi: 2);

    private sealed record Case(Func<Tensor[], Tensor> F, Func<Tensor[]> Inputs);
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["maximum bcast"] = new(a => a[0].Maximum(a[1]), () => [R(1, 2, 3), R(2, 3)]),
        ["minimum bcast"] = new(a => a[0].Minimum(a[1]), () => [R(1, 2, 1), R(2, 3)]),
        ["clamp tensors"] = new(a => a[0].Clamp(a[1], a[2]), () => [R(1, 2, 3), Uniform(2, [3], requiresGrad: true, lo: -0.7, hi: -0.3), Uniform(3, [2, 1], requiresGrad: true, lo: 0.3, hi: 0.7)]),
        ["cat"] = new(a => Tensor.Cat([a[0], a[1]], 1), () => [R(1, 2, 3), R(2, 2, 2)]),
        ["stack"] = new(a => Tensor.Stack([a[0], a[1]], -1), () => [R(1, 2, 3), R(2, 2, 3)]),
        ["bmm"] = new(a => a[0].Bmm(a[1]), () => [R(1, 2, 3, 4), R(2, 2, 4, 5)]),
        ["matmul 3d@2d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 2, 3, 4), R(2, 4, 5)]),
        ["matmul 1d@3d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 4), R(2, 2, 4, 5)]),
        ["matmul 3d@1d"] = new(a => a[0].MatMul(a[1]), () => [R(1, 2, 3, 4), R(2, 4)]),
        ["matmul bcast batch"] = new(a => a[0].MatMul(a[1]), () => [R(1, 2, 1, 3, 4), R(2, 3, 4, 2)]),
        ["outer"] = new(a => a[0].Outer(a[1]), () => [R(1, 3), R(2, 4)]),
        ["softmax"] = new(a => a[0].Softmax(1), () => [R(1, 2, 3)]),
        ["logsoftmax"] = new(a => a[0].LogSoftmax(0), () => [R(1, 2, 3)]),
        ["logsumexp"] = new(a => a[0].LogSumExp([0, 2], true), () => [R(1, 2, 3, 2)]),
        ["var"] = new(a => a[0].Var([1]), () => [R(1, 2, 3)]),
        ["std all"] = new(a => a[0].Std(), () => [R(1, 2, 3)]),
        ["norm"] = new(a => a[0].Norm(2, [1]), () => [R(1, 2, 3)]),
        ["norm 1"] = new(a => a[0].Norm(1), () => [RandomAwayFromZero(1, [2, 3], requiresGrad: true)]),
        ["prod"] = new(a => a[0].Prod(), () => [R(1, 2, 3)]),
        ["prod dim"] = new(a => a[0].Prod(1, true), () => [R(1, 2, 3)]),
        ["mse bcast"] = new(a => a[0].MseLoss(a[1]), () => [R(1, 2, 3), R(2, 2, 3)]),
        ["bce logits"] = new(a => a[0].BinaryCrossEntropyWithLogits(a[1]), () => [R(1, 2, 3), Uniform(2, [2, 3], requiresGrad: true, lo: 0.1, hi: 0.9)]),
        ["permute reshape"] = new(a => a[0].Permute(2, 0, 1).Reshape(-1), () => [R(1, 2, 3, 4)]),
        ["transpose"] = new(a => a[0].Transpose(0, 2).Exp(), () => [R(1, 2, 3, 4)]),
        ["select"] = new(a => a[0].Select(1, -1), () => [R(1, 2, 3)]),
        ["narrow"] = new(a => a[0].Narrow(1, 1, 2), () => [R(1, 2, 3)]),
        ["index_select dup"] = new(a => a[0].IndexSelect(1, [2L, 0L, 2L]), () => [R(1, 2, 3)]),
        ["flatten"] = new(a => a[0].Flatten(1), () => [R(1, 2, 3, 4)]),
        ["split"] = new(a => a[0].Split(2, 1)[1], () => [R(1, 2, 5)]),
        ["chunk"] = new(a => a[0].Chunk(3, 1)[2], () => [R(1, 2, 5)]),
        ["amax"] = new(a => a[0].Amax([1]), () => [R(1, 2, 3)]),
        ["max dim"] = new(a => a[0].Max(1).Values, () => [R(1, 2, 3)]),
        ["max"] = new(a => a[0].Max(), () => [R(1, 2, 3)]),
        ["log1p"] = new(a => a[0].Log1p(), () => [P(1, 2, 3)]),
        ["expm1"] = new(a => a[0].Expm1(), () => [R(1, 2, 3)]),
        ["rsqrt"] = new(a => a[0].Rsqrt(), () => [P(1, 2, 3)]),
        ["leaky"] = new(a => a[0].LeakyRelu(0.1), () => [RandomAwayFromZero(1, [2, 3], requiresGrad: true)]),
        ["softplus"] = new(a => a[0].Softplus(2, 1), () => [R(1, 2, 3)]),
        ["silu"] = new(a => a[0].Silu(), () => [R(1, 2, 3)]),
        ["gelu"] = new(a => a[0].Gelu(), () => [R(1, 2, 3)]),
        ["where 3"] = new(a => Tensor.Where(a[0].Gt(0.0), a[1], a[0]), () => [RandomAwayFromZero(1, [2, 3], requiresGrad: true), R(2, 3)]),
        ["cross entropy"] = new(a => a[0].CrossEntropy(Tensor.FromArray(new long[] { 2, 0 }, 2)), () => [R(1, 2, 3)]),
        ["nll"] = new(a => a[0].NllLoss(Tensor.FromArray(new long[] { 2, 0 }, 2), Reduction.Sum), () => [R(1, 2, 3)]),
        ["l1"] = new(a => a[0].L1Loss(a[1]), () => [R(1, 2, 3), R(2, 2, 3)]),
        ["var correction 0 keepdim"] = new(a => a[0].Var([0, 2], 0, true), () => [R(1, 2, 3, 2)]),
        ["gelu tanh"] = new(a => a[0].Gelu("tanh"), () => [R(1, 2, 3)]),
    };
    public static TheoryData<string> Names => new(Cases.Keys);
    [Theory, MemberData(nameof(Names))]
    public void Backward_matches_central_finite_differences(string name)
    {
        var c = Cases[name];
        CheckGradients(c.F, c.Inputs());
    }

    [Theory, MemberData(nameof(Names))]
    public void Gradient_of_the_gradient_matches_finite_differences(string name)
    {
        // d/dx of d(sum(exp(f)))/dx[0], so each op's backward formula is differentiated again.
        var c = Cases[name];
        var ins = c.Inputs();
        CheckGradients(a => BackwardEngine.Grad([c.F(a).Exp().Sum()], [a[0]], createGraph: true, allowUnused: true)[0] ?? a[0].Mul(0L), ins);
    }
}
