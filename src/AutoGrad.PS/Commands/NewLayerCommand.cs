using System.Collections;
using System.Management.Automation;
using AutoGrad;
using AutoGrad.NN;
using AutoGrad.PowerShell.Infrastructure;

namespace AutoGrad.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a layer (torch.nn): Linear, Sequential, ReLU, Tanh, Sigmoid, GELU, Softmax, LogSoftmax, Dropout, Flatten, Embedding, LayerNorm, BatchNorm1d, ...</para>
/// </summary>
/// <remarks>
/// One parameter set with every layer's options: the type decides which apply, and an option given to a type that
/// does not take it is an error naming the ones it does take. Static parameters bind fast and are documented by
/// Get-Help like any other.
/// </remarks>
[Cmdlet(VerbsCommon.New, "Layer", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(Module))]
public sealed class NewLayerCommand : AutoGradCmdlet
{
    public const string DefaultSet = "Default";

    /// <summary>The layer types and the parameters each takes (required ones first).</summary>
    internal static readonly (string Type, string[] Required, string[] Optional)[] Types =
    [
        ("Linear", ["InFeatures", "OutFeatures"], ["Bias", "DType"]),
        ("Sequential", [], ["Layers"]),
        ("ReLU", [], []),
        ("Tanh", [], []),
        ("Sigmoid", [], []),
        ("GELU", [], ["Approximate"]),
        ("Softmax", [], ["Dim"]),
        ("LogSoftmax", [], ["Dim"]),
        ("Dropout", [], ["P"]),
        ("Flatten", [], ["StartDim", "EndDim"]),
        ("Embedding", ["NumEmbeddings", "EmbeddingDim"], ["PaddingIdx", "DType"]),
        ("LayerNorm", ["NormalizedShape"], ["Eps", "ElementwiseAffine", "Bias", "DType"]),
        ("BatchNorm1d", ["NumFeatures"], ["Eps", "Momentum", "Affine", "TrackRunningStats", "DType"]),
        ("LeakyReLU", [], ["NegativeSlope"]),
        ("SiLU", [], []),
        ("Identity", [], []),
    ];

    private static readonly string[] s_layerParameters = Types.SelectMany(t => t.Required.Concat(t.Optional)).Distinct().ToArray();

    /// <summary>The kind of layer (tab completion lists them; case does not matter).</summary>
    [Parameter(ParameterSetName = DefaultSet, Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(LayerTypeCompleter))]
    public string Type { get; set; } = "";

    /// <summary>Sequential: the layers, in order (children "0", "1", ...), or one ordered dictionary of name = layer.</summary>
    [Parameter(ParameterSetName = DefaultSet, Position = 1)]
    public object[]? Layers { get; set; }

    /// <summary>Linear: the size of each input sample.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int InFeatures { get; set; }

    /// <summary>Linear: the size of each output sample.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int OutFeatures { get; set; }

    /// <summary>Linear, LayerNorm: learn an additive bias (default); -Bias:$false leaves it out.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Bias { get; set; }

    /// <summary>Linear, Embedding, LayerNorm, BatchNorm1d: the dtype of the parameters (Float32 by default).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [DTypeTransformation]
    public DType DType { get; set; } = DTypes.DefaultFloat;

    /// <summary>Dropout: the probability of zeroing an element (default 0.5).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double P { get; set; } = 0.5;

    /// <summary>Softmax, LogSoftmax: the dim to normalize over.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int Dim { get; set; }

    /// <summary>GELU: none (exact, default) or tanh.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [ArgumentCompleter(typeof(ApproximateCompleter))]
    public string Approximate { get; set; } = "none";

    /// <summary>LeakyReLU: the slope for negative inputs (default 0.01).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double NegativeSlope { get; set; } = 0.01;

    /// <summary>Flatten: the first dim to merge (default 1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int StartDim { get; set; } = 1;

    /// <summary>Flatten: the last dim to merge (default -1).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int EndDim { get; set; } = -1;

    /// <summary>Embedding: the number of rows (the size of the vocabulary).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int NumEmbeddings { get; set; }

    /// <summary>Embedding: the size of each row.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int EmbeddingDim { get; set; }

    /// <summary>Embedding: a row that starts at zero and gets no gradient (negative counts from the end).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public long PaddingIdx { get; set; }

    /// <summary>LayerNorm: the trailing dims to normalize over, e.g. 8 or 2, 3.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int[]? NormalizedShape { get; set; }

    /// <summary>LayerNorm, BatchNorm1d: added to the variance for stability (default 1e-05).</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public double Eps { get; set; } = 1e-5;

    /// <summary>LayerNorm: learn a weight and bias (default); -ElementwiseAffine:$false leaves them out.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter ElementwiseAffine { get; set; }

    /// <summary>BatchNorm1d: the number of channels C of [N, C] or [N, C, L] input.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public int NumFeatures { get; set; }

    /// <summary>BatchNorm1d: the weight of each new batch in the running statistics (default 0.1); $null for a cumulative average.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    [AllowNull]
    public double? Momentum { get; set; } = 0.1;

    /// <summary>BatchNorm1d: learn a weight and bias (default); -Affine:$false leaves them out.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter Affine { get; set; }

    /// <summary>BatchNorm1d: keep running statistics for eval mode (default); -TrackRunningStats:$false always uses the batch's.</summary>
    [Parameter(ParameterSetName = DefaultSet)]
    public SwitchParameter TrackRunningStats { get; set; }

    /// <summary>New-Layer takes no pipeline input: every problem is one of its parameters, and stops the statement.</summary>
    protected override void BeginProcessing()
    {
        var kind = Types.FirstOrDefault(t => string.Equals(t.Type, Type, StringComparison.OrdinalIgnoreCase));
        if (kind.Type is null)
            Fail("UnknownType", ErrorCategory.InvalidArgument, Type,
                $"Unknown layer type '{Type}'. Valid types: {string.Join(", ", Types.Select(t => t.Type))}.");
        var bound = MyInvocation.BoundParameters;
        var missing = kind.Required.Where(p => !bound.ContainsKey(p)).ToArray();
        if (missing.Length > 0)
            Fail("MissingParameter", ErrorCategory.InvalidArgument, Type,
                $"{kind.Type} needs {string.Join(" and ", missing.Select(p => "-" + p))}.");
        foreach (var name in s_layerParameters)
            if (bound.ContainsKey(name) && !kind.Required.Contains(name) && !kind.Optional.Contains(name))
                Fail("ParameterNotApplicable", ErrorCategory.InvalidArgument, name,
                    $"-{name} does not apply to {kind.Type}. {Takes(kind)}");

        if (kind.Type is "Softmax" or "LogSoftmax" && !bound.ContainsKey(nameof(Dim)))
            WriteWarning($"Implicit dimension choice for {kind.Type.ToLowerInvariant()} has been deprecated. Change the call to include dim=X as an argument.");
        var layers = kind.Type == "Sequential" ? SequentialChildren() : null;
        var layer = Engine<Module>(() => Create(kind.Type, bound, layers), Type);
        WriteObject(layer);
    }

    private Module Create(string type, Dictionary<string, object> bound, List<KeyValuePair<string, Module>>? layers)
    {
        bool On(SwitchParameter s, string name) => !bound.ContainsKey(name) || s.IsPresent;
        return type switch
        {
            "Linear" => new Linear(InFeatures, OutFeatures, On(Bias, nameof(Bias)), DType),
            "Sequential" => new Sequential(layers!),
            "ReLU" => new ReLU(),
            "Tanh" => new Tanh(),
            "Sigmoid" => new Sigmoid(),
            "GELU" => new GELU(Approximate),
            "Softmax" => new Softmax(bound.ContainsKey(nameof(Dim)) ? Dim : null),
            "LogSoftmax" => new LogSoftmax(bound.ContainsKey(nameof(Dim)) ? Dim : null),
            "Dropout" => new Dropout(P),
            "Flatten" => new Flatten(StartDim, EndDim),
            "Embedding" => new Embedding(NumEmbeddings, EmbeddingDim, bound.ContainsKey(nameof(PaddingIdx)) ? PaddingIdx : null, DType),
            "LayerNorm" => new LayerNorm(NormalizedShape!, Eps, On(ElementwiseAffine, nameof(ElementwiseAffine)), On(Bias, nameof(Bias)), DType),
            "BatchNorm1d" => new BatchNorm1d(NumFeatures, Eps, Momentum, On(Affine, nameof(Affine)),
                On(TrackRunningStats, nameof(TrackRunningStats)), DType),
            "LeakyReLU" => new LeakyReLU(NegativeSlope),
            "SiLU" => new SiLU(),
            "Identity" => new Identity(),
            _ => throw new InvalidOperationException(type),
        };
    }

    /// <summary>-Layers as named children: layers get "0", "1", ...; one dictionary gives its own names.</summary>
    private List<KeyValuePair<string, Module>> SequentialChildren()
    {
        var items = (Layers ?? []).Select(Unwrap).Where(v => v is not null).ToList();
        var children = new List<KeyValuePair<string, Module>>();
        if (items.Count == 1 && items[0] is IDictionary named)
        {
            foreach (DictionaryEntry e in named)
                children.Add(new(Unwrap(e.Key)?.ToString() ?? "", AsLayer(e.Value)));
            return children;
        }
        foreach (var item in items) children.Add(new(children.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), AsLayer(item)));
        return children;
    }

    private Module AsLayer(object? value)
    {
        if (Unwrap(value) is Module m) return m;
        Fail("NotALayer", ErrorCategory.InvalidArgument, value,
            $"-Layers takes layers (from New-Layer), got {(Unwrap(value) is { } v ? v.GetType().Name : "null")}.");
        return null!;
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private static string Takes((string Type, string[] Required, string[] Optional) kind)
    {
        var all = kind.Required.Concat(kind.Optional).Select(p => "-" + p).ToArray();
        return all.Length == 0 ? $"{kind.Type} takes no options." : $"{kind.Type} takes {string.Join(", ", all)}.";
    }
}
