using System.Runtime.CompilerServices;

namespace AutoGrad.Autograd;

/// <summary>One hook registered with <see cref="Tensor.RegisterHook"/>: a function of the gradient and its name.</summary>
internal sealed record TensorHook(Func<Tensor, Tensor?> Function, string Name);

/// <summary>
/// The hooks of one tensor, in registration order. Copy-on-write: a backward pass walks the array it read, so a hook
/// that removes itself (or another) while running does not disturb the walk, and registration from another thread
/// cannot tear it.
/// </summary>
internal sealed class HookList
{
    private readonly object _gate = new();

    /// <summary>The current hooks; replaced, never modified.</summary>
    internal TensorHook[] Items { get; private set; } = [];

    internal void Add(TensorHook hook)
    {
        lock (_gate) Items = [.. Items, hook];
    }

    internal bool Remove(TensorHook hook)
    {
        lock (_gate)
        {
            int at = Array.IndexOf(Items, hook);
            if (at < 0) return false;
            Items = [.. Items[..at], .. Items[(at + 1)..]];
            return true;
        }
    }

    /// <summary>
    /// Runs the hooks on <paramref name="grad"/>, each on the previous one's result; a hook returning null keeps the
    /// gradient. A replacement must keep the gradient's dtype and shape (PyTorch's check_variable_result).
    /// </summary>
    internal Tensor Run(Tensor grad)
    {
        foreach (var hook in Items)
        {
            var result = hook.Function(grad);
            if (result is null) continue;
            if (result.DType != grad.DType)
                throw TorchException.Runtime("HookChangedType",
                    $"hook '{hook.Name}' has changed the type of value (was {grad.DType.LegacyTypeName()} got {result.DType.LegacyTypeName()})");
            if (!Shapes.Equal(result.ShapeSpan, grad.ShapeSpan))
                throw TorchException.Runtime("HookChangedSize", $"hook '{hook.Name}' has changed the size of value");
            grad = result;
        }
        return grad;
    }
}

/// <summary>
/// The hooks of leaves, kept with the tensor (as PyTorch keeps them on the tensor, because its AccumulateGrad node may
/// be rebuilt) but beside it, so that a tensor is no larger for them. The count lets a new AccumulateGrad skip the
/// lookup while no leaf has any.
/// </summary>
internal static class LeafHookTable
{
    private static readonly ConditionalWeakTable<Tensor, HookList> s_hooks = new();
    private static int s_count;

    internal static HookList? Of(Tensor leaf) =>
        Volatile.Read(ref s_count) > 0 && s_hooks.TryGetValue(leaf, out var hooks) ? hooks : null;

    internal static HookList GetOrAdd(Tensor leaf) => s_hooks.GetValue(leaf, static _ =>
    {
        Interlocked.Increment(ref s_count);
        return new HookList();
    });
}

/// <summary>
/// What <see cref="Tensor.RegisterHook"/> returns (torch.utils.hooks.RemovableHandle): <see cref="Remove"/> takes
/// the hook off the tensor; disposing does the same, so <c>using var handle = t.RegisterHook(...)</c> scopes it.
/// </summary>
public sealed class RemovableHandle : IDisposable
{
    private static int s_nextId;
    private readonly HookList _list;
    private readonly TensorHook _hook;

    internal RemovableHandle(HookList list, TensorHook hook)
    {
        _list = list;
        _hook = hook;
        Id = Interlocked.Increment(ref s_nextId) - 1;
    }

    /// <summary>A number unique to this registration (PyTorch's handle.id).</summary>
    public int Id { get; }

    /// <summary>The hook's name: the name given when registering, else the function's (Python's __name__).</summary>
    public string Name => _hook.Name;

    /// <summary>True once the hook is no longer on the tensor.</summary>
    public bool IsRemoved => Array.IndexOf(_list.Items, _hook) < 0;

    /// <summary>Removes the hook; later backward passes no longer call it. Removing twice does nothing.</summary>
    public void Remove() => _list.Remove(_hook);

    public void Dispose() => Remove();

    public override string ToString() => $"<RemovableHandle {Id}: hook '{Name}'{(IsRemoved ? ", removed" : "")}>";
}
