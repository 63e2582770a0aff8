using AutoGrad.Autograd;
using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>torch.autograd's observable rules: leaves, .grad, accumulation, retain_graph, no_grad, grad().</summary>
public class AutogradSemanticsTests
{
    private const string BackwardTwice =
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed).";

    [Fact]
    public void Grad_is_null_until_the_first_backward()
    {
        var x = Leaf([1, 2], 2);
        var y = x.Mul(3L).Sum();
        Assert.Null(x.Grad);
        y.Backward();
        AssertClose([3, 3], x.Grad!);
    }

    [Fact]
    public void Leaf_grads_accumulate_across_backward_calls()
    {
        var x = Leaf([1, 2], 2);
        x.Mul(3L).Sum().Backward();
        x.Mul(x).Sum().Backward();
        AssertClose([3 + 2, 3 + 4], x.Grad!);
    }

    [Fact]
    public void Outside_create_graph_accumulation_adds_in_place_into_the_existing_grad()
    {
        // PyTorch does variable.grad += new_grad when not building a graph: the same object, updated.
        var x = Leaf([1, 2], 2);
        x.Sum().Backward();
        var first = x.Grad!;
        x.Mul(3L).Sum().Backward();
        Assert.Same(first, x.Grad);
        AssertClose([4, 4], first);
    }

    [Fact]
    public void The_first_gradient_is_stored_as_a_copy_not_the_callers_tensor()
    {
        var x = Leaf([1, 2], 2);
        var g = F64([5, 6], 2);
        x.Backward(g);
        Assert.NotSame(g, x.Grad);
        x.Backward(g);
        AssertClose([5, 6], g);
        AssertClose([10, 12], x.Grad!);
    }

    [Fact]
    public void Non_leaf_grad_stays_null_without_retain_grad()
    {
        var x = Leaf([1, 2], 2);
        var h = x.Mul(2L);
        h.Sum().Backward();
        Assert.False(h.IsLeaf);
        Assert.Null(h.Grad);
        Assert.False(h.RetainsGrad);
    }

    [Fact]
    public void Retain_grad_fills_the_grad_of_a_non_leaf_and_accumulates()
    {
        var x = Leaf([1, 2], 2);
        var h = x.Mul(2L);
        h.RetainGrad();
        Assert.True(h.RetainsGrad);
        var y = h.Mul(h).Sum();
        y.Backward(retainGraph: true);
        AssertClose([4, 8], h.Grad!);
        AssertClose([8, 16], x.Grad!);
        y.Backward();
        AssertClose([8, 16], h.Grad!);
    }

    [Fact]
    public void Retained_grad_under_create_graph_is_differentiable()
    {
        // PyTorch's retain_grad hook stores grad.clone(), which records CloneBackward0 while building a graph.
        var x = Leaf([1, 2], 2);
        var h = x.Mul(x);
        h.RetainGrad();
        h.Mul(h).Sum().Backward(createGraph: true);
        Assert.Equal("CloneBackward0", h.Grad!.GradFn!.Name);
        AssertClose([2, 8], h.Grad);
        var g = BackwardEngine.Grad([h.Grad.Sum()], [x])[0]!;
        AssertClose([4, 8], g); // d/dx sum(2 x^2) = 4x
    }

    [Fact]
    public void Retain_grad_on_a_leaf_is_a_no_op()
    {
        var x = Leaf([1], 1);
        x.RetainGrad();
        Assert.False(x.RetainsGrad);
    }

    [Fact]
    public void Explicit_gradient_gives_the_vector_jacobian_product()
    {
        var x = Leaf([1, 2, 3], 3);
        var y = x.Mul(x);
        y.Backward(F64([1, 0.5, -1], 3));
        AssertClose([2, 2, -6], x.Grad!);
    }

    [Fact]
    public void Explicit_gradient_of_another_dtype_is_cast_to_the_output_dtype()
    {
        var x = Leaf32([1, 2], 2);
        x.Mul(3L).Backward(F64([1, 2], 2));
        Assert.Equal(DType.Float32, x.Grad!.DType);
        AssertClose([3, 6], x.Grad);
    }

    [Fact]
    public void Backward_twice_through_saved_tensors_fails_with_pytorchs_message()
    {
        var x = Leaf([1, 2], 2);
        var y = x.Mul(x).Sum();
        y.Backward();
        var e = Assert.Throws<TorchException>(() => y.Backward());
        Assert.StartsWith(BackwardTwice, e.Message);
        Assert.Equal(TorchErrorKind.RuntimeError, e.Kind);
    }

    [Theory]
    [InlineData("add")]
    [InlineData("sum")]
    [InlineData("mean")]
    [InlineData("sub, neg, rsub, expand, reshape")]
    public void Graphs_that_save_no_tensors_can_run_backward_twice(string ops)
    {
        var x = Leaf([1, 2], 2);
        Tensor y = ops switch
        {
            "add" => x.Add(x).Add(2L).Sum(),
            "sum" => x.Sum(),
            "mean" => x.Mean(),
            _ => x.Sub(1L).Neg().RSub(3L).Expand(3, 2).Reshape(6).Sum(),
        };
        y.Backward();
        var once = x.Grad!.ToDoubleArray();
        y.Backward();
        AssertClose(once.Select(v => 2 * v).ToArray(), x.Grad!);
    }

    [Fact]
    public void Retain_graph_allows_a_second_backward()
    {
        var x = Leaf([1, 2], 2);
        var y = x.Mul(x).Exp().Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        AssertClose([2 * 2 * Math.Exp(1), 2 * 4 * Math.Exp(4)], x.Grad!, 1e-12);
    }

    [Fact]
    public void Results_under_no_grad_are_leaves_that_do_not_require_grad()
    {
        var x = Leaf([1, 2], 2);
        Tensor y;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            y = x.Mul(2L).Exp();
        }
        Assert.True(GradMode.IsEnabled);
        Assert.True(y.IsLeaf);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
    }

    [Fact]
    public void Detach_gives_a_leaf_sharing_the_data()
    {
        var x = Leaf([1, 2], 2);
        var y = x.Mul(2L);
        var d = y.Detach();
        Assert.True(d.IsLeaf);
        Assert.False(d.RequiresGrad);
        Assert.Same(y.StorageObject, d.StorageObject);
        d.AddInPlace(F64([10, 10], 2));
        AssertClose([12, 14], y);
    }

    [Theory]
    [InlineData(DType.Int64)]
    [InlineData(DType.Bool)]
    public void Only_floating_tensors_can_require_grad(DType dtype)
    {
        var t = Tensor.Zeros([2], dtype);
        var e = Assert.Throws<TorchException>(() => t.RequiresGrad = true);
        Assert.Equal("only Tensors of floating point and complex dtype can require gradients", e.Message);
        Assert.Throws<TorchException>(() => Tensor.Zeros([2], dtype, requiresGrad: true));
    }

    [Fact]
    public void A_leaf_that_stopped_requiring_grad_after_the_graph_was_built_gets_no_grad()
    {
        // AccumulateGrad checks the leaf's requires_grad when it runs, not when the graph was recorded.
        var x = Leaf([1, 2], 2);
        var w = Leaf([3, 4], 2);
        var y = x.Mul(w).Sum();
        x.RequiresGrad = false;
        y.Backward();
        Assert.Null(x.Grad);
        AssertClose([1, 2], w.Grad!);
    }

    [Fact]
    public void Integer_and_bool_results_never_require_grad()
    {
        var x = Leaf([1.5, -2], 2);
        Assert.False(x.Gt(0L).RequiresGrad);
        Assert.False(x.To(DType.Int64).RequiresGrad);
        Assert.Null(x.To(DType.Int64).GradFn);
        Assert.False(x.To(DType.Bool).Sum().RequiresGrad);
    }

    [Fact]
    public void Requires_grad_of_a_non_leaf_cannot_be_switched_off()
    {
        var y = Leaf([1], 1).Mul(2L);
        var e = Assert.Throws<TorchException>(() => y.RequiresGrad = false);
        Assert.StartsWith("you can only change requires_grad flags of leaf variables.", e.Message);
    }

    [Fact]
    public void Requires_grad_of_a_non_leaf_cannot_be_set_either()
    {
        // Python's attribute setter rejects both values on a non-leaf; only the False message adds the detach hint.
        var y = Leaf([1], 1).Mul(2L);
        var e = Assert.Throws<TorchException>(() => y.RequiresGrad = true);
        Assert.Equal("you can only change requires_grad flags of leaf variables.", e.Message);
    }

    [Fact]
    public void A_tensor_used_twice_gets_the_sum_of_both_gradients()
    {
        var x = Leaf([3, -1], 2);
        x.Mul(x).Sum().Backward();
        AssertClose([6, -2], x.Grad!);
    }

    [Fact]
    public void Diamond_graph_runs_each_node_once_with_all_contributions()
    {
        var x = Leaf([0.3, -0.7], 2);
        var a = x.Mul(2L);
        var d = a.Exp().Add(a.Sin()).Add(a);
        d.Sum().Backward();
        AssertClose(new[] { 0.3, -0.7 }.Select(v => 2 * (Math.Exp(2 * v) + Math.Cos(2 * v) + 1)).ToArray(), x.Grad!, 1e-14);
    }

    [Fact]
    public void Gradient_of_a_float64_0d_tensor_broadcast_against_float32_comes_back_float64_and_0d()
    {
        var s = Tensor.FromDoubles([2.0], [], DType.Float64, requiresGrad: true);
        var x = Leaf32([1, 2, 3, 4], 2, 2);
        var y = x.Mul(s);
        Assert.Equal(DType.Float32, y.DType);
        y.Sum().Backward();
        Assert.Equal(DType.Float64, s.Grad!.DType);
        Assert.Equal(Array.Empty<int>(), s.Grad.Shape);
        AssertClose([10], s.Grad);
        Assert.Equal(DType.Float32, x.Grad!.DType);
        AssertClose([2, 2, 2, 2], x.Grad);
    }

    [Fact]
    public void Broadcast_inputs_get_gradients_summed_back_to_their_shapes()
    {
        var a = Leaf([1, 2, 3], 3);          // [3] -> leading dim summed away
        var b = Leaf([10, 20], 2, 1);        // [2,1] -> summed keepdim over the stretched dim
        a.Mul(b).Sum().Backward();
        AssertClose([30, 30, 30], a.Grad!);
        Assert.Equal([2, 1], b.Grad!.Shape);
        AssertClose([6, 6], b.Grad);
    }

    // ---- functional grad -----------------------------------------------------------------------------------

    [Fact]
    public void Functional_grad_returns_gradients_without_touching_grad()
    {
        var x = Leaf([1, 2], 2);
        var w = Leaf([3, 4], 2);
        var y = x.Mul(w).Sum();
        var g = BackwardEngine.Grad([y], [x, w]);
        AssertClose([3, 4], g[0]!);
        AssertClose([1, 2], g[1]!);
        Assert.Null(x.Grad);
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Functional_grad_with_respect_to_a_non_leaf()
    {
        var x = Leaf([1, 2], 2);
        var h = x.Mul(3L);
        var g = BackwardEngine.Grad([h.Mul(h).Sum()], [h]);
        AssertClose([6, 12], g[0]!);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Functional_grad_stops_at_a_non_leaf_input_and_leaves_its_node_untouched()
    {
        // PyTorch executes only nodes that lie on a path to a captured input: h's own ExpBackward0 never runs,
        // so its saved tensors survive and a later backward through it still works.
        var x = Leaf([0.5, 1.0], 2);
        var h = x.Exp();
        var y = h.Sum();
        AssertClose([1, 1], BackwardEngine.Grad([y], [h])[0]!);
        y.Backward();
        AssertClose([Math.Exp(0.5), Math.Exp(1.0)], x.Grad!, 1e-15);
    }

    [Fact]
    public void Functional_grad_of_a_non_leaf_works_after_its_node_was_freed()
    {
        var x = Leaf([0.5, 1.0], 2);
        var h = x.Exp();
        var y = h.Sum();
        y.Backward();
        AssertClose([1, 1], BackwardEngine.Grad([y], [h])[0]!);
    }

    [Fact]
    public void Functional_grad_of_an_unused_input_fails_unless_allow_unused()
    {
        var x = Leaf([1, 2], 2);
        var unused = Leaf([5], 1);
        var y = x.Sum();
        var e = Assert.Throws<TorchException>(() => BackwardEngine.Grad([y], [x, unused], retainGraph: true));
        Assert.Equal("One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.", e.Message);
        var g = BackwardEngine.Grad([y], [x, unused], allowUnused: true);
        AssertClose([1, 1], g[0]!);
        Assert.Null(g[1]);
    }

    [Fact]
    public void Functional_grad_of_an_input_that_does_not_require_grad_fails()
    {
        var x = Leaf([1], 1);
        var c = F64([1], 1);
        var e = Assert.Throws<TorchException>(() => BackwardEngine.Grad([x.Sum()], [c]));
        Assert.Equal("One of the differentiated Tensors does not require grad", e.Message);
    }

    [Fact]
    public void Create_graph_gradient_does_not_alias_the_callers_gradient_or_another_leafs_grad()
    {
        // AddBackward0 hands the same gradient object to both inputs. PyTorch copies it into .grad
        // (clone_obey_contract), so a later in-place accumulation cannot leak into the other leaf or the caller.
        var x = Leaf([1, 2], 2);
        var w = Leaf([3, 4], 2);
        var g = F64([1, 1], 2);
        x.Add(w).Backward(g, createGraph: true);
        x.Add(w).Backward(F64([10, 10], 2));
        AssertClose([11, 11], x.Grad!);
        AssertClose([11, 11], w.Grad!);
        AssertClose([1, 1], g);
    }

    [Fact]
    public void Create_graph_grad_of_a_leaf_is_attached_to_the_gradient_graph_through_a_copy()
    {
        var x = Leaf([2], 1);
        x.Pow(3L).Sum().Backward(createGraph: true);
        Assert.Equal("CopyBackwards", x.Grad!.GradFn!.Name);
        Assert.Equal("MulBackward0", x.Grad.GradFn.NextFunctions[0]!.Name);
    }

    // ---- long graphs ---------------------------------------------------------------------------------------

    [Fact]
    public void A_chain_of_100000_multiplications_backpropagates_without_recursion()
    {
        const int n = 100_000;
        var x = Leaf([1.0], 1);
        var y = x;
        for (int i = 0; i < n; i++) y = y.Mul(1.0000001);
        y.Sum().Backward();
        AssertClose([Math.Pow(1.0000001, n)], x.Grad!, 1e-9);
    }

    [Fact]
    public void A_chain_of_100000_additions_backpropagates_and_can_run_twice()
    {
        const int n = 100_000;
        var x = Leaf([1.0, 2.0], 2);
        var y = x;
        for (int i = 0; i < n; i++) y = y.Add(0L);
        var loss = y.Sum();
        loss.Backward();
        loss.Backward();
        AssertClose([2, 2], x.Grad!);
    }
}
