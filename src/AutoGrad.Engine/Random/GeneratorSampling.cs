namespace AutoGrad.Random;

/// <summary>
/// A snapshot of a <see cref="Generator"/> (torch.get_rng_state): <see cref="Generator.SetState"/> with it makes the
/// generator repeat exactly the numbers that followed the snapshot. Immutable; equal snapshots compare equal.
/// </summary>
public sealed class GeneratorState : IEquatable<GeneratorState>
{
    private readonly uint[] _words;

    internal GeneratorState(ulong seed, uint[] words, int index, double? nextDoubleNormal)
    {
        Seed = seed;
        _words = words;
        Index = index;
        NextDoubleNormal = nextDoubleNormal;
    }

    /// <summary>The seed the generator was last seeded with (torch.initial_seed at the time of the snapshot).</summary>
    public ulong Seed { get; }

    internal int Index { get; }
    internal double? NextDoubleNormal { get; }
    internal ReadOnlySpan<uint> Words => _words;

    public bool Equals(GeneratorState? other) =>
        other is not null && Seed == other.Seed && Index == other.Index &&
        NextDoubleNormal.Equals(other.NextDoubleNormal) && _words.AsSpan().SequenceEqual(other._words);

    public override bool Equals(object? obj) => Equals(obj as GeneratorState);

    public override int GetHashCode() => HashCode.Combine(Seed, Index, _words[0], _words[Math.Min(Index, _words.Length - 1)]);

    public override string ToString() => $"GeneratorState(seed={Seed})";
}

// Sampling on PyTorch's CPU generator beyond rand/randn: uniform_(from, to), bernoulli_(p), randperm, raw draws, and
// state save/restore. Each follows the CPU kernel in ATen (DistributionTemplates.h, TransformationHelper.h,
// TensorFactories.cpp) draw for draw, so the same seed gives the same numbers and leaves the stream where PyTorch
// leaves it.
public sealed partial class Generator
{
    /// <summary>torch.initial_seed: the seed of the last <see cref="ManualSeed"/> (or the default seed).</summary>
    public ulong InitialSeed => Seed;

    /// <summary>torch.get_rng_state: a snapshot to restore with <see cref="SetState"/>.</summary>
    public GeneratorState GetState()
    {
        lock (_lock)
        {
            var (words, index) = _engine.Snapshot();
            return new GeneratorState(Seed, words, index, _nextDoubleNormal);
        }
    }

    /// <summary>torch.set_rng_state: the generator continues exactly as it did after the snapshot.</summary>
    public void SetState(GeneratorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_lock)
        {
            var engine = new MersenneTwister(state.Seed);
            engine.Restore(state.Words.ToArray(), state.Index);
            _engine = engine;
            Seed = state.Seed;
            _nextDoubleNormal = state.NextDoubleNormal;
        }
    }

    /// <summary>One 32-bit draw (CPUGeneratorImpl::random).</summary>
    public uint NextUInt32()
    {
        lock (_lock) return _engine.Next();
    }

    /// <summary>One 64-bit draw from two 32-bit ones, the first in the high half (CPUGeneratorImpl::random64).</summary>
    public ulong NextUInt64()
    {
        lock (_lock) return NextUInt64Unlocked();
    }

    private ulong NextUInt64Unlocked()
    {
        ulong hi = _engine.Next(), lo = _engine.Next();
        return (hi << 32) | lo;
    }

    /// <summary>
    /// uniform_(from, to) on float32: one 32-bit draw per element, 24 bits of it as x in [0, 1), then
    /// x * (to - from) + from in float with one rounding. PyTorch's CPU kernels are compiled with FMA contraction
    /// (AVX2/AVX-512 builds with GCC, arm64 with clang), which makes that expression a fused multiply-add; checked
    /// bit for bit against torch on 24,000 draws.
    /// </summary>
    internal float[] UniformFloats(int count, double from, double to)
    {
        float lo = (float)from, range = (float)to - lo;
        var data = new float[count];
        lock (_lock)
            for (int i = 0; i < count; i++) data[i] = MathF.FusedMultiplyAdd(UniformFloat(), range, lo);
        return data;
    }

    /// <summary>uniform_(from, to) on float64: 53 bits of a 64-bit draw, then fma(x, to - from, from).</summary>
    internal double[] UniformDoubles(int count, double from, double to)
    {
        double range = to - from;
        var data = new double[count];
        lock (_lock)
            for (int i = 0; i < count; i++) data[i] = Math.FusedMultiplyAdd(UniformDouble(), range, from);
        return data;
    }

    /// <summary>
    /// bernoulli_(p) with a number p, as the CPU kernel without MKL: one uniform double (two 32-bit draws) per
    /// element, 1 where it is below p. (PyTorch builds with MKL, on Intel CPUs only, take one 32-bit draw as the seed
    /// of MKL's own stream instead; see docs.)
    /// </summary>
    internal double[] BernoulliDoubles(int count, double p)
    {
        if (!(p >= 0 && p <= 1))
            throw TorchException.Runtime("BernoulliProbability", $"bernoulli_ expects p to be in [0, 1], but got p={NN.PythonRepr.Float(p)}");
        var data = new double[count];
        lock (_lock)
            for (int i = 0; i < count; i++) data[i] = UniformDouble() < p ? 1 : 0;
        return data;
    }

    /// <summary>
    /// torch.randperm(n): a Fisher-Yates shuffle of 0..n-1 with one 32-bit draw per swap (n - 1 draws), as
    /// randperm_cpu does for n below 2^32 / 20; from there on PyTorch switches to the inside-out variant with one
    /// 64-bit draw per element, and so does this.
    /// </summary>
    public long[] RandPerm(int n)
    {
        if (n < 0) throw TorchException.Runtime("NegativeDimension", $"Trying to create tensor with negative dimension {n}: [{n}]");
        var r = new long[n];
        lock (_lock)
        {
            if (n < uint.MaxValue / 20)
            {
                for (int i = 0; i < n; i++) r[i] = i;
                for (int i = 0; i < n - 1; i++)
                {
                    long z = _engine.Next() % (long)(n - i);
                    (r[i], r[z + i]) = (r[z + i], r[i]);
                }
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    long z = (long)(NextUInt64Unlocked() % (ulong)(i + 1));
                    r[i] = i;
                    r[i] = r[z];
                    r[z] = i;
                }
            }
        }
        return r;
    }
}
