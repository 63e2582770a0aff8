using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using AutoGrad.Autograd;

namespace AutoGrad.Visualization;

/// <summary>What a box in the picture stands for; the colours are torchviz's.</summary>
public enum GraphNodeKind
{
    /// <summary>A tensor passed in as an output (torchviz: darkolivegreen1).</summary>
    Output,
    /// <summary>A backward function, e.g. MulBackward0 or AccumulateGrad (torchviz: Graphviz's default light grey).</summary>
    Function,
    /// <summary>A leaf that requires grad, whose .grad backward fills (torchviz: lightblue).</summary>
    Leaf,
    /// <summary>A tensor a backward function saved from the forward (torchviz: orange).</summary>
    Saved,
}

/// <summary>How an edge is drawn.</summary>
public enum GraphEdgeKind
{
    /// <summary>The gradient's way through the graph (an arrow from an input's node to the node that uses it).</summary>
    Flow,
    /// <summary>A function and a tensor it saved (a line without an arrow head: torchviz's dir=none).</summary>
    Saved,
}

/// <summary>One box: a stable id (<c>node0</c>, <c>node1</c>, ... in order of discovery) and its label's lines.</summary>
public sealed class GraphNode
{
    internal GraphNode(string id, GraphNodeKind kind, IReadOnlyList<string> lines)
    {
        Id = id;
        Kind = kind;
        Lines = lines;
    }

    public string Id { get; }

    public GraphNodeKind Kind { get; internal set; }

    /// <summary>The label, one entry per line, as torchviz writes it (a tensor's first line is its name, or empty).</summary>
    public IReadOnlyList<string> Lines { get; internal set; }

    public override string ToString() => $"{Id} [{Kind}] {string.Join(" | ", Lines)}";
}

/// <summary>One edge, from <see cref="From"/> to <see cref="To"/> (node ids).</summary>
public readonly record struct GraphEdge(string From, string To, GraphEdgeKind Kind);

/// <summary>What to draw besides the functions and leaves (torchviz's make_dot keywords).</summary>
public sealed class BackwardGraphOptions
{
    /// <summary>Draw each function's saved tensors as orange boxes (show_saved=True).</summary>
    public bool ShowSaved { get; init; }

    /// <summary>List each function's saved values under its name (show_attrs=True).</summary>
    public bool ShowAttributes { get; init; }

    /// <summary>Values longer than this are cut with "..." (max_attr_chars; at least 3).</summary>
    public int MaxAttributeChars { get; init; } = 50;

    /// <summary>Names for tensors (torchviz's params, e.g. a model's named parameters); the first line of their box.</summary>
    public IReadOnlyDictionary<Tensor, string>? Names { get; init; }
}

/// <summary>
/// The backward graph of one or more outputs as torchviz's <c>make_dot</c> draws it: the outputs (green), each
/// grad_fn by name (grey), an AccumulateGrad for each leaf that requires grad with the leaf's box above it (blue,
/// labelled with its shape), and optionally the saved tensors (orange) and the saved values of each function.
/// Nodes and edges come in torchviz's order (depth first from each output, next_functions in order); an edge is
/// drawn once per use, so <c>y * y</c> has two edges from y's node, as in torchviz. Render it with
/// <see cref="DotWriter"/> or <see cref="MermaidWriter"/>.
/// </summary>
public sealed class BackwardGraph
{
    private readonly List<GraphNode> _nodes = [];
    private readonly List<GraphEdge> _edges = [];
    private readonly Dictionary<object, GraphNode> _byObject = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
    private readonly BackwardGraphOptions _options;

    private BackwardGraph(BackwardGraphOptions options) => _options = options;

    public IReadOnlyList<GraphNode> Nodes => _nodes;

    public IReadOnlyList<GraphEdge> Edges => _edges;

    /// <summary>The graph behind <paramref name="outputs"/> (make_dot(var) for one, make_dot((a, b)) for several).</summary>
    public static BackwardGraph Build(IReadOnlyList<Tensor> outputs, BackwardGraphOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var graph = new BackwardGraph(options ?? new BackwardGraphOptions());
        foreach (var output in outputs)
        {
            ArgumentNullException.ThrowIfNull(output, nameof(outputs));
            graph.AddOutput(output);
        }
        graph.ResolveEdges();
        return graph;
    }

    /// <summary>The graph behind one output.</summary>
    public static BackwardGraph Build(Tensor output, BackwardGraphOptions? options = null) => Build([output], options);

    private void AddOutput(Tensor output)
    {
        if (!_seen.Add(output)) return;
        Declare(output, GraphNodeKind.Output, TensorLines(output, null));
        if (output.GradFn is { } fn)
        {
            AddFunctions(fn);
            Edge(fn, output, GraphEdgeKind.Flow);
        }
    }

    /// <summary>torchviz's add_nodes, iterative so that a graph thousands of ops deep cannot overflow the stack.</summary>
    private void AddFunctions(Node root)
    {
        if (!Visit(root)) return;
        var stack = new Stack<(Node Node, int Next)>();
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            var inputs = node.NextFunctions;
            while (next < inputs.Count && inputs[next] is null) next++;
            if (next >= inputs.Count) continue;
            var child = inputs[next]!;
            stack.Push((node, next + 1));
            Edge(child, node, GraphEdgeKind.Flow);
            if (Visit(child)) stack.Push((child, 0));
        }
    }

    /// <summary>Declares a function's boxes (saved tensors, the leaf of an AccumulateGrad, itself) the first time.</summary>
    private bool Visit(Node fn)
    {
        if (!_seen.Add(fn)) return false;
        var saved = SavedTensorNames(fn);
        if (_options.ShowSaved)
        {
            // In dir()'s order, as torchviz walks the _saved_* attributes: a tensor saved twice (y * y) ends up
            // labelled with the later name, as there.
            foreach (var (tensor, name) in saved.OrderBy(s => s.Name, StringComparer.Ordinal))
            {
                // A node's own result gets a box of its own (torchviz: unpacking a saved output makes a new tensor
                // object); any other saved tensor is one box however many nodes saved it, and a leaf's is the leaf's.
                object key = ReferenceEquals(tensor.GradFn, fn) ? new object() : tensor;
                Edge(fn, key, GraphEdgeKind.Saved);
                Declare(key, GraphNodeKind.Saved, TensorLines(tensor, name));
            }
        }
        if (fn is AccumulateGrad acc)
        {
            var leaf = acc.Variable;
            _seen.Add(leaf);
            Declare(leaf, GraphNodeKind.Leaf, TensorLines(leaf, null));
            Edge(leaf, fn, GraphEdgeKind.Flow);
        }
        Declare(fn, GraphNodeKind.Function, FunctionLines(fn, saved));
        return true;
    }

    /// <summary>A node statement: the first one gives the box its place, a later one its look (as in Graphviz).</summary>
    private GraphNode Declare(object key, GraphNodeKind kind, IReadOnlyList<string> lines)
    {
        if (_byObject.TryGetValue(key, out var node))
        {
            // A saved tensor that is also a leaf, or an output, keeps that identity: torchviz declares those later
            // (or with the same id earlier), and the last declaration's colour wins in Graphviz.
            if (!(kind == GraphNodeKind.Saved && node.Kind != GraphNodeKind.Saved))
            {
                node.Kind = kind;
                node.Lines = lines;
            }
            return node;
        }
        node = new GraphNode("node" + _nodes.Count.ToString(CultureInfo.InvariantCulture), kind, lines);
        _nodes.Add(node);
        _byObject.Add(key, node);
        return node;
    }

    /// <summary>
    /// An edge comes before its target's box in torchviz's order (an input's edge, then the input), so edges keep
    /// the objects they join until <see cref="ResolveEdges"/> turns them into ids once every box is declared.
    /// </summary>
    private void Edge(object from, object to, GraphEdgeKind kind) => _pendingEdges.Add((from, to, kind));

    private readonly List<(object From, object To, GraphEdgeKind Kind)> _pendingEdges = [];

    private void ResolveEdges()
    {
        foreach (var (from, to, kind) in _pendingEdges)
            _edges.Add(new GraphEdge(IdOf(from), IdOf(to), kind));
        _pendingEdges.Clear();
    }

    private string IdOf(object key) => _byObject.TryGetValue(key, out var node)
        ? node.Id
        : throw new InvalidOperationException("An edge names a box that was never declared.");

    private IReadOnlyList<string> TensorLines(Tensor t, string? name)
    {
        if (string.IsNullOrEmpty(name) && _options.Names is { } names && names.TryGetValue(t, out var given)) name = given;
        return [name ?? "", " " + SizeToString(t.Shape)];
    }

    /// <summary>torchviz's size_to_str: <c>(2, 3)</c>, <c>(4)</c> for one dimension, <c>()</c> for a scalar.</summary>
    public static string SizeToString(IReadOnlyList<int> shape) =>
        "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";

    /// <summary>
    /// The saved tensors of <paramref name="fn"/> with the names PyTorch's attributes mostly have: <c>result</c> for
    /// the node's own output; <c>self</c>, <c>other</c> (<c>input2</c>, ...) for its first, second (third...)
    /// input, found through the graph (the input's grad_fn or AccumulateGrad is that next function) or, for an
    /// input without a gradient path, by the saved slot's position when its shape is that input's; <c>saved{i}</c>
    /// for anything else.
    /// </summary>
    private static List<(Tensor Tensor, string Name)> SavedTensorNames(Node fn)
    {
        var tensors = fn.Saved.Tensors;
        var names = new string?[tensors.Count];
        var claimed = new bool[fn.NextFunctions.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            if (ReferenceEquals(t.GradFn, fn)) { names[i] = "result"; continue; }
            var edge = t.GradFn ?? (t.IsLeaf && t.RequiresGrad ? LeafAccumulator(fn, t) : null);
            for (int k = 0; edge is not null && k < claimed.Length; k++)
            {
                if (claimed[k] || !ReferenceEquals(fn.NextFunctions[k], edge)) continue;
                claimed[k] = true;
                names[i] = InputName(k);
                break;
            }
        }
        for (int i = 0; i < tensors.Count; i++)
        {
            if (names[i] is not null) continue;
            bool sameShape = i < fn.Inputs.Length && tensors[i].ShapeSpan.SequenceEqual(fn.Inputs[i].Shape);
            if (i < claimed.Length && !claimed[i] && fn.NextFunctions[i] is null && sameShape)
            {
                claimed[i] = true;
                names[i] = InputName(i);
            }
            else names[i] = "saved" + i.ToString(CultureInfo.InvariantCulture);
        }
        return tensors.Select((t, i) => (t, names[i]!)).ToList();
    }

    private static string InputName(int index) => index switch
    {
        0 => "self",
        1 => "other",
        _ => "input" + index.ToString(CultureInfo.InvariantCulture),
    };

    private static Node? LeafAccumulator(Node fn, Tensor leaf)
    {
        foreach (var next in fn.NextFunctions)
            if (next is AccumulateGrad acc && ReferenceEquals(acc.Variable, leaf)) return acc;
        return null;
    }

    /// <summary>torchviz's get_fn_name: the name, and with show_attrs a table of the saved values under a rule.</summary>
    private IReadOnlyList<string> FunctionLines(Node fn, List<(Tensor Tensor, string Name)> saved)
    {
        if (!_options.ShowAttributes) return [fn.Name];
        var attrs = new List<(string Key, string Value)>();
        foreach (var (_, name) in saved) attrs.Add((name, "[saved tensor]"));
        attrs.AddRange(Arguments(fn.Saved.Arguments));
        if (attrs.Count == 0) return [fn.Name];
        attrs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key)); // dir() lists attributes sorted
        int maxChars = Math.Max(_options.MaxAttributeChars, 3);
        int col1 = attrs.Max(a => a.Key.Length);
        int col2 = Math.Min(attrs.Max(a => a.Value.Length), maxChars);
        var lines = new List<string>(attrs.Count + 2) { fn.Name, new string('-', Math.Max(col1 + col2 + 2, fn.Name.Length)) };
        foreach (var (key, value) in attrs)
        {
            string v = value.Length > col2 ? value[..(col2 - 3)] + "..." : value;
            lines.Add(key.PadRight(col1) + ": " + v.PadLeft(col2));
        }
        return lines;
    }

    /// <summary>
    /// A node's non-tensor arguments as (name, Python-style text): the public properties of a typed state by their
    /// snake_case names, the items of a tuple as <c>arg0</c>, <c>arg1</c>, ..., a single value as <c>arg</c>.
    /// </summary>
    private static IEnumerable<(string, string)> Arguments(object? state)
    {
        if (state is null) yield break;
        if (state is ITuple tuple)
        {
            for (int i = 0; i < tuple.Length; i++)
                yield return ("arg" + i.ToString(CultureInfo.InvariantCulture), PythonText(tuple[i]));
            yield break;
        }
        var type = state.GetType();
        if (IsPlainValue(state))
        {
            yield return ("arg", PythonText(state));
            yield break;
        }
        foreach (var p in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length != 0 || p.Name == "EqualityContract") continue;
            var value = p.GetValue(state);
            yield return (SnakeCase(p.Name), value is Tensor ? "[saved tensor]" : PythonText(value));
        }
    }

    private static bool IsPlainValue(object value) =>
        value is string or IEnumerable or Enum || value.GetType().IsPrimitive || value is decimal;

    private static string SnakeCase(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(name[i - 1])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    /// <summary>Python's str() of a value as torchviz prints it: True/False, None, 1.0, (2, 3), (1,).</summary>
    internal static string PythonText(object? value) => value switch
    {
        null => "None",
        bool b => b ? "True" : "False",
        double d => PythonFloat(d),
        float f => PythonFloat(f),
        string s => s,
        Tensor => "[saved tensor]",
        Enum e => e.ToString(),
        IEnumerable list => PythonTuple(list),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string PythonTuple(IEnumerable list)
    {
        var items = list.Cast<object?>().Select(PythonText).ToList();
        return items.Count == 1 ? "(" + items[0] + ",)" : "(" + string.Join(", ", items) + ")";
    }

    private static string PythonFloat(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsInfinity(d)) return d > 0 ? "inf" : "-inf";
        string s = d.ToString("R", CultureInfo.InvariantCulture);
        return s.Contains('.') || s.Contains('E') ? s.Replace("E", "e", StringComparison.Ordinal) : s + ".0";
    }
}
