using AutoGrad.Autograd;
using AutoGrad.Printing;


namespace AutoGrad;

/// <summary>
/// An n-dimensional array of one dtype that can take part in automatic differentiation, with PyTorch's semantics.
/// Storage is always dense and row-major. <see cref="LogicalStrides"/> records the strides PyTorch would have for
/// the same tensor (a transpose is a strided view there, a copy here) so that ops whose node names depend on
/// contiguity (reshape: ViewBackward0 vs UnsafeViewBackward0) name their nodes as PyTorch does.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    /// <summary>float[], double[], long[] or bool[]; its length is the element count. Null once disposed.</summary>
    private Array? _storage;

    /// <summary>
    /// False once another tensor or a graph node refers to <see cref="_storage"/> too (a view, a detached alias, a
    /// tensor saved for backward): then <see cref="Dispose"/> must leave the storage alone.
    /// </summary>
    private bool _storageExclusive = true;
    private readonly int[] _shape;
    internal int[] LogicalStrides { get; private set; }
    private bool _requiresGrad;
    private Tensor? _grad;
    private VersionCounter? _version;

    internal Tensor(Array storage, int[] shape, DType dtype, int[]? logicalStrides = null)
    {
        _storage = storage;
        NumElements = storage.Length;
        _shape = shape;
        DType = dtype;
        LogicalStrides = logicalStrides ?? Shapes.ContiguousStrides(shape);
    }

    /// <summary>
    /// Counts in-place writes to the storage; shared by every tensor that aliases it (views, detach). Created on
    /// first need, so tensors that are never aliased nor modified in place carry no counter.
    /// </summary>
    internal VersionCounter Version => _version ?? LazyInitializer.EnsureInitialized(ref _version, static () => new VersionCounter());

    /// <summary>torch.Tensor._version: how many in-place writes the storage has seen.</summary>
    public int VersionNumber => _version?.Value ?? 0;

    /// <summary>A tensor over this one's storage (a view): same data, same version counter.</summary>
    internal Tensor Alias(int[] shape, int[]? logicalStrides = null)
    {
        _storageExclusive = false;
        return new(Storage, shape, DType, logicalStrides) { _version = Version, _storageExclusive = false };
    }

    /// <summary>The element array (float[], double[], long[] or bool[]); throws once the tensor is disposed.</summary>
    internal Array Storage => _storage ?? throw new ObjectDisposedException(nameof(Tensor),
        "Cannot access a disposed tensor: its storage was handed back for reuse by Dispose().");

    /// <summary>Marks the storage as referenced from elsewhere (a graph node saved this tensor).</summary>
    internal void ShareStorage() => _storageExclusive = false;

    /// <summary>
    /// Hands this tensor's storage back to the engine for reuse by a later result of the same dtype and size, as
    /// freeing a libtorch tensor does (TorchSharp's <c>using</c>; Python's reference counting). Optional: a tensor
    /// that is not disposed is reclaimed by the garbage collector. Large, short-lived results in a loop are
    /// faster with it, because the next result is written into memory that is still in cache.
    /// Storage that something else still refers to (a view or detached alias of this tensor, a graph node that
    /// saved it for backward) is left alone, and the tensor stays readable; otherwise using the tensor after
    /// Dispose throws <see cref="ObjectDisposedException"/>. Disposing twice does nothing.
    /// </summary>
    public void Dispose()
    {
        if (!_storageExclusive) return;
        // Exchanged, not read then cleared: two threads disposing at once must not hand the array back twice.
        if (Interlocked.Exchange(ref _storage, null) is { } storage) StoragePool.Return(storage);
    }

    /// <summary>True after <see cref="Dispose"/> handed the storage back.</summary>
    public bool IsDisposed => _storage is null;

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
    public Node? GradFn { get; internal set; }

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

    /// <summary>
    /// Gives a freshly computed elementwise result the strides PyTorch would allocate it with, which follow the
    /// inputs' layout (see <see cref="ElementwiseLayout"/>). Only for results not yet handed out.
    /// </summary>
    internal Tensor WithElementwiseLayout(params Tensor[] inputs)
    {
        if (ElementwiseLayout.OutputStrides(_shape, inputs) is { } strides) LogicalStrides = strides;
        return this;
    }

    /// <summary>A leaf sharing this tensor's data, cut from the graph (torch.Tensor.detach).</summary>
    public Tensor Detach() => Alias(_shape, LogicalStrides);

    /// <summary>Edge through which a gradient for this tensor enters the graph; null when none is needed.</summary>
    internal Node? GradientEdge()
    {
        if (GradFn is not null) return GradFn;
        if (!_requiresGrad) return null;
        return GradAccumulator ??= new AccumulateGrad(this);
    }

    // ---- element access -------------------------------------------------------------------------------------

    internal Span<T> Span<T>() => ((T[])Storage).AsSpan();

    internal T[] Data<T>() => (T[])Storage;

    /// <summary>The element at a flat row-major index, widened to double (bool: 0 or 1).</summary>
    internal double GetAsDouble(int index) => Storage switch
    {
        float[] f => f[index],
        double[] d => d[index],
        long[] l => l[index],
        bool[] b => b[index] ? 1.0 : 0.0,
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
        return Storage switch
        {
            float[] f => (double)f[0],
            double[] d => d[0],
            long[] l => l[0],
            bool[] b => b[0],
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>A copy of the elements, flat and row-major, as float[], double[], long[] or bool[].</summary>
    public Array ToArray() => (Array)Storage.Clone();

    /// <summary>A copy of the elements, flat and row-major, widened to double.</summary>
    public double[] ToDoubleArray()
    {
        var result = new double[NumElements];
        for (int i = 0; i < result.Length; i++) result[i] = GetAsDouble(i);
        return result;
    }

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

    internal static Tensor Empty(int[] shape, DType dtype) =>
        new(Allocate(dtype, Shapes.NumElements(shape)), shape, dtype);

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
        switch (t.Storage)
        {
            // A value the dtype cannot hold is an error, as torch.full's checked conversion makes it.
            case float[] f: f.AsSpan().Fill(ScalarConversion.ToFloat32(value)); break;
            case double[] d: d.AsSpan().Fill(value); break;
            case long[] l: l.AsSpan().Fill(ScalarConversion.ToInt64(value, "int64_t")); break;
            case bool[] b: b.AsSpan().Fill(value != 0); break;
        }
        if (requiresGrad) t.RequiresGradOnCreation();
        return t;
    }

    /// <summary>torch.full with an integer: exact in Int64 (no trip through double), rounded once into a float dtype.</summary>
    public static Tensor Full(int[] shape, long value, DType dtype = DType.Int64, bool requiresGrad = false)
    {
        shape = (int[])Arg.Ints(shape).Clone();
        Shapes.CheckNonNegative(shape);
        var t = Empty(shape, dtype);
        switch (t.Storage)
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
