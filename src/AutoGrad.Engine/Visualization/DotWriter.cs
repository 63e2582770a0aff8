using System.Globalization;
using System.Text;

namespace AutoGrad.Visualization;

/// <summary>
/// A <see cref="BackwardGraph"/> as Graphviz DOT, statement for statement what torchviz's make_dot writes (its
/// node attributes, colours, <c>dir=none</c> for saved tensors, and resize_graph's size), with stable ids
/// (<c>node0</c>, ...) instead of Python object addresses, so the same graph always gives the same text.
/// </summary>
public static class DotWriter
{
    public static string Write(BackwardGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var sb = new StringBuilder();
        sb.Append("digraph {\n");
        // resize_graph: 0.15 inch per statement, at least 12 (Python prints the int 12, or a float such as 13.5).
        double size = Math.Max(12, (graph.Nodes.Count + graph.Edges.Count) * 0.15);
        string sizeText = size == 12 ? "12" : BackwardGraph.PythonText(Math.Round(size, 2));
        sb.Append("\tgraph [size=\"").Append(sizeText).Append(',').Append(sizeText).Append("\"]\n");
        sb.Append("\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]\n");
        foreach (var node in graph.Nodes)
        {
            sb.Append('\t').Append(node.Id).Append(" [label=").Append(Quote(string.Join("\n", node.Lines)));
            if (GraphColors.GraphvizName(node.Kind) is { } color) sb.Append(" fillcolor=").Append(color);
            sb.Append("]\n");
        }
        foreach (var edge in graph.Edges)
        {
            sb.Append('\t').Append(edge.From).Append(" -> ").Append(edge.To);
            if (edge.Kind == GraphEdgeKind.Saved) sb.Append(" [dir=none]");
            sb.Append('\n');
        }
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A DOT double-quoted string: backslash and quote escaped, line breaks as <c>\n</c> (centred lines).</summary>
    private static string Quote(string text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': break;
                default: sb.Append(c); break;
            }
        }
        return sb.Append('"').ToString();
    }
}
