using AutoGrad.Printing;

namespace AutoGrad.Autograd;

/// <summary>
/// One node a backward pass ran, as PyTorch's node hooks (grad_fn.register_hook) see it: the gradients that flowed
/// into the node and those it passed on to its inputs. A traced backward pass reports one per executed node, in the
/// engine's execution order, which is PyTorch's.
/// </summary>
public sealed class BackwardStep
{
    internal BackwardStep(int step, Node gradFn, Tensor?[] gradOutputs, Tensor?[] gradInputs)
    {
        Step = step;
        GradFn = gradFn;
        GradOutputs = Array.AsReadOnly(gradOutputs);
        GradInputs = Array.AsReadOnly(gradInputs);
    }

    /// <summary>Where this node came in the pass, from 1.</summary>
    public int Step { get; }

    /// <summary>The node's name (<c>MulBackward0</c>; <c>AccumulateGrad</c> for a leaf's gradient sink).</summary>
    public string Node => GradFn.Name;

    /// <summary>The node itself (the grad_fn of the tensor it made, or the leaf's AccumulateGrad).</summary>
    public Node GradFn { get; }

    /// <summary>
    /// The gradients flowing into the node, with respect to its outputs (the hook's grad_outputs): after the
    /// tensor's own hooks ran.
    /// </summary>
    public IReadOnlyList<Tensor?> GradOutputs { get; }

    /// <summary>
    /// The gradients the node passes on, one per input, reduced to the input's shape and dtype (the hook's
    /// grad_inputs); null where an input needs none. Empty for AccumulateGrad.
    /// </summary>
    public IReadOnlyList<Tensor?> GradInputs { get; }

    /// <summary>The leaf an AccumulateGrad adds its gradient into (grad_fn.variable); null for other nodes.</summary>
    public Tensor? Leaf => (GradFn as AccumulateGrad)?.Variable;

    /// <summary>
    /// Gradients as a trace's table cell shows them: each tensor's values on one line (<c>[[0.2500, 0.2500], ...]</c>),
    /// None for a missing one, separated by commas.
    /// </summary>
    public static string FormatGradients(IEnumerable<Tensor?>? gradients) =>
        gradients is null ? "" : string.Join(", ", gradients.Select(g => g is null ? "None" : TensorFormatter.FormatValues(g)));

    /// <summary>"MulBackward0: [[0.2500, ...]] -> [[0.7500, ...]], None": the node, what came in, what went out.</summary>
    public override string ToString() => $"{Node}: {FormatGradients(GradOutputs)} -> {FormatGradients(GradInputs)}";
}
