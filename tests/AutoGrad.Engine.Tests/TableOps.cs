using AutoGrad.Ops;

namespace AutoGrad.Tests;

/// <summary>The kinds of table ops a call can be built for from any input shape (the property tests' ops).</summary>
public enum OpKind
{
    /// <summary>An elementwise function of one tensor, with its first sample's options (clamp's bounds).</summary>
    Unary,
    /// <summary>An elementwise function of two tensors that broadcast (a condition too, for where).</summary>
    Binary,
    /// <summary>A reduction over all elements: the call without options.</summary>
    FullReduction,
    /// <summary>An op along one dim (reductions, softmax): along the last dim.</summary>
    AlongLastDim,
}

/// <summary>
/// Ops of the table picked by kind, and calls to them for inputs of any shape, for the tests that run every op of a
/// kind on random shapes (gradients, float32 against float64, threads): adding an op to the table adds it to them.
/// </summary>
internal static class TableOps
{
    public static IEnumerable<OpInfo> Of(OpKind kind) => OpTable.All.Where(op => kind switch
    {
        OpKind.Unary => op.Family == OpFamily.Elementwise && !op.Requires(OpArgs.Other),
        OpKind.Binary => op.Requires(OpArgs.Other) && op.Family is OpFamily.Arithmetic or OpFamily.Elementwise,
        OpKind.FullReduction => op.Family == OpFamily.Reduction && op.Required == OpArgs.None,
        _ => op.Accepts(OpArgs.Dim) && op.Family is OpFamily.Reduction or OpFamily.NeuralNetwork,
    });

    /// <summary>(kind, op name) for every op of the given kinds.</summary>
    public static TheoryData<OpKind, string> All(params OpKind[] kinds) => Cases(kinds, differentiableOnly: false);

    /// <summary>(kind, op name) for every differentiable op of the given kinds.</summary>
    public static TheoryData<OpKind, string> Differentiable(params OpKind[] kinds) => Cases(kinds, differentiableOnly: true);

    private static TheoryData<OpKind, string> Cases(OpKind[] kinds, bool differentiableOnly)
    {
        var data = new TheoryData<OpKind, string>();
        foreach (var kind in kinds)
            foreach (var op in Of(kind).Where(op => op.Differentiable || !differentiableOnly))
                data.Add(kind, op.Name);
        return data;
    }

    public static OpInfo Get(string name) => OpTable.TryGet(name, out var op) ? op : throw new ArgumentException(name);

    /// <summary>The op's (first) result.</summary>
    public static Tensor Apply(OpInfo op, OpCall call) => OpCases.Outputs(op.Apply(call))[0];

    /// <summary>
    /// The call of an op of <paramref name="kind"/> on <paramref name="x"/> (and <paramref name="other"/> for a
    /// binary op; <paramref name="condition"/> for one that takes a condition).
    /// </summary>
    public static OpCall Call(OpKind kind, OpInfo op, Tensor x, Tensor? other = null, Tensor? condition = null, bool keepDim = false) => kind switch
    {
        OpKind.Unary => op.SamplesFor(DType.Float64)[0].Call with { Input = x },
        OpKind.Binary => new OpCall(x, other) { Condition = op.Requires(OpArgs.Condition) ? condition : null },
        OpKind.FullReduction => new OpCall(x),
        _ => new OpCall(x, Dim: [-1], KeepDim: keepDim && op.Accepts(OpArgs.KeepDim)),
    };
}
