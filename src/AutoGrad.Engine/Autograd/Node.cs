namespace AutoGrad.Autograd;

/// <summary>
/// One backward function in the graph (PyTorch's torch.autograd.graph.Node): it takes the gradient of its
/// output and returns gradients for each of its inputs, which flow along <see cref="NextFunctions"/>.
/// </summary>
public abstract class Node
{
    private static long s_nextSequenceNr;

    internal Node(string name, Node?[] next, InputMeta[] inputs)
        : this(name, next, inputs, Interlocked.Increment(ref s_nextSequenceNr))
    {
    }

    private protected Node(string name, Node?[] next, InputMeta[] inputs, long sequenceNr)
    {
        Name = name;
        Next = next;
        Inputs = inputs;
        SequenceNr = sequenceNr;
        if (AnomalyMode.IsEnabled) AnomalyRecords.Record(this);
    }

    /// <summary>PyTorch's class name for this node, e.g. <c>MulBackward0</c>.</summary>
    public string Name { get; }

    /// <summary>The node each input's gradient goes to (null where that input needs none).</summary>
    internal readonly Node?[] Next;

    /// <summary>Shape and dtype of each input, to reduce and cast the gradients to (validate_outputs).</summary>
    internal readonly InputMeta[] Inputs;

    /// <summary>Creation order; among ready nodes the engine runs the newest first, as PyTorch does.</summary>
    internal long SequenceNr { get; }

    /// <summary>
    /// What the tensor this node produced asked for before the node runs: its hooks and retain_grad(). Null for
    /// nearly every node, so the engine checks one field, and a node is no larger for either.
    /// </summary>
    internal OutputRequests? Requests { get; private set; }

    /// <summary>A non-leaf output that asked for retain_grad(); its .grad is filled when this node runs.</summary>
    internal Tensor? RetainedOutput
    {
        get => Requests?.RetainedOutput;
        set => (Requests ??= new()).RetainedOutput = value;
    }

    /// <summary>
    /// Hooks registered on the tensor this node produces (Tensor.RegisterHook): they see, and may replace, the
    /// gradient before this node runs. For an AccumulateGrad, the leaf's own hook list.
    /// </summary>
    internal HookList? TensorPreHooks
    {
        get => Requests?.Hooks;
        set => (Requests ??= new()).Hooks = value;
    }

    /// <summary>Where the forward call that made this node was, recorded only under anomaly detection (kept beside
    /// the node, not in it, so that a node made with the mode off is no larger for it).</summary>
    internal AnomalyMetadata? Anomaly => AnomalyRecords.Of(this);

    /// <summary>
    /// Where the forward op that created this node was called (script, line and command in PowerShell, a .NET
    /// stack trace from C#): recorded only while anomaly detection (<see cref="AnomalyMode"/>) is on, otherwise
    /// null. PyTorch keeps it in the node's metadata for the warning an error in its backward produces.
    /// </summary>
    public string? ForwardTraceback => Anomaly?.Traceback;

    public IReadOnlyList<Node?> NextFunctions => Next;

    /// <summary>
    /// What the forward saved for this node's backward, read-only (PyTorch's <c>_saved_*</c> attributes, which
    /// torchviz draws): the saved tensors, empty once a backward pass without retain_graph freed them, and the op's
    /// non-tensor arguments (null when it has none).
    /// </summary>
    public virtual (IReadOnlyList<Tensor> Tensors, object? Arguments) Saved => ([], null);

    /// <summary>Computes the input gradients from the output gradient.</summary>
    internal abstract Tensor?[] Apply(Tensor gradOutput);

    /// <summary>Frees saved tensors after a backward pass that did not ask to retain the graph.</summary>
    internal virtual void ReleaseSavedTensors() { }

    /// <summary>PyTorch prints <c>&lt;AddBackward0 object at 0x...&gt;</c>; there is no address to show here.</summary>
    public override string ToString() => $"<{Name} object>";
}

/// <summary>The hooks and retain_grad() of the tensor a node produced (see <see cref="Node.Requests"/>).</summary>
internal sealed class OutputRequests
{
    public HookList? Hooks;
    public Tensor? RetainedOutput;
}

/// <summary>What a node remembers of an input to shape its gradient.</summary>
internal readonly record struct InputMeta(int[] Shape, DType DType);

/// <summary>The sink for a leaf's gradient: adds it into leaf.grad (PyTorch's AccumulateGrad).</summary>
public sealed class AccumulateGrad : Node
{
    // PyTorch gives AccumulateGrad the largest sequence number, so a leaf's gradient is accumulated as soon as it is
    // complete, before any other ready node runs.
    internal AccumulateGrad(Tensor leaf)
        : base("AccumulateGrad", [], [new InputMeta(leaf.ShapeArray, leaf.DType)], long.MaxValue)
    {
        Variable = leaf;
        if (leaf.LeafHooks is { } hooks) TensorPreHooks = hooks;
    }

    /// <summary>The leaf tensor this node accumulates into.</summary>
    public Tensor Variable { get; }

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        Receive(gradOutput, exclusive: false);
        return [];
    }

    /// <summary>Accumulates a gradient; <paramref name="exclusive"/>: no one else holds it, so it need not be copied.</summary>
    internal void Receive(Tensor grad, bool exclusive)
    {
        // As PyTorch's AccumulateGrad: a leaf switched to requires_grad=False after the graph was built gets nothing.
        if (Variable.RequiresGrad) Accumulate(Variable, grad, exclusive);
    }

    /// <summary>
    /// First gradient: stored as a fresh tensor (the engine may hand the same gradient to several inputs, and it
    /// may be the caller's own gradient tensor). Later ones: added in place when not building a graph (torch does
    /// variable.grad += new_grad), otherwise out of place so that the sum itself is differentiable.
    /// </summary>
    internal static void Accumulate(Tensor target, Tensor grad, bool exclusive = false)
    {
        // PyTorch serialises accumulation into one leaf (AccumulateGrad's mutex): backward passes running on several
        // threads that reach the same leaf must each add their gradient, not read the same old .grad and overwrite.
        lock (LeafLocks.GetValue(target, static _ => new object()))
            AccumulateLocked(target, grad, exclusive);
    }

    /// <summary>One lock per leaf (not per node: racing threads may each have made an AccumulateGrad for it).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Tensor, object> LeafLocks = new();

    private static void AccumulateLocked(Tensor target, Tensor grad, bool exclusive)
    {
        var existing = target.Grad;
        // An exclusive gradient (one the engine made and handed to this leaf alone) in the leaf's layout can be
        // stored as it is, as PyTorch steals a gradient nobody else references; anything else is copied into the
        // layout of the gradient layout contract first.
        if (existing is null)
            target.Grad = GradMode.IsEnabled ? DifferentiableCopy(grad, target)
                : exclusive && grad.GradFn is null && ObeysLayoutContract(grad, target) ? grad
                : CloneObeyContract(grad.Detach(), target);
        else if (GradMode.IsEnabled || existing.GradFn is not null)
            target.Grad = existing.Add(grad);
        else
            existing.AddInPlace(grad);
    }

    /// <summary>
    /// PyTorch's gradient layout contract (torch/csrc/autograd/utils/grad_layout_contract.h): the .grad of a dense
    /// leaf has the leaf's strides (dims of size 1 aside, where a 0 stride still disqualifies), any other leaf's
    /// .grad is contiguous. A weight's gradient made as a transposed view therefore lands contiguous.
    /// </summary>
    internal static bool ObeysLayoutContract(Tensor grad, Tensor variable)
    {
        if (!variable.IsDense) return grad.IsContiguous();
        var (shape, strides, variableStrides) = (grad.ShapeArray, grad.StridesArray, variable.StridesArray);
        for (int d = 0; d < shape.Length; d++)
            if (shape[d] != 1 ? strides[d] != variableStrides[d] : strides[d] == 0) return false;
        return true;
    }

    /// <summary>clone_obey_contract: a copy with the dense leaf's strides, or a contiguous one.</summary>
    private static Tensor CloneObeyContract(Tensor grad, Tensor variable)
    {
        var copy = variable.IsDense
            ? Tensor.EmptyStrided(variable.ShapeArray, variable.StridesArray, grad.DType)
            : Tensor.Empty(variable.ShapeArray, grad.DType);
        copy.CopyValuesFrom(grad);
        return copy;
    }

    /// <summary>
    /// Under create_graph PyTorch stores new_empty_strided(...).copy_(grad) (clone_obey_contract): a copy, so a
    /// later in-place accumulation cannot write through an alias, that stays attached to the gradient graph
    /// through a CopyBackwards node when the gradient itself requires grad.
    /// </summary>
    private static Tensor DifferentiableCopy(Tensor grad, Tensor variable)
    {
        var copy = CloneObeyContract(grad.Detach(), variable);
        return Graph.NeedsGrad(grad)
            ? Graph.Record(copy, "CopyBackwards", [grad], [], static (g, _, _) => [g])
            : copy;
    }
}

/// <summary>
/// The backward formula of one op call: a static function of the output gradient, the tensors the forward saved
/// and the op's non-tensor arguments (<typeparamref name="TState"/>, typed, so formulas read them without casts).
/// Keeping the formula a static lambda (no captures) means releasing <see cref="_saved"/> really frees the
/// forward's intermediates.
/// </summary>
internal sealed class FunctionNode<TState> : Node
{
    private Tensor[]? _saved;
    private readonly int[] _savedVersions;
    private readonly bool _savesTensors;
    private readonly TState _state;
    private readonly Formula<TState> _formula;

    internal FunctionNode(string name, Node?[] next, InputMeta[] inputs, Tensor[] saved, TState state, Formula<TState> formula)
        : base(name, next, inputs)
    {
        _saved = saved;
        _savesTensors = saved.Length > 0;
        _savedVersions = saved.Length == 0 ? [] : new int[saved.Length];
        for (int i = 0; i < saved.Length; i++)
        {
            _savedVersions[i] = saved[i].VersionNumber;
            saved[i].ShareStorage(); // disposing the caller's handle must not recycle what backward will read
        }
        _state = state;
        _formula = formula;
    }

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        var saved = _saved;
        if (saved is null)
            throw TorchException.Runtime("BackwardTwice",
                "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.");
        for (int i = 0; i < saved.Length; i++)
            if (saved[i].VersionNumber != _savedVersions[i])
                throw ModifiedInPlace(saved[i], _savedVersions[i]);
        var needs = new bool[Next.Length];
        for (int i = 0; i < needs.Length; i++) needs[i] = Next[i] is not null;
        return _formula(gradOutput, saved, _state, needs);
    }

    internal override void ReleaseSavedTensors()
    {
        if (_savesTensors) _saved = null;
    }

    // A stateless op's node carries its formula as state (Graph.Record without arguments), and a declared op its
    // declaration (UnaryOps, BinaryOps): neither is an argument of the call.
    public override (IReadOnlyList<Tensor> Tensors, object? Arguments) Saved =>
        (_saved is null ? [] : Array.AsReadOnly(_saved), _state is Formula or IOpDeclaration ? null : _state);

    private static TorchException ModifiedInPlace(Tensor t, int expected)
    {
        var producer = t.GradFn is { } fn ? $", which is output 0 of {fn.Name}," : "";
        // Under anomaly detection the engine has just warned where the node's forward call was, and PyTorch's
        // hint points there instead of at the mode.
        var hint = AnomalyMode.IsEnabled
            ? "Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!"
            : "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).";
        return TorchException.Runtime("SavedTensorModified",
            $"one of the variables needed for gradient computation has been modified by an inplace operation: [{t.DType.LegacyTypeName()} [{Shapes.Join(t.ShapeSpan)}]]{producer} is at version {t.VersionNumber}; expected version {expected} instead. {hint}");
    }
}

/// <summary>A backward formula: input gradients from the output gradient, saved tensors and typed op arguments.</summary>
internal delegate Tensor?[] Formula<TState>(Tensor grad, Tensor[] saved, TState state, bool[] needsGrad);

/// <summary>A backward formula of an op with no arguments besides its tensors.</summary>
internal delegate Tensor?[] Formula(Tensor grad, Tensor[] saved, bool[] needsGrad);

/// <summary>
/// Marks backward state that is an op's declaration (its kernels and derivative) rather than the arguments of one
/// call, so that views of the graph (Node.Saved, Export-TensorGraph -ShowAttributes) do not list it.
/// </summary>
internal interface IOpDeclaration;
