using AutoGrad.Autograd;
using BenchmarkDotNet.Attributes;
using TorchSharp;
using AgTensor = AutoGrad.Tensor;
using TT = TorchSharp.torch.Tensor;

namespace AutoGrad.Benchmarks;

// Every case class has the same two methods: Ours (our engine) and Torch (libtorch through TorchSharp, the
// Baseline), so BenchmarkDotNet's Ratio column is ours/libtorch for each parameter combination. Both sides start
// from inputs made once in GlobalSetup and, like PyTorch code, allocate their result per call and free it when it
// dies: Python frees a tensor when its last reference goes, TorchSharp code disposes it (`using`), and so does
// ours here. libtorch on CPU allocates with glibc malloc, which keeps freed blocks up to 32 MB mapped and hands
// them out again; our engine hands a disposed tensor's storage to the next result of the same size (StoragePool),
// and otherwise allocates a managed array. The graph cases (notebook, MLP) dispose nothing on our side.
//
// Threads: both engines get the same thread count: torch.set_num_threads(Threads) for libtorch and
// AutoGrad.Parallelism.NumThreads for ours (whose kernels split only large tensors and matmuls).

public abstract class SideBySide
{
    /// <summary>1 and all cores (deduplicated on a 1-core machine).</summary>
    public static IEnumerable<int> ThreadCounts => new[] { 1, Environment.ProcessorCount }.Distinct();

    [ParamsSource(nameof(ThreadCounts))] public int Threads { get; set; }

    protected void SetThreads()
    {
        TorchRuntime.EnsureLoaded();
        torch.set_num_threads(Threads);
        AutoGrad.Parallelism.NumThreads = Threads;
    }

    protected static torch.ScalarType TorchType(DType d) => d switch
    {
        DType.Float32 => torch.ScalarType.Float32,
        DType.Float64 => torch.ScalarType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };
}

/// <summary>add, mul, exp, tanh, sigmoid on contiguous vectors, and a row-vector broadcast add
/// ([N/1000, 1000] + [1000]).</summary>
public class Elementwise : SideBySide
{
    [Params("add", "mul", "exp", "tanh", "sigmoid", "add_row_bcast")] public string Op { get; set; } = "";
    [Params(1_000, 1_000_000, 10_000_000)] public int Size { get; set; }
    [Params(DType.Float32, DType.Float64)] public DType DType { get; set; }

    private AgTensor _a = null!, _b = null!;
    private TT _ta = null!, _tb = null!;

    [GlobalSetup]
    public void Setup()
    {
        SetThreads();
        int[] shapeA = Op == "add_row_bcast" ? [Size / 1000, 1000] : [Size];
        int[] shapeB = Op == "add_row_bcast" ? [1000] : [Size];
        _a = AgTensor.Rand(shapeA, DType, seed: 1);
        _b = AgTensor.Rand(shapeB, DType, seed: 2);
        _ta = torch.rand(shapeA.Select(d => (long)d).ToArray(), TorchType(DType));
        _tb = torch.rand(shapeB.Select(d => (long)d).ToArray(), TorchType(DType));
    }

    [GlobalCleanup] public void Cleanup() { _ta.Dispose(); _tb.Dispose(); }

    [Benchmark]
    public void Ours()
    {
        using var r = Op switch
        {
            "add" or "add_row_bcast" => _a.Add(_b),
            "mul" => _a.Mul(_b),
            "exp" => _a.Exp(),
            "tanh" => _a.Tanh(),
            "sigmoid" => _a.Sigmoid(),
            _ => throw new InvalidOperationException(Op),
        };
    }

    [Benchmark(Baseline = true)]
    public void Torch()
    {
        using var r = Op switch
        {
            "add" or "add_row_bcast" => _ta.add(_tb),
            "mul" => _ta.mul(_tb),
            "exp" => _ta.exp(),
            "tanh" => _ta.tanh(),
            "sigmoid" => _ta.sigmoid(),
            _ => throw new InvalidOperationException(Op),
        };
    }
}

/// <summary>Full sum and mean of a vector, and sums over one dim of a [1000,1000] matrix.</summary>
public class Reductions : SideBySide
{
    [Params("sum_1e6", "sum_1e7", "mean_1e6", "mean_1e7", "sum_dim0_1000x1000", "sum_dim1_1000x1000")]
    public string Case { get; set; } = "";
    [Params(DType.Float32, DType.Float64)] public DType DType { get; set; }

    private AgTensor _a = null!;
    private TT _ta = null!;

    [GlobalSetup]
    public void Setup()
    {
        SetThreads();
        int[] shape = Case.EndsWith("1e6") ? [1_000_000] : Case.EndsWith("1e7") ? [10_000_000] : [1000, 1000];
        _a = AgTensor.Rand(shape, DType, seed: 1);
        _ta = torch.rand(shape.Select(d => (long)d).ToArray(), TorchType(DType));
    }

    [GlobalCleanup] public void Cleanup() => _ta.Dispose();

    [Benchmark]
    public void Ours()
    {
        using var r = Case switch
        {
            "sum_dim0_1000x1000" => _a.Sum([0], keepDim: false),
            "sum_dim1_1000x1000" => _a.Sum([1], keepDim: false),
            _ when Case.StartsWith("sum") => _a.Sum(),
            _ => _a.Mean(),
        };
    }

    [Benchmark(Baseline = true)]
    public void Torch()
    {
        using var r = Case switch
        {
            "sum_dim0_1000x1000" => _ta.sum(0L, keepdim: false),
            "sum_dim1_1000x1000" => _ta.sum(1L, keepdim: false),
            _ when Case.StartsWith("sum") => _ta.sum(),
            _ => _ta.mean(),
        };
    }
}

/// <summary>softmax, log_softmax and cross_entropy over the last dim of a [1000,1000] matrix (1000 classes).</summary>
public class Softmax : SideBySide
{
    [Params("softmax", "log_softmax", "cross_entropy")] public string Op { get; set; } = "";
    [Params(DType.Float32, DType.Float64)] public DType DType { get; set; }

    private AgTensor _a = null!, _target = null!;
    private TT _ta = null!, _ttarget = null!;

    [GlobalSetup]
    public void Setup()
    {
        SetThreads();
        _a = AgTensor.RandN([1000, 1000], DType, seed: 1);
        _target = AgTensor.FromArray(Enumerable.Range(0, 1000).Select(i => (long)(i * 7 % 1000)).ToArray(), 1000);
        _ta = torch.randn(new long[] { 1000, 1000 }, TorchType(DType));
        _ttarget = torch.arange(1000L, dtype: torch.ScalarType.Int64) * 7 % 1000;
    }

    [GlobalCleanup] public void Cleanup() { _ta.Dispose(); _ttarget.Dispose(); }

    [Benchmark]
    public void Ours()
    {
        using var r = Op switch
        {
            "softmax" => _a.Softmax(1),
            "log_softmax" => _a.LogSoftmax(1),
            _ => _a.CrossEntropy(_target),
        };
    }

    [Benchmark(Baseline = true)]
    public void Torch()
    {
        using var r = Op switch
        {
            "softmax" => _ta.softmax(1),
            "log_softmax" => _ta.log_softmax(1),
            _ => torch.nn.functional.cross_entropy(_ta, _ttarget),
        };
    }
}

/// <summary>Square matmul [N,N] @ [N,N].</summary>
public class MatMul : SideBySide
{
    [Params(64, 256, 512, 1024)] public int N { get; set; }
    [Params(DType.Float32, DType.Float64)] public DType DType { get; set; }

    private AgTensor _a = null!, _b = null!;
    private TT _ta = null!, _tb = null!;

    [GlobalSetup]
    public void Setup()
    {
        SetThreads();
        _a = AgTensor.RandN([N, N], DType, seed: 1);
        _b = AgTensor.RandN([N, N], DType, seed: 2);
        _ta = torch.randn(new long[] { N, N }, TorchType(DType));
        _tb = torch.randn(new long[] { N, N }, TorchType(DType));
    }

    [GlobalCleanup] public void Cleanup() { _ta.Dispose(); _tb.Dispose(); }

    [Benchmark] public void Ours() { using var r = _a.MatMul(_b); }

    [Benchmark(Baseline = true)]
    public void Torch() { using var r = _ta.matmul(_tb); }
}

/// <summary>The notebook's cell 9, end to end: x = 2x2 float64 leaf with requires_grad; y = x + 2; z = y*y*3;
/// out = z.mean(); out.backward(); read x.grad. The leaf is created inside the measured call, as in the cell.</summary>
public class NotebookGraph : SideBySide
{
    private static readonly double[] Data = [1, 2, 3, 4];
    private static readonly long[] TorchShape = [2, 2];

    [GlobalSetup] public void Setup() => SetThreads();

    [Benchmark]
    public AgTensor? Ours()
    {
        var x = AutoGrad.Tensor.FromDoubles(Data, [2, 2], DType.Float64, requiresGrad: true);
        var y = x + 2;
        var z = y * y * 3;
        var @out = z.Mean();
        @out.Backward();
        return x.Grad;
    }

    [Benchmark(Baseline = true)]
    public void Torch()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(Data, TorchShape, torch.float64, requires_grad: true);
        var y = x + 2;
        var z = y * y * 3;
        var @out = z.mean();
        @out.backward();
        _ = x.grad;
    }
}

/// <summary>One MLP training step without the optimizer update (our engine has no in-place parameter update yet):
/// x [64,784] -> Linear(784,128) -> ReLU -> Linear(128,10), loss ((pred - target)**2).mean() (our engine has no
/// MseLoss yet; same formula on both sides), backward, then the gradients reset to None as
/// optimizer.zero_grad(set_to_none=True) does.</summary>
public class MlpStep : SideBySide
{
    [Params(DType.Float32, DType.Float64)] public DType DType { get; set; }

    private AgTensor _x = null!, _target = null!, _w1 = null!, _b1 = null!, _w2 = null!, _b2 = null!;
    private TT _tx = null!, _ttarget = null!, _tw1 = null!, _tb1 = null!, _tw2 = null!, _tb2 = null!;

    [GlobalSetup]
    public void Setup()
    {
        SetThreads();
        _x = AgTensor.RandN([64, 784], DType, seed: 1);
        _target = AgTensor.RandN([64, 10], DType, seed: 2);
        _w1 = Scaled(AgTensor.RandN([784, 128], DType, seed: 3), 1 / Math.Sqrt(784));
        _b1 = AgTensor.Zeros([128], DType, requiresGrad: true);
        _w2 = Scaled(AgTensor.RandN([128, 10], DType, seed: 4), 1 / Math.Sqrt(128));
        _b2 = AgTensor.Zeros([10], DType, requiresGrad: true);

        var tt = TorchType(DType);
        _tx = torch.randn(new long[] { 64, 784 }, tt);
        _ttarget = torch.randn(new long[] { 64, 10 }, tt);
        using (torch.no_grad())
        {
            _tw1 = (torch.randn(new long[] { 784, 128 }, tt) / Math.Sqrt(784)).requires_grad_();
            _tb1 = torch.zeros(new long[] { 128 }, tt).requires_grad_();
            _tw2 = (torch.randn(new long[] { 128, 10 }, tt) / Math.Sqrt(128)).requires_grad_();
            _tb2 = torch.zeros(new long[] { 10 }, tt).requires_grad_();
        }
    }

    private static AgTensor Scaled(AgTensor t, double s)
    {
        AgTensor r;
        using (GradMode.NoGrad()) r = t.Mul(s);
        r.RequiresGrad = true;
        return r;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var t in new[] { _tx, _ttarget, _tw1, _tb1, _tw2, _tb2 }) t.Dispose();
    }

    [Benchmark]
    public AgTensor Ours()
    {
        var h = _x.MatMul(_w1).Add(_b1).Relu();
        var pred = h.MatMul(_w2).Add(_b2);
        var loss = pred.Sub(_target).Pow(2L).Mean();
        loss.Backward();
        _w1.Grad = null; _b1.Grad = null; _w2.Grad = null; _b2.Grad = null;
        return loss;
    }

    [Benchmark(Baseline = true)]
    public void Torch()
    {
        using var scope = torch.NewDisposeScope();
        var h = _tx.matmul(_tw1).add(_tb1).relu();
        var pred = h.matmul(_tw2).add(_tb2);
        var loss = pred.sub(_ttarget).pow(2).mean();
        loss.backward();
        _tw1.grad = null; _tb1.grad = null; _tw2.grad = null; _tb2.grad = null;
    }
}

/// <summary>Pure-memory reference at the elementwise sizes: Span.CopyTo into a preallocated buffer (read N +
/// write N elements, the bandwidth bound of a unary op), and the same with a fresh array per call, which is what an
/// engine that allocates its result per op pays on top (zeroing, and above 85 KB the large-object heap).
/// Single-threaded; Copy is the baseline, so Ratio here is alloc+copy / copy.</summary>
public class MemoryCopy
{
    [Params(1_000, 1_000_000, 10_000_000)] public int Size { get; set; }
    [Params(DType.Float32, DType.Float64)] public DType DType { get; set; }

    private float[] _sf = [], _df = [];
    private double[] _sd = [], _dd = [];

    [GlobalSetup]
    public void Setup()
    {
        if (DType == DType.Float32) { _sf = new float[Size]; _df = new float[Size]; _sf.AsSpan().Fill(1); }
        else { _sd = new double[Size]; _dd = new double[Size]; _sd.AsSpan().Fill(1); }
    }

    [Benchmark(Baseline = true)]
    public void Copy()
    {
        if (DType == DType.Float32) _sf.AsSpan().CopyTo(_df);
        else _sd.AsSpan().CopyTo(_dd);
    }

    [Benchmark]
    public Array AllocCopy()
    {
        if (DType == DType.Float32) { var d = new float[Size]; _sf.AsSpan().CopyTo(d); return d; }
        else { var d = new double[Size]; _sd.AsSpan().CopyTo(d); return d; }
    }
}
