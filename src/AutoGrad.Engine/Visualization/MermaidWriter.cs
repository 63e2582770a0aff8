using System.Text;

namespace AutoGrad.Visualization;

/// <summary>
/// A <see cref="BackwardGraph"/> as a Mermaid <c>flowchart</c> (GitHub and most markdown viewers render it in a
/// <c>```mermaid</c> block): top to bottom like Graphviz, torchviz's colours as classes, saved tensors joined by a
/// line without an arrow head. Labels are quoted, with Mermaid's entity codes for the characters that would end or
/// change a label (quotes, angle brackets, #, &amp;) and for runs of spaces that align an attribute table.
/// </summary>
public static class MermaidWriter
{
    public static string Write(BackwardGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var sb = new StringBuilder();
        sb.Append("flowchart TB\n");
        foreach (var node in graph.Nodes)
        {
            // A tensor's empty name line would be an empty first line in the box: left out.
            var lines = node.Lines.Where((line, i) => !(i == 0 && line.Length == 0 && node.Kind != GraphNodeKind.Function));
            sb.Append("    ").Append(node.Id).Append("[\"")
              .Append(string.Join("<br/>", lines.Select(Escape)))
              .Append("\"]:::").Append(ClassOf(node.Kind)).Append('\n');
        }
        foreach (var edge in graph.Edges)
            sb.Append("    ").Append(edge.From).Append(edge.Kind == GraphEdgeKind.Saved ? " --- " : " --> ").Append(edge.To).Append('\n');
        foreach (var kind in Enum.GetValues<GraphNodeKind>())
            sb.Append("    classDef ").Append(ClassOf(kind)).Append(" fill:").Append(GraphColors.Hex(kind))
              .Append(",stroke:#000000,color:#000000,font-family:monospace\n");
        return sb.ToString();
    }

    private static string ClassOf(GraphNodeKind kind) => kind switch
    {
        GraphNodeKind.Output => "output",
        GraphNodeKind.Leaf => "leaf",
        GraphNodeKind.Saved => "saved",
        _ => "function",
    };

    private static string Escape(string line)
    {
        var sb = new StringBuilder(line.Length);
        string trimmed = line.Trim();
        for (int i = 0; i < trimmed.Length; i++)
        {
            char c = trimmed[i];
            switch (c)
            {
                case '"': sb.Append("#quot;"); break;
                case '<': sb.Append("#lt;"); break;
                case '>': sb.Append("#gt;"); break;
                case '&': sb.Append("#amp;"); break;
                case '#': sb.Append("#35;"); break;
                // A run of spaces (the attribute table's padding) would collapse to one in HTML: keep it.
                case ' ' when i + 1 < trimmed.Length && trimmed[i + 1] == ' ' || i > 0 && trimmed[i - 1] == ' ':
                    sb.Append("#160;");
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }
}
