using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Matrix products. torch.matmul dispatches on ranks: 1-d @ 1-d is dot (DotBackward0), 2-d @ 1-d is mv
// (MvBackward0), 2-d @ 2-d is mm (MmBackward0), and 1-d @ 2-d is unsqueeze(0).mm(...).squeeze_(0), whose in-place
// squeeze_ names the node SqueezeBackward4.
// Unlike elementwise ops, matrix products do not promote dtypes: both operands must agree.
public sealed partial class Tensor
{
    public Tensor MatMul(Tensor other)
    {
        Arg.Tensor(other);
        int ra = Rank, rb = other.Rank;
        if (ra == 0 || rb == 0)
            throw TorchException.Runtime("MatMulZeroDim",
                $"both arguments to matmul need to be at least 1D, but they are {ra}D and {rb}D");
        if (ra == 1 && rb == 1) return Dot(other);
        if (ra == 2 && rb == 1) return Mv(other);
        if (ra == 1 && rb == 2) return Unsqueeze(0).Mm(other).SqueezeCore(0, "SqueezeBackward4");
        if (ra == 2 && rb == 2) return Mm(other);
        return BatchedMatMul(other);
    }

    /// <summary>torch.mm: [m,k] @ [k,n].</summary>
    public Tensor Mm(Tensor other)
    {
        Arg.Tensor(other);
        if (Rank != 2) throw TorchException.Runtime("MmNot2D", "self must be a matrix");
        if (other.Rank != 2) throw TorchException.Runtime("MmNot2D", "mat2 must be a matrix");
        if (_shape[1] != other._shape[0])
            throw TorchException.Runtime("MatMulShapeMismatch",
                $"mat1 and mat2 shapes cannot be multiplied ({_shape[0]}x{_shape[1]} and {other._shape[0]}x{other._shape[1]})");
        CheckSameDType(other, "expected m1 and m2 to have the same dtype, but got: {0} != {1}");
        var result = MatMulKernel(this, other, _shape[0], _shape[1], other._shape[1], [_shape[0], other._shape[1]]);
        if (Graph.NeedsGrad(this, other))
            // The transposes are views: the kernel reads them in place.
            Graph.Record(result, "MmBackward0", [this, other], [this, other], static (g, s, n) =>
                [n[0] ? MmMat1Backward(g, s[0], s[1]) : null, n[1] ? MmMat2Backward(g, s[0], s[1]) : null]);
        return result;
    }

    /// <summary>
    /// PyTorch's mm_mat1_backward: grad @ mat2^T, computed as (mat2 @ grad^T)^T when mat1 is column-major (a
    /// transposed view, such as F.linear's weight.t()), so that the gradient has mat1's layout: a weight's
    /// gradient then arrives in .grad contiguous, as the parameter is, with nothing to copy on the way.
    /// </summary>
    internal static Tensor MmMat1Backward(Tensor grad, Tensor mat1, Tensor mat2) =>
        IsColumnMajor(mat1) ? mat2.Mm(grad.T()).T() : grad.Mm(mat2.T());

    /// <summary>PyTorch's mm_mat2_backward: mat1^T @ grad, or (grad^T @ mat1)^T when mat2 is column-major.</summary>
    internal static Tensor MmMat2Backward(Tensor grad, Tensor mat1, Tensor mat2) =>
        IsColumnMajor(mat2) ? grad.T().Mm(mat1).T() : mat1.T().Mm(grad);

    /// <summary>The test of FunctionsManual.cpp: strides (1, rows), the transpose of a contiguous matrix.</summary>
    private static bool IsColumnMajor(Tensor m) => m._strides[0] == 1 && m._strides[1] == m._shape[0];

    /// <summary>torch.mv: [m,k] @ [k].</summary>
    public Tensor Mv(Tensor vec)
    {
        Arg.Tensor(vec);
        // mv is addmv_ into a fresh 1-d result: the ranks are checked first ("got" result, mat, vec dims), then sizes.
        if (Rank != 2 || vec.Rank != 1)
            throw TorchException.Runtime("MvNotMatrixVector",
                $"vector + matrix @ vector expected, got 1, {Rank}, {vec.Rank}");
        if (_shape[1] != vec._shape[0])
            throw TorchException.Runtime("MatMulShapeMismatch",
                $"size mismatch, got input ({_shape[0]}), mat ({_shape[0]}x{_shape[1]}), vec ({vec._shape[0]})");
        CheckSameDType(vec, "expected m1 and m2 to have the same dtype, but got: {0} != {1}");
        var result = MatMulKernel(this, vec, _shape[0], _shape[1], 1, [_shape[0]]);
        if (Graph.NeedsGrad(this, vec))
            Graph.Record(result, "MvBackward0", [this, vec], [this, vec], static (g, s, n) =>
                [n[0] ? g.Unsqueeze(1).Mul(s[1]) : null, n[1] ? s[0].T().Mv(g) : null]);
        return result;
    }

    /// <summary>torch.dot: inner product of two 1-d tensors of the same length.</summary>
    public Tensor Dot(Tensor other)
    {
        Arg.Tensor(other);
        // dot_check's order: ranks, dtypes (printed as ScalarType: Float, Double), then lengths.
        if (Rank != 1 || other.Rank != 1)
            throw TorchException.Runtime("DotNot1D", $"1D tensors expected, but got {Rank}D and {other.Rank}D tensors");
        if (DType != other.DType)
            throw TorchException.Runtime("MatMulDTypeMismatch",
                $"dot : expected both vectors to have same dtype, but found {DType.ScalarTypeName()} and {other.DType.ScalarTypeName()}");
        if (_shape[0] != other._shape[0])
            throw TorchException.Runtime("MatMulShapeMismatch",
                $"inconsistent tensor size, expected tensor [{_shape[0]}] and src [{other._shape[0]}] to have the same number of elements, but got {_shape[0]} and {other._shape[0]} elements respectively");
        var result = MatMulKernel(this, other, 1, _shape[0], 1, []);
        if (Graph.NeedsGrad(this, other))
            Graph.Record(result, "DotBackward0", [this, other], [this, other], static (g, s, n) =>
                [n[0] ? s[1].Mul(g) : null, n[1] ? s[0].Mul(g) : null]);
        return result;
    }

    private void CheckSameDType(Tensor other, string format)
    {
        if (DType != other.DType)
            throw TorchException.Runtime("MatMulDTypeMismatch", string.Format(format, CTypeName(DType), CTypeName(other.DType)));
    }

    private static string CTypeName(DType d) => d switch
    {
        DType.Float32 => "float",
        DType.Float64 => "double",
        DType.Int64 => "long int",
        _ => "bool",
    };

    /// <summary>
    /// a [m,k] @ b [k,n] (vectors as one row or column) into a new [m,n]-element result. A row-major operand is read
    /// in place, and so is a transposed one (a .T() view: strides [1, rows]), which the packed kernel reads
    /// transposed; anything else is gathered first.
    /// </summary>
    private static Tensor MatMulKernel(Tensor a, Tensor b, int m, int k, int n, int[] outShape)
    {
        if (a.DType == DType.Bool) throw TorchException.Runtime("MatMulBool", "\"addmm_impl_cpu_\" not implemented for 'Bool'");
        var result = Empty(outShape, a.DType);
        var (aData, aOffset, transA) = a.MatrixLayout();
        var (bData, bOffset, transB) = b.MatrixLayout();
        DTypeDispatch.Numeric(a.DType, new MatMulCall(aData, aOffset, transA, bData, bOffset, transB, result, m, k, n));
        return result;
    }

    /// <summary>c = a @ b into a fresh result (a, b from offsets, each read transposed or not), for one element type.</summary>
    private readonly record struct MatMulCall(Array A, int AOffset, bool TransA, Array B, int BOffset, bool TransB, Tensor C,
        int M, int K, int N) : INumericAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.INumber<T> =>
            MatMulKernels.MatMul(((T[])A).AsSpan(AOffset), TransA, ((T[])B).AsSpan(BOffset), TransB, C.Fillable<T>(), M, K, N);
    }

    /// <summary>
    /// How a matrix (or vector) operand can be read: its storage and offset as row-major, or as the transpose of a
    /// row-major matrix; otherwise a gathered row-major copy.
    /// </summary>
    private (Array Data, int Offset, bool Transposed) MatrixLayout()
    {
        if (Layout.IsContiguous(_shape, _strides)) return (Buffer, _offset, false);
        if (Rank == 2)
        {
            int rows = _shape[0], cols = _shape[1];
            if ((_strides[0] == 1 || rows == 1) && (_strides[1] == rows || cols == 1)) return (Buffer, _offset, true);
        }
        return (Dense, 0, false);
    }

}
