using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>
/// grad_fn names as PyTorch 2.11 prints them: the derivatives.yaml entry, numbered per name in file order, and the
/// chain of next_functions where PyTorch decomposes a call (1 / x, vec @ mat, reshape that copies), for the C#
/// operators with numbers, and in create_graph gradients. The node of every op of the table on each of its samples
/// (and of a reshape after it) is checked against PyTorch in <see cref="OpTableTests"/>.
/// </summary>
public class NodeNameTests
{
    private static Tensor X() => Leaf([0.5, 1.5, 2.5, 3.5, 4.5, 5.5], 2, 3);
    private static Tensor Y() => Leaf([1, 2, 3, 4, 5, 6], 2, 3);
    private static Tensor V3() => Leaf([1, 2, 3], 3);
    private static Tensor M34() => Leaf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 3, 4);

    private static readonly Dictionary<string, (Func<Tensor> Call, string[] Chain)> Cases = new()
    {
        ["x + 2"] = (() => X() + 2, ["AddBackward0", "AccumulateGrad"]),
        ["2.5 + x"] = (() => 2.5 + X(), ["AddBackward0", "AccumulateGrad"]),
        ["x - 2"] = (() => X() - 2, ["SubBackward0", "AccumulateGrad"]),
        ["2 - x"] = (() => 2 - X(), ["RsubBackward1", "AccumulateGrad"]),
        ["3 * x"] = (() => 3 * X(), ["MulBackward0", "AccumulateGrad"]),
        ["1 / x"] = (() => 1 / X(), ["MulBackward0", "ReciprocalBackward0", "AccumulateGrad"]),
        ["x / 2"] = (() => X() / 2, ["DivBackward0", "AccumulateGrad"]),
        ["2 ** x"] = (() => Tensor.Pow(2.0, X()), ["PowBackward2", "AccumulateGrad"]),
        // _matmul_impl: tensor1.unsqueeze(0).mm(tensor2).squeeze_(0); the in-place squeeze_.dim entry is number 4.
        ["vec @ mat"] = (() => V3().MatMul(M34()), ["SqueezeBackward4", "MmBackward0", "UnsqueezeBackward0", "AccumulateGrad"]),
        ["reshape of a transpose"] = (() => X().T().Reshape(6), ["UnsafeViewBackward0", "CloneBackward0", "TBackward0", "AccumulateGrad"]),
        ["reshape of a transpose that can view"] = (() => X().T().Reshape(3, 1, 2), ["ViewBackward0", "TBackward0", "AccumulateGrad"]),
        // Elementwise results follow their inputs' layout (TensorIterator), so they reshape by copying too.
        ["reshape of exp of a transpose"] = (() => X().T().Exp().Reshape(6), ["UnsafeViewBackward0", "CloneBackward0", "ExpBackward0", "TBackward0", "AccumulateGrad"]),
        ["reshape of a transpose plus a number"] = (() => (X().T() + 1).Reshape(6), ["UnsafeViewBackward0", "CloneBackward0", "AddBackward0", "TBackward0", "AccumulateGrad"]),
        ["reshape of a transpose plus a row"] = (() => (X().T() + V3().Reshape(1, 3).T()).Reshape(6), ["UnsafeViewBackward0", "CloneBackward0", "AddBackward0", "TBackward0", "AccumulateGrad"]),
        ["reshape of a transpose times a contiguous tensor"] = (() => (X().T() * Y().Reshape(3, 2)).Reshape(6), ["UnsafeViewBackward0", "CloneBackward0", "MulBackward0", "TBackward0", "AccumulateGrad"]),
        ["reshape of a contiguous tensor times a transpose"] = (() => (Y().Reshape(3, 2) * X().T()).Reshape(6), ["ViewBackward0", "MulBackward0", "ViewBackward0", "AccumulateGrad"]),
        ["reshape of a clone of a transpose"] = (() => X().T().Clone().Reshape(6), ["UnsafeViewBackward0", "CloneBackward0", "CloneBackward0", "TBackward0", "AccumulateGrad"]),
        ["reshape of a matmul result"] = (() => X().T().MatMul(X()).Reshape(9), ["ViewBackward0", "MmBackward0", "TBackward0", "AccumulateGrad"]),
        ["squeeze(dim)"] = (() => X().Unsqueeze(0).Squeeze(0), ["SqueezeBackward1", "UnsqueezeBackward0", "AccumulateGrad"]),
        ["clone"] = (() => X().Clone(), ["CloneBackward0", "AccumulateGrad"]),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Grad_fn_chain_is_named_as_in_pytorch(string call)
    {
        var (make, chain) = Cases[call];
        var names = new List<string>();
        for (var node = make().GradFn; node is not null; node = node.NextFunctions.FirstOrDefault(n => n is not null))
            names.Add(node.Name);
        Assert.Equal(chain, names);
    }

    private static readonly Dictionary<string, (Func<Tensor, Tensor> F, string? Node)> GradientGraphCases = new()
    {
        // Ops whose backward is an op of its own are named after it; the rest after their formula's last op.
        ["tanh"] = (x => x.Tanh(), "TanhBackwardBackward0"),
        ["sigmoid"] = (x => x.Sigmoid(), "SigmoidBackwardBackward0"),
        ["relu"] = (x => x.Relu(), "ThresholdBackwardBackward0"),
        ["gelu"] = (x => x.Gelu(), "GeluBackwardBackward0"),
        ["exp"] = (x => x.Exp(), "MulBackward0"),
        ["log"] = (x => x.Log(), "DivBackward0"),
        ["sqrt"] = (x => x.Sqrt(), "DivBackward0"),
        ["sin"] = (x => x.Sin(), "MulBackward0"),
        ["x ** 3"] = (x => x.Pow(3L), "MulBackward0"),
        ["x * x (two contributions summed)"] = (x => x.Mul(x), "AddBackward0"),
        ["mean of exp"] = (x => x.Exp().Mean().Unsqueeze(0), "MulBackward0"),
        ["c / x"] = (x => F64([1, 2], 2).Div(x), "MulBackward0"),
        ["c ** x"] = (x => F64([1.5, 2], 2).Pow(x), "MulBackward0"),
        ["2 ** x"] = (x => Tensor.Pow(2.0, x), "MulBackward0"),
        ["0 ** x"] = (x => Tensor.Pow(0.0, x), "MulBackward0"),
        ["sum (linear: nothing to differentiate)"] = (x => x.Mul(2L), null),
        ["prod (grad * (result / x), as prod_backward)"] = (x => x.Prod(), "MulBackward0"),
    };

    public static TheoryData<string> GradientGraphNames => new(GradientGraphCases.Keys);

    [Theory]
    [MemberData(nameof(GradientGraphNames))]
    public void Create_graph_gradient_nodes_are_named_as_in_pytorch(string name)
    {
        var (f, node) = GradientGraphCases[name];
        var x = Leaf([0.5, 1.5], 2);
        var g = Autograd.BackwardEngine.Grad([f(x).Sum()], [x], createGraph: true)[0]!;
        Assert.Equal(node, g.GradFn?.Name);
    }

    [Fact]
    public void A_gradient_summed_to_a_0d_input_is_sum_as_in_pytorch()
    {
        // at::sum_to of a 0-d shape is sum() (SumBackward0), not a keepdim sum and a view.
        var s = Tensor.FromDoubles([2.0], [], DType.Float64, requiresGrad: true);
        var g = Autograd.BackwardEngine.Grad([X().Mul(s).Sum()], [s], createGraph: true)[0]!;
        Assert.Equal("SumBackward0", g.GradFn?.Name);
    }

    [Fact]
    public void A_number_operand_has_no_next_function()
    {
        var y = X() + 2;
        Assert.Equal(2, y.GradFn!.NextFunctions.Count);
        Assert.Null(y.GradFn.NextFunctions[1]);
    }

    [Fact]
    public void An_input_that_does_not_require_grad_has_no_next_function()
    {
        var y = X() * F64([1, 2, 3], 3);
        Assert.Equal("AccumulateGrad", y.GradFn!.NextFunctions[0]!.Name);
        Assert.Null(y.GradFn.NextFunctions[1]);
    }

    [Fact]
    public void Both_uses_of_one_leaf_point_at_the_same_accumulate_grad()
    {
        var x = X();
        var y = x * x;
        Assert.Same(y.GradFn!.NextFunctions[0], y.GradFn.NextFunctions[1]);
        Assert.Same(x, ((Autograd.AccumulateGrad)y.GradFn.NextFunctions[0]!).Variable);
    }

    [Fact]
    public void No_node_is_recorded_when_nothing_requires_grad()
    {
        var a = F64([1, 2], 2);
        Assert.Null((a * 2).Exp().Sum().GradFn);
    }
}
