using AutoGrad.Autograd;

namespace AutoGrad;

// F.embedding: rows of a weight matrix picked by Int64 indices (EmbeddingBackward0). The backward formula
// (embedding_dense_backward) adds each output row's gradient into the weight row it came from, skipping the
// padding index, whose row never learns.
public sealed partial class Tensor
{
    /// <summary>
    /// weight[indices]: for Int64 <paramref name="indices"/> of any shape, a tensor of shape indices.shape + [dim].
    /// Rows at <paramref name="paddingIdx"/> (a row number in [0, rows)) get no gradient.
    /// </summary>
    public static Tensor Embedding(Tensor weight, Tensor indices, long? paddingIdx = null)
    {
        Arg.Tensor(weight);
        Arg.Tensor(indices, "input");
        if (indices.DType != DType.Int64)
            throw TorchException.Runtime("EmbeddingIndexDType",
                $"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got {LegacyTypeName(indices.DType)} instead (while checking arguments for embedding)");
        if (weight.Rank != 2) throw TorchException.Runtime("EmbeddingWeightRank", "'weight' must be 2-D");
        int rows = weight._shape[0], dim = weight._shape[1];
        var index = indices.ToDoubleArray();
        var flat = new long[index.Length];
        for (int i = 0; i < flat.Length; i++)
        {
            flat[i] = (long)index[i];
            if (flat[i] < 0 || flat[i] >= rows)
                throw TorchException.Index("EmbeddingIndexOutOfRange", "index out of range in self");
        }
        Tensor result;
        using (GradMode.NoGrad())
        {
            var outShape = indices.Shape.Append(dim).ToArray();
            result = weight.IndexSelect(0, flat).Reshape(outShape);
        }
        if (Graph.NeedsGrad(weight))
            Graph.Record(result, "EmbeddingBackward0", [weight], [], (rows, flat, paddingIdx), static (g, _, state, _) =>
            {
                var (n, idx, pad) = state;
                return [EmbeddingDenseBackward(g, idx, n, pad)];
            });
        return result;
    }

    /// <summary>embedding_dense_backward: the [rows, dim] gradient, each looked-up row's gradient added in.</summary>
    private static Tensor EmbeddingDenseBackward(Tensor grad, long[] indices, int rows, long? paddingIdx)
    {
        int dim = grad._shape[^1];
        var perRow = grad.Reshape(-1, dim);
        var keep = new List<long>(indices.Length);
        var targets = new List<int>(indices.Length);
        for (int i = 0; i < indices.Length; i++)
        {
            if (indices[i] == paddingIdx) continue;
            keep.Add(i);
            targets.Add((int)indices[i]);
        }
        if (keep.Count != indices.Length) perRow = perRow.IndexSelect(0, keep.ToArray());
        return perRow.IndexAdd([rows, dim], 0, targets.ToArray());
    }

    /// <summary>torch's legacy tensor type names, which some argument checks print (torch.FloatTensor ...).</summary>
    private static string LegacyTypeName(DType dtype) => dtype switch
    {
        DType.Float32 => "torch.FloatTensor",
        DType.Float64 => "torch.DoubleTensor",
        DType.Int64 => "torch.LongTensor",
        _ => "torch.BoolTensor",
    };
}
