using System.Text;

namespace AutoGrad.Visualization;

/// <summary>
/// A <see cref="BackwardGraph"/> as a Mermaid <c>flowchart</c> (GitHub and most markdown viewers render it in a
/// <c>```mermaid</c> block): top to bottom like Graphviz, torchviz's colours as classes, saved tensors joined by a
/// line without an arrow head. Labels are quoted (brackets and parentheses are then plain text), lines joined by
/// <c>&lt;br/&gt;</c>, and characters that would end or change a label written as HTML entities (&amp;quot;
/// &amp;lt; &amp;gt; &amp;amp;). Checked by rendering with mermaid 11 in Chromium: Mermaid's own <c>#quot;</c>-style
/// codes came out as its internal placeholders there, so none are used, and a <c>#</c> that would start one is
/// kept apart by a zero-width space. Runs of spaces (an attribute table's padding) are no-break spaces, which HTML
/// does not collapse; the init line widens Mermaid's 200-pixel label wrapping so that tables stay one row a line.
/// </summary>
public static class MermaidWriter
{
    public static string Write(BackwardGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var sb = new StringBuilder();
        sb.Append("%%{init: {\"flowchart\": {\"wrappingWidth\": 1000}}}%%\n");
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
                case '"': sb.Append("&quot;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '#' when StartsEntityCode(trimmed, i + 1): sb.Append("#\u200B"); break;
                // A run of spaces (the attribute table's padding) would collapse to one in HTML: keep it.
                case ' ' when i + 1 < trimmed.Length && trimmed[i + 1] == ' ' || i > 0 && trimmed[i - 1] == ' ':
                    sb.Append('\u00A0');
                    break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>Whether text[start..] is <c>name;</c> or <c>123;</c>, which after a '#' Mermaid reads as an entity code.</summary>
    private static bool StartsEntityCode(string text, int start)
    {
        int i = start;
        while (i < text.Length && char.IsAsciiLetterOrDigit(text[i])) i++;
        return i > start && i < text.Length && text[i] == ';';
    }
}
