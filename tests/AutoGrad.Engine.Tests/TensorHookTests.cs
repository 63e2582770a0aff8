using AutoGrad.Autograd;

namespace AutoGrad.Tests;

/// <summary>
/// Tensor.RegisterHook is torch.Tensor.register_hook with PyTorch 2.x's semantics: a leaf's hooks run before its
/// gradient is accumulated, a non-leaf's when its gradient is complete (before retain_grad stores it), each may
/// replace the gradient, and the handle removes them. Messages are PyTorch's. (Traces of hooked passes are compared
/// with PyTorch in BackwardTraceTests.)
/// </summary>
public class TensorHookTests
{
    private static Tensor Leaf(params double[] values) => Tensor.FromDoubles(values, [values.Length], DType.Float64, requiresGrad: true);

    [Fact]
    public void A_leaf_hook_sees_the_gradient_before_accumulation_and_its_result_is_accumulated()
    {
        var x = Leaf(1, 2);
        Tensor? seen = null;
        x.RegisterHook(g => { seen = g; return g.Mul(10); });
        x.Mul(3).Sum().Backward();
        Assert.Equal([3.0, 3.0], seen!.ToDoubleArray());
        Assert.Equal([30.0, 30.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void A_hook_registered_before_the_leaf_was_used_runs_as_well_as_one_registered_after()
    {
        var x = Leaf(1);
        var calls = new List<string>();
        x.RegisterHook(g => { calls.Add("before"); return null; });
        var y = x.Mul(2);
        x.RegisterHook(g => { calls.Add("after"); return null; });
        y.Sum().Backward();
        Assert.Equal(["before", "after"], calls);
    }

    [Fact]
    public void A_non_leaf_hook_changes_what_flows_on_to_the_inputs()
    {
        var x = Leaf(1, 2);
        var y = x.Mul(x);
        y.RegisterHook(g => g.Mul(2));
        y.Sum().Backward();
        Assert.Equal([4.0, 8.0], x.Grad!.ToDoubleArray());   // 2 * (2x)
    }

    [Fact]
    public void Hooks_run_in_registration_order_each_on_the_previous_result_and_null_keeps_the_gradient()
    {
        var x = Leaf(1);
        var seen = new List<double>();
        x.RegisterHook(g => { seen.Add(g.ToDoubleArray()[0]); return g.Add(1); });
        x.RegisterHook(g => { seen.Add(g.ToDoubleArray()[0]); return null; });
        x.RegisterHook(g => { seen.Add(g.ToDoubleArray()[0]); return g.Mul(10); });
        x.Mul(5).Sum().Backward();
        Assert.Equal([5.0, 6.0, 6.0], seen);
        Assert.Equal([60.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Remove_takes_the_hook_off_and_removing_twice_does_nothing()
    {
        var x = Leaf(1);
        int calls = 0;
        var handle = x.RegisterHook(g => { calls++; return null; });
        x.Mul(2).Sum().Backward();
        Assert.False(handle.IsRemoved);
        handle.Remove();
        handle.Remove();
        Assert.True(handle.IsRemoved);
        x.Mul(2).Sum().Backward();
        Assert.Equal(1, calls);
        Assert.Equal([4.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void A_hook_may_remove_itself_while_it_runs()
    {
        var x = Leaf(1);
        var calls = new List<string>();
        RemovableHandle? first = null;
        first = x.RegisterHook(g => { calls.Add("first"); first!.Remove(); return null; });
        x.RegisterHook(g => { calls.Add("second"); return null; });
        x.Mul(2).Sum().Backward();
        x.Mul(2).Sum().Backward();
        Assert.Equal(["first", "second", "second"], calls);
    }

    [Fact]
    public void Disposing_the_handle_removes_the_hook()
    {
        var x = Leaf(1);
        using (x.RegisterHook(g => g.Mul(100))) { }
        x.Mul(2).Sum().Backward();
        Assert.Equal([2.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void A_handle_has_an_id_and_the_hooks_name()
    {
        var x = Leaf(1);
        var a = x.RegisterHook(g => null, "double it");
        var b = x.RegisterHook(Identity);
        Assert.Equal(a.Id + 1, b.Id);
        Assert.Equal("double it", a.Name);
        Assert.Equal(nameof(Identity), b.Name);
        Assert.Equal($"<RemovableHandle {a.Id}: hook 'double it'>", a.ToString());
    }

    private static Tensor? Identity(Tensor g) => g;

    [Fact]
    public void A_hook_on_a_tensor_that_does_not_require_grad_is_PyTorchs_error()
    {
        var ex = Assert.Throws<TorchException>(() => Tensor.Ones([2]).RegisterHook(g => g));
        Assert.Equal("cannot register a hook on a tensor that doesn't require gradient", ex.Message);
        Assert.Equal("NoGrad", ex.Id);
    }

    [Fact]
    public void A_replacement_of_another_size_or_type_is_PyTorchs_error_naming_the_hook()
    {
        var x = Tensor.Ones([2], requiresGrad: true);
        var h = x.RegisterHook(g => Tensor.Ones([3]), "bad");
        var ex = Assert.Throws<TorchException>(() => x.Mul(2).Sum().Backward());
        Assert.Equal("hook 'bad' has changed the size of value", ex.Message);
        h.Remove();
        x.RegisterHook(g => g.To(DType.Float64), "widen");
        ex = Assert.Throws<TorchException>(() => x.Mul(2).Sum().Backward());
        Assert.Equal("hook 'widen' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)", ex.Message);
    }

    [Fact]
    public void An_exception_in_a_hook_propagates_out_of_backward_as_it_is()
    {
        var x = Leaf(1);
        x.RegisterHook(g => throw new InvalidOperationException("boom"));
        var ex = Assert.Throws<InvalidOperationException>(() => x.Mul(2).Sum().Backward());
        Assert.Equal("boom", ex.Message);
    }

    [Fact]
    public void Retain_grad_stores_the_hooked_gradient_whatever_the_registration_order()
    {
        // PyTorch 2.x runs tensor hooks before retain_grad's (1.13 ran them in registration order).
        var x = Leaf(1, 1);
        var y = x.Mul(2);
        y.RetainGrad();
        y.RegisterHook(g => g.Mul(100));
        y.Sum().Backward();
        Assert.Equal([100.0, 100.0], y.Grad!.ToDoubleArray());
        Assert.Equal([200.0, 200.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Autograd_grad_returns_a_captured_inputs_hooked_gradient_when_its_node_does_not_run()
    {
        // PyTorch 2.x: a leaf's hooks run for torch.autograd.grad too, and so do those of a non-leaf input whose
        // node is not needed; 1.13 returned both unhooked.
        var x = Leaf(1, 1);
        x.RegisterHook(g => g.Mul(10));
        var y = x.Mul(3);
        y.RegisterHook(g => g.Mul(2));
        var output = y.Sum();
        Assert.Equal([60.0, 60.0], BackwardEngine.Grad([output], [x], retainGraph: true)[0]!.ToDoubleArray());
        Assert.Equal([2.0, 2.0], BackwardEngine.Grad([output], [y], retainGraph: true)[0]!.ToDoubleArray());
        // y's node runs when x is wanted as well: y is captured as its gradient arrived, before y's hook.
        var both = BackwardEngine.Grad([output], [y, x]);
        Assert.Equal([1.0, 1.0], both[0]!.ToDoubleArray());
        Assert.Equal([60.0, 60.0], both[1]!.ToDoubleArray());
        Assert.Null(x.Grad);
    }

    [Fact]
    public void Hooks_stay_on_a_leaf_whose_requires_grad_is_switched_off_and_on_again()
    {
        var x = Leaf(1);
        x.RegisterHook(g => g.Mul(7));
        x.Mul(1).Sum().Backward();
        x.RequiresGrad = false;
        x.RequiresGrad = true;
        x.Grad = null;
        x.Mul(1).Sum().Backward();
        Assert.Equal([7.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void A_gradient_a_hook_kept_is_not_changed_by_a_later_accumulation()
    {
        var x = Leaf(1);
        Tensor? kept = null;
        x.RegisterHook(g => { kept = g; return null; });
        x.Mul(3).Sum().Backward();
        x.Mul(3).Sum().Backward();
        Assert.Equal([6.0], x.Grad!.ToDoubleArray());
        Assert.Equal([3.0], kept!.ToDoubleArray());
    }
}
