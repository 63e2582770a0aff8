using System.Collections;
using AutoGrad.Random;

namespace AutoGrad.Training;

/// <summary>
/// One mini-batch: rows of the input (and of the target, when there is one) along dim 0, and which samples they are.
/// Without shuffling, <see cref="Input"/> and <see cref="Target"/> are views of the data (Narrow); with it, copies
/// (IndexSelect), as PyTorch's default collate copies the samples it stacks.
/// </summary>
public sealed record Batch(Tensor Input, Tensor? Target, long[] Indices)
{
    /// <summary>The number of samples in the batch.</summary>
    public int Size => Indices.Length;

    public override string ToString() =>
        $"Batch(size={Size}, input={Shapes.ToTorchSize(Input.Shape)}" +
        (Target is null ? ")" : $", target={Shapes.ToTorchSize(Target.Shape)})");
}

/// <summary>
/// torch.utils.data.DataLoader over a TensorDataset of an input and an optional target: each enumeration is one
/// epoch of mini-batches of <see cref="BatchSize"/> samples along dim 0, in order or shuffled, the last one smaller
/// unless <see cref="DropLast"/>.
/// </summary>
/// <remarks>
/// The draws are PyTorch's, so after the same torch.manual_seed the batches are PyTorch's and the global generator is
/// left where PyTorch leaves it (Dropout after the loader draws the same masks). Each enumeration first draws a base
/// seed (random64 modulo 2^63, what DataLoader's iterator keeps for worker processes), even without shuffling. A
/// shuffling pass then draws the seed of a fresh generator from the global one and takes that generator's
/// randperm(n) as the order (RandomSampler without a generator). With <see cref="Generator"/> set, the draws come
/// from it instead: the order is its randperm(n) directly, and after the last batch it draws one more randperm(n),
/// as DataLoader(generator=g) does.
/// </remarks>
public sealed class DataLoader : IEnumerable<Batch>
{
    public DataLoader(Tensor input, Tensor? target = null, int batchSize = 1, bool shuffle = false, bool dropLast = false,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (batchSize <= 0)
            throw TorchException.Value("InvalidBatchSize", $"batch_size should be a positive integer value, but got batch_size={batchSize}");
        if (input.Rank == 0) throw TorchException.Type("ZeroDimData", "len() of a 0-d tensor");
        if (target is not null)
        {
            if (target.Rank == 0) throw TorchException.Type("ZeroDimData", "len() of a 0-d tensor");
            if (target.Shape[0] != input.Shape[0])
                throw TorchException.Value("SizeMismatch",
                    $"Size mismatch between tensors: the input has {input.Shape[0]} samples (dim 0) and the target {target.Shape[0]}");
        }
        int n = input.Shape[0];
        if (shuffle && n == 0)
            throw TorchException.Value("NoSamples", "num_samples should be a positive integer value, but got num_samples=0");
        Input = input;
        Target = target;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Generator = generator;
    }

    public Tensor Input { get; }

    public Tensor? Target { get; }

    public int BatchSize { get; }

    public bool Shuffle { get; }

    public bool DropLast { get; }

    /// <summary>The generator to draw from; null for the global one (<see cref="Generator.Default"/>).</summary>
    public Generator? Generator { get; }

    /// <summary>The number of samples (len(dataset)).</summary>
    public int Samples => Input.Shape[0];

    /// <summary>The number of batches in an epoch (len(loader)).</summary>
    public int Count => DropLast ? Samples / BatchSize : (Samples + BatchSize - 1) / BatchSize;

    /// <summary>Starts an epoch: draws the base seed now (as iter(loader) does), the order at the first batch.</summary>
    public IEnumerator<Batch> GetEnumerator()
    {
        var generator = Generator ?? Generator.Default;
        generator.NextUInt64(); // _BaseDataLoaderIter's _base_seed: drawn and, without workers, unused
        return Batches(generator);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private IEnumerator<Batch> Batches(Generator generator)
    {
        int n = Samples;
        long[]? order = null;
        if (Shuffle)
        {
            if (Generator is null)
            {
                // RandomSampler: int(torch.empty((), dtype=torch.int64).random_()) seeds a fresh generator.
                ulong seed = generator.NextUInt64() % (1UL << 63);
                order = new Generator(seed).RandPerm(n);
            }
            else
            {
                order = generator.RandPerm(n);
            }
        }
        int batches = Count;
        for (int b = 0; b < batches; b++)
        {
            int start = b * BatchSize, length = Math.Min(BatchSize, n - start);
            if (order is null)
            {
                var indices = new long[length];
                for (int i = 0; i < length; i++) indices[i] = start + i;
                yield return new Batch(Input.Narrow(0, start, length), Target?.Narrow(0, start, length), indices);
            }
            else
            {
                var indices = order.AsSpan(start, length).ToArray();
                yield return new Batch(Input.IndexSelect(0, indices), Target?.IndexSelect(0, indices), indices);
            }
        }
        // RandomSampler's generator, run to its end by the batch sampler, draws one more (empty) randperm(n): on a
        // generator of its own that is invisible; on a given generator it moves that generator on.
        if (Shuffle && Generator is not null) generator.RandPerm(n);
    }
}
