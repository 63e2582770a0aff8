namespace AutoGrad.Ops;

/// <summary>
/// An op of the table as a user looks it up (Get-TensorOp): its name, one-line synopsis, the parameters it requires
/// and accepts (Invoke-Op's parameter names, PyTorch's keywords in PascalCase), the call written out with a
/// placeholder for each value, and the same call in PyTorch where the table records it.
/// </summary>
public sealed class OpSignature
{
    private static readonly Dictionary<OpArgs, string> s_placeholders = new()
    {
        [OpArgs.Dim] = "<int[]>",
        [OpArgs.Shape] = "<int[]>",
        [OpArgs.Dims] = "<int[]>",
        [OpArgs.Min] = "<number or tensor>",
        [OpArgs.Max] = "<number or tensor>",
        [OpArgs.Index] = "<int, int[] or tensor>",
        [OpArgs.Target] = "<tensor>",
        [OpArgs.Condition] = "<tensor>",
        [OpArgs.Reduction] = "<Mean|Sum|None>",
        [OpArgs.DType] = "<dtype>",
        [OpArgs.Correction] = "<double>",
        [OpArgs.P] = "<double>",
        [OpArgs.NegativeSlope] = "<double>",
        [OpArgs.Approximate] = "<none|tanh>",
        [OpArgs.Beta] = "<double>",
        [OpArgs.Threshold] = "<double>",
        [OpArgs.IgnoreIndex] = "<long>",
        [OpArgs.KeepDim] = "",
        [OpArgs.WithIndices] = "",
    };

    private static readonly Lazy<IReadOnlyList<OpSignature>> s_all =
        new(() => OpTable.All.Select(op => new OpSignature(op)).ToArray());

    private OpSignature(OpInfo op)
    {
        Info = op;
        var parameters = Enum.GetValues<OpArgs>().Where(p => p != OpArgs.None && op.Accepts(p)).ToArray();
        Required = parameters.Where(op.Requires).Select(p => p.ToString()).ToArray();
        Optional = parameters.Where(p => !op.Requires(p)).Select(p => p.ToString()).ToArray();
        Arguments = string.Join(" ", parameters.Select(p => Argument(op, p)));
    }

    /// <summary>Every op, sorted by name.</summary>
    public static IReadOnlyList<OpSignature> All => s_all.Value;

    /// <summary>The signature of one op of the table.</summary>
    public static OpSignature Of(OpInfo op) => All.First(s => ReferenceEquals(s.Info, op));

    /// <summary>The table entry itself.</summary>
    public OpInfo Info { get; }

    public string Name => Info.Name;
    public string Synopsis => Info.Synopsis;

    /// <summary>The parameters the op cannot do without, in Invoke-Op's order ("Other", "Dim", ...).</summary>
    public string[] Required { get; }

    /// <summary>The parameters the op may take besides.</summary>
    public string[] Optional { get; }

    /// <summary>Required then optional parameter names.</summary>
    public string[] Parameters => [.. Required, .. Optional];

    /// <summary>The op's arguments with placeholders: "[-Min &lt;number or tensor&gt;] [-Max &lt;number or tensor&gt;]".</summary>
    public string Arguments { get; }

    /// <summary>
    /// The parameters at a glance, required ones bare and optional ones in brackets: "-Target [-Reduction]
    /// [-IgnoreIndex]"; "&lt;other&gt;" is the second operand of a binary op.
    /// </summary>
    public string ParameterSummary =>
        string.Join(" ", Required.Select(p => p == nameof(OpArgs.Other) ? "<other>" : "-" + p).Concat(Optional.Select(p => $"[-{p}]")));

    /// <summary>The whole call: "$x | Invoke-Op Clamp [-Min &lt;number or tensor&gt;] [-Max &lt;number or tensor&gt;]".</summary>
    public string Syntax => Arguments.Length == 0 ? $"$x | Invoke-Op {Name}" : $"$x | Invoke-Op {Name} {Arguments}";

    /// <summary>The same call in PyTorch (torch.exp(x), x.sum(dim=dim, keepdim=keepdim)) where the table records it.</summary>
    public string? Torch => Info.Torch;

    /// <summary>Whether gradients flow through the op.</summary>
    public bool Differentiable => Info.Differentiable;

    /// <summary>"Usage: $x | Invoke-Op Clamp [-Min ...] ... (synopsis).", for Invoke-Op's argument errors.</summary>
    public string Usage => $"Usage: {Syntax} ({Synopsis}).";

    public override string ToString() => Syntax;

    /// <summary>One parameter as the syntax shows it: a required Other is the positional value.</summary>
    private static string Argument(OpInfo op, OpArgs parameter)
    {
        bool required = op.Requires(parameter);
        string placeholder = parameter switch
        {
            OpArgs.Other => op.OtherIsTensor ? "<tensor>" : "<tensor or number>",
            OpArgs.Dim when op.SingleDim => "<int>",
            _ => s_placeholders.GetValueOrDefault(parameter, "<int>"),
        };
        if (parameter == OpArgs.Other && required) return placeholder;
        string text = placeholder.Length == 0 ? $"-{parameter}" : $"-{parameter} {placeholder}";
        return required ? text : $"[{text}]";
    }
}
