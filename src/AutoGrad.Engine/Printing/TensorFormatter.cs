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
            if (_summarize) CollectShownIndices(shown);
            else for (int i = 0; i < tensor.NumElements; i++) shown.Add(i);
            _formatter = new ElementFormatter(tensor, shown, options);
        }

        public string Write(int indent)
        {
            if (_shape.Length == 0) return _formatter.Format(0);
            var text = new StringBuilder();
            WriteBlocks(text, indent);
            return text.ToString();
        }

        /// <summary>True when a dim of this size is cut to its first and last edge items.</summary>
        private bool IsCut(int size) => _summarize && size > 2 * _options.EdgeItems;

        /// <summary>The positions along a dim that are printed (all, or the edge items at each end).</summary>
        private int[] ShownPositions(int size)
        {
            if (!IsCut(size)) return Enumerable.Range(0, size).ToArray();
            int edge = _options.EdgeItems;
            return [.. Enumerable.Range(0, edge), .. Enumerable.Range(size - edge, edge)];
        }

        // The walks over the dims below are loops over an explicit position per dim, not recursion: a tensor of
        // any rank prints (New-Tensor -Zeros -Shape (@(1) * 60000) nests 60000 brackets), whatever the stack.

        /// <summary>The flat indices of the printed elements, in row-major order (an odometer over the shown positions).</summary>
        private void CollectShownIndices(List<int> shown)
        {
            int rank = _shape.Length;
            var positions = new int[rank][];
            for (int d = 0; d < rank; d++) positions[d] = ShownPositions(_shape[d]);
            var at = new int[rank];
            while (true)
            {
                int offset = 0;
                for (int d = 0; d < rank; d++) offset += positions[d][at[d]] * _strides[d];
                shown.Add(offset);
                int k = rank - 1;
                while (k >= 0 && ++at[k] == positions[k].Length) at[k--] = 0;
                if (k < 0) return;
            }
        }

        /// <summary>
        /// The nested blocks: "[" on entering a dim, its sub-blocks separated by "," and one line break fewer than the
        /// dims left (so 3-d blocks get one blank line), "..." in place of a hidden middle, "]" on leaving; the last
        /// dim is a row of elements wrapped at the line width.
        /// </summary>
        private void WriteBlocks(StringBuilder text, int indent)
        {
            int rank = _shape.Length, edge = _options.EdgeItems;
            var positions = new int[rank][];
            var next = new int[rank];      // per dim: how many of its shown positions are written
            var offsets = new int[rank];   // per dim: the flat index where its current block starts
            int dim = 0;
            if (rank > 1) text.Append('[');
            while (dim >= 0)
            {
                if (dim == rank - 1)
                {
                    WriteRow(text, offsets[dim], indent + dim);
                    dim--;
                    continue;
                }
                var shown = positions[dim] ??= ShownPositions(_shape[dim]);
                int k = next[dim];
                if (k == shown.Length)
                {
                    text.Append(']');
                    positions[dim] = null!;   // entered afresh for the next block of the dim above
                    next[dim] = 0;
                    dim--;
                    continue;
                }
                int i = shown[k];
                bool ellipsis = IsCut(_shape[dim]) && i == _shape[dim] - edge;
                if (k > 0 || ellipsis)
                {
                    // Built only when written: a deep tensor of size-1 dims never needs one.
                    string separator = "," + new string('\n', rank - dim - 1) + new string(' ', indent + dim + 1);
                    if (k > 0) text.Append(separator);
                    if (ellipsis) text.Append("...").Append(separator);
                }
                next[dim] = k + 1;
                offsets[dim + 1] = offsets[dim] + i * _strides[dim];
                dim++;
                if (dim < rank - 1) text.Append('[');
            }
        }

        /// <summary>The last dim's block: its elements (and " ..." for a hidden middle), wrapped at the line width.</summary>
        private void WriteRow(StringBuilder text, int offset, int indent)
        {
            int size = _shape[^1], stride = _strides[^1];
            bool cut = IsCut(size);
            var parts = new List<string>();
            foreach (int i in ShownPositions(size))
            {
                if (cut && i == size - _options.EdgeItems) parts.Add(" ...");
                parts.Add(_formatter.Format(offset + i * stride));
            }
            text.Append('[').AppendJoin(",\n" + new string(' ', indent + 1), WrapRow(parts, indent)).Append(']');
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
