using TorchSharp;

namespace AutoGrad.Benchmarks;

/// <summary>Loads libtorch once per process: patch the build-output copy of libLibTorchSharp.so (see
/// <see cref="ElfVersionNeedPatcher"/>) before TorchSharp touches native code, then prove it works.</summary>
public static class TorchRuntime
{
    private static readonly Lazy<string> Loaded = new(() =>
    {
        ElfVersionNeedPatcher.PatchBuildOutput(Console.Out);
        using var ones = torch.ones(2, 2);
        if (ones.sum().item<float>() != 4f) throw new InvalidOperationException("torch.ones(2,2).sum() != 4");
        return ones.ToString(TensorStringStyle.Numpy);
    });

    /// <summary>Returns torch.ones(2,2) printed, after making sure libtorch is loaded.</summary>
    public static string EnsureLoaded() => Loaded.Value;
}
