namespace AutoGrad.Ops;

/// <summary>
/// Makes the tensors and calls of an op's samples in one floating dtype. Values come from a fixed-seed generator
/// and are float32 numbers, so the Float32 and Float64 samples of an op hold the same values (the tests compare
/// one with the other) and the samples never change unless the op's sample list does.
/// </summary>
public sealed class SampleBuilder
{
    private ulong _state = 0x9E3779B97F4A7C15;

    public SampleBuilder(DType dtype)
    {
        if (!dtype.IsFloating()) throw new ArgumentOutOfRangeException(nameof(dtype), "samples are Float32 or Float64");
        DType = dtype;
    }

    /// <summary>The floating dtype of the samples' tensors.</summary>
    public DType DType { get; }

    /// <summary>A contiguous leaf that requires grad, values uniform in [-1, 1); no dims is a 0-d tensor.</summary>
    public Tensor X(params int[] shape) => X(SampleDomain.Any, shape);

    /// <summary>A contiguous leaf that requires grad, values from <paramref name="domain"/>.</summary>
    public Tensor X(SampleDomain domain, params int[] shape) => Make(domain, shape, requiresGrad: true);

    /// <summary>A contiguous leaf that requires grad, values uniform in [<paramref name="lo"/>, <paramref name="hi"/>).</summary>
    public Tensor Between(double lo, double hi, params int[] shape)
    {
        var values = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(lo + (hi - lo) * Next());
        return Tensor.FromDoubles(values, shape, DType, requiresGrad: true);
    }

    /// <summary>A [rows, cols] leaf that requires grad laid out as a [cols, rows] tensor's .T() (strides 1, rows).</summary>
    public Tensor Transposed(SampleDomain domain, int rows, int cols)
    {
        var t = Make(domain, [cols, rows], requiresGrad: false).T().Detach();
        t.RequiresGrad = true;
        return t;
    }

    /// <summary>A contiguous tensor that does not require grad (a target, a bound, a constant operand).</summary>
    public Tensor Const(SampleDomain domain, params int[] shape) => Make(domain, shape, requiresGrad: false);

    /// <summary>An Int64 tensor of the given values (indices, class targets); no shape is 1-d.</summary>
    public static Tensor Long(long[] values, params int[] shape) =>
        Tensor.FromArray(values, shape.Length == 0 ? [values.Length] : shape);

    /// <summary>An Int64 tensor of small integers from <paramref name="domain"/> (1 to 3 where it is positive, else -2 to 2, without 0 away from it).</summary>
    public Tensor Integers(SampleDomain domain, params int[] shape)
    {
        var values = new long[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++)
        {
            long k = (long)Math.Floor(Next() * 4);
            values[i] = domain switch
            {
                SampleDomain.Positive => 1 + k % 3,
                SampleDomain.AwayFromZero => k < 2 ? k - 2 : k - 1,
                SampleDomain.UnitInterval => k % 2,
                _ => k - 2,
            };
        }
        return Tensor.FromArray(values, shape);
    }

    /// <summary>A Bool tensor (a condition), about half of it true.</summary>
    public Tensor Bool(params int[] shape)
    {
        var values = new bool[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = Next() < 0.5;
        return Tensor.FromArray(values, shape);
    }

    /// <summary>A plain fractional number from <paramref name="domain"/> (a Python float).</summary>
    public double Number(SampleDomain domain) => Draw(domain);

    /// <summary>A sample: the call and, as its gradient inputs, every tensor in it that requires grad.</summary>
    public OpSample Call(string label, OpCall call)
    {
        object?[] arguments = [call.Input, call.Other, call.Min, call.Max, call.Target];
        return new OpSample(label, call, arguments.OfType<Tensor>().Where(t => t.RequiresGrad).Distinct().ToArray());
    }

    private Tensor Make(SampleDomain domain, int[] shape, bool requiresGrad)
    {
        var values = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < values.Length; i++) values[i] = Draw(domain);
        return Tensor.FromDoubles(values, shape, DType, requiresGrad);
    }

    private double Draw(SampleDomain domain)
    {
        double u = Next();
        double v = domain switch
        {
            SampleDomain.Positive => 0.5 + 1.5 * u,
            SampleDomain.AwayFromZero => (Next() < 0.5 ? -1 : 1) * (0.1 + 0.9 * u),
            SampleDomain.UnitInterval => 0.1 + 0.8 * u,
            SampleDomain.Coarse => Math.Floor(u * 5) * 0.5 - 1,
            _ => -1 + 2 * u,
        };
        return (float)v;
    }

    /// <summary>SplitMix64: a uniform double in [0, 1).</summary>
    private double Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>The samples every elementwise op of one or two tensors gets from its domains.</summary>
internal static class OpSamples
{
    /// <summary>Contiguous, transposed (a [3,2] tensor's .T()), 0-d, empty and Int64 inputs, with the call's other options.</summary>
    public static Func<SampleBuilder, IEnumerable<OpSample>> Unary(SampleDomain d, Func<OpCall, OpCall>? options = null) => s =>
    {
        var with = options ?? (static c => c);
        return
        [
            s.Call("contiguous", with(new(s.X(d, 2, 3)))),
            s.Call("transposed", with(new(s.Transposed(d, 2, 3)))),
            s.Call("0-d", with(new(s.X(d)))),
            s.Call("empty", with(new(s.X(d, 0, 3)))),
            s.Call("int64", with(new(s.Integers(d, 2, 3)))),
        ];
    };

    /// <summary>
    /// Two operands of one shape, a broadcast row, a column against a row, a 0-d other, a transposed first operand,
    /// an Int64 other (type promotion) and, when the op takes them, a fractional and an integral number.
    /// </summary>
    public static Func<SampleBuilder, IEnumerable<OpSample>> Binary(SampleDomain dx, SampleDomain dother, bool numbers) => s =>
    {
        var samples = new List<OpSample>
        {
            s.Call("same shape", new(s.X(dx, 2, 3), s.X(dother, 2, 3))),
            s.Call("broadcast row", new(s.X(dx, 2, 3), s.X(dother, 3))),
            s.Call("column and row", new(s.X(dx, 2, 1), s.X(dother, 3))),
            s.Call("0-d other", new(s.X(dx, 2, 3), s.X(dother))),
            s.Call("transposed", new(s.Transposed(dx, 2, 3), s.X(dother, 2, 3))),
            s.Call("int64 other", new(s.X(dx, 2, 3), s.Integers(dother, 3))),
        };
        if (numbers)
        {
            samples.Add(s.Call("number", new(s.X(dx, 2, 3), s.Number(dother))));
            samples.Add(s.Call("integer", new(s.X(dx, 2, 3), dother == SampleDomain.Coarse ? 1L : 2L)));
        }
        return samples;
    };
}
