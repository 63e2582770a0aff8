namespace AutoGrad.Ops;

/// <summary>
/// What <c>Invoke-Op Max -Dim d -WithIndices</c> writes: torch.max(x, dim)'s (values, indices) pair, printed as
/// PyTorch prints torch.return_types.max.
/// </summary>
public sealed class ValuesIndicesResult
{
    public ValuesIndicesResult(string function, Tensor values, Tensor indices)
    {
        Function = function;
        Values = values;
        Indices = indices;
    }

    /// <summary>The PyTorch function that made it: max or min.</summary>
    public string Function { get; }

    /// <summary>The largest (smallest) values along the dim.</summary>
    public Tensor Values { get; }

    /// <summary>Where they are along the dim (Int64).</summary>
    public Tensor Indices { get; }

    public override string ToString() => $"torch.return_types.{Function}(\nvalues={Values},\nindices={Indices})";
}
