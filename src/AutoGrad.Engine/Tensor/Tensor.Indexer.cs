using System.Globalization;
using System.Runtime.CompilerServices;

namespace AutoGrad;

// Python's basic indexing: t[0], t[1, 2], t[:, 0], t[1:3], t[..., None]. From PowerShell: $t[0], $t[1, 2], and
// slices as strings, $t[':', 0] or in one string $t[':, 0'] (Python's own text); from C#: t[0], t[1, 2], t[1..3].
// Integers select (SelectBackward0), slices narrow (SliceBackward0), None/newaxis unsqueezes, '...' stands for the
// dims not named. Built on the view ops Select, Slice, Unsqueeze and Alias: every result shares the storage.
public sealed partial class Tensor
{
    [IndexerName("At")] public Tensor this[object i0] => Index(i0);
    [IndexerName("At")] public Tensor this[object i0, object i1] => Index(i0, i1);
    [IndexerName("At")] public Tensor this[object i0, object i1, object i2] => Index(i0, i1, i2);
    [IndexerName("At")] public Tensor this[object i0, object i1, object i2, object i3] => Index(i0, i1, i2, i3);
    [IndexerName("At")] public Tensor this[object i0, object i1, object i2, object i3, object i4] => Index(i0, i1, i2, i3, i4);
    [IndexerName("At")] public Tensor this[object i0, object i1, object i2, object i3, object i4, object i5] => Index(i0, i1, i2, i3, i4, i5);
    [IndexerName("At")] public Tensor this[object i0, object i1, object i2, object i3, object i4, object i5, object i6] => Index(i0, i1, i2, i3, i4, i5, i6);
    [IndexerName("At")] public Tensor this[object i0, object i1, object i2, object i3, object i4, object i5, object i6, object i7] => Index(i0, i1, i2, i3, i4, i5, i6, i7);

    private enum IndexKind { Integer, Slice, Ellipsis, NewAxis }

    private readonly record struct IndexItem(IndexKind Kind, long Integer = 0, long? Start = null, long? Stop = null, long? Step = null);

    /// <summary>
    /// t[index...] as Python evaluates it. Items: integers, "a:b:c" slice strings (parts optional), "..." , "None",
    /// System.Range and System.Index, 0-d Int64 tensors; a string may hold several items separated by commas.
    /// </summary>
    public Tensor Index(params object?[] index)
    {
        // C#'s t.Index(null) passes no array at all: read it as t[None], which is what it says.
        index ??= [null];
        var items = new List<IndexItem>();
        foreach (var i in index) ParseIndexItem(i, items);
        int consumed = items.Count(i => i.Kind is IndexKind.Integer or IndexKind.Slice);
        if (Rank == 0 && items.Any(i => i.Kind == IndexKind.Integer))
            throw TorchException.Index("IndexZeroDim",
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
        if (consumed > Rank)
            throw TorchException.Index("IndexTooMany", $"too many indices for tensor of dimension {Rank}");

        // A lone slice is always applied (x[:] is a SliceBackward0 view); inside a tuple, full slices are skipped.
        bool single = items.Count == 1;
        var result = this;
        int d = 0;
        bool expanded = false;
        foreach (var item in items)
        {
            switch (item.Kind)
            {
                case IndexKind.Integer:
                {
                    int size = result.ShapeArray[d];
                    if (item.Integer < -size || item.Integer >= size)
                        throw TorchException.Index("IndexOutOfRange",
                            $"index {item.Integer} is out of bounds for dimension {d} with size {size}");
                    result = result.Select(d, (int)item.Integer);
                    break;
                }
                case IndexKind.Slice:
                    result = result.ApplySlice(d, item, single);
                    d++;
                    break;
                case IndexKind.NewAxis:
                    result = result.Unsqueeze(d);
                    d++;
                    break;
                case IndexKind.Ellipsis:
                    // The first '...' stands for every dim not named; PyTorch lets any later one stand for none.
                    if (!expanded) d += Rank - consumed;
                    expanded = true;
                    break;
            }
        }
        // x[...] or x[:, :] selects everything: a new tensor all the same, PyTorch's alias (AliasBackward0).
        if (ReferenceEquals(result, this)) result = Alias();
        return result;
    }

    private Tensor ApplySlice(int d, IndexItem item, bool always)
    {
        long step = item.Step ?? 1;
        if (step == 0) throw TorchException.Value("IndexSliceStepZero", "slice step cannot be zero");
        if (step < 0) throw TorchException.Value("IndexSliceStepNegative", "step must be greater than zero");
        long size = _shape[d];
        long start = Clamp(item.Start ?? 0, size);
        long stop = Clamp(item.Stop ?? size, size);
        long length = Math.Max(0, stop - start);
        if (!always && start == 0 && length == size && step == 1) return this;
        return Slice(d, (int)start, (int)(start + length), (int)step);
    }

    /// <summary>Python's slice bound: negative counts from the end, then clamped into [0, size].</summary>
    private static long Clamp(long bound, long size)
    {
        if (bound < 0) bound += size;
        return Math.Clamp(bound, 0, size);
    }

    private static void ParseIndexItem(object? value, List<IndexItem> items)
    {
        switch (value)
        {
            case null:
                items.Add(new IndexItem(IndexKind.NewAxis));
                return;
            case bool:
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                items.Add(new IndexItem(IndexKind.Integer, Convert.ToInt64(value, CultureInfo.InvariantCulture)));
                return;
            case Index ix:
                items.Add(new IndexItem(IndexKind.Integer, ix.IsFromEnd ? -ix.Value : ix.Value));
                return;
            case Range r:
                items.Add(new IndexItem(IndexKind.Slice, Start: r.Start.IsFromEnd ? -r.Start.Value : r.Start.Value,
                    Stop: r.End.IsFromEnd ? (r.End.Value == 0 ? null : -r.End.Value) : r.End.Value));
                return;
            case string s:
                foreach (var part in s.Split(',')) items.Add(ParseIndexText(part.Trim(), s));
                return;
            case Tensor { Rank: 0, DType: DType.Int64 } t:
                items.Add(new IndexItem(IndexKind.Integer, (long)t.Item()));
                return;
            case Tensor:
                throw TorchException.Index("IndexAdvanced",
                    "indexing with a tensor of indices or a mask (advanced indexing) is not supported here; use index_select (Invoke-Op IndexSelect)");
        }
        throw TorchException.Index("IndexInvalidType",
            $"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {PythonTypeName(value)})");
    }

    private static IndexItem ParseIndexText(string text, string whole)
    {
        if (text == "...") return new IndexItem(IndexKind.Ellipsis);
        if (text is "None" or "newaxis") return new IndexItem(IndexKind.NewAxis);
        if (!text.Contains(':'))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i))
                return new IndexItem(IndexKind.Integer, i);
        }
        else
        {
            var parts = text.Split(':');
            if (parts.Length <= 3)
            {
                var bounds = new long?[3];
                bool ok = true;
                for (int k = 0; k < parts.Length && ok; k++)
                {
                    var p = parts[k].Trim();
                    if (p.Length == 0) continue;
                    if (long.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)) bounds[k] = v;
                    else ok = false;
                }
                if (ok) return new IndexItem(IndexKind.Slice, Start: bounds[0], Stop: bounds[1], Step: bounds[2]);
            }
        }
        throw TorchException.Index("IndexInvalidText",
            $"cannot read '{text}' in the index '{whole}' as an index: write an integer, a slice such as '1:3', ':' or '::2', '...', or 'None'");
    }

    private static string PythonTypeName(object? v) => v switch
    {
        bool => "bool",
        float or double or decimal => "float",
        Tensor t => $"Tensor of dtype {t.DType.TorchName()}",
        _ => v?.GetType().Name ?? "NoneType",
    };
}
