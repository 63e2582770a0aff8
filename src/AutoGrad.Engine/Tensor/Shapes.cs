namespace AutoGrad;

/// <summary>
/// Shape arithmetic: element counts, contiguous strides, dim wrapping and NumPy/PyTorch broadcasting.
/// Shapes are plain <c>int[]</c>; these helpers never mutate their arguments.
/// </summary>
public static class Shapes
{
    public static readonly int[] Scalar = Array.Empty<int>();

    public static int NumElements(ReadOnlySpan<int> shape)
    {
        // A size-0 dim makes any shape empty; otherwise the product is checked as it grows, so that many large dims
        // cannot wrap a long around into a small count.
        if (shape.Contains(0)) return 0;
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
            if (n > Array.MaxLength)
                throw TorchException.Runtime("TensorTooLarge",
                    $"a tensor of shape [{Join(shape)}] has more elements than this engine supports ({Array.MaxLength})");
        }
        return (int)n;
    }

    /// <summary>Row-major strides of a contiguous tensor of this shape.</summary>
    public static int[] ContiguousStrides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        int s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(shape[i], 1);
        }
        return strides;
    }

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>PyTorch's torch.Size repr: <c>torch.Size([2, 3])</c>.</summary>
    public static string ToTorchSize(ReadOnlySpan<int> shape) => $"torch.Size([{Join(shape)}])";

    /// <summary>Comma-separated dims, as in <c>[4, 2]</c> error messages (without brackets).</summary>
    public static string Join(ReadOnlySpan<int> shape)
    {
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        return string.Join(", ", parts);
    }

    /// <summary>
    /// Wraps a possibly negative dim into [0, rank). A 0-d tensor accepts dims -1 and 0, as PyTorch does.
    /// Out-of-range dims raise PyTorch's IndexError text.
    /// </summary>
    public static int WrapDim(int dim, int rank)
    {
        int r = Math.Max(rank, 1);
        if (dim < -r || dim >= r)
            throw TorchException.Index("DimOutOfRange",
                $"Dimension out of range (expected to be in range of [{-r}, {r - 1}], but got {dim})");
        return dim < 0 ? dim + r : dim;
    }

    /// <summary>
    /// Broadcasts two shapes (dims aligned from the right; size 1 stretches). The error text is PyTorch's, naming
    /// the sizes and the dim of the result at which they clash.
    /// </summary>
    public static int[] Broadcast(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new int[rank];
        for (int i = rank - 1; i >= 0; i--)
        {
            int offset = rank - 1 - i;
            int da = a.Length - 1 - offset >= 0 ? a[a.Length - 1 - offset] : 1;
            int db = b.Length - 1 - offset >= 0 ? b[b.Length - 1 - offset] : 1;
            if (da == db || db == 1) result[i] = da;
            else if (da == 1) result[i] = db;
            else
                throw TorchException.Runtime("ShapeMismatch",
                    $"The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton dimension {i}");
        }
        return result;
    }

    /// <summary>True when <paramref name="shape"/> can be expanded (broadcast) to <paramref name="target"/>.</summary>
    public static bool IsExpandableTo(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        if (shape.Length > target.Length) return false;
        for (int i = 1; i <= shape.Length; i++)
        {
            int s = shape[shape.Length - i], t = target[target.Length - i];
            if (s != t && s != 1) return false;
        }
        return true;
    }

    /// <summary>
    /// Strides to read a tensor of <paramref name="shape"/> as if broadcast to <paramref name="target"/>:
    /// 0 on the stretched and the missing leading dims.
    /// </summary>
    public static int[] BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> target)
    {
        var own = ContiguousStrides(shape);
        var strides = new int[target.Length];
        for (int i = 1; i <= shape.Length; i++)
        {
            int s = shape[shape.Length - i];
            strides[target.Length - i] = s == 1 && target[target.Length - i] != 1 ? 0 : own[shape.Length - i];
        }
        return strides;
    }

    internal static void CheckNonNegative(ReadOnlySpan<int> shape)
    {
        foreach (var d in shape)
            if (d < 0)
                throw TorchException.Runtime("NegativeDimension",
                    $"Trying to create tensor with negative dimension {d}: [{Join(shape)}]");
    }

    /// <summary>
    /// Resolves a reshape target with at most one -1 against an element count, with PyTorch's messages.
    /// </summary>
    public static int[] InferReshape(ReadOnlySpan<int> requested, int numel)
    {
        var result = requested.ToArray();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < result.Length; i++)
        {
            if (result[i] == -1)
            {
                if (infer >= 0) throw TorchException.Runtime("ReshapeMultipleInfer", "only one dimension can be inferred");
                infer = i;
            }
            else if (result[i] < 0)
                throw TorchException.Runtime("ReshapeInvalid", $"invalid shape dimension {result[i]}");
            else known *= result[i];
        }
        if (infer >= 0)
        {
            // ATen's infer_size: with no elements and a 0 among the given dims, any size fits the -1.
            if (known == 0 && numel == 0)
                throw TorchException.Runtime("ReshapeAmbiguous",
                    $"cannot reshape tensor of 0 elements into shape [{Join(requested)}] because the unspecified dimension size -1 can be any value and is ambiguous");
            if (known == 0 || numel % known != 0)
                throw TorchException.Runtime("ReshapeInvalid", $"shape '[{Join(requested)}]' is invalid for input of size {numel}");
            result[infer] = (int)(numel / known);
        }
        else if (known != numel)
            throw TorchException.Runtime("ReshapeInvalid", $"shape '[{Join(requested)}]' is invalid for input of size {numel}");
        return result;
    }
}
