namespace AutoGrad;

// PyTorch words the dtype check for requires_grad differently depending on who asks: the factories
// (torch.tensor(..., requires_grad=True), torch.zeros, torch.full, torch.rand ...) say "Only Tensors of floating
// point and complex dtype can require gradients", the attribute setter (t.requires_grad = True) the same with a
// lower-case "only". Both texts are checked against PyTorch 1.13 in the tests (tests/data/reliability-messages.py).
public sealed partial class Tensor
{
    internal const string FactoryRequiresGradMessage = "Only Tensors of floating point and complex dtype can require gradients";

    /// <summary>
    /// requires_grad=True given to a factory: makes the tensor it just created a leaf that requires grad, with the
    /// factories' message for a non-floating dtype.
    /// </summary>
    public Tensor RequiresGradOnCreation()
    {
        if (!DType.IsFloating())
            throw TorchException.Runtime("RequiresGradNonFloating", FactoryRequiresGradMessage);
        RequiresGrad = true;
        return this;
    }
}
