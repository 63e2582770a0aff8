using AutoGrad.Benchmarks;
using TorchSharp;
ElfVersionNeedPatcher.PatchBuildOutput(Console.Out);
using var t = torch.ones(2, 2);
Console.WriteLine(t.ToString(TorchSharp.TensorStringStyle.Numpy));
Console.WriteLine(torch.get_num_threads());
