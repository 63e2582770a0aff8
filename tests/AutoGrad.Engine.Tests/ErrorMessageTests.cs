using AutoGrad.Autograd;
using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>The first line of PyTorch's error for each mistake, and the Python exception class it raises.</summary>
public class ErrorMessageTests
{
    private static Tensor Zeros(params int[] shape) => Tensor.Zeros(shape, DType.Float32);

    private static readonly Dictionary<string, (Action Act, TorchErrorKind Kind, string Message)> Cases = new()
    {
        ["reshape to a wrong size"] = (() => Zeros(2, 3).Reshape(4, 2), TorchErrorKind.RuntimeError,
            "shape '[4, 2]' is invalid for input of size 6"),
        ["reshape with -1 that does not divide"] = (() => Zeros(2, 3).Reshape(4, -1), TorchErrorKind.RuntimeError,
            "shape '[4, -1]' is invalid for input of size 6"),
        ["reshape with two -1"] = (() => Zeros(2, 3).Reshape(-1, -1), TorchErrorKind.RuntimeError,
            "only one dimension can be inferred"),
        ["reshape of an empty tensor with -1 next to a 0"] = (() => Zeros(0, 3).Reshape(0, -1), TorchErrorKind.RuntimeError,
            "cannot reshape tensor of 0 elements into shape [0, -1] because the unspecified dimension size -1 can be any value and is ambiguous"),
        ["reshape of a full tensor with -1 next to a 0"] = (() => Zeros(2, 3).Reshape(0, -1), TorchErrorKind.RuntimeError,
            "shape '[0, -1]' is invalid for input of size 6"),
        ["view of a transpose"] = (() => Zeros(2, 3).T().View(6), TorchErrorKind.RuntimeError,
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."),
        ["view of exp of a transpose"] = (() => Zeros(2, 3).T().Exp().View(6), TorchErrorKind.RuntimeError,
            "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."),
        ["sum over dim 2 of a matrix"] = (() => Zeros(2, 3).Sum(2), TorchErrorKind.IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
        ["mean over dim -3 of a matrix"] = (() => Zeros(2, 3).Mean(-3), TorchErrorKind.IndexError,
            "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
        ["sum over dim 1 of a 0-d tensor"] = (() => Zeros().Sum(1), TorchErrorKind.IndexError,
            "Dimension out of range (expected to be in range of [-1, 0], but got 1)"),
        ["unsqueeze past the end"] = (() => Zeros(2, 3).Unsqueeze(3), TorchErrorKind.IndexError,
            "Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
        ["sum with a repeated dim"] = (() => Zeros(2, 3).Sum([1, -1]), TorchErrorKind.RuntimeError,
            "dim 1 appears multiple times in the list of dims"),
        ["broadcast clash"] = (() => Zeros(3).Add(Zeros(2)), TorchErrorKind.RuntimeError,
            "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0"),
        ["mm of 2x3 and 2x3"] = (() => Zeros(2, 3).MatMul(Zeros(2, 3)), TorchErrorKind.RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"),
        // F.nll_loss(torch.tensor([[1, 2], [3, 4]]), torch.tensor([0, 1])) in PyTorch 1.13.1.
        ["nll_loss of int64 log-probabilities"] = (() => Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2).NllLoss(Tensor.FromArray(new long[] { 0, 1 }, 2)),
            TorchErrorKind.RuntimeError, "\"nll_loss_out_frame\" not implemented for 'Long'"),
        // F.batch_norm(torch.tensor([[1, 2], [3, 4]]), None, None, training=True) in PyTorch 1.13.1.
        ["batch_norm of int64 input"] = (() => Tensor.BatchNorm(Tensor.FromArray(new long[] { 1, 2, 3, 4 }, 2, 2), null, null, training: true),
            TorchErrorKind.RuntimeError, "\"batch_norm\" not implemented for 'Long'"),
        ["vec @ mat of mismatched sizes"] = (() => Zeros(2).MatMul(Zeros(3, 4)), TorchErrorKind.RuntimeError,
            "mat1 and mat2 shapes cannot be multiplied (1x2 and 3x4)"),
        ["mm of float32 and float64"] = (() => Zeros(2, 3).Mm(Tensor.Zeros([3, 2], DType.Float64)), TorchErrorKind.RuntimeError,
            "expected m1 and m2 to have the same dtype, but got: float != double"),
        ["mm of a vector"] = (() => Zeros(3).Mm(Zeros(3, 2)), TorchErrorKind.RuntimeError, "self must be a matrix"),
        ["mv of mismatched sizes"] = (() => Zeros(2, 3).MatMul(Zeros(2)), TorchErrorKind.RuntimeError,
            "size mismatch, got input (2), mat (2x3), vec (2)"),
        ["mv of a vector and a vector"] = (() => Zeros(3).Mv(Zeros(3)), TorchErrorKind.RuntimeError,
            "vector + matrix @ vector expected, got 1, 1, 1"),
        ["dot of mismatched sizes"] = (() => Zeros(3).MatMul(Zeros(2)), TorchErrorKind.RuntimeError,
            "inconsistent tensor size, expected tensor [3] and src [2] to have the same number of elements, but got 3 and 2 elements respectively"),
        ["dot of float32 and float64"] = (() => Zeros(3).Dot(Tensor.Zeros([2], DType.Float64)), TorchErrorKind.RuntimeError,
            "dot : expected both vectors to have same dtype, but found Float and Double"),
        ["dot of matrices"] = (() => Zeros(2, 2).Dot(Zeros(2, 2)), TorchErrorKind.RuntimeError,
            "1D tensors expected, but got 2D and 2D tensors"),
        ["matmul of a 0-d tensor"] = (() => Zeros().MatMul(Zeros(2)), TorchErrorKind.RuntimeError,
            "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
        ["t of a 3-d tensor"] = (() => Zeros(1, 2, 3).T(), TorchErrorKind.RuntimeError,
            "t() expects a tensor with <= 2 dimensions, but self is 3D"),
        ["expand to a clashing size"] = (() => Zeros(3).Expand(2, 4), TorchErrorKind.RuntimeError,
            "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target sizes: [2, 4].  Tensor sizes: [3]"),
        ["expand to fewer dims (float32)"] = (() => Zeros(2, 3).Expand(3), TorchErrorKind.RuntimeError,
            "expand(torch.FloatTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)"),
        ["expand to fewer dims (float64)"] = (() => Tensor.Zeros([2, 3], DType.Float64).Expand(3), TorchErrorKind.RuntimeError,
            "expand(torch.DoubleTensor{[2, 3]}, size=[3]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)"),
        ["expand to fewer dims (int64)"] = (() => Tensor.Zeros([2], DType.Int64).Expand(), TorchErrorKind.RuntimeError,
            "expand(torch.LongTensor{[2]}, size=[]): the number of sizes provided (0) must be greater or equal to the number of dimensions in the tensor (1)"),
        ["mean of int64"] = (() => Tensor.Zeros([2], DType.Int64).Mean(), TorchErrorKind.RuntimeError,
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long"),
        ["int64 to a negative int power"] = (() => Tensor.Ones([2], DType.Int64).Pow(-1L), TorchErrorKind.RuntimeError,
            "Integers to negative integer powers are not allowed."),
        ["bool minus bool"] = (() => Tensor.Ones([2], DType.Bool).Sub(Tensor.Ones([2], DType.Bool)), TorchErrorKind.RuntimeError,
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."),
        ["negate bool"] = (() => Tensor.Ones([2], DType.Bool).Neg(), TorchErrorKind.RuntimeError,
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."),
        ["item of two elements"] = (() => Zeros(2).Item(), TorchErrorKind.RuntimeError,
            "a Tensor with 2 elements cannot be converted to Scalar"),
        ["requires_grad on int64"] = (() => Tensor.Zeros([2], DType.Int64).RequiresGrad = true, TorchErrorKind.RuntimeError,
            "only Tensors of floating point and complex dtype can require gradients"),
        ["backward on a tensor without grad_fn"] = (() => Zeros(1).Sum().Backward(), TorchErrorKind.RuntimeError,
            "element 0 of tensors does not require grad and does not have a grad_fn"),
        ["backward on a non-scalar without gradient"] = (() => Leaf([1, 2], 2).Mul(2L).Backward(), TorchErrorKind.RuntimeError,
            "grad can be implicitly created only for scalar outputs"),
        ["backward with a gradient of the wrong shape"] = (() => Leaf([1, 2, 3], 3).Mul(2L).Backward(F64([1, 2], 2)),
            TorchErrorKind.RuntimeError,
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3])."),
        ["assigning a grad of another shape"] = (() => Leaf([1, 2], 2).Grad = F64([1], 1), TorchErrorKind.RuntimeError,
            "assigned grad has data of a different size"),
        ["assigning a grad of another dtype"] = (() => Leaf([1, 2], 2).Grad = F32([1, 2], 2), TorchErrorKind.RuntimeError,
            "assigned grad has data of a different type"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Raises_pytorchs_error(string mistake)
    {
        var (act, kind, message) = Cases[mistake];
        var e = Assert.Throws<TorchException>(act);
        Assert.Equal(message, e.Message);
        Assert.Equal(kind, e.Kind);
        Assert.False(string.IsNullOrEmpty(e.Id));
    }

    [Fact]
    public void Backward_names_the_index_of_the_offending_output()
    {
        var x = Leaf([1], 1);
        var e = Assert.Throws<TorchException>(() => BackwardEngine.Backward([x.Sum(), F64([1], 1).Sum()]));
        Assert.Equal("element 1 of tensors does not require grad and does not have a grad_fn", e.Message);
    }

    [Fact]
    public void Gradient_shape_is_checked_before_requires_grad()
    {
        // torch.autograd's _make_grads compares shapes before the engine looks for a grad_fn.
        var e = Assert.Throws<TorchException>(() => F64([1, 2, 3], 3).Backward(F64([1, 2], 2)));
        Assert.StartsWith("Mismatch in shape", e.Message);
    }
}
