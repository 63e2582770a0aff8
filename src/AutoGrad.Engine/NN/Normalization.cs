using AutoGrad.Autograd;

namespace AutoGrad.NN;

/// <summary>
/// Normalizes over the trailing <see cref="NormalizedShape"/> dims, then scales and shifts by a learned weight (ones)
/// and bias (zeros) (torch.nn.LayerNorm). Draws nothing from the generator.
/// </summary>
public sealed class LayerNorm : Module
{
    public LayerNorm(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, bool bias = true,
        DType dtype = DType.Float32)
    {
        NormalizedShape = (int[])Arg.Ints(normalizedShape, "normalized_shape", "LayerNorm").Clone();
        Eps = eps;
        ElementwiseAffine = elementwiseAffine;
        if (elementwiseAffine)
        {
            Init.CheckSizes(NormalizedShape);
            Weight = RegisterParameter("weight", Tensor.Ones(NormalizedShape, dtype));
            if (bias) Bias = RegisterParameter("bias", Tensor.Zeros(NormalizedShape, dtype));
        }
    }

    public int[] NormalizedShape { get; }
    public double Eps { get; }
    public bool ElementwiseAffine { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => Tensor.LayerNorm(input, NormalizedShape, Weight, Bias, Eps);

    public override string ExtraRepr() =>
        $"{PythonRepr.Tuple(NormalizedShape)}, eps={PythonRepr.Float(Eps)}, elementwise_affine={PythonRepr.Bool(ElementwiseAffine)}";
}

/// <summary>
/// Batch normalization over the channels of [N, C] or [N, C, L] input (torch.nn.BatchNorm1d). In training mode it
/// normalizes with the batch's statistics and updates the running ones (momentum, unbiased variance; a null
/// momentum keeps a cumulative average); in eval mode it normalizes with the running statistics.
/// </summary>
public sealed class BatchNorm1d : Module
{
    public BatchNorm1d(int numFeatures, double eps = 1e-5, double? momentum = 0.1, bool affine = true,
        bool trackRunningStats = true, DType dtype = DType.Float32)
    {
        Init.CheckSizes([numFeatures]);
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        Affine = affine;
        TrackRunningStats = trackRunningStats;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones([numFeatures], dtype));
            Bias = RegisterParameter("bias", Tensor.Zeros([numFeatures], dtype));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros([numFeatures], dtype));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones([numFeatures], dtype));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Zeros([], DType.Int64));
        }
    }

    public int NumFeatures { get; }
    public double Eps { get; }

    /// <summary>The weight of a new batch's statistics in the running ones; null for a cumulative average.</summary>
    public double? Momentum { get; }

    public bool Affine { get; }
    public bool TrackRunningStats { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }

    /// <summary>How many training batches updated the running statistics (an Int64 0-d tensor).</summary>
    public Tensor? NumBatchesTracked { get; }

    public override Tensor Forward(Tensor input)
    {
        Arg.Tensor(input);
        if (input.Rank is not (2 or 3))
            throw TorchException.Value("BatchNormInputRank", $"expected 2D or 3D input (got {input.Rank}D input)");
        double factor = Momentum ?? 0.0;
        bool update = Training && TrackRunningStats;
        if (update)
        {
            long perChannel = (long)input.Size(0) * (input.Rank == 3 ? input.Size(2) : 1);
            if (perChannel == 1)
                throw TorchException.Value("BatchNormSingleValue",
                    $"Expected more than 1 value per channel when training, got input size {Shapes.ToTorchSize(input.Shape)}");
            using (GradMode.NoGrad()) NumBatchesTracked!.Add_(Tensor.FromArray(new[] { 1L }));
            if (Momentum is null) factor = 1.0 / (long)NumBatchesTracked.Item();
        }
        bool batchStats = Training || RunningMean is null;
        return Tensor.BatchNorm(input, !Training || TrackRunningStats ? RunningMean : null,
            !Training || TrackRunningStats ? RunningVar : null, Weight, Bias, batchStats, factor, Eps);
    }

    /// <summary>
    /// PyTorch fills in a missing num_batches_tracked from the module itself when a state dict carries no version
    /// (a plain dictionary, as everything loaded here is), so older checkpoints without the count still load.
    /// </summary>
    private protected override void BeforeLoadStateDict(Dictionary<string, object?> entries, List<string> order, string prefix)
    {
        if (NumBatchesTracked is null) return;
        var key = prefix + "num_batches_tracked";
        if (entries.TryAdd(key, NumBatchesTracked.Detach())) order.Add(key);
    }

    public override string ExtraRepr() =>
        $"{PythonRepr.Int(NumFeatures)}, eps={PythonRepr.Float(Eps)}, momentum={(Momentum is { } m ? PythonRepr.Float(m) : "None")}, affine={PythonRepr.Bool(Affine)}, track_running_stats={PythonRepr.Bool(TrackRunningStats)}";
}
