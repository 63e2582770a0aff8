using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>
/// Gradient layouts against real PyTorch (tests/data/grad_layout.py): a leaf's .grad follows the gradient layout
/// contract (the strides of a dense leaf), and mm/addmm hand a column-major operand its gradient column-major
/// (mm_mat1_backward, mm_mat2_backward), so that a Linear weight's gradient needs no copy on its way to .grad.
/// </summary>
public class GradLayoutTests
{
    public static IEnumerable<object[]> Cases => ReferenceData.CaseNames("grad_layout");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradient_strides_match_pytorch(string name)
    {
        var c = ReferenceData.Case("grad_layout", name);
        var shape = ReferenceData.Ints(c.GetProperty("shape"));
        var expected = ReferenceData.Ints(c.GetProperty("grad_strides"));
        if (c.GetProperty("kind").GetString() == "leaf")
        {
            bool transposedLeaf = name.StartsWith("transposed leaf", StringComparison.Ordinal);
            var w = transposedLeaf ? Uniform(1, [shape[1], shape[0]]).T() : Uniform(1, shape);
            w.RequiresGrad = true;
            Assert.Equal(ReferenceData.Ints(c.GetProperty("leaf_strides")), w.Strides);
            LeafFunction(name, w).Sum().Backward();
            Assert.Equal(expected, w.Grad!.Strides);
        }
        else
        {
            var w = Uniform(2, [shape[1], shape[0]], requiresGrad: true);
            var wt = w.T();
            int[]? seen = null;
            wt.RegisterHook(g => { seen = g.Strides; return null; });
            HookFunction(name, wt).Sum().Backward();
            Assert.Equal(expected, seen);
        }
    }

    [Fact]
    public void A_linear_layers_weight_gradient_is_contiguous_and_equals_the_transposed_product()
    {
        var x = Uniform(3, [4, 5]);
        var w = Uniform(4, [6, 5], requiresGrad: true);
        var b = Uniform(5, [6], requiresGrad: true);
        var g = Uniform(6, [4, 6]);
        Tensor.Linear(x, w, b).Mul(g).Sum().Backward();
        Assert.True(w.Grad!.IsContiguous());
        AssertClose(g.T().Mm(x).ToDoubleArray(), w.Grad);
    }

    private static Tensor LeafFunction(string name, Tensor w) => name switch
    {
        "linear weight" => Tensor.Linear(Uniform(3, [4, 5]), w, Uniform(4, [6])),
        "linear weight, no bias" => Tensor.Linear(Uniform(3, [4, 5]), w),
        "x @ w" => Uniform(3, [5, 3]).MatMul(w),
        "w.t() * 2" => w.T().Mul(2L),
        "w * e.t()" => w.Mul(Uniform(3, [4, 3]).T()),
        "transposed leaf * 3" => w.Mul(3L),
        "transposed leaf @ x" => w.MatMul(Uniform(3, [4, 2])),
        _ => throw new ArgumentException($"no case '{name}' here: add it", nameof(name)),
    };

    private static Tensor HookFunction(string name, Tensor wt) => name switch
    {
        "mm, mat2 column-major" => Uniform(3, [4, 5]).Mm(wt),
        "mm, mat1 column-major" => wt.Mm(Uniform(3, [6, 2])),
        "addmm, mat2 column-major" => Tensor.Addmm(Uniform(3, [6]), Uniform(4, [4, 5]), wt),
        _ => throw new ArgumentException($"no case '{name}' here: add it", nameof(name)),
    };
}
