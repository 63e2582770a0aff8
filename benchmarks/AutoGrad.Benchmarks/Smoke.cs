using TorchSharp;

namespace AutoGrad.Benchmarks;

/// <summary>A quick check that both engines load and compute the same thing on the benchmark's cases, so the
/// benchmark compares equal work. Not a test suite: the engine's correctness tests live in tests/.</summary>
public static class Smoke
{
    public static int Run()
    {
        int failures = 0;
        void Check(string name, double ours, double theirs, double tol = 1e-6)
        {
            bool ok = Math.Abs(ours - theirs) <= tol * Math.Max(1, Math.Abs(theirs));
            if (!ok) failures++;
            Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {name}: ours={ours:G10} libtorch={theirs:G10}");
        }

        double[] a = Enumerable.Range(0, 1000).Select(i => Math.Sin(i) * 0.5).ToArray();
        double[] b = Enumerable.Range(0, 1000).Select(i => Math.Cos(i) * 0.5).ToArray();
        var oa = Tensor.FromDoubles(a, [1000], DType.Float64);
        var ob = Tensor.FromDoubles(b, [1000], DType.Float64);
        using var ta = torch.tensor(a, torch.float64);
        using var tb = torch.tensor(b, torch.float64);
        Check("sum(a+b)", oa.Add(ob).Sum().ToDoubleArray()[0], ta.add(tb).sum().item<double>());
        Check("sum(a*b)", oa.Mul(ob).Sum().ToDoubleArray()[0], ta.mul(tb).sum().item<double>());
        Check("sum(exp a)", oa.Exp().Sum().ToDoubleArray()[0], ta.exp().sum().item<double>());
        Check("sum(tanh a)", oa.Tanh().Sum().ToDoubleArray()[0], ta.tanh().sum().item<double>());
        Check("sum(sigmoid a)", oa.Sigmoid().Sum().ToDoubleArray()[0], ta.sigmoid().sum().item<double>());
        Check("mean(a)", oa.Mean().ToDoubleArray()[0], ta.mean().item<double>());
        var om = oa.Reshape(10, 100);
        using var tm = ta.reshape(10, 100);
        Check("sum(m @ m.T)", om.MatMul(om.T()).Sum().ToDoubleArray()[0], tm.matmul(tm.t()).sum().item<double>());
        Check("sum(m.sum(dim 1))", om.Sum([1]).ToDoubleArray()[3], tm.sum(1L)[3].item<double>());

        // The notebook's cell 9: d(out)/dx = 6 (x + 2) / 4 = 4.5 at x = 1.
        var x = Tensor.FromDoubles([1, 1, 1, 1], [2, 2], DType.Float64, requiresGrad: true);
        var z = (x + 2) * (x + 2) * 3;
        z.Mean().Backward();
        using var tx = torch.ones(new long[] { 2, 2 }, torch.float64, requires_grad: true);
        using var ty = tx + 2;
        using var tz = ty * ty * 3;
        using var tout = tz.mean();
        tout.backward();
        Check("cell 9 x.grad[0]", x.Grad!.ToDoubleArray()[0], tx.grad!.data<double>()[0]);

        Console.WriteLine(failures == 0 ? "smoke: all agree" : $"smoke: {failures} mismatches");
        return failures == 0 ? 0 : 1;
    }
}
