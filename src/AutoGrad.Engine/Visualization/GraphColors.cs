namespace AutoGrad.Visualization;

/// <summary>torchviz's fill colours for each kind of box, as Graphviz names and as #rrggbb for other renderers.</summary>
public static class GraphColors
{
    /// <summary>The Graphviz colour name (null: Graphviz's default fill for style=filled, light grey).</summary>
    public static string? GraphvizName(GraphNodeKind kind) => kind switch
    {
        GraphNodeKind.Output => "darkolivegreen1",
        GraphNodeKind.Leaf => "lightblue",
        GraphNodeKind.Saved => "orange",
        _ => null,
    };

    /// <summary>The same colour as #rrggbb (Graphviz's X11 values).</summary>
    public static string Hex(GraphNodeKind kind) => kind switch
    {
        GraphNodeKind.Output => "#caff70",
        GraphNodeKind.Leaf => "#add8e6",
        GraphNodeKind.Saved => "#ffa500",
        _ => "#d3d3d3",
    };
}
