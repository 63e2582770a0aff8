using AutoGrad.Random;

namespace AutoGrad.NN;

/// <summary>
/// In training mode zeroes each element with probability <see cref="P"/> and scales the others by 1 / (1 - p); in
/// eval mode passes the input through (torch.nn.Dropout). The mask comes from the global generator, so after
/// Set-RandomSeed / torch.manual_seed the same elements are dropped as in PyTorch (on a CPU build without MKL).
/// </summary>
public sealed class Dropout : Module
{
    public Dropout(double p = 0.5)
    {
        if (!(p >= 0 && p <= 1))
            throw TorchException.Value("DropoutProbability",
                $"dropout probability has to be between 0 and 1, but got {PythonRepr.Float(p)}");
        P = p;
    }

    public double P { get; }

    /// <summary>The generator the masks come from; null (the default) means the global one.</summary>
    public Generator? Generator { get; set; }

    public override Tensor Forward(Tensor input) => Arg.Tensor(input).Dropout(P, Training, Generator);

    public override string ExtraRepr() => $"p={PythonRepr.Float(P)}, inplace=False";
}
