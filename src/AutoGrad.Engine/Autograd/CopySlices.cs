namespace AutoGrad.Autograd;

/// <summary>
/// PyTorch's CopySlices: the history a base gets when an op writes in place into one of its views. The base's
/// gradient passes through unchanged except in the view's region, where the in-place op's own backward
/// (<see cref="_fn"/>) turns it into the gradient of the view's old values; the op's other inputs get their
/// gradients from that backward too.
/// </summary>
internal sealed class CopySlices : Node
{
    private readonly Node _fn;
    private readonly int[] _baseShape, _baseStrides, _viewShape, _viewStrides;
    private readonly int _viewOffset;  // relative to the base's own offset

    private CopySlices(Node?[] next, InputMeta[] inputs, Node fn, Tensor @base, Tensor view)
        : base("CopySlices", next, inputs)
    {
        _fn = fn;
        _baseShape = @base.ShapeArray;
        _baseStrides = @base.StridesArray;
        _viewShape = view.ShapeArray;
        _viewStrides = view.StridesArray;
        _viewOffset = view.Offset - @base.Offset;
    }

    /// <summary>
    /// The node for <paramref name="base"/> after <paramref name="fn"/> (the in-place op's backward, whose input 0 is
    /// the view's old value) wrote into <paramref name="view"/>: edge 0 continues the base's previous history, the
    /// rest are the op's other inputs.
    /// </summary>
    internal static CopySlices Create(Tensor @base, Tensor view, Node fn)
    {
        var next = new Node?[fn.Next.Length];
        var meta = new InputMeta[fn.Next.Length];
        next[0] = @base.GradientEdge();
        meta[0] = new InputMeta(@base.ShapeArray, @base.DType);
        for (int i = 1; i < next.Length; i++)
        {
            next[i] = fn.Next[i];
            meta[i] = fn.Inputs[i];
        }
        return new CopySlices(next, meta, fn, @base, view);
    }

    internal override Tensor?[] Apply(Tensor gradOutput)
    {
        // result = grad laid out as the base; grad_slice = its view region.
        int extent = Math.Max(Layout.Extent(_baseShape, _baseStrides), _viewOffset + Layout.Extent(_viewShape, _viewStrides));
        var storage = Tensor.Zeros([extent], gradOutput.DType).StorageObject;
        var result = new Tensor(storage, 0, _baseShape, _baseStrides, gradOutput.DType);
        var slice = new Tensor(storage, _viewOffset, _viewShape, _viewStrides, gradOutput.DType);
        using (GradMode.NoGrad()) result.CopyValuesFrom(gradOutput);
        var fnGrads = _fn.Apply(slice.Clone());
        using (GradMode.NoGrad())
        {
            if (fnGrads.Length > 0 && fnGrads[0] is { } first) slice.CopyValuesFrom(first.SumTo(_viewShape));
            else slice.CopyValuesFrom(Tensor.Zeros([], gradOutput.DType));
        }
        var grads = new Tensor?[Next.Length];
        grads[0] = result;
        for (int i = 1; i < grads.Length; i++) grads[i] = i < fnGrads.Length ? fnGrads[i] : null;
        return grads;
    }

    internal override void ReleaseSavedTensors() => _fn.ReleaseSavedTensors();
}
