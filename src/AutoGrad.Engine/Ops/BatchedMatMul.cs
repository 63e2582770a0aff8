using AutoGrad.Autograd;
using AutoGrad.Kernels;

namespace AutoGrad;

// Batched products: torch.bmm, and the matmul cases with a 3-d or larger operand, which PyTorch computes as a
// fold into mm/mv or a broadcast bmm followed by _unsafe_view (so the result's node is UnsafeViewBackward0).
public sealed partial class Tensor
{
    /// <summary>torch.bmm: [b,n,m] @ [b,m,p] (BmmBackward0).</summary>
    public Tensor Bmm(Tensor other)
    {
        Arg.Tensor(other);
        if (Rank != 3) throw TorchException.Runtime("BmmNot3D", "batch1 must be a 3D tensor");
        if (other.Rank != 3) throw TorchException.Runtime("BmmNot3D", "batch2 must be a 3D tensor");
        int b = _shape[0], n = _shape[1], m = _shape[2], p = other._shape[2];
        if (other._shape[0] != b || other._shape[1] != m)
            throw TorchException.Runtime("BmmShapeMismatch",
                $"Expected size for first two dimensions of batch2 tensor to be: [{b}, {m}] but got: [{other._shape[0]}, {other._shape[1]}].");
        CheckSameDType(other, "expected scalar type {0} but found {1}");
        if (DType == DType.Bool) throw TorchException.Runtime("MatMulBool", "\"bmm\" not implemented for 'Bool'");
        var result = Empty([b, n, p], DType);
        DTypeDispatch.Numeric(DType, new BmmCall(Dense, other.Dense, result, b, n, m, p));
        if (Graph.NeedsGrad(this, other))
            Graph.Record(result, "BmmBackward0", [this, other], [this, other], static (g, s, n) =>
                [n[0] ? g.Bmm(s[1].Transpose(1, 2)) : null, n[1] ? s[0].Transpose(1, 2).Bmm(g) : null]);
        return result;
    }

    /// <summary>torch.outer: a.reshape(-1, 1) * b (so MulBackward0).</summary>
    public Tensor Outer(Tensor other)
    {
        Arg.Tensor(other);
        if (Rank != 1 || other.Rank != 1)
            throw TorchException.Runtime("OuterNot1D", $"outer: Expected 1-D argument self, but got {Rank}-D");
        return Reshape(_shape[0], 1).Mul(other);
    }

    /// <summary>matmul with at least one operand of rank 3 or more.</summary>
    private Tensor BatchedMatMul(Tensor other)
    {
        CheckSameDType(other, "expected m1 and m2 to have the same dtype, but got: {0} != {1}");
        int ra = Rank, rb = other.Rank;
        // Fold: [..., n, m] @ [m, p] or [m] is one mm/mv over the flattened batch.
        if (ra >= 3 && rb <= 2)
        {
            int m = _shape[^1];
            if ((rb == 2 ? other._shape[0] : other._shape[0]) != m)
                throw TorchException.Runtime("MatMulShapeMismatch",
                    $"mat1 and mat2 shapes cannot be multiplied ({NumElements / Math.Max(m, 1)}x{m} and {Shapes.Join(other._shape).Replace(", ", "x")})");
            var outShape = _shape[..^1].ToList();
            var folded = Reshape(-1, m);
            Tensor product;
            if (rb == 2) { outShape.Add(other._shape[1]); product = folded.Mm(other); }
            else product = folded.Mv(other);
            return product.UnsafeView(outShape.ToArray());
        }
        var a = ra == 1 ? Unsqueeze(0) : this;
        var b = rb == 1 ? other.Unsqueeze(-1) : other;
        int n1 = a._shape[^2], m1 = a._shape[^1], m2 = b._shape[^2], p2 = b._shape[^1];
        if (m1 != m2)
            throw TorchException.Runtime("MatMulShapeMismatch",
                $"Expected size for first two dimensions of batch2 tensor to be: [{Shapes.NumElements(b._shape[..^2])}, {m1}] but got: [{Shapes.NumElements(b._shape[..^2])}, {m2}].");
        var batch = Shapes.Broadcast(a._shape[..^2], b._shape[..^2]);
        int batchSize = Shapes.NumElements(batch);
        var ea = a.Expand([.. batch, n1, m1]).Reshape(batchSize, n1, m1);
        var eb = b.Expand([.. batch, m2, p2]).Reshape(batchSize, m2, p2);
        var shape = batch.ToList();
        if (ra > 1) shape.Add(n1);
        if (rb > 1) shape.Add(p2);
        return ea.Bmm(eb).UnsafeView(shape.ToArray());
    }

    /// <summary>at::_unsafe_view: a reshape recorded as UnsafeViewBackward0.</summary>
    private Tensor UnsafeView(int[] shape)
    {
        // The input is a fresh, compact bmm result: the reshape shares its storage without being a view of it.
        var result = new Tensor(_storage, _offset, shape, Shapes.ContiguousStrides(shape), DType);
        if (Graph.NeedsGrad(this))
            Graph.Record(result, "UnsafeViewBackward0", [this], [], ShapeArray, static (g, _, state, _) => [g.Reshape(state)]);
        return result;
    }

    /// <summary>Each of <paramref name="Batches"/> products [n,m] @ [m,p] of contiguous batches, for one element type.</summary>
    private readonly record struct BmmCall(Array Self, Array Other, Tensor Result, int Batches, int N, int M, int P) : INumericAction
    {
        public void Run<T>() where T : unmanaged, System.Numerics.INumber<T>
        {
            var (self, other, result) = ((T[])Self, (T[])Other, Result.Fillable<T>());
            for (int i = 0; i < Batches; i++)
                MatMulKernels.MatMul<T>(self.AsSpan(i * N * M, N * M), false, other.AsSpan(i * M * P, M * P), false,
                    result.AsSpan(i * N * P, N * P), N, M, P);
        }
    }
}
