namespace AutoGrad.PowerShell;

/// <summary>Export-TensorGraph's -Format: Graphviz DOT text, a Mermaid flowchart, or an SVG picture.</summary>
public enum TensorGraphFormat
{
    Dot,
    Mermaid,
    Svg,
}

/// <summary>Export-Plot's -Format.</summary>
public enum PlotFormat
{
    Png,
    Svg,
}
