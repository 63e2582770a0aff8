using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoGrad.Benchmarks;

/// <summary>
/// The libtorch side of the script suite's matrix-heavy cases (benchmarks/script/run.ps1): the step a C# user writes
/// with TorchSharp, timed as the PowerShell side is (warm-up batches for six seconds, then batches of iterations),
/// printed as one JSON line {"batchesUs": [...], "coldUs": n, "rssMB": n}. Debian's python3-torch has a reference BLAS, so Python would flatter us here.
/// </summary>
internal static class ScriptPeer
{
    public static int Run(string name, int iterations, int batches)
    {
        Action step = name switch
        {
            "mlp-adam" => MlpAdam(),
            _ => throw new ArgumentException($"unknown script peer '{name}'"),
        };
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < iterations; i++) step();
        double cold = warm.Elapsed.TotalMilliseconds * 1000 / iterations;
        while (warm.Elapsed.TotalSeconds < 6)
            for (int i = 0; i < iterations; i++) step();
        var times = new List<double>();
        for (int b = 0; b < batches; b++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < iterations; i++) step();
            times.Add(sw.Elapsed.TotalMilliseconds * 1000 / iterations);
        }
        double rss = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024);
        Console.WriteLine("{\"batchesUs\": [" + string.Join(", ", times.Select(t => t.ToString("R", CultureInfo.InvariantCulture)))
            + "], \"coldUs\": " + cold.ToString("R", CultureInfo.InvariantCulture)
            + ", \"rssMB\": " + rss.ToString("F1", CultureInfo.InvariantCulture) + "}");
        return 0;
    }

    /// <summary>x [64,784] -> Linear(784,128) -> ReLU -> Linear(128,10), cross entropy, zero_grad, backward, Adam step.</summary>
    private static Action MlpAdam()
    {
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(0);
        var model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10));
        var x = torch.randn(64, 784);
        var y = torch.arange(64, dtype: ScalarType.Int64) % 10;
        var opt = optim.Adam(model.parameters(), lr: 0.001);
        return () =>
        {
            using var scope = torch.NewDisposeScope();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            opt.zero_grad();
            loss.backward();
            opt.step();
        };
    }
}
