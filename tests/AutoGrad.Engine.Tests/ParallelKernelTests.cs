using AutoGrad.Ops;

namespace AutoGrad.Tests;

/// <summary>
/// Large elementwise ops split across threads give exactly the single-threaded result, and what the same op gives
/// for small pieces of the input (the path the op table's samples check against PyTorch): every elementwise op of
/// the table, with a tensor and, where it takes one, a number as the second operand.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class ParallelKernelTests
{
    private const int N = (1 << 18) + 37;

    public static TheoryData<OpKind, string> Ops => TableOps.All(OpKind.Unary, OpKind.Binary);

    /// <summary>
    /// Ops whose kernel is a serial loop (pow's Math.Pow per element, where's select): there is no split to compare,
    /// only the pieces. ThreadCount.Unsplit fails once one of them splits, so the list stays true.
    /// </summary>
    private static readonly HashSet<string> Serial = new(StringComparer.OrdinalIgnoreCase) { "Pow", "Where" };

    [Theory]
    [MemberData(nameof(Ops))]
    public void SplitAcrossThreadsEqualsOneThreadAndSmallPieces(OpKind kind, string name)
    {
        var op = TableOps.Get(name);
        var a = Tensor.RandN([N], DType.Float32, seed: 1);
        if (op.Domain == SampleDomain.Positive) a = a.Abs().Add(0.5);
        var b = Tensor.RandN([N], DType.Float32, seed: 2).Abs().Add(0.5);  // divisors and exponents away from 0
        var condition = a.Gt(0.0);
        bool serial = Serial.Contains(name);
        CheckSplits(x => TableOps.Apply(op, TableOps.Call(kind, op, x[0], x[1], x[2])), [a, b, condition], name, serial);
        if (kind == OpKind.Binary && !op.OtherIsTensor && !op.Requires(OpArgs.Condition))
            CheckSplits(x => TableOps.Apply(op, new OpCall(x[0], 1.5)), [a], $"{name} with a number", serial);
    }

    [Fact]
    public void A_number_minus_a_large_tensor_splits_like_any_binary_op() =>
        CheckSplits(x => x[0].RSub(2.0), [Tensor.RandN([N], DType.Float32, seed: 1)], "rsub");

    /// <summary>f on 4 threads equals f on one, and each of a few windows of it equals f of that window of the inputs.</summary>
    private static void CheckSplits(Func<Tensor[], Tensor> f, Tensor[] inputs, string what, bool serial = false)
    {
        var one = ThreadCount.One(() => f(inputs).ToDoubleArray());
        double[] many = [];
        if (serial) many = ThreadCount.Unsplit(4, () => f(inputs).ToDoubleArray());
        else ThreadCount.Many(4, () => many = f(inputs).ToDoubleArray());
        Assert.Equal(one, many);
        for (int start = 0; start < N; start += 65_497)
        {
            int length = Math.Min(1000, N - start);
            var piece = f(inputs.Select(t => t.Narrow(0, start, length)).ToArray()).ToDoubleArray();
            Assert.True(piece.AsSpan().SequenceEqual(many.AsSpan(start, length)), $"{what}: elements {start}..{start + length} differ from the op on them alone");
        }
    }
}

/// <summary>Large sums split into fixed blocks: the same bits on one thread and on many.</summary>
[Collection(ThreadCountCollection.Name)]
public class ParallelReductionTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SumIsIndependentOfTheThreadCount(DType dtype)
    {
        var x = Tensor.RandN([3_000_001], dtype, seed: 5);
        var one = ThreadCount.One(() => x.Sum().Item());
        ThreadCount.Many(3, () => Assert.Equal(one, x.Sum().Item()));
        double exact = x.ToDoubleArray().Sum();
        Assert.Equal(exact, (double)one, dtype == DType.Float32 ? 1e-2 : 1e-8);
    }

    public static TheoryData<int[], int[], DType> DimSums => new()
    {
        { [700, 301], [1], DType.Float32 },    // [kept, reduced]: output rows split across threads
        { [700, 301], [0], DType.Float32 },    // [reduced, kept]: column strips split across threads
        { [2, 350, 301], [0, 1], DType.Float32 },
        { [700, 301], [1], DType.Float64 },
        { [700, 301], [0], DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(DimSums))]
    public void Large_dim_sums_give_the_same_bits_on_any_thread_count(int[] shape, int[] dims, DType dtype)
    {
        var x = Tensor.RandN(shape, dtype, seed: 3);
        var one = ThreadCount.One(() => x.Sum(dims).ToDoubleArray());
        ThreadCount.Many(4, () => Assert.Equal(one, x.Sum(dims).ToDoubleArray()));

        // And close to the double-precision sum: within a few float ulps of the summed magnitudes.
        var values = x.ToDoubleArray();
        var reference = Tensor.FromDoubles(values, shape, DType.Float64).Sum(dims).ToDoubleArray();
        var magnitude = Tensor.FromDoubles(values.Select(Math.Abs).ToArray(), shape, DType.Float64).Sum(dims).ToDoubleArray();
        for (int i = 0; i < one.Length; i++)
            Assert.True(Math.Abs(one[i] - reference[i]) <= 4e-7 * magnitude[i] + 1e-30, $"[{i}] {one[i]:R} vs {reference[i]:R}");
    }

    public static TheoryData<int[], int[]> Broadcasts => new()
    {
        { [600, 301], [301] },        // a row vector: 600 rows of one span-span call each
        { [301], [600, 301] },        // ... with the row vector first (a non-commutative op: row - matrix)
        { [60, 3001], [3001] },       // fewer, longer rows
        { [600, 1], [600, 301] },     // a column: scalar-span rows
        { [3, 200, 301], [200, 1] },  // rows split mid-way through an outer dim
        { [70_000, 3], [1, 3] },      // many short rows
        { [6, 7, 3301], [6, 1, 3301] },  // runs of 7 contiguous rows, the odometer between them, split mid-run
        { [6, 1, 3301], [6, 7, 3301] },  // ... with the repeated operand first
    };

    [Theory]
    [MemberData(nameof(Broadcasts))]
    public void Large_broadcasts_split_across_threads_equal_one_thread_and_the_reference(int[] aShape, int[] bShape)
    {
        var a = Tensor.RandN(aShape, DType.Float32, seed: 4);
        var b = Tensor.RandN(bShape, DType.Float32, seed: 5);
        var one = ThreadCount.One(() => (float[])a.Sub(b).ToArray());
        int[] outShape = [];
        ThreadCount.Many(4, () =>
        {
            var manyT = a.Sub(b);
            Assert.Equal(one, (float[])manyT.ToArray());
            outShape = manyT.Shape;
        });

        // Element by element through explicit broadcast indexing.
        var x = (float[])a.ToArray();
        var y = (float[])b.ToArray();
        var sa = Shapes.BroadcastStrides(aShape, outShape);
        var sb = Shapes.BroadcastStrides(bShape, outShape);
        for (int i = 0; i < one.Length; i += 7)
        {
            int rest = i, ia = 0, ib = 0;
            for (int d = outShape.Length - 1; d >= 0; d--)
            {
                int k = rest % outShape[d];
                rest /= outShape[d];
                ia += k * sa[d];
                ib += k * sb[d];
            }
            Assert.Equal(x[ia] - y[ib], one[i]);
        }
    }
}
