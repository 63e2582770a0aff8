using static AutoGrad.Tests.TestTensors;

namespace AutoGrad.Tests;

/// <summary>Broadcast shapes, PyTorch's clash message, and broadcast arithmetic against a naive reference.</summary>
[Collection(ThreadCountCollection.Name)]
public class BroadcastingTests
{
    public static TheoryData<int[], int[], int[]> CompatibleShapes => new()
    {
        { [3], [3], [3] },
        { [2, 3], [3], [2, 3] },               // row vector
        { [3], [2, 3], [2, 3] },
        { [2, 1], [2, 3], [2, 3] },            // column vector
        { [2, 1], [1, 3], [2, 3] },            // outer
        { [], [2, 3], [2, 3] },                // 0-d
        { [2, 3], [], [2, 3] },
        { [], [], [] },
        { [2, 1, 3], [4, 1], [2, 4, 3] },
        { [5, 1, 4, 1], [3, 1, 1], [5, 3, 4, 1] },
        { [1], [0], [0] },                     // empty dims
        { [0, 3], [1, 3], [0, 3] },
        { [2, 0], [2, 1], [2, 0] },
        { [0], [], [0] },
        { [1, 1], [1], [1, 1] },
    };

    [Theory]
    [MemberData(nameof(CompatibleShapes))]
    public void Broadcast_shape_is_pytorchs(int[] a, int[] b, int[] expected)
    {
        Assert.Equal(expected, Shapes.Broadcast(a, b));
        Assert.Equal(expected, Tensor.Zeros(a).Add(Tensor.Zeros(b)).Shape);
    }

    public static TheoryData<int[], int[], string> ClashingShapes => new()
    {
        { [3], [2], "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0" },
        { [2, 3], [2], "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1" },
        // Rank mismatch: the index is the dim of the result, counted from the left of the longer shape.
        { [3], [2, 2], "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1" },
        { [2, 3, 4], [3, 3], "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 2" },
        { [2, 4, 3], [2, 3], "The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 1" },
        { [0], [2], "The size of tensor a (0) must match the size of tensor b (2) at non-singleton dimension 0" },
        { [5, 2, 1], [4, 3, 1], "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1" },
    };

    [Theory]
    [MemberData(nameof(ClashingShapes))]
    public void Broadcast_clash_reports_pytorchs_message(int[] a, int[] b, string message)
    {
        var e = Assert.Throws<TorchException>(() => Tensor.Zeros(a).Mul(Tensor.Zeros(b)));
        Assert.Equal(message, e.Message);
        Assert.Equal(TorchErrorKind.RuntimeError, e.Kind);
        Assert.Equal(message, Assert.Throws<TorchException>(() => Shapes.Broadcast(a, b)).Message);
    }

    public static TheoryData<string, int[], int[], DType> ArithmeticCases
    {
        get
        {
            var data = new TheoryData<string, int[], int[], DType>();
            (int[], int[])[] shapes =
            [
                ([2, 3], [2, 3]), ([4, 3], [3]), ([3], [4, 3]), ([4, 1], [4, 5]), ([4, 5], [4, 1]), ([3, 1], [1, 5]),
                ([], [2, 3]), ([2, 3], []), ([2, 1, 3], [4, 1]), ([2, 3, 1, 5], [3, 4, 1]), ([0, 3], [3]), ([2, 0], [2, 1]),
                ([1, 1, 7], [3, 1, 7]), ([64, 37], [37]), ([37, 1], [37, 64]),
            ];
            foreach (var op in new[] { "add", "sub", "mul", "div" })
                foreach (var (a, b) in shapes)
                    foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int64 })
                        data.Add(op, a, b, dtype);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(ArithmeticCases))]
    public void Broadcast_arithmetic_matches_a_naive_reference(string op, int[] aShape, int[] bShape, DType dtype)
    {
        var a = Values(1, aShape, dtype);
        var b = Values(2, bShape, dtype);
        Tensor result = op switch { "add" => a.Add(b), "sub" => a.Sub(b), "mul" => a.Mul(b), _ => a.Div(b) };
        Func<double, double, double> f = op switch
        {
            "add" => (x, y) => x + y,
            "sub" => (x, y) => x - y,
            "mul" => (x, y) => x * y,
            _ => (x, y) => x / y,
        };
        var outShape = Shapes.Broadcast(aShape, bShape);
        Assert.Equal(outShape, result.Shape);
        var expectedDType = op == "div" && dtype == DType.Int64 ? DType.Float32 : dtype;
        Assert.Equal(expectedDType, result.DType);

        var av = a.ToDoubleArray();
        var bv = b.ToDoubleArray();
        var got = result.ToDoubleArray();
        var index = new int[outShape.Length];
        for (int i = 0; i < got.Length; i++)
        {
            double x = av[SourceOffset(index, aShape, outShape)], y = bv[SourceOffset(index, bShape, outShape)];
            double expected = f(x, y);
            if (expectedDType == DType.Float32) expected = (float)f((float)x, (float)y);
            Assert.Equal(expected, got[i]);
            Increment(index, outShape);
        }
    }

    public static TheoryData<int, DType> RowLengths
    {
        get
        {
            var data = new TheoryData<int, DType>();
            foreach (int n in new[] { 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 37, 63, 64, 65, 100, 1000 })
                foreach (var dtype in new[] { DType.Float32, DType.Float64, DType.Int64 })
                    data.Add(n, dtype);
            return data;
        }
    }

    /// <summary>
    /// The row loop of a [rows, n] op [n] broadcast aligns its stores per row, with a vector or scalar head and
    /// tail: every row length and row alignment must give each element once, with the row vector on either side,
    /// out of place and in place (where the destination is the first operand, as in gradient accumulation).
    /// </summary>
    [Theory]
    [MemberData(nameof(RowLengths))]
    public void Row_broadcast_gives_every_element_once_at_every_row_length(int n, DType dtype)
    {
        var a = Values(1, [7, n], dtype);
        var b = Values(2, [n], dtype);
        var av = a.ToDoubleArray();
        var bv = b.ToDoubleArray();
        double Round(double v) => dtype == DType.Float32 ? (float)v : v;
        var sum = a.Add(b).ToDoubleArray();
        var product = a.Mul(b).ToDoubleArray();
        var rowFirst = b.Sub(a).ToDoubleArray();   // the row vector on the left of a non-commutative op
        for (int i = 0; i < av.Length; i++)
        {
            Assert.Equal(Round(av[i] + bv[i % n]), sum[i]);
            Assert.Equal(Round(av[i] * bv[i % n]), product[i]);
            Assert.Equal(Round(bv[i % n] - av[i]), rowFirst[i]);
        }
        // A column broadcast puts a single value on either side of each row: c - a and a / c per row.
        var c = Values(3, [7, 1], dtype);
        var cv = c.ToDoubleArray();
        var difference = c.Sub(a).ToDoubleArray();
        var flat = a.Reshape([7 * n]);
        var scaled = flat.Sub(c.Reshape([7]).Select(0, 0)).ToDoubleArray(); // a whole tensor minus a 0-d tensor
        var reversed = flat.RSub(3L).ToDoubleArray();                    // one value minus a whole tensor
        for (int i = 0; i < av.Length; i++)
        {
            Assert.Equal(Round(cv[i / n] - av[i]), difference[i]);
            Assert.Equal(Round(av[i] - cv[0]), scaled[i]);
            Assert.Equal(Round(3 - av[i]), reversed[i]);
        }
        a.AddInPlace(b);
        Assert.Equal(sum, a.ToDoubleArray());
        a.AddInPlace(c);
        for (int i = 0; i < av.Length; i++) Assert.Equal(Round(sum[i] + cv[i / n]), a.ToDoubleArray()[i]);
    }

    /// <summary>
    /// Results of 16 MB and more are written with streaming stores (around the cache): whole, scalar, row
    /// broadcast and in place, on one thread and two, every element must still be right.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Results_past_the_streaming_size_are_exact(int threads)
    {
        void Check()
        {
            const int cols = 1003, rows = 4201;                 // 4.2e6 floats: 16.9 MB, odd row length
            var a = Tensor.Rand([rows, cols], DType.Float32, seed: 21);
            var b = Tensor.Rand([rows, cols], DType.Float32, seed: 22);
            var r = Tensor.Rand([cols], DType.Float32, seed: 23);
            var av = (float[])a.ToArray();
            var bv = (float[])b.ToArray();
            var rv = (float[])r.ToArray();
            var sum = (float[])a.Add(b).ToArray();
            var scaled = (float[])a.Mul(3L).ToArray();
            var shifted = (float[])a.Add(r).ToArray();
            for (int i = 0; i < av.Length; i++)
            {
                Assert.Equal(av[i] + bv[i], sum[i]);
                Assert.Equal(av[i] * 3f, scaled[i]);
                Assert.Equal(av[i] + rv[i % cols], shifted[i]);
            }
            a.AddInPlace(b);
            Assert.Equal(sum, (float[])a.ToArray());
        }
        if (threads == 1) ThreadCount.One(() => { Check(); return 0; });
        else ThreadCount.Many(threads, Check);
    }

    [Fact]
    public void Broadcast_does_not_change_the_operands()
    {
        var a = F32([1, 2, 3], 3);
        var b = F32([10, 20], 2, 1);
        _ = a.Add(b);
        Assert.Equal([1.0, 2.0, 3.0], a.ToDoubleArray());
        Assert.Equal([3], a.Shape);
        Assert.Equal([10.0, 20.0], b.ToDoubleArray());
    }

    /// <summary>Small nonzero values exact in every dtype (so int64 and float32 references agree exactly).</summary>
    private static Tensor Values(int seed, int[] shape, DType dtype)
    {
        var rng = new System.Random(seed);
        var v = new double[Shapes.NumElements(shape)];
        for (int i = 0; i < v.Length; i++) v[i] = rng.Next(1, 9) * (rng.Next(2) == 0 ? -1 : 1) * (dtype == DType.Int64 ? 1 : 0.375);
        return Tensor.FromDoubles(v, shape, dtype);
    }

    /// <summary>Row-major offset into an operand of <paramref name="shape"/> for a result index (naive broadcasting).</summary>
    private static int SourceOffset(int[] index, int[] shape, int[] outShape)
    {
        int offset = 0, lead = outShape.Length - shape.Length;
        for (int d = 0; d < shape.Length; d++)
            offset = offset * shape[d] + (shape[d] == 1 ? 0 : index[lead + d]);
        return offset;
    }

    private static void Increment(int[] index, int[] shape)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (++index[d] < shape[d]) return;
            index[d] = 0;
        }
    }
}
