using AutoGrad.Kernels;

namespace AutoGrad.Tests;

/// <summary>The packed FMA matrix kernel against a plain triple loop in double, over awkward sizes.</summary>
[Collection(ThreadCountCollection.Name)]
public class GemmTests
{
    /// <summary>
    /// On a CPU without AVX and FMA the kernel must refuse with PlatformNotSupportedException (matmul then takes its
    /// own loops, which the matmul tests cover); true when it did, and the kernel test has nothing more to check.
    /// </summary>
    private static bool KernelRefused()
    {
        if (Gemm.IsSupported) return false;
        Assert.Throws<PlatformNotSupportedException>(() => Gemm.Run(new float[1], new float[1], new float[1], 1, 1, 1));
        return true;
    }

    public static TheoryData<int, int, int> Sizes => new()
    {
        { 1, 1, 1 }, { 6, 16, 16 }, { 7, 17, 5 }, { 5, 3, 15 }, { 13, 300, 33 }, { 97, 257, 130 },
        { 64, 64, 64 }, { 200, 1, 9 }, { 1, 513, 2100 }, { 130, 70, 2049 },
    };

    private static double[] Reference(double[] a, double[] b, int m, int k, int n)
    {
        var c = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                c[i * n + j] = s;
            }
        return c;
    }

    private static double[] RandomValues(int count, int seed)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, count).Select(_ => r.NextDouble() * 2 - 1).ToArray();
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void DoubleKernelMatchesTripleLoop(int m, int k, int n)
    {
        if (KernelRefused()) return;
        var a = RandomValues(m * k, 1);
        var b = RandomValues(k * n, 2);
        var c = Enumerable.Repeat(double.NaN, m * n).ToArray();
        Gemm.Run(a, b, c, m, k, n);
        var expected = Reference(a, b, m, k, n);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-12);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void FloatKernelMatchesTripleLoop(int m, int k, int n)
    {
        if (KernelRefused()) return;
        var a = RandomValues(m * k, 3);
        var b = RandomValues(k * n, 4);
        var af = a.Select(v => (float)v).ToArray();
        var bf = b.Select(v => (float)v).ToArray();
        var c = Enumerable.Repeat(float.NaN, m * n).ToArray();
        Gemm.Run(af, bf, c, m, k, n);
        var expected = Reference(af.Select(v => (double)v).ToArray(), bf.Select(v => (double)v).ToArray(), m, k, n);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-4 * Math.Sqrt(k));
    }

    public static TheoryData<int, int, int, bool, bool> TransposedCases => new()
    {
        { 7, 17, 5, true, false }, { 7, 17, 5, false, true }, { 7, 17, 5, true, true },
        { 130, 70, 97, true, false }, { 130, 70, 97, false, true }, { 97, 300, 64, true, true },
    };

    [Theory]
    [MemberData(nameof(TransposedCases))]
    public void TransposedOperandsAreReadInPlace(int m, int k, int n, bool transA, bool transB)
    {
        if (KernelRefused()) return;
        var a = RandomValues(m * k, 5);
        var b = RandomValues(k * n, 6);
        // The stored layouts: A as [k, m] when transposed, B as [n, k].
        var storedA = transA ? Transpose(a, m, k) : a;
        var storedB = transB ? Transpose(b, k, n) : b;
        var c = new double[m * n];
        Gemm.Run(storedA, storedB, c, m, k, n, transA, transB);
        var expected = Reference(a, b, m, k, n);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-12);
        var small = new double[m * n];
        MatMulKernels.MatMul<double>(storedA, transA, storedB, transB, small, m, k, n);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], small[i], 1e-12);
    }

    /// <summary>The float packs read a transposed A six neighbours at a time (a vector load): same products.</summary>
    [Theory]
    [MemberData(nameof(TransposedCases))]
    public void TransposedFloatOperandsAreReadInPlace(int m, int k, int n, bool transA, bool transB)
    {
        if (KernelRefused()) return;
        var a = RandomValues(m * k, 7);
        var b = RandomValues(k * n, 8);
        var storedA = (transA ? Transpose(a, m, k) : a).Select(v => (float)v).ToArray();
        var storedB = (transB ? Transpose(b, k, n) : b).Select(v => (float)v).ToArray();
        var c = new float[m * n];
        Gemm.Run(storedA, storedB, c, m, k, n, transA, transB);
        var expected = Reference(a.Select(v => (double)(float)v).ToArray(), b.Select(v => (double)(float)v).ToArray(), m, k, n);
        for (int i = 0; i < c.Length; i++) Assert.Equal(expected[i], c[i], 1e-4 * Math.Sqrt(k));
    }

    private static double[] Transpose(double[] x, int rows, int cols)
    {
        var t = new double[x.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j];
        return t;
    }

    [Theory]
    [InlineData(300, 200, 250)] // several row blocks: split by rows
    [InlineData(64, 256, 200)]  // one row block: split by column strips
    [InlineData(70, 600, 530)]  // several K slices and (double) several NC panels per tile
    public void MatMulGivesTheSameResultOnOneThreadAndOnAll(int m, int k, int n)
    {
        var a = Tensor.Rand([m, k], DType.Float64, seed: 1);
        var b = Tensor.Rand([k, n], DType.Float64, seed: 2);
        var one = ThreadCount.One(() => a.MatMul(b).ToDoubleArray());
        var all = Array.Empty<double>();
        ThreadCount.Many(Math.Max(4, Environment.ProcessorCount), () =>
        {
            all = a.MatMul(b).ToDoubleArray();
            Assert.Equal(one, all);
        });
        var expected = Reference(a.ToDoubleArray(), b.ToDoubleArray(), m, k, n);
        for (int i = 0; i < all.Length; i++) Assert.Equal(expected[i], all[i], 1e-12);
    }

    public static TheoryData<int, int, int, bool, bool, int> ThreadedCases => new()
    {
        { 256, 256, 256, false, false, 2 },
        { 784, 64, 128, true, false, 2 },   // the MLP's weight gradient x^T @ g: rows split
        { 64, 784, 128, false, true, 2 },   // a 64-row batch: columns split
        { 97, 300, 531, true, true, 3 },    // a 3-way grid with ragged edges
        { 13, 2000, 20, false, false, 4 },  // too few strips for 4 parts one way (k large enough to be threaded at all)
    };

    [Theory]
    [MemberData(nameof(ThreadedCases))]
    public void Threaded_tiles_give_the_single_thread_bits(int m, int k, int n, bool transA, bool transB, int threads)
    {
        if (KernelRefused()) return;
        var a = RandomValues(m * k, 7);
        var b = RandomValues(k * n, 8);
        var storedA = transA ? Transpose(a, m, k) : a;
        var storedB = transB ? Transpose(b, k, n) : b;
        var af = storedA.Select(v => (float)v).ToArray();
        var bf = storedB.Select(v => (float)v).ToArray();
        var one = new double[m * n];
        var oneF = new float[m * n];
        ThreadCount.One(() =>
        {
            Gemm.Run(storedA, storedB, one, m, k, n, transA, transB);
            Gemm.Run(af, bf, oneF, m, k, n, transA, transB);
            return 0;
        });
        var many = Array.Empty<double>();
        ThreadCount.Many(threads, () =>
        {
            many = Enumerable.Repeat(double.NaN, m * n).ToArray();
            var manyF = Enumerable.Repeat(float.NaN, m * n).ToArray();
            Gemm.Run(storedA, storedB, many, m, k, n, transA, transB);
            Gemm.Run(af, bf, manyF, m, k, n, transA, transB);
            Assert.Equal(one, many);
            Assert.Equal(oneF, manyF);
        });
        var expected = Reference(a, b, m, k, n);
        for (int i = 0; i < many.Length; i++) Assert.Equal(expected[i], many[i], 1e-12);
    }
}
