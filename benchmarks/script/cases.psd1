# The script suite's cases (benchmarks/script/run.ps1): the same loop body as a PowerShell user writes it and as a
# Python user writes it with PyTorch (or, for matrix-heavy steps, C# with TorchSharp/libtorch: Debian's
# python3-torch has a generic reference BLAS, ~2.5 GFLOP/s, which would flatter us). Each side runs in a fresh
# process: a default `dotnet pwsh` (no DOTNET_GC* variables, nothing disposed) and /usr/bin/python3.
# Target: the ratio (ours / peer) the issue asks for. Peer 'pwsh' compares two PowerShell forms.
@{
    Cases = @(
        @{ Name = 'add f32 1e6'; Target = 1.5; Iterations = 200; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000; $b = New-Tensor -Rand -Shape 1000000'
           Body = '$c = $a + $b'
           PySetup = 'a = torch.rand(1000000); b = torch.rand(1000000)'; PyBody = 'c = a + b' }
        @{ Name = 'add f64 1e6'; Target = 1.5; Iterations = 200; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000 -DType Float64; $b = New-Tensor -Rand -Shape 1000000 -DType Float64'
           Body = '$c = $a + $b'
           PySetup = 'a = torch.rand(1000000, dtype=torch.float64); b = torch.rand(1000000, dtype=torch.float64)'; PyBody = 'c = a + b' }
        @{ Name = 'mul f32 1e6'; Target = 1.5; Iterations = 200; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000; $b = New-Tensor -Rand -Shape 1000000'
           Body = '$c = $a * $b'
           PySetup = 'a = torch.rand(1000000); b = torch.rand(1000000)'; PyBody = 'c = a * b' }
        @{ Name = 'mul f64 1e6'; Target = 1.5; Iterations = 200; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000 -DType Float64; $b = New-Tensor -Rand -Shape 1000000 -DType Float64'
           Body = '$c = $a * $b'
           PySetup = 'a = torch.rand(1000000, dtype=torch.float64); b = torch.rand(1000000, dtype=torch.float64)'; PyBody = 'c = a * b' }
        @{ Name = 'exp f32 1e6 (Invoke-Op)'; Target = 1.5; Iterations = 100; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000'
           Body = '$c = $a | Invoke-Op Exp'
           PySetup = 'a = torch.rand(1000000)'; PyBody = 'c = torch.exp(a)' }
        @{ Name = 'exp f64 1e6 (Invoke-Op)'; Target = 1.5; Iterations = 100; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000 -DType Float64'
           Body = '$c = $a | Invoke-Op Exp'
           PySetup = 'a = torch.rand(1000000, dtype=torch.float64)'; PyBody = 'c = torch.exp(a)' }
        @{ Name = 'sum f32 1e6 (Measure-Sum)'; Target = 1.5; Iterations = 200; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000'
           Body = '$c = $a | Measure-Sum'
           PySetup = 'a = torch.rand(1000000)'; PyBody = 'c = a.sum()' }
        @{ Name = 'sum f64 1e6 (Measure-Sum)'; Target = 1.5; Iterations = 200; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 1000000 -DType Float64'
           Body = '$c = $a | Measure-Sum'
           PySetup = 'a = torch.rand(1000000, dtype=torch.float64)'; PyBody = 'c = a.sum()' }
        @{ Name = 'logistic regression step, cmdlets'; Target = 2.0; Iterations = 500; Peer = 'python'
           Setup = 'Set-RandomSeed 0; $X = New-Tensor -RandN -Shape 64, 8; $y = New-Tensor (0..63 | ForEach-Object { $_ % 2 }); $w = New-Tensor -Zeros -Shape 8, 2 -RequiresGrad'
           Body = '$loss = $X | Invoke-Op MatMul $w | Invoke-Op CrossEntropy -Target $y; $loss | Invoke-Backward; Use-NoGrad { $null = $w.Sub_($w.Grad * 0.1) }; $w | Clear-Grad'
           PySetup = 'torch.manual_seed(0); X = torch.randn(64, 8); y = torch.arange(64) % 2; w = torch.zeros(8, 2, requires_grad=True)'
           PyBody = "loss = F.cross_entropy(X @ w, y); loss.backward()`nwith torch.no_grad(): w.sub_(w.grad * 0.1)`nw.grad = None" }
        @{ Name = 'logistic regression step, methods and an optimizer'; Target = 1.2; Iterations = 500; Peer = 'python'
           Setup = 'Set-RandomSeed 0; $X = New-Tensor -RandN -Shape 64, 8; $y = New-Tensor (0..63 | ForEach-Object { $_ % 2 }); $w = New-Tensor -Zeros -Shape 8, 2 -RequiresGrad; $opt = New-Optimizer SGD -Parameters $w -LR 0.1'
           Body = '$loss = $X.MatMul($w).CrossEntropy($y); $loss.Backward(); $opt.Step(); $opt.ZeroGrad()'
           PySetup = 'torch.manual_seed(0); X = torch.randn(64, 8); y = torch.arange(64) % 2; w = torch.zeros(8, 2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)'
           PyBody = 'loss = F.cross_entropy(X @ w, y); loss.backward(); opt.step(); opt.zero_grad()' }
        @{ Name = 'MLP step [64,784] -> 128 -> 10, Adam'; Target = 1.5; Iterations = 200; Peer = 'torchsharp'
           Setup = 'Set-RandomSeed 0; $X = New-Tensor -RandN -Shape 64, 784; $y = New-Tensor (0..63 | ForEach-Object { $_ % 10 }); $model = New-Layer Sequential (New-Layer Linear -InFeatures 784 -OutFeatures 128), (New-Layer ReLU), (New-Layer Linear -InFeatures 128 -OutFeatures 10); $opt = New-Optimizer Adam -Parameters $model -LR 0.001'
           Body = '$loss = $model.Forward($X).CrossEntropy($y); $opt.ZeroGrad(); $loss.Backward(); $opt.Step()'
           TorchSharp = 'mlp-adam' }
        @{ Name = 'Invoke-Op MatMul -InputObject named vs piped'; Target = 1.2; Iterations = 2000; Peer = 'pwsh'
           Setup = '$X = New-Tensor -RandN -Shape 64, 8; $w = New-Tensor -RandN -Shape 8, 2'
           Body = '$c = Invoke-Op MatMul $w -InputObject $X'
           PeerBody = '$c = $X | Invoke-Op MatMul $w' }
        @{ Name = 'cmdlet op on 2x2 vs PowerShell''s floor'; Target = 1.5; Iterations = 5000; Peer = 'pwsh'
           Setup = '$a = New-Tensor -Rand -Shape 2, 2'
           Body = '$c = $a | Invoke-Op Add $a'
           PeerBody = '$c = $a | Write-Output -NoEnumerate' }
        @{ Name = 'operator on 2x2'; Target = 3.0; Iterations = 20000; Peer = 'python'
           Setup = '$a = New-Tensor -Rand -Shape 2, 2'
           Body = '$c = $a + $a'
           PySetup = 'a = torch.rand(2, 2)'; PyBody = 'c = a + a' }
    )
    # Memory: the resident set of a long training loop, sampled every 10,000 steps; flat, and within 1.5x of
    # Python's at the end.
    Memory = @(
        @{ Name = 'resident set of a 100,000-step training loop'; Target = 1.5; Steps = 100000; Every = 10000
           Setup = 'Set-RandomSeed 0; $X = New-Tensor -RandN -Shape 64, 8; $y = New-Tensor (0..63 | ForEach-Object { $_ % 2 }); $w = New-Tensor -Zeros -Shape 8, 2 -RequiresGrad; $opt = New-Optimizer SGD -Parameters $w -LR 0.1'
           Body = '$loss = $X.MatMul($w).CrossEntropy($y); $loss.Backward(); $opt.Step(); $opt.ZeroGrad()'
           PySetup = 'torch.manual_seed(0); X = torch.randn(64, 8); y = torch.arange(64) % 2; w = torch.zeros(8, 2, requires_grad=True); opt = torch.optim.SGD([w], lr=0.1)'
           PyBody = 'loss = F.cross_entropy(X @ w, y); loss.backward(); opt.step(); opt.zero_grad()' }
    )
}
