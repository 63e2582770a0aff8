namespace AutoGrad.Printing;

/// <summary>
/// The knobs of torch.set_printoptions, passed explicitly rather than held in global state so that concurrent
/// callers (and tests) cannot change each other's output. <see cref="Default"/> is PyTorch's default profile.
/// </summary>
public sealed record PrintOptions
{
    private readonly int _precision = 4;
    private readonly double _threshold = 1000;
    private readonly int _edgeItems = 3;

    /// <summary>PyTorch's "default" profile: precision 4, threshold 1000, edgeitems 3, linewidth 80.</summary>
    public static PrintOptions Default { get; } = new();

    /// <summary>PyTorch's "short" profile: precision 2, edgeitems 2.</summary>
    public static PrintOptions Short { get; } = new() { Precision = 2, EdgeItems = 2 };

    /// <summary>PyTorch's "full" profile: never summarize.</summary>
    public static PrintOptions Full { get; } = new() { Threshold = double.PositiveInfinity };

    /// <summary>Digits after the decimal point for floating values.</summary>
    public int Precision
    {
        get => _precision;
        init => _precision = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Precision), value, "precision must be >= 0");
    }

    /// <summary>Tensors with more elements than this are summarized with "...".</summary>
    public double Threshold
    {
        get => _threshold;
        init => _threshold = double.IsNaN(value) ? throw new ArgumentOutOfRangeException(nameof(Threshold), value, "threshold must be a number") : value;
    }

    /// <summary>
    /// Items kept at each end of a summarized dim. At least 1: with 0 PyTorch itself fails on n-d tensors
    /// (it stacks an empty list).
    /// </summary>
    public int EdgeItems
    {
        get => _edgeItems;
        init => _edgeItems = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(EdgeItems), value, "edgeitems must be >= 1");
    }

    /// <summary>Characters per line for wrapping 1-d rows and suffixes.</summary>
    public int LineWidth { get; init; } = 80;

    /// <summary>true or false forces scientific notation on or off for floating tensors; null chooses per tensor.</summary>
    public bool? SciMode { get; init; }
}
