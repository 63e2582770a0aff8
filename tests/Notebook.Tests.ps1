# The notebook's cells (examples/notebook.ps1) against the notebook's own output (the expected texts below are copied
# verbatim from the PyTorch notebook; only cell 6's memory address is left out, as this module prints none).
#
# The cells share variables as notebook cells do, so they run in order in one "kernel": a runspace of their own that
# dot-sources examples/notebook.ps1 -AsCells and then each cell, printing objects as the demo prints them.
# Needs the assembled module: run through ./build.ps1 Test (which builds first).

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot
    $script:Kernel = [powershell]::Create([runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault()))
    $Kernel.Runspace.Open()
    $null = $Kernel.AddScript(". '$((Join-Path $Root 'examples/notebook.ps1').Replace("'", "''"))' -AsCells").Invoke()

    # Runs PowerShell in the kernel's global scope and returns what it wrote; a non-terminating error fails the test.
    function Invoke-Kernel([string] $Script) {
        $Kernel.Commands.Clear()
        $Kernel.Streams.ClearStreams()
        $result = $Kernel.AddScript($Script).Invoke()
        $errors = @($Kernel.Streams.Error)
        if ($errors.Count) { throw "The cell wrote errors: $($errors -join '; ')" }
        , @($result)
    }

    # One cell's printed text: each object's text on its own lines, line endings normalized.
    function Invoke-Cell([string] $Name) {
        $lines = Invoke-Kernel ". `$Cells['$Name'] | Format-CellOutput"
        ((@($lines | ForEach-Object { "$_" }) -join "`n") -replace "`r`n", "`n")
    }

    function Get-Expected([string] $Text) { $Text -replace "`r`n", "`n" }
}

AfterAll {
    if ($Kernel) { $Kernel.Runspace.Dispose(); $Kernel.Dispose() }
}

Describe 'examples/notebook.ps1 prints what the PyTorch autograd notebook printed' {
    It 'defines the twelve cells In [1] .. In [12], in order' {
        $names = Invoke-Kernel '$Cells.Keys'
        $names | Should -Be (1..12 | ForEach-Object { "In [$_]" })
    }

    It 'In [1]: import torch (imports out/AutoGrad.PS)' {
        Invoke-Cell 'In [1]' | Should -BeExactly ''
        Invoke-Kernel '(Get-Module AutoGrad.PS).Name' | Should -Be 'AutoGrad.PS'
    }

    It 'In [2]: x**2 prints, and y.backward() on a non-scalar fails as in PyTorch' {
        Invoke-Cell 'In [2]' | Should -BeExactly (Get-Expected @'
tensor([[1., 2.],
        [2., 3.]], dtype=torch.float64, requires_grad=True)
tensor([[1., 4.],
        [4., 9.]], dtype=torch.float64, grad_fn=<PowBackward0>)
RuntimeError: grad can be implicitly created only for scalar outputs
'@)
        $err = Invoke-Kernel 'try { $y | Invoke-Backward -ErrorAction Stop } catch { $_ }'
        $err | Should -HaveCount 1
        $err[0].Exception.Message | Should -BeExactly 'grad can be implicitly created only for scalar outputs'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvokeBackwardNonScalar,*'
    }

    It 'In [3]: mean() then backward() gives 0.25 everywhere' {
        Invoke-Cell 'In [3]' | Should -BeExactly (Get-Expected @'
tensor([[1., 2.],
        [2., 3.]], dtype=torch.float64, requires_grad=True)
tensor(2., dtype=torch.float64, grad_fn=<MeanBackward0>)
tensor([[0.2500, 0.2500],
        [0.2500, 0.2500]], dtype=torch.float64)
'@)
    }

    It 'In [4]: torch.ones(2, 2, requires_grad=True)' {
        Invoke-Cell 'In [4]' | Should -BeExactly (Get-Expected @'
tensor([[1., 1.],
        [1., 1.]], requires_grad=True)
'@)
    }

    It 'In [5]: y = x + 2' {
        Invoke-Cell 'In [5]' | Should -BeExactly (Get-Expected @'
tensor([[3., 3.],
        [3., 3.]], grad_fn=<AddBackward0>)
'@)
    }

    It 'In [6]: print(y.grad_fn) (without the memory address)' {
        Invoke-Cell 'In [6]' | Should -BeExactly '<AddBackward0 object>'
    }

    It 'In [7]: z = y * y * 3; out = z.mean(); print(z, out)' {
        Invoke-Cell 'In [7]' | Should -BeExactly (Get-Expected @'
tensor([[27., 27.],
        [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)
'@)
    }

    It 'In [8]: out.backward(); print(x.grad) gives 4.5' {
        Invoke-Cell 'In [8]' | Should -BeExactly (Get-Expected @'
tensor([[4.5000, 4.5000],
        [4.5000, 4.5000]])
'@)
    }

    It 'after In [8]: the demo''s trace shows how autograd computed the 4.5, node for node as PyTorch''s hooks saw it' {
        $text = ((Invoke-Kernel '& $Asides[''In [8]''] | Out-String -Width 4096') -join "`n") -replace "`r`n", "`n"
        $text.Trim("`n") | Should -BeExactly (Get-Expected @'
Node           GradOutputs        GradInputs         Leaf
----           -----------        ----------         ----

MeanBackward0  1.                 [[0.2500, 0.2500],
                                   [0.2500, 0.2500]]
MulBackward0   [[0.2500, 0.2500], [[0.7500, 0.7500],
                [0.2500, 0.2500]]  [0.7500, 0.7500]]
                                  None
MulBackward0   [[0.7500, 0.7500], [[2.2500, 2.2500],
                [0.7500, 0.7500]]  [2.2500, 2.2500]]
                                  [[2.2500, 2.2500],
                                   [2.2500, 2.2500]]
AddBackward0   [[4.5000, 4.5000], [[4.5000, 4.5000],
                [4.5000, 4.5000]]  [4.5000, 4.5000]]
                                  None
AccumulateGrad [[4.5000, 4.5000],                    $x
                [4.5000, 4.5000]]
'@)
        # The nodes PyTorch's hooks recorded for these cells (tests/data/backward_trace.py).
        $reference = (Get-Content -LiteralPath (Join-Path $Root 'tests/data/backward_trace.json') -Raw | ConvertFrom-Json).cases |
            Where-Object name -eq 'notebook In [4]-[8]'
        $nodes = Invoke-Kernel '(& $Asides[''In [8]'']).Node'
        $nodes | Should -Be @($reference.trace.node)
        # The aside has its own scope: the cells' $x still holds In [8]'s gradient.
        (Invoke-Kernel '$x.Grad.ToString()')[0] | Should -BeExactly "tensor([[4.5000, 4.5000],`n        [4.5000, 4.5000]])"
    }

    It 'In [9]: the same graph on float64 data' {
        Invoke-Cell 'In [9]' | Should -BeExactly (Get-Expected @'
tensor([[3., 4.],
        [4., 5.]], dtype=torch.float64, grad_fn=<AddBackward0>)
tensor([[27., 48.],
        [48., 75.]], dtype=torch.float64, grad_fn=<MulBackward0>) tensor(49.5000, dtype=torch.float64, grad_fn=<MeanBackward0>)
tensor([[4.5000, 6.0000],
        [6.0000, 7.5000]], dtype=torch.float64)
'@)
    }

    It 'In [10]: sum() then backward() gives 1 everywhere' {
        Invoke-Cell 'In [10]' | Should -BeExactly (Get-Expected @'
tensor(8., dtype=torch.float64, grad_fn=<SumBackward0>)
tensor([[1., 1.],
        [1., 1.]], dtype=torch.float64)
'@)
    }

    It 'In [11]: a scalar tensor and a matrix in one graph' {
        Invoke-Cell 'In [11]' | Should -BeExactly (Get-Expected @'
tensor([[20., 20.],
        [20., 20.]], grad_fn=<AddBackward0>)
tensor(20., grad_fn=<MeanBackward0>)
tensor(12.)
tensor([[1., 1.],
        [1., 1.]])
'@)
    }

    It 'In [12]: two matrices in one graph' {
        Invoke-Cell 'In [12]' | Should -BeExactly (Get-Expected @'
z: tensor([[ 4., 10.],
        [10., 20.]], dtype=torch.float64, grad_fn=<AddBackward0>)
z.mean: tensor(11., dtype=torch.float64, grad_fn=<MeanBackward0>)
tensor([[1., 2.],
        [2., 3.]], dtype=torch.float64)
tensor([[1., 1.],
        [1., 1.]])
'@)
    }

    It 'runs as the demo: pwsh examples/notebook.ps1 prints every cell and succeeds' {
        $exe = [Environment]::ProcessPath
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
        Push-Location $TestDrive
        try {
            $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'examples/notebook.ps1') 2>&1
            $code = $LASTEXITCODE
        } finally {
            Pop-Location
        }
        $text = ($out | ForEach-Object { "$_" }) -join "`n"
        $code | Should -Be 0 -Because $text
        foreach ($n in 1..12) { $text | Should -Match ([regex]::Escape("In [$n]:")) }
        $text | Should -Match '(?m)^How autograd computed In \[8\] \(Invoke-Backward -Trace\):\nNode +GradOutputs +GradInputs +Leaf$'
        $text | Should -Match ([regex]::Escape("tensor([[4.5000, 4.5000],`n        [4.5000, 4.5000]])"))
    }
}
