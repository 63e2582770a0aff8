using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// In-place updates (PyTorch's trailing-underscore methods: add_, mul_, zero_ ...). They write into this tensor's
// storage, so every alias sees the change, and bump its version counter, so a backward pass that saved the old
// values fails loudly instead of computing a wrong gradient. A leaf that requires grad may be updated only with
// gradient recording off (an optimizer step under Use-NoGrad); a non-leaf is rebased onto the op's node.
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
            Graph.Record(filled, "FillBackward0", [a], [], null, static (g, _, _, _) => [ZerosLike(g)]);
        return filled;
    });

    /// <summary>Copies (broadcast, cast) values from <paramref name="source"/> (copy_; node CopyBackwards).</summary>
    public Tensor Copy_(Tensor source) => InPlace(Arg.Tensor(source), static (a, b) =>
    {
        // The source broadcasts to this tensor's shape, never the other way (PyTorch's two texts).
        if (!Shapes.Equal(Shapes.Broadcast(a.ShapeArray, b.ShapeArray), a.ShapeArray))
            throw TorchException.Runtime("InPlaceShapeMismatch",
                $"output with shape [{Shapes.Join(a.ShapeArray)}] doesn't match the broadcast shape [{Shapes.Join(Shapes.Broadcast(a.ShapeArray, b.ShapeArray))}]");
        var copied = new Tensor(b.Cast(a.DType).ExpandData(a.ShapeArray), a.ShapeArray, a.DType);
        if (Graph.NeedsGrad(a, b))
            Graph.Record(copied, "CopyBackwards", [a, b], [], null, static (g, _, _, n) => [n[0] ? ZerosLike(g) : null, n[1] ? g : null]);
        return copied;
    });

    private Tensor InPlace(Tensor? other, Func<Tensor, Tensor> op) => InPlace(other, (a, _) => op(a));

    private Tensor InPlace(Tensor? other, Func<Tensor, Tensor, Tensor> op)
    {
        bool record = GradMode.IsEnabled && (RequiresGrad || other?.RequiresGrad == true);
        if (record && IsLeaf && RequiresGrad)
            throw TorchException.Runtime("InPlaceOnLeaf", "a leaf Variable that requires grad is being used in an in-place operation.");
        Tensor result;
        if (record)
        {
            // The op reads a snapshot carrying this tensor's history, so its saved values stay the old ones.
            var snapshot = new Tensor((Array)Storage.Clone(), _shape, DType, LogicalStrides) { GradFn = GradFn };
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
        Array.Copy(result.StorageAs(DType), Storage, Storage.Length);
        Interlocked.Increment(ref Version.Value);   // atomic: in-place writes from several threads all count
        if (record) GradFn = result.GradFn;
        return this;
    }

    /// <summary>PyTorch's canCast: no floating into integral, nothing non-bool into bool.</summary>
    private static bool CanCastInPlace(DType from, DType to) =>
        !(from.IsFloating() && !to.IsFloating()) && !(from != DType.Bool && to == DType.Bool);
}
