using System.Globalization;

namespace AutoGrad.Printing;

/// <summary>
/// PyTorch's <c>_Formatter</c>: one notation and one column width, chosen once per tensor from the values that
/// will be shown, so that every element of the printed tensor lines up.
/// </summary>
internal sealed class ElementFormatter
{
    private readonly Tensor _tensor;
    private readonly int _precision;
    private readonly bool _floating;
    private readonly bool _intMode = true;
    private readonly bool _sciMode;

    /// <summary>The column width; formatted elements are left-padded to it but never cut.</summary>
    public int Width { get; } = 1;

    /// <param name="tensor">The tensor whose elements will be formatted.</param>
    /// <param name="shownIndices">Flat indices of the elements that will be printed (all, or the summary's).</param>
    /// <param name="options">Precision and a forced sci_mode, if any.</param>
    public ElementFormatter(Tensor tensor, IReadOnlyList<int> shownIndices, PrintOptions options)
    {
        _tensor = tensor;
        _precision = options.Precision;
        _floating = tensor.DType.IsFloating();

        if (!_floating)
        {
            foreach (int i in shownIndices) Width = Math.Max(Width, FormatExact(i).Length);
            return;
        }

        // Only finite non-zero values decide the notation: zeros, nan and inf print the same in every mode.
        var candidates = new List<double>();
        foreach (int i in shownIndices)
        {
            double v = tensor.GetAsDouble(i);
            if (double.IsFinite(v) && v != 0) candidates.Add(v);
        }

        // PyTorch returns before applying a forced sci_mode here, so all-zero/non-finite tensors stay in int mode.
        if (candidates.Count == 0) return;

        double min = double.PositiveInfinity, max = 0;
        foreach (double v in candidates)
        {
            double magnitude = Math.Abs(v);
            min = Math.Min(min, magnitude);
            max = Math.Max(max, magnitude);
            if (v != Math.Ceiling(v)) _intMode = false;
        }

        // Strict comparisons, as in PyTorch; small values only force scientific notation outside int mode.
        bool wideRange = max / min > 1000.0 || max > 1.0e8;
        _sciMode = _intMode ? wideRange : wideRange || min < 1.0e-4;

        foreach (double v in candidates)
        {
            int length = _sciMode ? PythonFloatFormat.Scientific(v, _precision).Length
                : _intMode ? PythonFloatFormat.Fixed(v, 0).Length + 1    // the "." appended in int mode
                : PythonFloatFormat.Fixed(v, _precision).Length;
            Width = Math.Max(Width, length);
        }

        // A forced mode changes the notation but, as in PyTorch, keeps the width measured for the automatic one.
        if (options.SciMode is bool forced) _sciMode = forced;
    }

    /// <summary>The element at a flat row-major index, padded to <see cref="Width"/>.</summary>
    public string Format(int flatIndex)
    {
        string text = _floating ? FormatFloating(_tensor.GetAsDouble(flatIndex)) : FormatExact(flatIndex);
        return text.Length >= Width ? text : new string(' ', Width - text.Length) + text;
    }

    private string FormatFloating(double value)
    {
        if (_sciMode) return PythonFloatFormat.Scientific(value, _precision);
        if (_intMode)
        {
            // "1." marks a floating tensor whose values are all integral; nan and inf get no point.
            string integral = PythonFloatFormat.Fixed(value, 0);
            return double.IsFinite(value) ? integral + "." : integral;
        }
        return PythonFloatFormat.Fixed(value, _precision);
    }

    /// <summary>Python's str() of an integer or bool element, read from storage so large int64 stay exact.</summary>
    private string FormatExact(int flatIndex) => _tensor.Buffer switch
    {
        long[] longs => longs[_tensor.StorageIndex(flatIndex)].ToString(CultureInfo.InvariantCulture),
        bool[] bools => bools[_tensor.StorageIndex(flatIndex)] ? "True" : "False",
        _ => throw new InvalidOperationException($"{_tensor.DType} is not an integral dtype"),
    };
}
