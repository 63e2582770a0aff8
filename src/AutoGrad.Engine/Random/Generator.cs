namespace AutoGrad.Random;

/// <summary>
/// A pseudo-random generator that reproduces PyTorch's CPU generator: after <c>torch.manual_seed(s)</c>,
/// <c>torch.rand</c> and <c>torch.randn</c> give the same values as <see cref="Tensor.Rand"/> and
/// <see cref="Tensor.RandN"/> with the same seed, bit for bit (float32 randn of 16 or more values as PyTorch's AVX2
/// kernel computes them, which x86 builds use). <see cref="Default"/> starts from PyTorch's default seed,
/// 67280421310721.
/// </summary>
public sealed partial class Generator
{
    /// <summary>PyTorch's default_rng_seed_val: the seed a fresh process starts with.</summary>
    public const ulong DefaultSeed = 67280421310721;

    private readonly object _lock = new();
    private MersenneTwister _engine;
    private double? _nextDoubleNormal;

    public Generator(ulong seed = DefaultSeed)
    {
        Seed = seed;
        _engine = new MersenneTwister(seed);
    }

    /// <summary>The generator behind factory calls that pass no seed (torch.default_generator).</summary>
    public static Generator Default { get; } = new();

    public ulong Seed { get; private set; }

    /// <summary>torch.manual_seed: restarts the stream and forgets any cached normal sample.</summary>
    public void ManualSeed(ulong seed)
    {
        lock (_lock)
        {
            Seed = seed;
            _engine = new MersenneTwister(seed);
            _nextDoubleNormal = null;
        }
    }

    /// <summary>Fills <paramref name="data"/> with uniform [0, 1) floats: 24 random bits each, as PyTorch does.</summary>
    internal void FillUniform(Span<float> data)
    {
        lock (_lock)
            for (int i = 0; i < data.Length; i++) data[i] = UniformFloat();
    }

    /// <summary>Fills <paramref name="data"/> with uniform [0, 1) doubles: 53 random bits each.</summary>
    internal void FillUniform(Span<double> data)
    {
        lock (_lock)
            for (int i = 0; i < data.Length; i++) data[i] = UniformDouble();
    }

    /// <summary>
    /// Standard normal samples, following PyTorch's two CPU paths: 16 or more elements are filled with uniforms
    /// and transformed 16 at a time by Box-Muller (the last, partial block is redrawn and recomputed); fewer are
    /// drawn one by one from a double Box-Muller whose second value is cached for the next call.
    /// </summary>
    internal void FillNormal(Span<float> data)
    {
        lock (_lock)
        {
            if (data.Length >= 16)
            {
                for (int i = 0; i < data.Length; i++) data[i] = UniformFloat();
                BoxMullerBlocks(data);
            }
            else
                for (int i = 0; i < data.Length; i++) data[i] = (float)NormalDouble();
        }
    }

    internal void FillNormal(Span<double> data)
    {
        lock (_lock)
        {
            if (data.Length >= 16)
            {
                for (int i = 0; i < data.Length; i++) data[i] = UniformDouble();
                BoxMullerBlocks(data);
            }
            else
                for (int i = 0; i < data.Length; i++) data[i] = NormalDouble();
        }
    }

    private float UniformFloat() => (_engine.Next() & ((1u << 24) - 1)) * (1.0f / (1 << 24));

    private double UniformDouble()
    {
        ulong hi = _engine.Next(), lo = _engine.Next();
        ulong bits = (hi << 32) | lo;
        return (bits & ((1UL << 53) - 1)) * (1.0 / (1UL << 53));
    }

    private double NormalDouble()
    {
        if (_nextDoubleNormal is { } cached)
        {
            _nextDoubleNormal = null;
            return cached;
        }
        double u1 = UniformDouble();
        double u2 = UniformDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(1.0 - u2));
        double theta = 2.0 * Math.PI * u1;
        _nextDoubleNormal = r * Math.Sin(theta);
        return r * Math.Cos(theta);
    }

    private void BoxMullerBlocks(Span<float> data)
    {
        int n = data.Length;
        for (int i = 0; i + 16 <= n; i += 16) BoxMuller16(data.Slice(i, 16));
        if (n % 16 != 0)
        {
            var tail = data.Slice(n - 16, 16);
            for (int i = 0; i < 16; i++) tail[i] = UniformFloat();
            BoxMuller16(tail);
        }
    }

    private void BoxMullerBlocks(Span<double> data)
    {
        int n = data.Length;
        for (int i = 0; i + 16 <= n; i += 16) BoxMuller16(data.Slice(i, 16));
        if (n % 16 != 0)
        {
            var tail = data.Slice(n - 16, 16);
            for (int i = 0; i < 16; i++) tail[i] = UniformDouble();
            BoxMuller16(tail);
        }
    }

    /// <summary>PyTorch's normal_fill_16_AVX2, with its own float32 log and sincos (see <see cref="AvxMathFun"/>).</summary>
    private static void BoxMuller16(Span<float> d)
    {
        for (int j = 0; j < 8; j++)
        {
            float u1 = 1 - d[j];
            float u2 = d[j + 8];
            float radius = MathF.Sqrt(-2 * AvxMathFun.Log(u1));
            AvxMathFun.SinCos(AvxMathFun.TwoPi * u2, out var sin, out var cos);
            d[j] = radius * cos;
            d[j + 8] = radius * sin;
        }
    }

    private static void BoxMuller16(Span<double> d)
    {
        for (int j = 0; j < 8; j++)
        {
            double u1 = 1 - d[j];
            double u2 = d[j + 8];
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            double theta = 2.0 * Math.PI * u2;
            d[j] = radius * Math.Cos(theta);
            d[j + 8] = radius * Math.Sin(theta);
        }
    }
}
