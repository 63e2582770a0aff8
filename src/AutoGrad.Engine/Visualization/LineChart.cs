namespace AutoGrad.Visualization;

/// <summary>
/// A line chart as data: what Export-Plot collects from the pipeline (e.g. one object per epoch) and the drawing
/// assembly renders to PNG or SVG. Plain data, so it crosses from the cmdlets to the separately loaded renderer.
/// </summary>
public sealed class LineChart
{
    public string? Title { get; init; }

    public string XLabel { get; init; } = "";

    /// <summary>The left axis' label (the series' name when there is only one on that side).</summary>
    public string? YLabel { get; init; }

    /// <summary>The right axis' label, for series drawn against it.</summary>
    public string? RightYLabel { get; init; }

    public IReadOnlyList<LineSeries> Series { get; init; } = [];

    /// <summary>Picture size in pixels.</summary>
    public int Width { get; init; } = 800;

    public int Height { get; init; } = 500;
}

/// <summary>One line: its points (NaN where an object had no number) and the axis it is measured on.</summary>
public sealed record LineSeries(string Name, double[] X, double[] Y, bool RightAxis = false);
