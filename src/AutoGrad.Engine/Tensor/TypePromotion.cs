namespace AutoGrad;

/// <summary>
/// torch.result_type for two operands. Operands fall into three groups - tensors with dims, 0-d tensors, and
/// plain numbers - and a lower group changes the result only when its category (bool &lt; integer &lt; floating)
/// is higher than everything above it. A plain float number then counts as the default float dtype (float32).
/// </summary>
public static class TypePromotion
{
    public static DType ResultType(Tensor a, Tensor b)
    {
        // The ops of two tensors outside BinaryOps (pow, where, clamp's tensor bounds) start here: a null operand is
        // Python's TypeError. (BinaryOp.Forward names the op and operand for the declared ones.)
        if (a is null || b is null)
            throw TorchException.Type("NoneArgument", "expected Tensor as argument 'other', but got NoneType");
        DType? dim = null, zero = null, wrapped = null;
        Update(a, ref dim, ref zero, ref wrapped);
        Update(b, ref dim, ref zero, ref wrapped);
        return CombineCategories(dim, CombineCategories(zero, wrapped)) ?? DType.Float32;
    }

    private static void Update(Tensor t, ref DType? dim, ref DType? zero, ref DType? wrapped)
    {
        if (t.IsWrappedNumber)
        {
            // A Python float is wrapped as double but promotes as the default dtype.
            var d = t.DType.IsFloating() ? DTypes.DefaultFloat : t.DType;
            wrapped = wrapped is null ? d : DTypes.Promote(wrapped.Value, d);
        }
        else if (t.Rank == 0) zero = zero is null ? t.DType : DTypes.Promote(zero.Value, t.DType);
        else dim = dim is null ? t.DType : DTypes.Promote(dim.Value, t.DType);
    }

    /// <summary>c10's combine_categories: the higher group wins unless the lower is of a higher category.</summary>
    private static DType? CombineCategories(DType? higher, DType? lower)
    {
        if (higher is null) return lower;
        if (lower is null) return higher;
        if (higher.Value.IsFloating()) return higher;
        if (higher.Value == DType.Bool || lower.Value.IsFloating()) return DTypes.Promote(higher.Value, lower.Value);
        return higher;
    }
}
