using System.Runtime.Intrinsics.X86;
using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>
/// The vector sum against a scalar spelling of its documented order, bit for bit, at every placement in memory
/// (the aligned path starts at the first 32-byte boundary, so each offset exercises a different lane rotation).
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class VectorSumTests
{
    // Empty, below one group, around the aligned path's threshold (16 groups), partial and whole blocks (128
    // groups: 1024 floats, 512 doubles) with and without a last round of masked loads and a scalar tail, many
    // blocks, and the pairwise leaf.
    public static TheoryData<int> Lengths => new(
    [
        0, 1, 5, 8, 9, 63, 64, 65, 127, 128, 129, 135, 136, 137, 255, 256, 259, 511, 512, 513, 519, 520, 521, 527,
        600, 1000, 1023, 1024, 1025, 1031, 1032, 1033, 1039, 1040, 1041, 2047, 2048, 2049, 2055, 2056, 2057,
        4096 + 13, 9000, 65536,
    ]);

    /// <summary>Values over many magnitudes and both signs, so that any other order rounds differently.</summary>
    private static double[] Values(int n, int seed)
    {
        var rng = new System.Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = (rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-3, 5));
        return v;
    }

    /// <summary>
    /// The documented order, spelled with scalars: groups of one vector (8 floats, 4 doubles), chains of 16 values
    /// per lane in the element type, each block's chains added into 4 double accumulators (a float chain's lanes j
    /// and j + 4 widened and added first), then the accumulators, the lanes, and the tail in double.
    /// </summary>
    private static double Reference<T>(T[] x) where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        int width = typeof(T) == typeof(float) ? 8 : 4;
        var acc = new double[4, 4];
        int n = x.Length, i = 0;
        for (; i + width <= n; i += 128 * width)
        {
            int groups = Math.Min(128, (n - i) / width);
            var chain = new T[8, width];
            for (int g = 0; g < groups; g++)
                for (int lane = 0; lane < width; lane++)
                    chain[g % 8, lane] += x[i + width * g + lane];
            for (int c = 0; c < 8; c++)
                for (int j = 0; j < 4; j++)
                    acc[c % 4, j] += width == 8
                        ? double.CreateChecked(chain[c, j]) + double.CreateChecked(chain[c, j + 4])
                        : double.CreateChecked(chain[c, j]);
            if (groups < 128) { i += width * groups; break; }
        }
        var s = new double[4];
        for (int j = 0; j < 4; j++) s[j] = (acc[0, j] + acc[1, j]) + (acc[2, j] + acc[3, j]);
        double total = (s[0] + s[1]) + (s[2] + s[3]);
        for (; i < n; i++) total += double.CreateChecked(x[i]);
        return total;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Float_sum_is_the_documented_order_wherever_the_data_sits(int n)
    {
        var x = Values(n, n).Select(v => (float)v).ToArray();
        // Without AVX2 the kernel is a plain loop in double.
        double expected = Avx2.IsSupported ? Reference(x) : x.Aggregate(0.0, (s, v) => s + v);
        for (int offset = 0; offset < 8; offset++)
        {
            var buffer = new float[n + 8];
            x.CopyTo(buffer, offset);
            double sum = VectorSum.Sum(buffer.AsSpan(offset, n));
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(sum),
                $"n {n}, offset {offset}: {sum:R}, documented order {expected:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Double_sum_is_the_documented_order_wherever_the_data_sits(int n)
    {
        var x = Values(n, n + 1);
        double expected = Avx2.IsSupported ? Reference(x) : System.Numerics.Tensors.TensorPrimitives.Sum<double>(x);
        for (int offset = 0; offset < 4; offset++)
        {
            var buffer = new double[n + 4];
            x.CopyTo(buffer, offset);
            double sum = VectorSum.Sum(buffer.AsSpan(offset, n));
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(sum),
                $"n {n}, offset {offset}: {sum:R}, documented order {expected:R}");
        }
    }

    // Run length, element count (the last run may be shorter), offset into the buffer: runs read four at a time,
    // with 1, 3, 4, 5 and 9 runs, runs shorter than the aligned path's threshold, runs of whole and partial blocks,
    // and lengths that put consecutive runs at different alignments.
    public static TheoryData<int, int, int> Runs => new()
    {
        { 1000, 7000, 5 }, { 1000, 7000, 0 }, { 61, 7 * 61, 5 }, { 1003, 7 * 1003, 3 }, { 1003, 7 * 1003 - 500, 1 },
        { 512, 512, 2 }, { 512, 3 * 512 - 1, 6 }, { 1024, 5 * 1024, 3 }, { 2000, 9 * 2000 - 1999, 5 }, { 4096 + 13, 4 * (4096 + 13), 7 }, { 4096 + 13, 5 * (4096 + 13) - 4100, 0 },
        { 3000, 9 * 3000 - 2999, 4 }, { 100, 100, 1 },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void Runs_are_each_summed_alone_with_or_without_read_ahead(int length, int n, int offset)
    {
        var x = Values(n + offset, length);
        var xf = x.Select(v => (float)v).ToArray();
        int runs = (n + length - 1) / length;
        // Read-ahead (prefetch for data from memory) changes which lines are in flight, never the order of the adds.
        foreach (bool readAhead in new[] { false, true })
        {
            var sums = new double[runs];
            var sumsF = new double[runs];
            VectorSum.RunSums(x.AsSpan(offset, n), length, sums, readAhead);
            VectorSum.RunSums(xf.AsSpan(offset, n), length, sumsF, readAhead);
            for (int r = 0; r < runs; r++)
            {
                int start = offset + r * length, count = Math.Min(length, n - r * length);
                Assert.True(BitConverter.DoubleToInt64Bits(VectorSum.Sum(x.AsSpan(start, count))) == BitConverter.DoubleToInt64Bits(sums[r]),
                    $"double run {r}, read-ahead {readAhead}");
                Assert.True(BitConverter.DoubleToInt64Bits(VectorSum.Sum(xf.AsSpan(start, count))) == BitConverter.DoubleToInt64Bits(sumsF[r]),
                    $"float run {r}, read-ahead {readAhead}");
            }
        }
    }

    // Rows a whole number of vectors and of 32 bytes long, so that every row starts at the same distance from a
    // boundary: read as one aligned stream, each row's last load carrying the next row's first elements. Row
    // lengths of one partial block, whole blocks (128 and 256 groups) and more than one block.
    [Theory]
    [InlineData(128, 2)]
    [InlineData(128, 5)]
    [InlineData(1000, 3)]
    [InlineData(1024, 4)]
    [InlineData(2056, 3)]
    public void Matrix_rows_read_as_one_stream_are_each_summed_alone(int length, int rows)
    {
        var x = Values(rows * length + 8, length + rows);
        var xf = x.Select(v => (float)v).ToArray();
        // Every offset: each distance from a boundary, and rows that start on one.
        for (int offset = 0; offset < 8; offset++)
        {
            var sums = new double[rows];
            var sumsF = new double[rows];
            if (offset < 4) VectorSum.RunSums(x.AsSpan(offset, rows * length), length, sums);
            VectorSum.RunSums(xf.AsSpan(offset, rows * length), length, sumsF);
            for (int r = 0; r < rows; r++)
            {
                if (offset < 4)
                    Assert.True(BitConverter.DoubleToInt64Bits(VectorSum.Sum(x.AsSpan(offset + r * length, length))) == BitConverter.DoubleToInt64Bits(sums[r]),
                        $"double row {r}, offset {offset}");
                Assert.True(BitConverter.DoubleToInt64Bits(VectorSum.Sum(xf.AsSpan(offset + r * length, length))) == BitConverter.DoubleToInt64Bits(sumsF[r]),
                    $"float row {r}, offset {offset}");
            }
        }
    }

    [Fact]
    public void A_sum_beyond_the_cache_is_its_blocks_added_in_order_on_any_thread_count()
    {
        // 34 MB of doubles and 17 MB of floats: past the size from which a thread reads four blocks at a time.
        const int block = 1 << 16;
        var x = Values(64 * block + 12345, 11);
        var xf = x.Select(v => (float)v).ToArray();
        double expected = 0, expectedF = 0;
        for (int start = 0; start < x.Length; start += block)
        {
            int count = Math.Min(block, x.Length - start);
            expected += VectorSum.Sum(x.AsSpan(start, count));
            expectedF += VectorSum.Sum(xf.AsSpan(start, count));
        }
        void Check()
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ReductionKernels.SumAll(x)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expectedF), BitConverter.DoubleToInt64Bits(ReductionKernels.SumAll(xf)));
        }
        ThreadCount.One(() => { Check(); return 0; });
        ThreadCount.Many(2, Check);
        ThreadCount.Many(3, Check);
    }

    [Theory]
    [InlineData(10, 4, 2)]   // too few runs for the elements
    [InlineData(10, 4, 4)]   // a run with nothing in it
    [InlineData(10, 0, 1)]
    public void Runs_that_do_not_cover_the_elements_are_refused(int n, int length, int runs) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => VectorSum.RunSums(new float[n], length, new double[runs], readAhead: true));

    [Theory]
    [InlineData(1000)]
    [InlineData(65536)]
    [InlineData(200_003)]
    public void Sums_are_close_to_the_exact_sum(int n)
    {
        // The exact sum in decimal; the error bound is relative to sum |x| (the sum itself may cancel).
        var x = Values(n, 7);
        var xf = x.Select(v => (float)v).ToArray();
        decimal exact = 0, exactF = 0, magnitude = 0;
        for (int i = 0; i < n; i++)
        {
            exact += (decimal)x[i];
            exactF += (decimal)xf[i];
            magnitude += (decimal)Math.Abs(x[i]);
        }
        double m = (double)magnitude;
        Assert.True(Math.Abs(ReductionKernels.SumAll(x.AsSpan()) - (double)exact) <= 1e-14 * m);
        Assert.True(Math.Abs(ReductionKernels.SumAll(xf.AsSpan()) - (double)exactF) <= 1e-7 * m);
    }
}

/// <summary>
/// Column sums ([reduced, kept] after coalescing) against a scalar spelling of their order: rows in groups of 8,
/// each group summed per column (in float for float32) and added to the double column total. The vector strips
/// start at a 32-byte boundary that depends on where the array sits, so exact bits here also pin that the scalar
/// head and tail columns use the same order as the vector ones.
/// </summary>
[Collection(ThreadCountCollection.Name)]
public class ColumnSumTests
{
    public static TheoryData<int, int, DType> Shapes => new()
    {
        { 19, 45, DType.Float32 }, { 64, 1003, DType.Float32 }, { 9, 7, DType.Float32 }, { 300, 130, DType.Float32 },
        { 19, 45, DType.Float64 }, { 64, 1003, DType.Float64 }, { 9, 7, DType.Float64 }, { 300, 130, DType.Float64 },
        // Large enough to split into column strips on two threads (each strip summed in a buffer of its own).
        { 203, 1003, DType.Float32 }, { 203, 1003, DType.Float64 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Column_sums_follow_the_documented_order(int rows, int cols, DType dtype)
    {
        var rng = new System.Random(rows * cols);
        var values = new double[rows * cols];
        for (int i = 0; i < values.Length; i++) values[i] = (rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-3, 5));
        if (dtype == DType.Float32) values = values.Select(v => (double)(float)v).ToArray();
        var expected = new double[cols];
        for (int c = 0; c < cols; c++)
            for (int r0 = 0; r0 < rows; r0 += 8)
            {
                if (dtype == DType.Float32)
                {
                    float g = (float)values[r0 * cols + c];
                    for (int r = r0 + 1; r < Math.Min(rows, r0 + 8); r++) g += (float)values[r * cols + c];
                    expected[c] += g;
                }
                else
                {
                    double g = values[r0 * cols + c];
                    for (int r = r0 + 1; r < Math.Min(rows, r0 + 8); r++) g += values[r * cols + c];
                    expected[c] += g;
                }
            }
        foreach (int threads in new[] { 1, 2 })
            using (Parallelism.Use(threads))
            {
                // Several allocations, so the arrays land at different 32-byte offsets.
                for (int copy = 0; copy < 4; copy++)
                {
                    _ = new byte[8 * copy + 8];
                    var x = Tensor.FromDoubles(values, [rows, cols], dtype);
                    var sums = dtype == DType.Float32
                        ? ((float[])x.Sum(0).ToArray()).Select(v => (double)v).ToArray()
                        : (double[])x.Sum(0).ToArray();
                    for (int c = 0; c < cols; c++)
                    {
                        double want = dtype == DType.Float32 ? (float)expected[c] : expected[c];
                        Assert.True(want.Equals(sums[c]), $"column {c}, {threads} threads: {sums[c]:R}, expected {want:R}");
                    }
                }
            }
    }
}
