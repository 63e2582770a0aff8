using AutoGrad.Autograd;

namespace AutoGrad;

// View ops: results share this tensor's storage (and version counter), so in-place writes through them reach the
// base, as in PyTorch. Each records its backward beside its forward; a view remembers its root base so that an
// in-place op on it can rebase the base's history (CopySlices) and regenerate its own (AsStridedBackward0).
public sealed partial class Tensor
{
    /// <summary>What a view knows of where it came from (PyTorch's DifferentiableViewMeta).</summary>
    internal sealed class ViewInfo(Tensor root, bool createdInNoGrad)
    {
        /// <summary>The tensor that owns the storage (views of views point at the root, as PyTorch's _base).</summary>
        public Tensor Base { get; } = root;

        /// <summary>The storage version when this view's grad_fn was last set; a later write regenerates it.</summary>
        public int GradFnVersion;

        /// <summary>Made with gradient recording off from a tensor that requires grad (in-place on it is refused).</summary>
        public bool CreatedInNoGrad { get; } = createdInNoGrad;
    }

    private ViewInfo? _view;

    /// <summary>torch.Tensor._base: the tensor this one is a view of (null when it is not a view).</summary>
    public Tensor? Base => _view?.Base;

    /// <summary>torch.Tensor._is_view().</summary>
    public bool IsView => _view is not null;

    /// <summary>A view over this tensor's storage with the given geometry (no graph recorded here).</summary>
    private Tensor MakeView(int[] shape, int[] strides, int offset)
    {
        _storage.MarkShared();
        var view = new Tensor(_storage, offset, shape, strides, DType);
        view._view = new ViewInfo(_view?.Base ?? this, !GradMode.IsEnabled && RequiresGrad)
        {
            GradFnVersion = _storage.Version,
        };
        return view;
    }

    /// <summary>
    /// The storage was written in place since this view's grad_fn was set (through the base or another view):
    /// as PyTorch does, the view's history becomes an as_strided of its base's current history.
    /// </summary>
    private void RegenerateViewGradFn(ViewInfo view)
    {
        view.GradFnVersion = _storage.Version;
        if (view.Base.RequiresGrad) _gradFn = AsStridedNode(view.Base, this);
    }

    // ---- reshape / view -----------------------------------------------------------------------------------

    /// <summary>torch.reshape: a view when the strides allow it (ViewBackward0), else a copy (UnsafeViewBackward0).</summary>
    public Tensor Reshape(params int[] shape)
    {
        Arg.Ints(shape);
        var target = Shapes.InferReshape(shape, NumElements);
        if (Layout.ViewStrides(_shape, _strides, NumElements, target) is { } strides) return ViewCore(target, strides);
        // PyTorch: _unsafe_view(clone(self, contiguous_format), shape).
        var copy = ContiguousCopy();
        var result = new Tensor(copy._storage, 0, target, Shapes.ContiguousStrides(target), DType);
        if (Graph.NeedsGrad(copy))
            Graph.Record(result, "UnsafeViewBackward0", [copy], [], ShapeArray, static (g, _, state, _) => [g.Reshape(state)]);
        return result;
    }

    /// <summary>torch.Tensor.view: like reshape, but an error where the strides do not allow a view.</summary>
    public Tensor View(params int[] shape)
    {
        Arg.Ints(shape);
        var target = Shapes.InferReshape(shape, NumElements);
        var strides = Layout.ViewStrides(_shape, _strides, NumElements, target) ?? throw TorchException.Runtime("ViewNotPossible",
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
        return ViewCore(target, strides);
    }

    private Tensor ViewCore(int[] shape, int[] strides)
    {
        var result = MakeView(shape, strides, _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ViewBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.Reshape(state)]);
        return result;
    }

    /// <summary>torch.flatten: merges dims start..end into one (a reshape, so ViewBackward0 when it can view).</summary>
    public Tensor Flatten(int startDim = 0, int endDim = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = Shapes.WrapDim(startDim, Rank), e = Shapes.WrapDim(endDim, Rank);
        if (s > e) throw TorchException.Runtime("FlattenDimOrder", "flatten() has invalid args: start_dim cannot come after end_dim");
        if (s == e) return this;
        var shape = new List<int>();
        for (int d = 0; d < s; d++) shape.Add(_shape[d]);
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= _shape[d];
        shape.Add(merged);
        for (int d = e + 1; d < Rank; d++) shape.Add(_shape[d]);
        return Reshape(shape.ToArray());
    }

    /// <summary>torch.unflatten: splits dim <paramref name="dim"/> into <paramref name="sizes"/> (one may be -1); a view.</summary>
    public Tensor Unflatten(int dim, int[] sizes)
    {
        Arg.Ints(sizes);
        if (Rank == 0) throw TorchException.Index("DimOutOfRange", "Dimension specified as 0 but tensor has no dimensions");
        int d = Shapes.WrapDim(dim, Rank);
        if (sizes.Length == 0) throw TorchException.Runtime("UnflattenEmpty", "unflatten: sizes must be non-empty");
        var inner = Shapes.InferReshape(sizes, _shape[d]);
        var shape = new List<int>(_shape);
        shape.RemoveAt(d);
        shape.InsertRange(d, inner);
        return View(shape.ToArray());
    }

    // ---- transposes ---------------------------------------------------------------------------------------

    /// <summary>torch.Tensor.t: transposes a 2-d tensor; 0-d and 1-d tensors come back as they are (TBackward0).</summary>
    public Tensor T()
    {
        if (Rank > 2)
            throw TorchException.Runtime("TooManyDims", $"t() expects a tensor with <= 2 dimensions, but self is {Rank}D");
        var result = Rank < 2 ? MakeView(_shape, _strides, _offset) : MakeView([_shape[1], _shape[0]], [_strides[1], _strides[0]], _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "TBackward0", [this], [], static (g, _, _) => [g.T()]);
        return result;
    }

    /// <summary>torch.transpose: swaps two dims (TransposeBackward0).</summary>
    public Tensor Transpose(int dim0, int dim1)
    {
        int a = Shapes.WrapDim(dim0, Rank), b = Shapes.WrapDim(dim1, Rank);
        var perm = Enumerable.Range(0, Rank).ToArray();
        if (Rank > 0) (perm[a], perm[b]) = (perm[b], perm[a]);
        var result = PermuteView(perm);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "TransposeBackward0", [this], [], (a, b), static (g, _, state, _) =>
            {
                var (x, y) = state;
                return [g.Transpose(x, y)];
            });
        return result;
    }

    /// <summary>torch.permute: reorders dims (PermuteBackward0).</summary>
    public Tensor Permute(params int[] dims)
    {
        Arg.Ints(dims);
        if (dims.Length != Rank)
            throw TorchException.Runtime("PermuteDimCount",
                $"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {Rank} is not equal to len(dims) = {dims.Length}");
        var perm = new int[Rank];
        var seen = new bool[Rank];
        for (int i = 0; i < Rank; i++)
        {
            perm[i] = Shapes.WrapDim(dims[i], Rank);
            if (seen[perm[i]]) throw TorchException.Runtime("PermuteRepeatedDim", "permute(): duplicate dims are not allowed.");
            seen[perm[i]] = true;
        }
        var result = PermuteView(perm);
        if (Graph.NeedsGrad(this))
        {
            var inverse = new int[Rank];
            for (int i = 0; i < Rank; i++) inverse[perm[i]] = i;
            Graph.Record(result, "PermuteBackward0", [this], [], inverse, static (g, _, state, _) => [g.Permute(state)]);
        }
        return result;
    }

    private Tensor PermuteView(int[] perm)
    {
        var shape = new int[Rank];
        var strides = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            shape[i] = _shape[perm[i]];
            strides[i] = _strides[perm[i]];
        }
        return MakeView(shape, strides, _offset);
    }

    // ---- expand, squeeze, unsqueeze ---------------------------------------------------------------------------

    /// <summary>
    /// torch.Tensor.expand: broadcasts size-1 dims (and new leading dims) to <paramref name="shape"/>; -1 keeps a
    /// size. A view with stride 0 on the expanded dims: nothing is allocated.
    /// </summary>
    public Tensor Expand(params int[] shape)
    {
        Arg.Ints(shape);
        // The tensor is named by its legacy type string (torch.FloatTensor, torch.DoubleTensor, torch.LongTensor ...).
        if (shape.Length < Rank)
            throw TorchException.Runtime("ExpandTooFewDims",
                $"expand(torch.{DType.ScalarTypeName()}Tensor{{[{Shapes.Join(_shape)}]}}, size=[{Shapes.Join(shape)}]): the number of sizes provided ({shape.Length}) must be greater or equal to the number of dimensions in the tensor ({Rank})");
        var target = (int[])shape.Clone();
        var strides = new int[target.Length];
        int lead = shape.Length - Rank;
        for (int d = 0; d < target.Length; d++)
        {
            int own = d >= lead ? _shape[d - lead] : 1;
            if (target[d] == -1)
            {
                if (d < lead) throw TorchException.Runtime("ExpandNegative", $"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {d}");
                target[d] = own;
            }
            if (own != target[d] && own != 1)
                throw TorchException.Runtime("ExpandMismatch",
                    $"The expanded size of the tensor ({target[d]}) must match the existing size ({own}) at non-singleton dimension {d}.  Target sizes: [{Shapes.Join(shape)}].  Tensor sizes: [{Shapes.Join(_shape)}]");
            strides[d] = d >= lead && own == target[d] ? _strides[d - lead] : 0;
        }
        Shapes.CheckNonNegative(target);
        var result = MakeView(target, strides, _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "ExpandBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.SumTo(state)]);
        return result;
    }

    /// <summary>Inserts a size-1 dim at <paramref name="dim"/> (UnsqueezeBackward0).</summary>
    public Tensor Unsqueeze(int dim)
    {
        int d = Shapes.WrapDim(dim, Rank + 1);
        var shape = new List<int>(_shape);
        shape.Insert(d, 1);
        var strides = new List<int>(_strides);
        strides.Insert(d, d < Rank ? _shape[d] * _strides[d] : 1);
        var result = MakeView(shape.ToArray(), strides.ToArray(), _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "UnsqueezeBackward0", [this], [], d, static (g, _, state, _) => [g.Squeeze(state)]);
        return result;
    }

    /// <summary>torch.squeeze(x) without a dim: removes every size-1 dim (SqueezeBackward0).</summary>
    public Tensor Squeeze()
    {
        var keep = Enumerable.Range(0, Rank).Where(d => _shape[d] != 1).ToArray();
        var result = MakeView(keep.Select(d => _shape[d]).ToArray(), keep.Select(d => _strides[d]).ToArray(), _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "SqueezeBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.Reshape(state)]);
        return result;
    }

    /// <summary>Removes dim <paramref name="dim"/> if its size is 1 (SqueezeBackward1).</summary>
    public Tensor Squeeze(int dim) => SqueezeCore(dim, "SqueezeBackward1");

    /// <summary>
    /// squeeze(dim) recorded under <paramref name="nodeName"/>: SqueezeBackward1 for squeeze.dim, SqueezeBackward4
    /// where PyTorch squeezes a temporary in place (squeeze_.dim), which is the same computation under its own name.
    /// </summary>
    internal Tensor SqueezeCore(int dim, string nodeName)
    {
        int d = Shapes.WrapDim(dim, Rank);
        if (Rank == 0 || _shape[d] != 1)
        {
            var same = MakeView(_shape, _strides, _offset);
            if (Graph.NeedsGrad(this))
                Graph.Record(same, nodeName, [this], [], static (g, _, _) => [g]);
            return same;
        }
        var shape = new List<int>(_shape);
        shape.RemoveAt(d);
        var strides = new List<int>(_strides);
        strides.RemoveAt(d);
        var result = MakeView(shape.ToArray(), strides.ToArray(), _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, nodeName, [this], [], d, static (g, _, state, _) => [g.Unsqueeze(state)]);
        return result;
    }

    // ---- select, narrow, slice, diagonal ----------------------------------------------------------------------

    /// <summary>torch.select / x[i]: removes dim <paramref name="dim"/> by taking one index (SelectBackward0).</summary>
    public Tensor Select(int dim, int index)
    {
        if (Rank == 0) throw TorchException.Index("SelectZeroDim", "select() cannot be applied to a 0-dim tensor.");
        int d = Shapes.WrapDim(dim, Rank);
        int size = _shape[d];
        if (index < -size || index >= size)
            throw TorchException.Index("SelectIndexOutOfRange",
                $"select(): index {index} out of range for tensor of size [{Shapes.Join(_shape)}] at dimension {d}");
        int i = index < 0 ? index + size : index;
        var shape = new List<int>(_shape);
        shape.RemoveAt(d);
        var strides = new List<int>(_strides);
        strides.RemoveAt(d);
        var result = MakeView(shape.ToArray(), strides.ToArray(), _offset + i * _strides[d]);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "SelectBackward0", [this], [], (ShapeArray, d, i), static (g, _, state, _) =>
            {
                var (inputShape, dd, ii) = state;
                return [SliceBackward(g.Unsqueeze(dd), inputShape, dd, ii, ii + 1, 1, "SelectBackwardBackward0")];
            });
        return result;
    }

    /// <summary>torch.narrow / x[a:b] on one dim (SliceBackward0).</summary>
    public Tensor Narrow(int dim, int start, int length) => NarrowCore(dim, start, length, "SliceBackward0");

    internal Tensor NarrowCore(int dim, int start, int length, string nodeName)
    {
        if (Rank == 0) throw TorchException.Runtime("NarrowZeroDim", "narrow() cannot be applied to a 0-dim tensor.");
        int d = Shapes.WrapDim(dim, Rank);
        int size = _shape[d];
        if (start < -size || start > size)
            throw TorchException.Index("NarrowStartOutOfRange",
                $"start out of range (expected to be in range of [{-size}, {size}], but got {start})");
        int s = start < 0 ? start + size : start;
        if (length < 0 || s + length > size)
            throw TorchException.Runtime("NarrowLengthOutOfRange", $"start ({s}) + length ({length}) exceeds dimension size ({size}).");
        return SliceCore(d, s, s + length, 1, nodeName);
    }

    /// <summary>
    /// x[start:end:step] along <paramref name="dim"/>, with Python's rules for negative and out-of-range bounds
    /// (torch.Tensor.__getitem__ with a slice; SliceBackward0). <paramref name="step"/> must be positive.
    /// </summary>
    public Tensor Slice(int dim, int? start = null, int? end = null, int step = 1)
    {
        if (Rank == 0) throw TorchException.Index("SliceZeroDim", "slice() cannot be applied to a 0-dim tensor.");
        if (step <= 0) throw TorchException.Value("SliceStep", "step must be greater than zero");
        int d = Shapes.WrapDim(dim, Rank);
        int size = _shape[d];
        int s = Clip(start ?? 0, size), e = Clip(end ?? size, size);
        if (e < s) e = s;
        return SliceCore(d, s, e, step, "SliceBackward0");

        static int Clip(int v, int size) => v < 0 ? Math.Max(v + size, 0) : Math.Min(v, size);
    }

    private Tensor SliceCore(int d, int start, int end, int step, string nodeName)
    {
        var shape = (int[])_shape.Clone();
        shape[d] = (end - start + step - 1) / step;
        var strides = (int[])_strides.Clone();
        strides[d] = _strides[d] * step;
        var result = MakeView(shape, strides, _offset + (shape[d] > 0 ? start * _strides[d] : 0));
        if (Graph.NeedsGrad(this))
            Graph.Record(result, nodeName, [this], [], (ShapeArray, d, start, end, step), static (g, _, state, _) =>
            {
                var (inputShape, dd, ss, ee, st) = state;
                return [SliceBackward(g, inputShape, dd, ss, ee, st, "SliceBackwardBackward0")];
            });
        return result;
    }

    /// <summary>
    /// slice_backward: zeros of <paramref name="inputShape"/> holding <paramref name="grad"/> at [start:end:step]
    /// of dim d. Differentiable (its gradient is the slice again, node <paramref name="nodeName"/>).
    /// </summary>
    private static Tensor SliceBackward(Tensor grad, int[] inputShape, int d, int start, int end, int step, string nodeName)
    {
        var result = Zeros(inputShape, grad.DType);
        using (GradMode.NoGrad()) result.SliceCore(d, start, end, step, nodeName).CopyValuesFrom(grad);
        var plain = new Tensor(result._storage, 0, inputShape, result._strides, result.DType);
        if (Graph.NeedsGrad(grad))
            Graph.Record(plain, nodeName, [grad], [], (d, start, end, step), static (gg, _, state, _) =>
            {
                var (dd, ss, ee, st) = state;
                return [gg.SliceCore(dd, ss, ee, st, "SliceBackward0")];
            });
        return plain;
    }

    /// <summary>torch.diagonal: the elements [i, i + offset] of two dims, as a view along a new last dim (DiagonalBackward0).</summary>
    public Tensor Diagonal(int offset = 0, int dim1 = 0, int dim2 = 1)
    {
        int a = Shapes.WrapDim(dim1, Rank), b = Shapes.WrapDim(dim2, Rank);
        if (a == b)
            throw TorchException.Runtime("DiagonalSameDim", $"diagonal dimensions cannot be identical {dim1}, {dim2}");
        int length = offset >= 0 ? Math.Max(Math.Min(_shape[a], _shape[b] - offset), 0) : Math.Max(Math.Min(_shape[a] + offset, _shape[b]), 0);
        int start = _offset;
        if (length > 0) start += offset >= 0 ? offset * _strides[b] : -offset * _strides[a];
        var shape = new List<int>();
        var strides = new List<int>();
        for (int d = 0; d < Rank; d++)
            if (d != a && d != b) { shape.Add(_shape[d]); strides.Add(_strides[d]); }
        shape.Add(length);
        strides.Add(_strides[a] + _strides[b]);
        var result = MakeView(shape.ToArray(), strides.ToArray(), start);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "DiagonalBackward0", [this], [], (ShapeArray, offset, a, b), static (g, _, state, _) =>
            {
                var (inputShape, off, d1, d2) = state;
                return [DiagonalBackward(g, inputShape, off, d1, d2)];
            });
        return result;
    }

    private static Tensor DiagonalBackward(Tensor grad, int[] inputShape, int offset, int dim1, int dim2)
    {
        var result = Zeros(inputShape, grad.DType);
        using (GradMode.NoGrad()) result.Diagonal(offset, dim1, dim2).CopyValuesFrom(grad);
        var plain = new Tensor(result._storage, 0, inputShape, result._strides, result.DType);
        if (Graph.NeedsGrad(grad))
            Graph.Record(plain, "DiagonalBackwardBackward0", [grad], [], (offset, dim1, dim2), static (gg, _, state, _) =>
            {
                var (off, d1, d2) = state;
                return [gg.Diagonal(off, d1, d2)];
            });
        return plain;
    }

    /// <summary>torch.Tensor.alias / x[...]: a view of the whole tensor (AliasBackward0).</summary>
    public Tensor Alias()
    {
        var result = MakeView(_shape, _strides, _offset);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "AliasBackward0", [this], [], static (g, _, _) => [g]);
        return result;
    }

    // ---- as_strided -------------------------------------------------------------------------------------------

    /// <summary>
    /// torch.as_strided: a view with any sizes, strides and storage offset over this tensor's storage
    /// (AsStridedBackward0). The caller is responsible for staying inside the storage.
    /// </summary>
    public Tensor AsStrided(int[] size, int[] stride, int? storageOffset = null)
    {
        Arg.Ints(size);
        Arg.Ints(stride);
        if (size.Length != stride.Length)
            throw TorchException.Runtime("AsStridedRank", $"mismatch in length of strides and shape");
        Shapes.CheckNonNegative(size);
        int offset = storageOffset ?? _offset;
        foreach (var s in stride)
            if (s < 0) throw TorchException.Runtime("AsStridedNegativeStride", "as_strided: Negative strides are not supported at the moment, got strides: [" + Shapes.Join(stride) + "]");
        long extent = Layout.Extent(size, stride);
        if (offset < 0 || extent > 0 && offset + extent > _storage.Data.Length)
            throw TorchException.Runtime("AsStridedOutOfBounds",
                $"setStorage: sizes [{Shapes.Join(size)}], strides [{Shapes.Join(stride)}], storage offset {offset}, and itemsize {DType.ItemSize()} requiring a storage size of {(offset + extent) * DType.ItemSize()} are out of bounds for storage of size {_storage.Data.Length * DType.ItemSize()}");
        var result = MakeView((int[])size.Clone(), (int[])stride.Clone(), offset);
        if (Graph.NeedsGrad(this)) result._gradFn = AsStridedNode(this, result);
        return result;
    }

    /// <summary>The AsStridedBackward0 node that gives <paramref name="input"/> the gradient of <paramref name="view"/>.</summary>
    private static Node AsStridedNode(Tensor input, Tensor view)
    {
        var geometry = new AsStridedGeometry(input.ShapeArray, input._strides, input._offset, view.ShapeArray, view._strides, view._offset);
        return Graph.Node("AsStridedBackward0", [input], [], geometry,
            static (g, _, state, _) => [AsStridedBackward(g, state)]);
    }

    /// <summary>Sizes, strides and offsets of an input and an as_strided view of its storage.</summary>
    internal sealed record AsStridedGeometry(int[] InputShape, int[] InputStrides, int InputOffset, int[] ViewShape,
        int[] ViewStrides, int ViewOffset);

    /// <summary>
    /// as_strided_backward: the input's gradient holds, at each storage location, the sum of the view's gradients
    /// that read it. Computed on a scratch storage laid out as the input.
    /// </summary>
    private static Tensor AsStridedBackward(Tensor grad, AsStridedGeometry geo)
    {
        int extent = Math.Max(Layout.Extent(geo.InputShape, geo.InputStrides), Layout.Extent(geo.ViewShape, geo.ViewStrides) + Math.Max(geo.ViewOffset - geo.InputOffset, 0));
        var scratch = new Tensor(Zeros([extent], grad.DType)._storage, 0, geo.InputShape, geo.InputStrides, grad.DType);
        var target = new Tensor(scratch._storage, geo.ViewOffset - geo.InputOffset, geo.ViewShape, geo.ViewStrides, grad.DType);
        using (GradMode.NoGrad())
        {
            if (Layout.HasInternalOverlap(geo.ViewShape, geo.ViewStrides)) target.AccumulateValuesFrom(grad);
            else target.CopyValuesFrom(grad);
        }
        return scratch;
    }

    // ---- contiguity ---------------------------------------------------------------------------------------------

    /// <summary>torch.Tensor.contiguous: this tensor when it is contiguous, else a row-major copy (CloneBackward0).</summary>
    public Tensor Contiguous() => IsContiguous() ? this : ContiguousCopy();

    /// <summary>clone(memory_format=torch.contiguous_format): a row-major copy (CloneBackward0).</summary>
    private Tensor ContiguousCopy()
    {
        var result = Empty(_shape, DType);
        result.CopyValuesFrom(this);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "CloneBackward0", [this], [], static (g, _, _) => [g]);
        return result;
    }
}
