using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// The copying indexers (index_select and its adjoint index_add, cat, stack) and the splitters (split, chunk),
// whose pieces are narrow views.
public sealed partial class Tensor
{
    /// <summary>torch.index_select: picks entries of dim <paramref name="dim"/> by index (IndexSelectBackward0).</summary>
    public Tensor IndexSelect(int dim, Tensor index)
    {
        Arg.Tensor(index);
        if (index.DType != DType.Int64)
            throw TorchException.Runtime("IndexSelectIndexDType",
                $"index_select(): Expected dtype int32/int64 for index but got: {index.DType.ScalarTypeName()}");
        if (index.Rank > 1)
            throw TorchException.Index("IndexSelectIndexRank", "index_select(): Index is supposed to be a vector");
        return IndexSelect(dim, (long[])index.Dense);
    }

    public Tensor IndexSelect(int dim, long[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int d = Shapes.WrapDim(dim, Rank);
        int size = Rank == 0 ? 1 : _shape[d];
        var idx = new int[index.Length];
        for (int k = 0; k < index.Length; k++)
        {
            long v = index[k];
            if (v < -size || v >= size)
                throw TorchException.Index("IndexSelectOutOfRange", $"index out of range in self");
            idx[k] = (int)(v < 0 ? v + size : v);
        }
        if (Rank == 0) return Clone();
        var outShape = (int[])_shape.Clone();
        outShape[d] = idx.Length;
        var result = Empty(outShape, DType);
        var source = Dense;
        int outer = 1, inner = 1;
        for (int k = 0; k < d; k++) outer *= _shape[k];
        for (int k = d + 1; k < Rank; k++) inner *= _shape[k];
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < idx.Length; k++)
                Array.Copy(source, (o * size + idx[k]) * inner, result.Buffer, (o * idx.Length + k) * inner, inner);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "IndexSelectBackward0", [this], [], (ShapeArray, d, idx), static (g, _, state, _) =>
            {
                var (shape, dd, ii) = state;
                return [g.IndexAdd(shape, dd, ii)];
            });
        return result;
    }

    /// <summary>zeros(shape).index_add(dim, index, this): the adjoint of index_select (IndexAddBackward0).</summary>
    private Tensor IndexAdd(int[] shape, int d, int[] idx)
    {
        var result = Zeros(shape, DType);
        int outer = 1, inner = 1;
        for (int k = 0; k < d; k++) outer *= shape[k];
        for (int k = d + 1; k < shape.Length; k++) inner *= shape[k];
        int size = shape[d];
        var src = (double[])StorageAs(DType.Float64);
        var acc = new double[result.NumElements];
        for (int o = 0; o < outer; o++)
            for (int k = 0; k < idx.Length; k++)
                for (int i = 0; i < inner; i++)
                    acc[(o * size + idx[k]) * inner + i] += src[(o * idx.Length + k) * inner + i];
        result = new Tensor(CastKernel.Convert(acc, DType), shape, DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "IndexAddBackward0", [this], [], (d, idx), static (g, _, state, _) =>
            {
                var (dd, ii) = state;
                return [g.IndexSelect(dd, ii.Select(v => (long)v).ToArray())];
            });
        return result;
    }

    /// <summary>torch.cat: joins tensors along an existing dim (CatBackward0). Dtypes promote as PyTorch does.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        Arg.Tensors(tensors);
        if (tensors.Count == 0) throw TorchException.Runtime("CatEmpty", "torch.cat(): expected a non-empty list of Tensors");
        var dtype = tensors[0].DType;
        foreach (var t in tensors) dtype = DTypes.Promote(dtype, t.DType);
        // PyTorch skips legacy empty 1-d tensors (shape [0]) when concatenating.
        var parts = tensors.Where(t => !(t.Rank == 1 && t.NumElements == 0)).ToArray();
        if (parts.Length == 0) return Empty([0], dtype);
        var first = parts[0];
        if (first.Rank == 0) throw TorchException.Runtime("CatZeroDim", "zero-dimensional tensor (at position 0) cannot be concatenated");
        int d = Shapes.WrapDim(dim, first.Rank);
        int total = 0;
        for (int p = 0; p < parts.Length; p++)
        {
            var t = parts[p];
            if (t.Rank != first.Rank)
                throw TorchException.Runtime("CatRankMismatch",
                    $"Tensors must have same number of dimensions: got {first.Rank} and {t.Rank}");
            for (int k = 0; k < first.Rank; k++)
                if (k != d && t._shape[k] != first._shape[k])
                    throw TorchException.Runtime("CatSizeMismatch",
                        $"Sizes of tensors must match except in dimension {d}. Expected size {first._shape[k]} but got size {t._shape[k]} for tensor number {p} in the list.");
            total += t._shape[d];
        }
        var outShape = (int[])first._shape.Clone();
        outShape[d] = total;
        var result = Empty(outShape, dtype);
        int outer = 1, inner = 1;
        for (int k = 0; k < d; k++) outer *= outShape[k];
        for (int k = d + 1; k < outShape.Length; k++) inner *= outShape[k];
        int offset = 0;
        var sizes = new int[parts.Length];
        for (int p = 0; p < parts.Length; p++)
        {
            var t = parts[p];
            var data = t.StorageAs(dtype);
            int len = t._shape[d] * inner;
            for (int o = 0; o < outer; o++)
                Array.Copy(data, o * len, result.Buffer, o * total * inner + offset * inner, len);
            offset += t._shape[d];
            sizes[p] = t._shape[d];
        }
        if (Graph.NeedsGrad(parts))
            Graph.Record(result, "CatBackward0", parts, [], (d, sizes), static (g, _, state, n) =>
            {
                var (dd, ss) = state;
                var grads = new Tensor?[ss.Length];
                int start = 0;
                for (int p = 0; p < ss.Length; p++)
                {
                    if (n[p]) grads[p] = g.Narrow(dd, start, ss[p]);
                    start += ss[p];
                }
                return grads;
            });
        return result;
    }

    /// <summary>torch.stack: joins tensors of one shape along a new dim (StackBackward0).</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int dim = 0)
    {
        Arg.Tensors(tensors);
        if (tensors.Count == 0) throw TorchException.Runtime("StackEmpty", "stack expects a non-empty TensorList");
        var shape = tensors[0]._shape;
        for (int p = 1; p < tensors.Count; p++)
            if (!Shapes.Equal(tensors[p]._shape, shape))
                throw TorchException.Runtime("StackShapeMismatch",
                    $"stack expects each tensor to be equal size, but got [{Shapes.Join(shape)}] at entry 0 and [{Shapes.Join(tensors[p]._shape)}] at entry {p}");
        int d = Shapes.WrapDim(dim, shape.Length + 1);
        Tensor joined;
        using (GradMode.NoGrad())
            joined = Cat(tensors.Select(t => t.Unsqueeze(d)).ToArray(), d);
        var result = joined.Detach();
        var inputs = tensors.ToArray();
        if (Graph.NeedsGrad(inputs))
            Graph.Record(result, "StackBackward0", inputs, [], (d, inputs.Length), static (g, _, state, n) =>
            {
                var (dd, count) = state;
                var grads = new Tensor?[count];
                for (int p = 0; p < count; p++) if (n[p]) grads[p] = g.Select(dd, p);
                return grads;
            });
        return result;
    }

    /// <summary>torch.split: pieces of <paramref name="splitSize"/> along dim (each piece's node is SplitBackward0).</summary>
    public Tensor[] Split(int splitSize, int dim = 0)
    {
        if (Rank == 0) throw TorchException.Runtime("SplitZeroDim", "split expects at least a 1-dimensional tensor");
        if (splitSize <= 0 && !(splitSize == 0 && Size(dim) == 0))
            throw TorchException.Runtime("SplitSize", $"split expects split_size be non-negative, but got split_size={splitSize}");
        int d = Shapes.WrapDim(dim, Rank);
        int size = _shape[d];
        var pieces = new List<Tensor>();
        for (int start = 0; start < size || (size == 0 && pieces.Count == 0); start += Math.Max(splitSize, 1))
        {
            pieces.Add(NarrowCore(d, start, Math.Min(splitSize, size - start), "SplitBackward0"));
            if (size == 0) break;
        }
        return pieces.ToArray();
    }

    /// <summary>torch.split with explicit section sizes (SplitWithSizesBackward0).</summary>
    public Tensor[] Split(int[] sizes, int dim = 0)
    {
        Arg.Ints(sizes);
        if (Rank == 0) throw TorchException.Runtime("SplitZeroDim", "split expects at least a 1-dimensional tensor");
        int d = Shapes.WrapDim(dim, Rank);
        if (sizes.Any(s => s < 0))
            throw TorchException.Runtime("SplitSizesNegative",
                $"split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[{Shapes.Join(sizes)}]");
        if (sizes.Sum(s => (long)s) != _shape[d])
            throw TorchException.Runtime("SplitSizesSum",
                $"split_with_sizes expects split_sizes to sum exactly to {_shape[d]} (input tensor's size at dimension {d}), but got split_sizes=[{Shapes.Join(sizes)}]");
        var pieces = new Tensor[sizes.Length];
        int start = 0;
        for (int p = 0; p < sizes.Length; p++)
        {
            pieces[p] = NarrowCore(d, start, sizes[p], "SplitWithSizesBackward0");
            start += sizes[p];
        }
        return pieces;
    }

    /// <summary>torch.chunk: <paramref name="chunks"/> pieces of ceil(size / chunks) (split underneath).</summary>
    public Tensor[] Chunk(int chunks, int dim = 0)
    {
        if (Rank == 0) throw TorchException.Runtime("ChunkZeroDim", "chunk expects at least a 1-dimensional tensor");
        if (chunks <= 0) throw TorchException.Runtime("ChunkCount", "chunk expects `chunks` to be greater than 0, got: " + chunks);
        int d = Shapes.WrapDim(dim, Rank);
        int size = _shape[d];
        int splitSize = (int)((size + (long)chunks - 1) / chunks);
        if (splitSize == 0 && size == 0)
        {
            // PyTorch makes `chunks` empty pieces here: as many as asked, if there is memory for them.
            try { return Enumerable.Range(0, chunks).Select(_ => NarrowCore(d, 0, 0, "SplitBackward0")).ToArray(); }
            catch (OutOfMemoryException) { throw OutOfMemory.For((long)chunks * IntPtr.Size); }
        }
        return Split(Math.Max(splitSize, 1), d);
    }
}
