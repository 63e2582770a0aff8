using AutoGrad.Autograd;

namespace AutoGrad;

public sealed partial class Tensor
{
    /// <summary>This leaf's hooks, if any were registered (<see cref="LeafHookTable"/>).</summary>
    internal HookList? LeafHooks => LeafHookTable.Of(this);

    /// <summary>
    /// torch.Tensor.register_hook: <paramref name="hook"/> is called with the gradient of this tensor each time one
    /// is computed, and may return a replacement of the same dtype and shape (or null to keep it). On a leaf it runs
    /// before the gradient is accumulated into .grad; on a non-leaf when the gradient reaches the node that made
    /// it, before retain_grad() stores it and before the node's backward uses it. Hooks run in registration order,
    /// each on the previous one's result.
    /// </summary>
    /// <param name="hook">The function of the gradient.</param>
    /// <param name="name">The name errors give the hook; by default the function's own name.</param>
    /// <returns>A handle whose Remove() takes the hook off again.</returns>
    public RemovableHandle RegisterHook(Func<Tensor, Tensor?> hook, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(hook);
        if (!RequiresGrad)
            throw TorchException.Runtime("NoGrad", "cannot register a hook on a tensor that doesn't require gradient");
        HookList list;
        if (GradFn is { } fn)
            list = fn.TensorPreHooks ??= new HookList();
        else
        {
            list = LeafHookTable.GetOrAdd(this);
            if (GradAccumulator is { } accumulator) accumulator.TensorPreHooks = list;
        }
        var entry = new TensorHook(hook, name ?? hook.Method.Name);
        list.Add(entry);
        return new RemovableHandle(list, entry);
    }
}
