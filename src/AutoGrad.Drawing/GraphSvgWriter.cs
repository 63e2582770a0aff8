using System.Globalization;
using System.Text;
using AutoGrad.Visualization;
using Microsoft.Msagl.Core.Geometry;
using Microsoft.Msagl.Core.Geometry.Curves;
using Microsoft.Msagl.Core.Layout;
using Microsoft.Msagl.Core.Routing;
using Microsoft.Msagl.Layout.Layered;
using Microsoft.Msagl.Miscellaneous;
using MsaglEdge = Microsoft.Msagl.Core.Layout.Edge;
using MsaglNode = Microsoft.Msagl.Core.Layout.Node;

namespace AutoGrad.Drawing;

/// <summary>
/// A <see cref="BackwardGraph"/> as a standalone SVG picture, laid out in .NET by MSAGL's layered (Sugiyama) layout,
/// the same family of algorithm as Graphviz's dot: inputs at the top, the output at the bottom, splines between,
/// torchviz's boxes and colours. Boxes are sized from the label's characters in a monospace font, so no font
/// needs to be measured and the text fits on every machine.
/// </summary>
public static class GraphSvgWriter
{
    private const double FontSize = 13;
    private const double CharWidth = FontSize * 0.6;   // monospace advance (DejaVu Sans Mono, Consolas, Menlo: 0.60)
    private const double LineHeight = FontSize * 1.25;
    private const double PadX = 10, PadY = 6, Margin = 12;

    public static string Write(BackwardGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var geometry = new GeometryGraph();
        var boxes = new Dictionary<string, MsaglNode>();
        foreach (var node in graph.Nodes)
        {
            var lines = VisibleLines(node);
            double w = lines.Max(l => l.Length) * CharWidth + 2 * PadX;
            double h = lines.Count * LineHeight + 2 * PadY;
            var box = new MsaglNode(CurveFactory.CreateRectangle(Math.Max(w, 24), h, new Point()), node);
            geometry.Nodes.Add(box);
            boxes.Add(node.Id, box);
        }
        foreach (var edge in graph.Edges)
        {
            var e = new MsaglEdge(boxes[edge.From], boxes[edge.To]) { UserData = edge };
            if (edge.Kind == GraphEdgeKind.Flow) e.EdgeGeometry.TargetArrowhead = new Arrowhead { Length = 8 };
            geometry.Edges.Add(e);
        }
        var settings = new SugiyamaLayoutSettings
        {
            NodeSeparation = 18,
            LayerSeparation = 28,
            EdgeRoutingSettings = { EdgeRoutingMode = EdgeRoutingMode.SugiyamaSplines },
        };
        LayoutHelpers.CalculateLayout(geometry, settings, null);
        return Render(graph, geometry, boxes);
    }

    /// <summary>The lines drawn in a box: a tensor's empty name line is left out, its shape is not indented.</summary>
    private static List<string> VisibleLines(GraphNode node)
    {
        var lines = node.Lines.ToList();
        if (node.Kind != GraphNodeKind.Function && lines.Count > 1 && lines[0].Length == 0) lines.RemoveAt(0);
        if (node.Kind != GraphNodeKind.Function) lines = lines.Select(l => l.Trim()).ToList();
        return lines;
    }

    private static string Render(BackwardGraph graph, GeometryGraph geometry, Dictionary<string, MsaglNode> boxes)
    {
        geometry.UpdateBoundingBox();
        var bounds = geometry.BoundingBox;
        double width = bounds.Width + 2 * Margin, height = bounds.Height + 2 * Margin;
        // MSAGL's y axis points up; SVG's points down.
        string X(double x) => F(x - bounds.Left + Margin);
        string Y(double y) => F(bounds.Top - y + Margin);
        string P(Point p) => X(p.X) + "," + Y(p.Y);

        var sb = new StringBuilder();
        sb.Append("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
        sb.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(F(width)).Append("\" height=\"").Append(F(height))
          .Append("\" viewBox=\"0 0 ").Append(F(width)).Append(' ').Append(F(height)).Append("\">\n");
        sb.Append("<title>backward graph</title>\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        sb.Append("<g fill=\"none\" stroke=\"#000000\" stroke-width=\"1\">\n");
        foreach (var e in geometry.Edges)
        {
            var edge = (GraphEdge)e.UserData;
            sb.Append("<path class=\"edge ").Append(edge.Kind == GraphEdgeKind.Saved ? "saved" : "flow")
              .Append("\" data-from=\"").Append(edge.From).Append("\" data-to=\"").Append(edge.To)
              .Append("\" d=\"").Append(PathData(e.Curve, P)).Append("\"/>\n");
            if (e.EdgeGeometry.TargetArrowhead is { } head && e.Curve is not null)
                sb.Append("<polygon fill=\"#000000\" points=\"").Append(Arrow(e.Curve.End, head.TipPosition, P)).Append("\"/>\n");
        }
        sb.Append("</g>\n");
        sb.Append("<g font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"").Append(F(FontSize))
          .Append("\" text-anchor=\"middle\">\n");
        foreach (var node in graph.Nodes)
        {
            var box = boxes[node.Id];
            var r = box.BoundingBox;
            sb.Append("<g class=\"node ").Append(node.Kind.ToString().ToLowerInvariant()).Append("\" id=\"").Append(node.Id).Append("\">");
            sb.Append("<rect x=\"").Append(X(r.Left)).Append("\" y=\"").Append(Y(r.Top)).Append("\" width=\"").Append(F(r.Width))
              .Append("\" height=\"").Append(F(r.Height)).Append("\" rx=\"3\" fill=\"").Append(GraphColors.Hex(node.Kind))
              .Append("\" stroke=\"#000000\"/>");
            var lines = VisibleLines(node);
            double top = r.Top - PadY;
            for (int i = 0; i < lines.Count; i++)
            {
                // Baseline at about 0.8 of the line box below its top.
                double baseline = top - i * LineHeight - LineHeight * 0.78;
                sb.Append("<text x=\"").Append(X(r.Center.X)).Append("\" y=\"").Append(Y(baseline))
                  .Append("\" xml:space=\"preserve\">").Append(Xml(lines[i])).Append("</text>");
            }
            sb.Append("</g>\n");
        }
        sb.Append("</g>\n</svg>\n");
        return sb.ToString();
    }

    /// <summary>An MSAGL curve (a chain of line and Bezier segments) as SVG path data.</summary>
    private static string PathData(ICurve? curve, Func<Point, string> p)
    {
        if (curve is null) return "";
        var sb = new StringBuilder();
        sb.Append('M').Append(p(curve.Start));
        foreach (var segment in curve is Curve c ? c.Segments : [curve])
        {
            switch (segment)
            {
                case LineSegment line:
                    sb.Append(" L").Append(p(line.End));
                    break;
                case CubicBezierSegment bezier:
                    sb.Append(" C").Append(p(bezier.B(1))).Append(' ').Append(p(bezier.B(2))).Append(' ').Append(p(bezier.B(3)));
                    break;
                default:
                    // Arcs and anything else: a polyline through points along the segment.
                    for (int i = 1; i <= 16; i++)
                        sb.Append(" L").Append(p(segment[segment.ParStart + (segment.ParEnd - segment.ParStart) * i / 16]));
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A filled triangle from the curve's end to the arrow's tip.</summary>
    private static string Arrow(Point from, Point tip, Func<Point, string> p)
    {
        var dir = tip - from;
        double len = dir.Length;
        if (len < 1e-9) return "";
        var normal = new Point(-dir.Y / len, dir.X / len) * 3.5;
        return p(tip) + " " + p(from + normal) + " " + p(from - normal);
    }

    private static string F(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    private static string Xml(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
