namespace AutoGrad.Tests;

/// <summary>Large elementwise ops split across threads give exactly the single-threaded result.</summary>
public class ParallelKernelTests
{
    public static TheoryData<string> Ops => new() { "Add", "MulScalar", "RSubScalar", "Exp", "Tanh", "Sigmoid" };

    private static Tensor Apply(string op, Tensor a, Tensor b) => op switch
    {
        "Add" => a.Add(b),
        "MulScalar" => a.Mul(1.5),
        "RSubScalar" => a.RSub(2.0),
        "Exp" => a.Exp(),
        "Tanh" => a.Tanh(),
        _ => a.Sigmoid(),
    };

    [Theory]
    [MemberData(nameof(Ops))]
    public void SplitAcrossThreadsEqualsOneThread(string op)
    {
        const int n = (1 << 18) + 37;
        var a = Tensor.RandN([n], DType.Float32, seed: 1);
        var b = Tensor.RandN([n], DType.Float32, seed: 2);
        int saved = Parallelism.NumThreads;
        try
        {
            Parallelism.NumThreads = 1;
            var one = (float[])Apply(op, a, b).ToArray();
            Parallelism.NumThreads = 4;
            var many = (float[])Apply(op, a, b).ToArray();
            Assert.Equal(one, many);
            var x = (float[])a.ToArray();
            var y = (float[])b.ToArray();
            for (int i = 0; i < n; i += 997)
            {
                double expected = op switch
                {
                    "Add" => x[i] + y[i], "MulScalar" => x[i] * 1.5f, "RSubScalar" => 2f - x[i],
                    "Exp" => Math.Exp(x[i]), "Tanh" => Math.Tanh(x[i]),
                    _ => AutoGrad.Kernels.SigmoidFloat.Scalar(x[i]),   // PyTorch's float sigmoid, not the rounded exact value
                };
                Assert.Equal((float)expected, many[i]);
            }
        }
        finally
        {
            Parallelism.NumThreads = saved;
        }
    }
}

/// <summary>Large sums split into fixed blocks: the same bits on one thread and on many.</summary>
public class ParallelReductionTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void SumIsIndependentOfTheThreadCount(DType dtype)
    {
        var x = Tensor.RandN([3_000_001], dtype, seed: 5);
        int saved = Parallelism.NumThreads;
        try
        {
            Parallelism.NumThreads = 1;
            var one = x.Sum().Item();
            Parallelism.NumThreads = 3;
            Assert.Equal(one, x.Sum().Item());
            double exact = x.ToDoubleArray().Sum();
            Assert.Equal(exact, (double)one, dtype == DType.Float32 ? 1e-2 : 1e-8);
        }
        finally
        {
            Parallelism.NumThreads = saved;
        }
    }
}
