using System.Text;

namespace AutoGrad.Printing;

/// <summary>
/// PyTorch's <c>repr(tensor)</c> (torch/_tensor_str.py), character for character and independent of the
/// current culture: the body with aligned columns, wrapping and summarization, then the dtype / grad_fn /
/// requires_grad suffixes wrapped at the line width.
/// </summary>
public static class TensorFormatter
{
    private const string Prefix = "tensor(";

    /// <summary>
    /// The repr of <paramref name="tensor"/> under <paramref name="options"/> (PyTorch's defaults when null).
    /// </summary>
    public static string Format(Tensor tensor, PrintOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        options ??= PrintOptions.Default;
        int indent = Prefix.Length;
        var suffixes = new List<string>();
        string body;

        if (tensor.NumElements == 0)
        {
            // NumPy's convention: the shape is implied only for 1-d; with no elements to show, the dtype is
            // shown unless it is the default float dtype (so an empty int64 tensor does say int64).
            if (tensor.Rank != 1) suffixes.Add("size=(" + string.Join(", ", tensor.ShapeArray) + ")");
            if (tensor.DType != DTypes.DefaultFloat) suffixes.Add("dtype=" + tensor.DType.TorchName());
            body = "[]";
        }
        else
        {
            if (!HasDefaultDType(tensor.DType)) suffixes.Add("dtype=" + tensor.DType.TorchName());
            body = new BodyWriter(tensor, options).Write(indent);
        }

        if (tensor.GradFn is not null) suffixes.Add("grad_fn=<" + tensor.GradFn.Name + ">");
        else if (tensor.RequiresGrad) suffixes.Add("requires_grad=True");

        return AppendSuffixes(Prefix + body, suffixes, indent, options.LineWidth);
    }

    /// <summary>
    /// The bracketed values alone, laid out as in the repr (nested brackets, rows on their own lines) but without
    /// "tensor(" and the dtype/grad_fn suffixes: what the console views' values preview and a backward trace show.
    /// </summary>
    public static string FormatValues(Tensor tensor, PrintOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return tensor.NumElements == 0 ? "[]" : new BodyWriter(tensor, options ?? PrintOptions.Default).Write(0);
    }

    /// <summary>The dtypes a value's own spelling already implies: float32 (1.), int64 (1) and bool (True).</summary>
    private static bool HasDefaultDType(DType dtype) =>
        dtype == DTypes.DefaultFloat || dtype == DType.Int64 || dtype == DType.Bool;

    /// <summary>
    /// Adds ", suffix" while the current line stays within the line width, otherwise ",\n" plus the indent and
    /// the suffix. The starting length is PyTorch's: the last line's length plus 2.
    /// </summary>
    private static string AppendSuffixes(string text, List<string> suffixes, int indent, int lineWidth)
    {
        var result = new StringBuilder(text);
        int lastLineLength = text.Length - text.LastIndexOf('\n') + 1;
        foreach (string suffix in suffixes)
        {
            if (lastLineLength + suffix.Length + 2 > lineWidth)
            {
                result.Append(",\n").Append(' ', indent).Append(suffix);
                lastLineLength = indent + suffix.Length;
            }
            else
            {
                result.Append(", ").Append(suffix);
                lastLineLength += suffix.Length + 2;
            }
        }
        return result.Append(')').ToString();
    }

    /// <summary>Writes the bracketed body of a non-empty tensor, walking its row-major storage by flat index.</summary>
    private sealed class BodyWriter
    {
        private readonly Tensor _tensor;
        private readonly PrintOptions _options;
        private readonly int[] _shape;
        private readonly int[] _strides;
        private readonly bool _summarize;
        private readonly ElementFormatter _formatter;

        public BodyWriter(Tensor tensor, PrintOptions options)
        {
            _tensor = tensor;
            _options = options;
            _shape = tensor.ShapeArray;
            _strides = Shapes.ContiguousStrides(_shape);
            _summarize = tensor.NumElements > options.Threshold;

            // The formatter sees only what will be printed, so hidden outliers do not widen the columns.
            var shown = new List<int>();
            if (_summarize) CollectShownIndices(0, 0, shown);
            else for (int i = 0; i < tensor.NumElements; i++) shown.Add(i);
            _formatter = new ElementFormatter(tensor, shown, options);
        }

        public string Write(int indent) => _shape.Length == 0 ? _formatter.Format(0) : WriteDim(0, 0, indent);

        /// <summary>True when a dim of this size is cut to its first and last edge items.</summary>
        private bool IsCut(int size) => _summarize && size > 2 * _options.EdgeItems;

        /// <summary>The positions along a dim that are printed (all, or the edge items at each end).</summary>
        private IEnumerable<int> ShownPositions(int size)
        {
            if (!IsCut(size))
            {
                for (int i = 0; i < size; i++) yield return i;
                yield break;
            }
            for (int i = 0; i < _options.EdgeItems; i++) yield return i;
            for (int i = size - _options.EdgeItems; i < size; i++) yield return i;
        }

        private void CollectShownIndices(int dim, int offset, List<int> shown)
        {
            foreach (int i in ShownPositions(_shape[dim]))
            {
                int at = offset + i * _strides[dim];
                if (dim == _shape.Length - 1) shown.Add(at);
                else CollectShownIndices(dim + 1, at, shown);
            }
        }

        private string WriteDim(int dim, int offset, int indent)
        {
            int size = _shape[dim];
            int edge = _options.EdgeItems;
            bool cut = IsCut(size);
            int remaining = _shape.Length - dim;
            var parts = new List<string>();

            foreach (int i in ShownPositions(size))
            {
                // The ellipsis stands in the place of the hidden middle: " ..." as a row item, "..." as a block.
                if (cut && i == size - edge) parts.Add(remaining == 1 ? " ..." : "...");
                int at = offset + i * _strides[dim];
                parts.Add(remaining == 1 ? _formatter.Format(at) : WriteDim(dim + 1, at, indent + 1));
            }

            if (remaining == 1) return "[" + string.Join(",\n" + new string(' ', indent + 1), WrapRow(parts, indent)) + "]";

            // Sub-blocks of a k-d tensor are separated by k-1 line breaks, so 3-d blocks get one blank line.
            string separator = "," + new string('\n', remaining - 1) + new string(' ', indent + 1);
            return "[" + string.Join(separator, parts) + "]";
        }

        /// <summary>Groups a 1-d row's items into lines of as many as fit the line width (at least one).</summary>
        private IEnumerable<string> WrapRow(List<string> items, int indent)
        {
            int itemLength = _formatter.Width + 2;   // the item plus ", "
            int perLine = Math.Max(1, (int)Math.Floor((double)(_options.LineWidth - indent) / itemLength));
            for (int start = 0; start < items.Count; start += perLine)
                yield return string.Join(", ", items.GetRange(start, Math.Min(perLine, items.Count - start)));
        }
    }
}
