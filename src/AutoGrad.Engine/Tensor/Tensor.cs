using AutoGrad.Autograd;
using AutoGrad.Kernels;
using AutoGrad.Printing;

namespace AutoGrad;

/// <summary>
/// An n-dimensional array of one dtype that can take part in automatic differentiation, with PyTorch's semantics.
/// As in PyTorch, a tensor is a window on a <see cref="Storage"/>: sizes, strides and an offset. View ops
/// (view, t, transpose, permute, select, narrow, expand, squeeze, unsqueeze, ...) return tensors over the same
/// storage, so an in-place write through a view reaches its base, and an expand allocates nothing.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly Storage _storage;
    private readonly int _offset;
    private readonly int[] _shape;
    private readonly int[] _strides;
    private bool _requiresGrad;
    private Tensor? _grad;
    private Node? _gradFn;

    /// <summary>A tensor over <paramref name="storage"/> (a view when another tensor uses it too).</summary>
    internal Tensor(Storage storage, int offset, int[] shape, int[] strides, DType dtype)
    {
        _storage = storage;
        _offset = offset;
        _shape = shape;
        _strides = strides;
        DType = dtype;
        NumElements = Shapes.NumElements(shape);
    }

    /// <summary>A tensor owning <paramref name="data"/>, laid out row-major (data.Length is the element count).</summary>
    internal Tensor(Array data, int[] shape, DType dtype)
        : this(new Storage(data), 0, shape, Shapes.ContiguousStrides(shape), dtype)
    {
    }

    /// <summary>
    /// A tensor owning <paramref name="data"/> in a dense layout given by <paramref name="strides"/> (a permutation
    /// of row-major, as elementwise results take their inputs' layout).
    /// </summary>
    internal Tensor(Array data, int[] shape, DType dtype, int[] strides)
        : this(new Storage(data), 0, shape, strides, dtype)
    {
    }

    // ---- storage and layout -----------------------------------------------------------------------------------

    internal Storage StorageObject => _storage;

    /// <summary>The raw element array of the storage (float[], double[], long[] or bool[]), views included.</summary>
    internal Array Buffer => _storage.Data;

    /// <summary>torch.Tensor.storage_offset(): where element [0, ..., 0] sits in the storage.</summary>
    public int StorageOffset => _offset;

    /// <summary>A copy of the strides, in elements (torch.Tensor.stride()).</summary>
    public int[] Strides => (int[])_strides.Clone();

    internal int[] StridesArray => _strides;

    internal int Offset => _offset;

    /// <summary>torch.Tensor.is_contiguous(): row-major strides on every dim of size other than 1.</summary>
    public bool IsContiguous() => Layout.IsContiguous(_shape, _strides);

    /// <summary>
    /// Row-major from offset 0 over an array of exactly its element count: the array itself is then the tensor's
    /// elements in order, and kernels may read or fill it directly.
    /// </summary>
    internal bool IsCompact => _offset == 0 && _storage.Data.Length == NumElements && Layout.IsContiguous(_shape, _strides);

    /// <summary>
    /// The elements in row-major order: the storage array itself when the tensor is compact, otherwise a gathered
    /// copy. For reading; fresh results (always compact) may also be filled through it.
    /// </summary>
    internal Array Dense => IsCompact ? _storage.Data : StridedCopy.Gather(_storage.Data, _shape, _strides, _offset);

    internal T[] DenseData<T>() => (T[])Dense;

    /// <summary>
    /// True when the elements fill [offset, offset + count) of the storage exactly once (row-major or a permuted
    /// layout): a reduction over all elements may then read that range in memory order.
    /// </summary>
    internal bool IsDense => Layout.IsNonOverlappingAndDense(_shape, _strides);

    /// <summary>The elements as if broadcast to <paramref name="shape"/>, row-major (a copy unless nothing changes).</summary>
    internal Array ExpandedDense(int[] shape) => Shapes.Equal(_shape, shape)
        ? Dense
        : StridedCopy.Gather(_storage.Data, shape, Layout.BroadcastStrides(this, shape), _offset);

    /// <summary>The array of a compact tensor, to be filled by a kernel; a fresh result is always compact.</summary>
    internal T[] Fillable<T>() => IsCompact ? (T[])_storage.Data
        : throw new InvalidOperationException("only a compact tensor's storage can be filled directly");

    /// <summary>torch.Tensor._version: how many in-place writes the storage has seen.</summary>
    public int VersionNumber => _storage.Version;

    /// <summary>Marks the storage as referenced from elsewhere (a graph node saved this tensor).</summary>
    internal void ShareStorage() => _storage.MarkShared();

    /// <summary>
    /// Hands this tensor's storage back to the engine for reuse by a later result of the same dtype and size, as
    /// freeing a libtorch tensor does (TorchSharp's <c>using</c>; Python's reference counting). Optional: a tensor
    /// that is not disposed is reclaimed by the garbage collector. Large, short-lived results in a loop are
    /// faster with it, because the next result is written into memory that is still in cache.
    /// Storage that something else still refers to (a view or detached alias of this tensor, a graph node that
    /// saved it for backward) is left alone, and the tensor stays readable; otherwise using the tensor after
    /// Dispose throws <see cref="ObjectDisposedException"/>. Disposing twice does nothing.
    /// </summary>
    public void Dispose() => _storage.Release();

    /// <summary>True after <see cref="Dispose"/> handed the storage back.</summary>
    public bool IsDisposed => _storage.IsReleased;

    // ---- metadata -------------------------------------------------------------------------------------------

    public DType DType { get; }

    /// <summary>A copy of the sizes, outermost first (torch.Tensor.shape).</summary>
    public int[] Shape => (int[])_shape.Clone();

    internal ReadOnlySpan<int> ShapeSpan => _shape;
    internal int[] ShapeArray => _shape;

    public int Rank => _shape.Length;

    /// <summary>torch.Tensor.dim().</summary>
    public int Dim() => _shape.Length;

    public int NumElements { get; }

    /// <summary>Size of one dim (negative dims count from the end).</summary>
    public int Size(int dim) => Rank > 0 ? _shape[Shapes.WrapDim(dim, Rank)]
        : throw TorchException.Index("DimOutOfRange", $"Dimension specified as {dim} but tensor has no dimensions");

    /// <summary>
    /// True for tensors made from plain numbers (x + 2): they rank below every real tensor in type promotion.
    /// </summary>
    internal bool IsWrappedNumber { get; private init; }

    // ---- autograd state -------------------------------------------------------------------------------------

    /// <summary>The node that produced this tensor (null for leaves).</summary>
    public Node? GradFn
    {
        get
        {
            if (_view is { } view && view.GradFnVersion != _storage.Version) RegenerateViewGradFn(view);
            return _gradFn;
        }
        internal set
        {
            _gradFn = value;
            if (_view is { } view) view.GradFnVersion = _storage.Version;
        }
    }

    public bool IsLeaf => GradFn is null;

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves only (PyTorch's rules and messages); only
    /// floating dtypes may require gradients.
    /// </summary>
    public bool RequiresGrad
    {
        get => _requiresGrad || GradFn is not null;
        set
        {
            // PyTorch's attribute setter (requires_grad_leaf_error): either value is an error on a non-leaf, and
            // only turning it off adds the hint about detach().
            if (!IsLeaf)
                throw TorchException.Runtime("RequiresGradNonLeaf", value
                    ? "you can only change requires_grad flags of leaf variables."
                    : "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
            if (value && !DType.IsFloating())
                throw TorchException.Runtime("RequiresGradNonFloating",
                    "only Tensors of floating point and complex dtype can require gradients");
            _requiresGrad = value;
            if (!value) GradAccumulator = null;
        }
    }

    /// <summary>
    /// The accumulated gradient (torch.Tensor.grad): null until a backward pass reaches this leaf. Reading it
    /// on a non-leaf gives null unless <see cref="RetainGrad"/> was called; PyTorch also warns then, see
    /// <see cref="NonLeafGradWarning"/>.
    /// </summary>
    public Tensor? Grad
    {
        get => _grad;
        set
        {
            if (value is not null)
            {
                if (!Shapes.Equal(value._shape, _shape))
                    throw TorchException.Runtime("GradShapeMismatch",
                        $"assigned grad has data of a different size");
                if (value.DType != DType)
                    throw TorchException.Runtime("GradTypeMismatch",
                        "assigned grad has data of a different type");
            }
            _grad = value;
        }
    }

    /// <summary>True after <see cref="RetainGrad"/> on a non-leaf.</summary>
    public bool RetainsGrad { get; private set; }

    /// <summary>PyTorch's UserWarning text for reading .grad of a non-leaf tensor.</summary>
    public const string NonLeafGradWarning =
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead.";

    /// <summary>The node that accumulates into .grad for a leaf requiring grad (created on first use).</summary>
    internal AccumulateGrad? GradAccumulator { get; set; }

    /// <summary>Keeps .grad populated for a non-leaf during backward (torch.Tensor.retain_grad).</summary>
    public void RetainGrad()
    {
        if (!RequiresGrad)
            throw TorchException.Runtime("RetainGradNoGrad", "can't retain_grad on Tensor that has requires_grad=False");
        if (IsLeaf) return;
        RetainsGrad = true;
        GradFn!.RetainedOutput = this;
    }

    /// <summary>A leaf sharing this tensor's data and version counter, cut from the graph (torch.Tensor.detach).</summary>
    public Tensor Detach()
    {
        _storage.MarkShared();
        return new Tensor(_storage, _offset, _shape, _strides, DType);
    }

    /// <summary>Edge through which a gradient for this tensor enters the graph; null when none is needed.</summary>
    internal Node? GradientEdge()
    {
        if (GradFn is { } fn) return fn;
        if (!_requiresGrad) return null;
        return GradAccumulator ??= new AccumulateGrad(this);
    }

    // ---- element access -------------------------------------------------------------------------------------

    /// <summary>Where the element at a flat row-major index sits in the storage.</summary>
    internal int StorageIndex(int flatIndex)
    {
        int at = _offset;
        for (int d = _shape.Length - 1; d >= 0 && flatIndex > 0; d--)
        {
            int size = _shape[d];
            at += flatIndex % size * _strides[d];
            flatIndex /= size;
        }
        return at;
    }

    /// <summary>The element at a flat row-major index, widened to double (bool: 0 or 1).</summary>
    internal double GetAsDouble(int index) => ElementAsDouble(_storage.Data, StorageIndex(index));

    private static double ElementAsDouble(Array data, int at) => data switch
    {
        float[] f => f[at],
        double[] d => d[at],
        long[] l => l[at],
        bool[] b => b[at] ? 1.0 : 0.0,
        _ => throw new InvalidOperationException(),
    };

    /// <summary>
    /// The value of a one-element tensor as a .NET number (double for floating dtypes, long for Int64, bool for
    /// Bool), like torch.Tensor.item().
    /// </summary>
    public object Item()
    {
        if (NumElements != 1)
            throw TorchException.Runtime("ItemNotOneElement",
                $"a Tensor with {NumElements} elements cannot be converted to Scalar");
        return _storage.Data switch
        {
            float[] f => (double)f[_offset],
            double[] d => d[_offset],
            long[] l => l[_offset],
            bool[] b => b[_offset],
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>A copy of the elements, flat and row-major, as float[], double[], long[] or bool[].</summary>
    public Array ToArray() => IsCompact ? (Array)_storage.Data.Clone() : Dense;

    /// <summary>A copy of the elements, flat and row-major, widened to double.</summary>
    public double[] ToDoubleArray() => (double[])CastKernel.Convert(Dense, DType.Float64, pooled: false);

    /// <summary>PyTorch's repr of this tensor, character for character (culture-invariant).</summary>
    /// <remarks>A disposed tensor prints as <c>tensor(&lt;disposed&gt;)</c>: ToString must not throw (debuggers and
    /// PowerShell's formatter call it), and a blank line in the console would hide what happened.</remarks>
    public override string ToString() => IsDisposed ? "tensor(<disposed>)" : TensorFormatter.Format(this);

    // ---- construction ---------------------------------------------------------------------------------------

    /// <summary>
    /// Storage for a result that its kernel overwrites completely: an array a disposed tensor handed back when one
    /// of the size is pooled, else a new one. Large arrays skip the zeroing pass (for a 1e6 element result,
    /// clearing memory costs about as much as the add that fills it); callers that need zeros use
    /// <see cref="Full"/>. An allocation the runtime refuses is PyTorch's out-of-memory error with the byte count.
    /// </summary>
    internal static Array Allocate(DType dtype, int count)
    {
        try
        {
            return dtype switch
            {
                DType.Float32 => StoragePool.RentOrAllocate<float>(count),
                DType.Float64 => StoragePool.RentOrAllocate<double>(count),
                DType.Int64 => StoragePool.RentOrAllocate<long>(count),
                DType.Bool => new bool[count],
                _ => throw DTypes.Invalid(dtype),
            };
        }
        catch (OutOfMemoryException)
        {
            throw OutOfMemory.For(OutOfMemory.Bytes(dtype, count));
        }
    }

    /// <summary>An uninitialized compact tensor.</summary>
    internal static Tensor Empty(int[] shape, DType dtype) =>
        new(Allocate(dtype, Shapes.NumElements(shape)), shape, dtype);

    /// <summary>An uninitialized tensor in a dense layout (strides a permutation of row-major ones).</summary>
    internal static Tensor EmptyStrided(int[] shape, int[] strides, DType dtype) =>
        new(Allocate(dtype, Shapes.NumElements(shape)), shape, dtype, strides);

    /// <summary>
    /// The result of an elementwise op over <paramref name="operands"/>: uninitialized, laid out as PyTorch's
    /// TensorIterator would allocate it (following the operands' memory order).
    /// </summary>
    internal static Tensor EmptyElementwise(int[] shape, DType dtype, params Tensor[] operands) =>
        Layout.ElementwiseStrides(shape, operands) is { } strides ? EmptyStrided(shape, strides, dtype) : Empty(shape, dtype);

    /// <summary>A tensor over a copy of <paramref name="data"/>, laid out in <paramref name="shape"/>.</summary>
    public static Tensor FromArray<T>(T[] data, params int[] shape) where T : unmanaged
    {
        if (!DTypes.TryFromType(typeof(T), out var dtype))
            throw TorchException.Type("UnsupportedElementType", $"tensors of {typeof(T).Name} are not supported");
        shape = (int[])shape.Clone();
        Shapes.CheckNonNegative(shape);
        if (Shapes.NumElements(shape) != data.Length)
            throw TorchException.Runtime("ShapeDataMismatch",
                $"shape '[{Shapes.Join(shape)}]' is invalid for input of size {data.Length}");
        var storage = (T[])Allocate(dtype, data.Length);
        data.CopyTo(storage, 0);
        return new Tensor(storage, shape, dtype);
    }

    /// <summary>A tensor of <paramref name="dtype"/> from double values (cast as torch.tensor casts them).</summary>
    public static Tensor FromDoubles(ReadOnlySpan<double> values, int[] shape, DType dtype, bool requiresGrad = false)
    {
        shape = (int[])shape.Clone();
        Shapes.CheckNonNegative(shape);
        if (Shapes.NumElements(shape) != values.Length)
            throw TorchException.Runtime("ShapeDataMismatch",
                $"shape '[{Shapes.Join(shape)}]' is invalid for input of size {values.Length}");
        var storage = Allocate(dtype, values.Length);
        switch (storage)
        {
            case float[] f: for (int i = 0; i < f.Length; i++) f[i] = (float)values[i]; break;
            case double[] d: values.CopyTo(d); break;
            case long[] l: for (int i = 0; i < l.Length; i++) l[i] = ScalarConversion.ToInt64(values[i]); break;
            case bool[] b: for (int i = 0; i < b.Length; i++) b[i] = values[i] != 0; break;
        }
        var t = new Tensor(storage, shape, dtype);
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    /// <summary>A 0-d tensor holding one value.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => FromDoubles([value], [], dtype);

    /// <summary>
    /// A plain number taking part in an op (x * 2): a 0-d tensor that never upcasts a real tensor.
    /// Python ints wrap as Int64, floats as Float64, bools as Bool.
    /// </summary>
    internal static Tensor WrapNumber(double value) =>
        new(new[] { value }, [], DType.Float64) { IsWrappedNumber = true };

    internal static Tensor WrapNumber(long value) =>
        new(new[] { value }, [], DType.Int64) { IsWrappedNumber = true };

    internal static Tensor WrapNumber(bool value) =>
        new(new[] { value }, [], DType.Bool) { IsWrappedNumber = true };

    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32, bool requiresGrad = false) =>
        Full(shape, 0, dtype, requiresGrad);

    public static Tensor Ones(int[] shape, DType dtype = DType.Float32, bool requiresGrad = false) =>
        Full(shape, 1, dtype, requiresGrad);

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, bool requiresGrad = false)
    {
        shape = (int[])Arg.Ints(shape).Clone();
        Shapes.CheckNonNegative(shape);
        var t = Empty(shape, dtype);
        FillArray(t.Buffer, value);
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    private static void FillArray(Array data, double value)
    {
        switch (data)
        {
            // A value the dtype cannot hold is an error, as torch.full's checked conversion makes it.
            case float[] f: f.AsSpan().Fill(ScalarConversion.ToFloat32(value)); break;
            case double[] d: d.AsSpan().Fill(value); break;
            case long[] l: l.AsSpan().Fill(ScalarConversion.ToInt64(value, "int64_t")); break;
            case bool[] b: b.AsSpan().Fill(value != 0); break;
        }
    }

    /// <summary>torch.full with an integer: exact in Int64 (no trip through double), rounded once into a float dtype.</summary>
    public static Tensor Full(int[] shape, long value, DType dtype = DType.Int64, bool requiresGrad = false)
    {
        shape = (int[])Arg.Ints(shape).Clone();
        Shapes.CheckNonNegative(shape);
        var t = Empty(shape, dtype);
        switch (t.Buffer)
        {
            case float[] f: f.AsSpan().Fill(value); break;
            case double[] d: d.AsSpan().Fill(value); break;
            case long[] l: l.AsSpan().Fill(value); break;
            case bool[] b: b.AsSpan().Fill(value != 0); break;
        }
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    /// <summary>Same shape and dtype as <paramref name="like"/>, filled with one value.</summary>
    internal static Tensor FullLike(Tensor like, double value) => Full(like._shape, value, like.DType);

    /// <summary>C's double-to-int64 conversion (truncation), which is what PyTorch's casts do.</summary>
    internal static long CastToLong(double v)
    {
        if (double.IsNaN(v)) return long.MinValue;
        if (v >= 9.2233720368547758E+18 || v < -9.2233720368547758E+18) return long.MinValue;
        return (long)v;
    }
}
