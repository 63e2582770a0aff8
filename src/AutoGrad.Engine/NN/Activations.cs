namespace AutoGrad.NN;

// The parameter-free layers: each forwards to the tensor op of the same name, so the graph records PyTorch's node
// (ReluBackward0, TanhBackward0, GeluBackward0, SoftmaxBackward0, ...), and prints PyTorch's extra_repr.

/// <summary>max(0, x) (torch.nn.ReLU).</summary>
public sealed class ReLU : Module
{
    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Relu();
}

/// <summary>tanh(x) (torch.nn.Tanh).</summary>
public sealed class Tanh : Module
{
    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Tanh();
}

/// <summary>1 / (1 + exp(-x)) (torch.nn.Sigmoid).</summary>
public sealed class Sigmoid : Module
{
    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Sigmoid();
}

/// <summary>x * sigmoid(x) (torch.nn.SiLU).</summary>
public sealed class SiLU : Module
{
    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Silu();
}

/// <summary>Returns its input unchanged (torch.nn.Identity), a placeholder in a Sequential.</summary>
public sealed class Identity : Module
{
    public override Tensor Forward(Tensor input) => input;
}

/// <summary>x * Phi(x), exactly or with the tanh approximation (torch.nn.GELU).</summary>
public sealed class GELU : Module
{
    public GELU(string approximate = "none")
    {
        if (approximate is not ("none" or "tanh"))
            throw TorchException.Runtime("GeluApproximate", "approximate argument must be either none or tanh.");
        Approximate = approximate;
    }

    public string Approximate { get; }

    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Gelu(Approximate);

    public override string ExtraRepr() => $"approximate='{Approximate}'";
}

/// <summary>max(0, x) + negative_slope * min(0, x) (torch.nn.LeakyReLU).</summary>
public sealed class LeakyReLU : Module
{
    public LeakyReLU(double negativeSlope = 0.01) => NegativeSlope = negativeSlope;

    public double NegativeSlope { get; }

    public override Tensor Forward(Tensor input) => Arg.Tensor(input).LeakyRelu(NegativeSlope);

    public override string ExtraRepr() => $"negative_slope={PythonRepr.Float(NegativeSlope)}";
}

/// <summary>
/// exp(x) / sum(exp(x)) along <see cref="Dim"/> (torch.nn.Softmax). Without a dim PyTorch's deprecated implicit
/// choice applies: dim 0 for 0-, 1- and 3-d input, else dim 1.
/// </summary>
public class Softmax : Module
{
    public Softmax(int? dim = null) => Dim = dim;

    public int? Dim { get; }

    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Softmax(Dim ?? ImplicitDim(input.Rank));

    public override string ExtraRepr() => $"dim={(Dim is { } d ? PythonRepr.Int(d) : "None")}";

    /// <summary>_get_softmax_dim: the dim PyTorch picks when none is given.</summary>
    public static int ImplicitDim(int rank) => rank is 0 or 1 or 3 ? 0 : 1;
}

/// <summary>log(softmax(x)) along <see cref="Softmax.Dim"/>, computed stably (torch.nn.LogSoftmax).</summary>
public sealed class LogSoftmax : Softmax
{
    public LogSoftmax(int? dim = null) : base(dim) { }

    public override Tensor Forward(Tensor input) => Arg.Tensor(input).LogSoftmax(Dim ?? ImplicitDim(input.Rank));
}

/// <summary>Merges dims start_dim..end_dim (torch.nn.Flatten; by default all but the batch dim).</summary>
public sealed class Flatten : Module
{
    public Flatten(int startDim = 1, int endDim = -1)
    {
        StartDim = startDim;
        EndDim = endDim;
    }

    public int StartDim { get; }
    public int EndDim { get; }

    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Flatten(StartDim, EndDim);

    public override string ExtraRepr() => $"start_dim={PythonRepr.Int(StartDim)}, end_dim={PythonRepr.Int(EndDim)}";
}
