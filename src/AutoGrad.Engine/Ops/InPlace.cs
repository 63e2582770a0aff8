using AutoGrad.Autograd;

namespace AutoGrad;

// In-place updates (PyTorch's trailing-underscore methods: add_, mul_, zero_ ...). They write into this tensor's
// elements through its strides, so the base of a view and every other view see the change, and bump the storage's
// version counter, so a backward pass that saved the old values fails loudly instead of computing a wrong
// gradient. A leaf that requires grad (or a view of one) may be updated only with gradient recording off (an
// optimizer step under Use-NoGrad); a non-leaf is rebased onto the op's node, and the base of a view onto a
// CopySlices node, as in PyTorch.
public sealed partial class Tensor
{
    public Tensor Add_(Tensor other) => InPlace(other, static (a, b) => a.Add(b));
    public Tensor Add_(double other) => InPlace(null, a => a.Add(other));
    public Tensor Sub_(Tensor other) => InPlace(other, static (a, b) => a.Sub(b));
    public Tensor Sub_(double other) => InPlace(null, a => a.Sub(other));
    public Tensor Mul_(Tensor other) => InPlace(other, static (a, b) => a.Mul(b));
    public Tensor Mul_(double other) => InPlace(null, a => a.Mul(other));
    public Tensor Div_(Tensor other) => InPlace(other, static (a, b) => a.Div(b));
    public Tensor Div_(double other) => InPlace(null, a => a.Div(other));
    public Tensor Clamp_(double? min = null, double? max = null) => InPlace(null, a => a.Clamp(min, max));

    /// <summary>Fills with zeros (zero_); the gradient through it is zero.</summary>
    public Tensor Zero_() => Fill_(0);

    /// <summary>Fills with one value (fill_); the gradient through it is zero.</summary>
    public Tensor Fill_(double value) => InPlace(null, a =>
    {
        var filled = FullLike(a, value);
        if (Graph.NeedsGrad(a))
            Graph.Record(filled, "FillBackward0", [a], [], static (g, _, _) => [ZerosLike(g)]);
        return filled;
    });

    /// <summary>Copies (broadcast, cast) values from <paramref name="source"/> (copy_; node CopyBackwards).</summary>
    public Tensor Copy_(Tensor source) => InPlace(Arg.Tensor(source), static (a, b) =>
    {
        // The source broadcasts to this tensor's shape, never the other way (PyTorch's two texts).
        if (!Shapes.Equal(Shapes.Broadcast(a.ShapeArray, b.ShapeArray), a.ShapeArray))
            throw TorchException.Runtime("InPlaceShapeMismatch",
                $"output with shape [{Shapes.Join(a.ShapeArray)}] doesn't match the broadcast shape [{Shapes.Join(Shapes.Broadcast(a.ShapeArray, b.ShapeArray))}]");
        var copied = Empty(a.ShapeArray, a.DType);
        copied.CopyValuesFrom(b);
        if (Graph.NeedsGrad(a, b))
            Graph.Record(copied, "CopyBackwards", [a, b], [], static (g, _, n) => [n[0] ? ZerosLike(g) : null, n[1] ? g : null]);
        return copied;
    });

    private Tensor InPlace(Tensor? other, Func<Tensor, Tensor> op) => InPlace(other, (a, _) => op(a));

    private Tensor InPlace(Tensor? other, Func<Tensor, Tensor, Tensor> op)
    {
        bool record = GradMode.IsEnabled && (RequiresGrad || other?.RequiresGrad == true);
        if (record || GradMode.IsEnabled && _view is { CreatedInNoGrad: true }) CheckInPlaceAllowed();
        if (Layout.HasInternalOverlap(_shape, _strides))
            throw TorchException.Runtime("InPlaceOverlap",
                "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.");
        Tensor result;
        if (record)
        {
            // The op reads a snapshot carrying this tensor's history, so its saved values stay the old ones.
            Tensor snapshot;
            using (GradMode.NoGrad()) snapshot = Clone();
            snapshot.GradFn = GradFn;
            result = op(snapshot, other!);
        }
        else
        {
            using (GradMode.NoGrad()) result = op(this, other!);
        }
        if (!Shapes.Equal(result._shape, _shape))
            throw TorchException.Runtime("InPlaceShapeMismatch",
                $"output with shape [{Shapes.Join(_shape)}] doesn't match the broadcast shape [{Shapes.Join(result._shape)}]");
        if (result.DType != DType && !CanCastInPlace(result.DType, DType))
            throw TorchException.Runtime("InPlaceTypeMismatch",
                $"result type {result.DType.ScalarTypeName()} can't be cast to the desired output type {DType.ScalarTypeName()}");
        CopyValuesFrom(result);
        _storage.BumpVersion();
        if (record && result.GradFn is { } fn) RebaseHistory(fn);
        return this;
    }

    /// <summary>PyTorch's check_inplace: no in-place on a leaf that requires grad, nor on a view of one.</summary>
    private void CheckInPlaceAllowed()
    {
        if (_view is { } view)
        {
            if (view.CreatedInNoGrad)
                throw TorchException.Runtime("InPlaceNoGradView",
                    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).");
            if (view.Base.IsLeaf && view.Base.RequiresGrad)
                throw TorchException.Runtime("InPlaceOnLeafView", "a view of a leaf Variable that requires grad is being used in an in-place operation.");
        }
        else if (IsLeaf && RequiresGrad)
            throw TorchException.Runtime("InPlaceOnLeaf", "a leaf Variable that requires grad is being used in an in-place operation.");
    }

    /// <summary>
    /// After an in-place op whose backward is <paramref name="fn"/>: a plain tensor's history becomes fn; a view's
    /// base gets CopySlices (its gradient flows through fn in the view's region), and the view itself becomes an
    /// as_strided of the base (AsStridedBackward0).
    /// </summary>
    private void RebaseHistory(Node fn)
    {
        if (_view is { } view)
        {
            var @base = view.Base;
            @base.GradFn = CopySlices.Create(@base, this, fn);
            GradFn = AsStridedNode(@base, this);
        }
        else GradFn = fn;
    }

    /// <summary>PyTorch's canCast: no floating into integral, nothing non-bool into bool.</summary>
    private static bool CanCastInPlace(DType from, DType to) =>
        !(from.IsFloating() && !to.IsFloating()) && !(from != DType.Bool && to == DType.Bool);
}
