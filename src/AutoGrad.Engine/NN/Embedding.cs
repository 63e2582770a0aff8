using AutoGrad.Random;

namespace AutoGrad.NN;

/// <summary>
/// A lookup table of <see cref="NumEmbeddings"/> vectors of size <see cref="EmbeddingDim"/> (torch.nn.Embedding):
/// Int64 indices of any shape in, their rows out. The weight starts as N(0, 1) samples drawn as PyTorch's normal_
/// draws them; the padding row, if any, starts at zero and never receives a gradient.
/// </summary>
public sealed class Embedding : Module
{
    public Embedding(int numEmbeddings, int embeddingDim, long? paddingIdx = null, DType dtype = DType.Float32,
        Generator? generator = null)
    {
        Init.CheckSizes([numEmbeddings, embeddingDim]);
        if (paddingIdx is { } pad)
        {
            if (pad >= numEmbeddings || pad < -numEmbeddings)
                throw TorchException.Value("EmbeddingPaddingIdx", "Padding_idx must be within num_embeddings");
            PaddingIdx = pad < 0 ? pad + numEmbeddings : pad;
        }
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        var weight = Tensor.RandN([numEmbeddings, embeddingDim], dtype, generator ?? Generator.Default);
        if (PaddingIdx is { } row)
        {
            var values = weight.ToDoubleArray();
            Array.Clear(values, (int)row * embeddingDim, embeddingDim);
            weight = Tensor.FromDoubles(values, weight.Shape, dtype);
        }
        Weight = RegisterParameter("weight", weight);
    }

    public int NumEmbeddings { get; }
    public int EmbeddingDim { get; }

    /// <summary>The padding row in [0, NumEmbeddings) (a negative index given is counted from the end), or null.</summary>
    public long? PaddingIdx { get; }

    /// <summary>[num_embeddings, embedding_dim].</summary>
    public Tensor Weight { get; }

    public override Tensor Forward(Tensor input) => Tensor.Embedding(Weight, input, PaddingIdx);

    public override string ExtraRepr() =>
        $"{PythonRepr.Int(NumEmbeddings)}, {PythonRepr.Int(EmbeddingDim)}" +
        (PaddingIdx is { } pad ? $", padding_idx={PythonRepr.Int(pad)}" : "");
}
