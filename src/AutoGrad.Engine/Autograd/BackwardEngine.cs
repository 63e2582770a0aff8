namespace AutoGrad.Autograd;

/// <summary>
/// Runs the graph backwards (torch.autograd.backward / torch.autograd.grad). Iterative, not recursive: a chain
/// of any length is walked with explicit stacks, and every node runs once, after all its consumers have
/// delivered their gradients (dependency counting, as PyTorch's engine does).
/// </summary>
public static class BackwardEngine
{
    private const string UnusedInputMessage =
        "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.";

    /// <summary>
    /// torch.autograd.backward: accumulates into the .grad of the leaves the outputs depend on. With
    /// <paramref name="trace"/>, each node the pass runs is reported as it finishes, in execution order.
    /// </summary>
    public static void Backward(Tensor[] outputs, Tensor?[]? gradOutputs = null, bool? retainGraph = null,
        bool createGraph = false, Action<BackwardStep>? trace = null)
    {
        Arg.Tensors(outputs);
        var roots = MakeRoots(outputs, gradOutputs);
        // retain_graph defaults to create_graph, as in PyTorch; an explicit false still frees the graph.
        Execute(roots, retainGraph ?? createGraph, createGraph, captures: null, trace);
    }

    /// <summary>
    /// torch.autograd.grad: the gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>,
    /// in order, without touching any .grad. An input the outputs do not depend on is an error unless
    /// <paramref name="allowUnused"/>, then its gradient is null. With <paramref name="trace"/>, each node the pass
    /// runs is reported as it finishes (the inputs' own nodes do not run: their gradients are captured).
    /// </summary>
    public static Tensor?[] Grad(Tensor[] outputs, Tensor[] inputs, Tensor?[]? gradOutputs = null,
        bool? retainGraph = null, bool createGraph = false, bool allowUnused = false,
        Action<BackwardStep>? trace = null)
    {
        Arg.Tensors(outputs);
        Arg.Tensors(inputs);
        for (int i = 0; i < inputs.Length; i++)
            if (!inputs[i].RequiresGrad)
                throw TorchException.Runtime("GradInputNoGrad", "One of the differentiated Tensors does not require grad");
        var roots = MakeRoots(outputs, gradOutputs);
        var captures = new Dictionary<Node, Tensor?>(ReferenceEqualityComparer.Instance);
        foreach (var input in inputs) captures[input.GradientEdge()!] = null;
        Execute(roots, retainGraph ?? createGraph, createGraph, captures, trace);
        var result = new Tensor?[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            result[i] = captures[inputs[i].GradientEdge()!];
            if (result[i] is null && !allowUnused)
                throw TorchException.Runtime("GradUnusedInput", UnusedInputMessage);
        }
        return result;
    }

    private static List<(Node Node, Tensor Grad)> MakeRoots(Tensor[] outputs, Tensor?[]? gradOutputs)
    {
        if (gradOutputs is not null && gradOutputs.Length != outputs.Length)
            throw TorchException.Runtime("GradCountMismatch",
                $"grad requires one gradient per output: got {gradOutputs.Length} gradients for {outputs.Length} outputs");
        // As torch.autograd does: _make_grads checks every given gradient's shape (and makes the implicit ones
        // for outputs that require grad) before the engine looks for each output's grad_fn.
        var grads = new Tensor?[outputs.Length];
        for (int i = 0; i < outputs.Length; i++)
        {
            var output = outputs[i];
            var grad = gradOutputs?[i];
            if (grad is null)
            {
                if (output.RequiresGrad && output.NumElements != 1)
                    throw TorchException.Runtime("NonScalar", "grad can be implicitly created only for scalar outputs");
            }
            else if (!Shapes.Equal(grad.ShapeSpan, output.ShapeSpan))
                throw TorchException.Runtime("GradientShapeMismatch",
                    $"Mismatch in shape: grad_output[{i}] has a shape of {Shapes.ToTorchSize(grad.ShapeSpan)} and output[{i}] has a shape of {Shapes.ToTorchSize(output.ShapeSpan)}.");
            grads[i] = grad;
        }
        var roots = new List<(Node, Tensor)>(outputs.Length);
        for (int i = 0; i < outputs.Length; i++)
        {
            var output = outputs[i];
            var node = output.GradientEdge()
                ?? throw TorchException.Runtime("BackwardNoGrad",
                    $"element {i} of tensors does not require grad and does not have a grad_fn");
            var grad = grads[i] ?? Tensor.FullLike(output, 1);
            if (grad.DType != output.DType) grad = grad.To(output.DType);
            roots.Add((node, grad));
        }
        return roots;
    }

    /// <summary>One pass's bookkeeping for a node that must run: one dictionary entry instead of a dependency
    /// count, a gradient buffer and an exclusivity flag in three collections (the notebook's 5-node backward spent
    /// most of its time in collection upkeep).</summary>
    private sealed class NodeState
    {
        /// <summary>Edges from running nodes still to deliver a gradient here.</summary>
        public int Dependencies;
        /// <summary>The gradient summed so far for this node's output.</summary>
        public Tensor? Buffer;
        /// <summary>The buffer holds a tensor this pass created for this node alone: a leaf may keep it as its
        /// .grad without a copy (root gradients and anything a formula passed through never qualify).</summary>
        public bool Exclusive;
    }

    private static void Execute(List<(Node Node, Tensor Grad)> roots, bool retainGraph, bool createGraph,
        Dictionary<Node, Tensor?>? captures, Action<BackwardStep>? trace)
    {
        using var mode = GradMode.Set(createGraph);
        // Read once per pass: tracing and anomaly detection cost nothing per node when they are off.
        bool anomaly = AnomalyMode.IsEnabled;
        bool checkNan = anomaly && AnomalyMode.ShouldCheckNan;
        bool observe = checkNan || trace is not null;

        var states = CountDependencies(roots, captures);
        foreach (var (node, grad) in roots)
            if (states.TryGetValue(node, out var state))
                state.Buffer = Sum(state.Buffer, grad);

        var ready = new ReadyQueue();
        foreach (var (node, _) in roots)
            if (states.TryGetValue(node, out var state) && state.Dependencies == 0 && !ready.Contains(node))
                ready.Push(node);

        var executed = new List<Node>();
        var pass = trace is null ? null : new TracedPass();
        Node? current = null;
        var outerNode = anomaly ? AnomalyMode.EnterNode(null) : null;
        try
        {
            while (ready.TryPop(out var node))
            {
                current = node;
                if (anomaly) AnomalyMode.EnterNode(node);
                var state = states[node];
                var grad = state.Buffer;
                state.Buffer = null;
                var arrived = grad;
                bool exclusive = state.Exclusive;
                if (grad is not null && node.Requests is { } requests)
                {
                    // PyTorch's call_tensor_pre_hooks: the tensor's hooks first, then retain_grad, which stores what
                    // the hooks made of the gradient. A hook may keep the tensor it saw, so it is never stolen.
                    if (requests.Hooks is { } hooks)
                    {
                        grad = hooks.Run(grad);
                        exclusive = false;
                    }
                    // PyTorch's retain_grad hook: grad.clone() first, then grad + new. Both record under
                    // create_graph, so a retained gradient is differentiable like a leaf's.
                    if (requests.RetainedOutput is { } retained)
                        retained.Grad = retained.Grad is null ? grad.Clone() : retained.Grad.Add(grad);
                }

                if (captures is not null)
                {
                    // Like PyTorch's exec_info, run a node only when a wanted gradient lies beyond it: a captured
                    // non-leaf's own backward is not executed (nor are its saved tensors freed), and leaves are
                    // never accumulated into. A node that does not run has its hooks applied before the capture;
                    // one that runs is captured as its gradient arrived (PyTorch 2.x's evaluate_function).
                    bool needed = LeadsToNeededNode(node, states);
                    if (captures.ContainsKey(node)) captures[node] = needed ? arrived : grad;
                    if (!needed) continue;
                }

                Tensor?[] inputGrads = [];
                if (grad is not null)
                {
                    // A trace holds the gradient it reports: the leaf must not adopt it as a .grad that a later
                    // pass accumulates into in place.
                    if (node is AccumulateGrad accumulate && !createGraph)
                        accumulate.Receive(grad, exclusive && trace is null);
                    else
                        inputGrads = node.Apply(grad);
                    executed.Add(node);
                }

                Tensor?[]? observed = null;
                if (observe)
                {
                    // What PyTorch's node post-hooks see (validated outputs), then its anomaly NaN check.
                    observed = ValidatedOutputs(node, inputGrads, states);
                    trace?.Invoke(new BackwardStep(pass!, node, [grad], observed));
                    if (checkNan) AnomalyMode.CheckNan(node, observed);
                }

                for (int i = 0; i < node.Next.Length; i++)
                {
                    var next = node.Next[i];
                    if (next is null || !states.TryGetValue(next, out var nextState)) continue;
                    var g = i < inputGrads.Length ? inputGrads[i] : null;
                    if (g is not null)
                    {
                        var validated = observed?[i] ?? Validate(node, i, g);
                        var previous = nextState.Buffer;
                        nextState.Buffer = Sum(previous, validated);
                        nextState.Exclusive = previous is not null || !ReferenceEquals(validated, g)
                            || IsExclusiveOutput(g, grad!, inputGrads, i);
                    }
                    if (--nextState.Dependencies == 0)
                        ready.Push(next);
                }
            }
        }
        catch (Exception) when (anomaly && current is not null)
        {
            // PyTorch's set_exception under anomaly mode: warn where the failing node's forward call was.
            AnomalyMode.WarnForwardTraceback(current);
            throw;
        }
        finally
        {
            if (anomaly) AnomalyMode.EnterNode(outerNode);
            if (!retainGraph)
                foreach (var node in executed) node.ReleaseSavedTensors();
        }
    }

    /// <summary>A node's input gradients as the engine passes them on; null where an input gets none.</summary>
    private static Tensor?[] ValidatedOutputs(Node node, Tensor?[] inputGrads, Dictionary<Node, NodeState> states)
    {
        var outputs = new Tensor?[node.Next.Length];
        for (int i = 0; i < outputs.Length && i < inputGrads.Length; i++)
            if (node.Next[i] is { } next && states.ContainsKey(next) && inputGrads[i] is { } g)
                outputs[i] = Validate(node, i, g);
        return outputs;
    }

    private static bool LeadsToNeededNode(Node node, Dictionary<Node, NodeState> states)
    {
        foreach (var next in node.Next)
            if (next is not null && states.ContainsKey(next)) return true;
        return false;
    }

    /// <summary>
    /// True when output <paramref name="index"/> of a node shares storage with neither the node's incoming gradient
    /// nor any other of its outputs: AddBackward0 hands one tensor to both inputs, a view's backward returns an
    /// alias of its input gradient, and those must not become a leaf's .grad uncopied.
    /// </summary>
    private static bool IsExclusiveOutput(Tensor output, Tensor incoming, Tensor?[] outputs, int index)
    {
        if (ReferenceEquals(output.StorageObject, incoming.StorageObject)) return false;
        for (int j = 0; j < outputs.Length; j++)
            if (j != index && outputs[j] is { } other && ReferenceEquals(other.StorageObject, output.StorageObject)) return false;
        return true;
    }

    /// <summary>
    /// Counts, for every node that must run, how many edges from other running nodes point at it. When only some
    /// gradients are wanted (<paramref name="captures"/>), nodes that lead to none of them are pruned.
    /// </summary>
    private static Dictionary<Node, NodeState> CountDependencies(List<(Node Node, Tensor Grad)> roots,
        Dictionary<Node, Tensor?>? captures)
    {
        // Discover every reachable node (iteratively) in an order where each node comes after all it points to
        // has been seen: a post-order, so "needed" can be decided bottom-up. The state map doubles as the visited set.
        var states = new Dictionary<Node, NodeState>(ReferenceEqualityComparer.Instance);
        var postOrder = new List<Node>();
        var stack = new Stack<(Node Node, int NextIndex)>();
        foreach (var (root, _) in roots)
        {
            if (!states.TryAdd(root, new NodeState())) continue;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, index) = stack.Pop();
                if (index < node.Next.Length)
                {
                    stack.Push((node, index + 1));
                    var next = node.Next[index];
                    if (next is not null && states.TryAdd(next, new NodeState())) stack.Push((next, 0));
                }
                else postOrder.Add(node);
            }
        }

        if (captures is not null)
        {
            // Bottom-up: a node is needed when it is captured or leads to a needed node; the rest leave the map.
            var needed = new HashSet<Node>(ReferenceEqualityComparer.Instance);
            foreach (var node in postOrder)
            {
                bool need = captures.ContainsKey(node);
                foreach (var next in node.Next)
                    if (next is not null && needed.Contains(next)) { need = true; break; }
                if (need) needed.Add(node);
                else states.Remove(node);
            }
        }

        foreach (var node in postOrder)
        {
            if (!states.ContainsKey(node)) continue;
            foreach (var next in node.Next)
                if (next is not null && states.TryGetValue(next, out var nextState))
                    nextState.Dependencies++;
        }
        return states;
    }

    /// <summary>
    /// PyTorch's validate_outputs: a gradient computed in the broadcast shape is summed back to the input's shape,
    /// and cast to the input's dtype.
    /// </summary>
    private static Tensor Validate(Node node, int index, Tensor grad)
    {
        var meta = node.Inputs[index];
        if (!Shapes.Equal(grad.ShapeSpan, meta.Shape))
        {
            if (!Shapes.IsExpandableTo(meta.Shape, grad.ShapeSpan))
                throw TorchException.Runtime("InvalidGradient",
                    $"Function {node.Name} returned an invalid gradient at index {index} - got [{Shapes.Join(grad.ShapeSpan)}] but expected shape compatible with [{Shapes.Join(meta.Shape)}]");
            grad = grad.SumTo(meta.Shape);
        }
        if (grad.DType != meta.DType) grad = grad.To(meta.DType);
        return grad;
    }

    private static Tensor Sum(Tensor? buffer, Tensor grad) => buffer is null ? grad : buffer.Add(grad);
}
