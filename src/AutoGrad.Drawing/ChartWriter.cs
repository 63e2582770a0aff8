using System.Globalization;
using AutoGrad.Visualization;
using ScottPlot;

namespace AutoGrad.Drawing;

/// <summary>A <see cref="LineChart"/> drawn by ScottPlot (SkiaSharp underneath) to a PNG or SVG file.</summary>
public static class ChartWriter
{
    /// <summary>Writes <paramref name="chart"/> to <paramref name="path"/>; <paramref name="format"/> is Png or Svg.</summary>
    public static void Save(LineChart chart, string path, string format)
    {
        ArgumentNullException.ThrowIfNull(chart);
        // ScottPlot formats tick labels with the current culture (0,5 in de-DE); the module's output is invariant.
        var culture = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            using var plot = Build(chart);
            switch (format)
            {
                case "Png": plot.SavePng(path, chart.Width, chart.Height); break;
                case "Svg": plot.SaveSvg(path, chart.Width, chart.Height); break;
                default: throw new ArgumentException($"Unknown picture format '{format}'.", nameof(format));
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    /// <summary>
    /// A sans-serif family this machine has. ScottPlot's own guess (Fonts.Sans) asks Skia for each name, and
    /// SkiaSharp's Linux build without fontconfig answers an unknown name with its first font (DejaVu Serif), so
    /// the guess comes out serif there; the installed families are listed instead and the first known one taken.
    /// </summary>
    private static readonly Lazy<string> SansFont = new(() =>
    {
        var installed = new HashSet<string>(SkiaSharp.SKFontManager.Default.FontFamilies, StringComparer.OrdinalIgnoreCase);
        string[] preferred = ["Segoe UI", "Helvetica Neue", "Helvetica", "Arial", "DejaVu Sans", "Liberation Sans", "Noto Sans", "Open Sans", "Ubuntu"];
        return preferred.FirstOrDefault(installed.Contains) ?? Fonts.Default;
    });

    private static Plot Build(LineChart chart)
    {
        var plot = new Plot();
        plot.Font.Set(SansFont.Value);
        bool anyRight = false;
        foreach (var series in chart.Series)
        {
            // A gap (NaN) in either coordinate leaves the point out; the line joins the points on either side.
            var keep = Enumerable.Range(0, Math.Min(series.X.Length, series.Y.Length))
                .Where(i => double.IsFinite(series.X[i]) && double.IsFinite(series.Y[i])).ToArray();
            var scatter = plot.Add.Scatter(keep.Select(i => series.X[i]).ToArray(), keep.Select(i => series.Y[i]).ToArray());
            scatter.LegendText = series.Name;
            scatter.LineWidth = 2;
            scatter.MarkerSize = keep.Length <= 60 ? 5 : 0;
            if (series.RightAxis)
            {
                scatter.Axes.YAxis = plot.Axes.Right;
                anyRight = true;
            }
        }
        if (chart.Title is { Length: > 0 } title) plot.Title(title);
        plot.XLabel(chart.XLabel);
        if (chart.YLabel is { } y) plot.YLabel(y);
        if (anyRight && chart.RightYLabel is { } right) plot.Axes.Right.Label.Text = right;
        // Below the axes, where it cannot hide a line (a loss falls from the upper left, an accuracy rises to the upper right).
        if (chart.Series.Count > 1) plot.ShowLegend(Edge.Bottom);
        return plot;
    }
}
