namespace AutoGrad.Autograd;

/// <summary>
/// The number of in-place writes to one storage. A backward formula that reads a saved tensor checks that the
/// count is what it was when the tensor was saved, so a gradient is never computed from overwritten values.
/// </summary>
internal sealed class VersionCounter
{
    public int Value;
}
