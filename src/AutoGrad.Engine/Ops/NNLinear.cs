using AutoGrad.Autograd;

namespace AutoGrad;

// torch.addmm and F.linear. The forward and the backward formula of addmm sit together here (derivatives.yaml:
// self: grad * beta, mat1: mm_mat1_backward (grad @ mat2^T) * alpha, mat2: mm_mat2_backward (mat1^T @ grad) * alpha); linear is a composition whose node
// names follow PyTorch 2.x's at::linear.
public sealed partial class Tensor
{
    /// <summary>
    /// torch.addmm: beta * self + alpha * (mat1 @ mat2), with self broadcast to [m, n] (AddmmBackward0). With beta 0,
    /// self is ignored (NaN in it does not propagate), as BLAS and PyTorch do.
    /// </summary>
    public static Tensor Addmm(Tensor self, Tensor mat1, Tensor mat2, double beta = 1, double alpha = 1)
    {
        Arg.Tensor(self, "input");
        Arg.Tensor(mat1);
        Arg.Tensor(mat2);
        // ADDMM_META's checks, in its order and words.
        if (self.DType != mat2.DType)
            throw TorchException.Runtime("AddmmDTypeMismatch",
                $"self and mat2 must have the same dtype, but got {self.DType.ScalarTypeName()} and {mat2.DType.ScalarTypeName()}");
        if (mat1.DType != mat2.DType)
            throw TorchException.Runtime("AddmmDTypeMismatch",
                $"mat1 and mat2 must have the same dtype, but got {mat1.DType.ScalarTypeName()} and {mat2.DType.ScalarTypeName()}");
        if (mat1.Rank != 2) throw TorchException.Runtime("AddmmNotMatrix", $"mat1 must be a matrix, got {mat1.Rank}-D tensor");
        if (mat2.Rank != 2) throw TorchException.Runtime("AddmmNotMatrix", $"mat2 must be a matrix, got {mat2.Rank}-D tensor");
        if (mat1._shape[1] != mat2._shape[0])
            throw TorchException.Runtime("MatMulShapeMismatch",
                $"mat1 and mat2 shapes cannot be multiplied ({mat1._shape[0]}x{mat1._shape[1]} and {mat2._shape[0]}x{mat2._shape[1]})");
        if (!mat1.DType.IsFloating() && (beta != Math.Floor(beta) || alpha != Math.Floor(alpha)))
            throw TorchException.Runtime("AddmmIntegralScalar",
                "For integral input tensors, argument alpha must not be a floating point number.");

        Tensor result;
        using (GradMode.NoGrad())
        {
            int[] outShape = [mat1._shape[0], mat2._shape[1]];
            // expand_size(self, {m, n}, "addmm"): Expand raises PyTorch's message; otherwise the add broadcasts.
            if (!Shapes.IsExpandableTo(self._shape, outShape)) self.Expand(outShape);
            var product = mat1.Mm(mat2);
            if (alpha != 1) product = product.Mul(alpha);
            result = beta == 0 ? product : product.Add(beta == 1 ? self : self.Mul(beta));
        }
        if (Graph.NeedsGrad([self, mat1, mat2]))
            Graph.Record(result, "AddmmBackward0", [self, mat1, mat2], [mat1, mat2], (beta, alpha), static (g, s, state, n) =>
            {
                var (b, a) = state;
                Tensor? dSelf = n[0] ? (b == 1 ? g : g.Mul(b)) : null;
                Tensor? dMat1 = null, dMat2 = null;
                // The transposes are views, which the matmul kernel reads in place; each gradient takes its
                // matrix's layout (mm_mat1_backward, mm_mat2_backward).
                if (n[1]) dMat1 = MmMat1Backward(g, s[0], s[1]);
                if (n[2]) dMat2 = MmMat2Backward(g, s[0], s[1]);
                if (a != 1)
                {
                    dMat1 = dMat1?.Mul(a);
                    dMat2 = dMat2?.Mul(a);
                }
                return [dSelf, dMat1, dMat2];
            });
        return result;
    }

    /// <summary>
    /// F.linear: input @ weight^T + bias, as PyTorch 2.x's at::linear computes it, so the node names agree: 2-d
    /// input with a bias is one addmm (AddmmBackward0); another rank with a 1-d bias and contiguous input is viewed
    /// to 2-d, addmm'd and viewed back (ViewBackward0); without a bias it is matmul (MmBackward0 for 2-d input).
    /// PyTorch 1.13 differs for 1-d and 4-d+ input with a bias (matmul then add_: AddBackward0).
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        Arg.Tensor(input);
        Arg.Tensor(weight);
        if (input.Rank == 0 || weight.Rank == 0)
            throw TorchException.Runtime("LinearZeroDim",
                $"both arguments to linear need to be at least 1D, but they are {input.Rank}D and {weight.Rank}D");
        if (bias is not null && input.Rank == 2) return Addmm(bias, input, weight.T());
        bool fusable = bias is not null && (bias.Rank == 1 || bias._shape.Count(size => size != 1) == 1) && input.IsContiguous();
        if (fusable)
        {
            int cols = input._shape[^1], rows = 1;
            for (int d = 0; d < input.Rank - 1; d++) rows *= input._shape[d];
            var flat = Addmm(bias!, input.View(rows, cols), weight.T());
            var outShape = (int[])input._shape.Clone();
            outShape[^1] = flat._shape[1];
            return flat.View(outShape);
        }
        var output = input.MatMul(weight.T());
        return bias is null ? output : output.Add(bias);
    }
}
