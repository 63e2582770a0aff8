using AutoGrad.Autograd;
using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>
/// Ops outside the op table (cat, stack, split, chunk) and chains of table ops: first derivatives against central
/// differences, and second derivatives (Hessian-vector products through create_graph), all in float64. Every op
/// of the table gets both checks on each of its samples in <see cref="OpTableTests"/>.
/// </summary>
public class ExtendedOpGradientTests
{
    private static Tensor R(int seed, params int[] shape) => Uniform(seed, shape, requiresGrad: true);

    private sealed record Case(Func<Tensor[], Tensor> F, Func<Tensor[]> Inputs);
    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["cat"] = new(a => Tensor.Cat([a[0], a[1]], 1), () => [R(1, 2, 3), R(2, 2, 2)]),
        ["stack"] = new(a => Tensor.Stack([a[0], a[1]], -1), () => [R(1, 2, 3), R(2, 2, 3)]),
        ["split"] = new(a => a[0].Split(2, 1)[1], () => [R(1, 2, 5)]),
        ["chunk"] = new(a => a[0].Chunk(3, 1)[2], () => [R(1, 2, 5)]),
        ["permute reshape"] = new(a => a[0].Permute(2, 0, 1).Reshape(-1), () => [R(1, 2, 3, 4)]),
        ["transpose exp"] = new(a => a[0].Transpose(0, 2).Exp(), () => [R(1, 2, 3, 4)]),
        ["where of a comparison of an input"] = new(a => Tensor.Where(a[0].Gt(0.0), a[1], a[0]), () => [RandomAwayFromZero(1, [2, 3], requiresGrad: true), R(2, 3)]),
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
