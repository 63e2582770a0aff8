namespace AutoGrad.Autograd;

/// <summary>Records op calls into the graph when gradients are wanted.</summary>
internal static class Graph
{
    internal static bool NeedsGrad(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    internal static bool NeedsGrad(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    internal static bool NeedsGrad(Tensor[] inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs) if (t.RequiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Attaches a backward node named <paramref name="name"/> to <paramref name="result"/>. Callers check
    /// <see cref="NeedsGrad(Tensor)"/> first so that no node (nor its arrays) is built when none is wanted.
    /// Integer and bool results never require grad, as in PyTorch.
    /// </summary>
    internal static Tensor Record<TState>(Tensor result, string name, Tensor[] inputs, Tensor[] saved, TState state,
        Formula<TState> formula)
    {
        if (!result.DType.IsFloating()) return result;
        result.GradFn = Node(name, inputs, saved, state, formula);
        return result;
    }

    /// <summary><see cref="Record{TState}"/> for an op whose backward needs nothing but its saved tensors.</summary>
    internal static Tensor Record(Tensor result, string name, Tensor[] inputs, Tensor[] saved, Formula formula) =>
        Record(result, name, inputs, saved, formula, static (g, s, f, n) => f(g, s, n));

    /// <summary>A backward node over <paramref name="inputs"/>, not yet attached to an output.</summary>
    internal static Node Node<TState>(string name, Tensor[] inputs, Tensor[] saved, TState state, Formula<TState> formula)
    {
        var next = new Node?[inputs.Length];
        var meta = new InputMeta[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            next[i] = inputs[i].GradientEdge();
            meta[i] = new InputMeta(inputs[i].ShapeArray, inputs[i].DType);
        }
        return new FunctionNode<TState>(name, next, meta, saved, state, formula);
    }
}
