#Requires -Version 7.4
# Issue 16 (reliability), the module's side: no input crashes the host, no silent wrong value, PowerShell's error
# conventions (per-item problems non-terminating, parameter problems terminating), PyTorch's exact messages.
# Expected texts and values come from real PyTorch: tests/data/reliability-messages.py -> .json.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
    . "$PSScriptRoot/ChildPwsh.ps1"
    $script:Torch = Get-Content -Raw "$PSScriptRoot/data/reliability-messages.json" | ConvertFrom-Json -AsHashtable

    # PyTorch's message for a case that raises in PyTorch (the test data says it raises).
    function Get-TorchMessage([string] $Case) {
        $Torch[$Case].Keys | Should -Contain 'message' -Because "PyTorch raises for $Case"
        $Torch[$Case].message
    }
}

Describe 'PowerShell''s error conventions (issue 16, item 4)' {
    It 'goes on with the third item after the second fails: $a, $bad, $c | Invoke-Op MatMul $w' {
        $w = New-Tensor @(@(1.0, 0.0), @(0.0, 1.0))
        $a = New-Tensor @(, @(1.0, 2.0))
        $bad = New-Tensor @(, @(1.0, 2.0, 3.0))
        $c = New-Tensor @(, @(3.0, 4.0))
        $r = Invoke-WithErrors { $a, $bad, $c | Invoke-Op MatMul $w }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output.ForEach({ $_.ToString() }) | Should -Be @('tensor([[1., 2.]])', 'tensor([[3., 4.]])')
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvokeOpMatMulShapeMismatch,*'
        $r.Errors[0].TargetObject | Should -Be $w
    }

    It '<Cmdlet>: a per-item problem is a non-terminating <Id>' -ForEach @(
        @{ Cmdlet = 'New-Tensor';      Id = 'NewTensorNonNumericData';           Run = { New-Tensor 'abc' } }
        @{ Cmdlet = 'Invoke-Op';       Id = 'InvokeOpDimOutOfRange';             Run = { New-Tensor 1.0, 2.0 | Invoke-Op Softmax -Dim 3 } }
        @{ Cmdlet = 'Measure-Sum';     Id = 'MeasureSumDimOutOfRange';           Run = { New-Tensor 1.0 | Measure-Sum -Dim 4 } }
        @{ Cmdlet = 'Measure-Mean';    Id = 'MeasureMeanMeanNonFloating';        Run = { New-Tensor 1, 2 | Measure-Mean } }
        @{ Cmdlet = 'Invoke-Backward'; Id = 'InvokeBackwardNonScalar';           Run = { (New-Tensor 1.0, 2.0 -RequiresGrad) * 2 | Invoke-Backward } }
        @{ Cmdlet = 'Get-Grad';        Id = 'GetGradGradInputNoGrad';            Run = { $x = New-Tensor 1.0 -RequiresGrad; Get-Grad -Of ($x * 2) -WithRespectTo (New-Tensor 1.0) } }
        @{ Cmdlet = 'Split-Tensor';    Id = 'SplitTensorChunkCount';             Run = { New-Tensor 1.0, 2.0 | Split-Tensor -Chunks 0 } }
        @{ Cmdlet = 'Join-Tensor';     Id = 'JoinTensorCatSizeMismatch';         Run = { (New-Tensor @(, @(1.0))), (New-Tensor @(, @(1.0, 2.0))) | Join-Tensor } }
        @{ Cmdlet = 'Test-Gradient';   Id = 'TestGradientNotOneTensor';          Run = { Test-Gradient { param($p) 1 } -InputObject (New-Tensor 1.0) } }
    ) {
        # The statement goes on after the error: 'after' is written.
        $r = Invoke-WithErrors ([scriptblock]::Create("$Run; 'after'"))
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output[-1] | Should -Be 'after'
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike "$Id,*"
    }

    It 'obeys -ErrorAction SilentlyContinue, Ignore and Stop, -ErrorVariable and 2>$null' {
        $Error.Clear()
        New-Tensor 'abc' -ErrorAction SilentlyContinue -ErrorVariable ev
        $ev | Should -HaveCount 1
        $Error.Count | Should -Be 1
        New-Tensor 'abc' -ErrorAction Ignore
        $Error.Count | Should -Be 1
        (& { New-Tensor 'abc' 2>$null; 'after' }) | Should -Be 'after'
        { New-Tensor 'abc' -ErrorAction Stop } | Should -Throw -ErrorId 'NewTensorNonNumericData,*'
        { New-Tensor 1.0 | Invoke-Op Softmax -Dim 3 -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeOpDimOutOfRange,*'
    }

    It 'keeps the engine''s TorchException (Kind, Id) as the non-terminating error''s exception' {
        $err = Get-WrittenError { New-Tensor 1.0, 2.0 | Invoke-Op Softmax -Dim 3 }
        $err.Exception | Should -BeOfType ([AutoGrad.TorchException])
        $err.Exception.Kind | Should -Be 'IndexError'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'a problem with the parameters stops the statement: <Label>' -ForEach @(
        @{ Label = 'an unknown op';              Id = 'InvokeOpUnknownOp';        Run = { New-Tensor 1.0 | Invoke-Op Frobnicate; 'after' } }
        @{ Label = 'an unknown reduction';       Id = 'InvokeOpInvalidReduction'; Run = { New-Tensor 1.0 | Invoke-Op MseLoss -Target 1.0 -Reduction Average; 'after' } }
        @{ Label = 'a parameter the op refuses'; Id = 'InvokeOpUnexpectedParameter'; Run = { New-Tensor 1.0 | Invoke-Op Relu -Dim 0; 'after' } }
    ) {
        $err = Get-TerminatingError $Run
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
    }

    It '$t <Op> $null is PyTorch''s TypeError, carried as the TorchException (<Case>)' -ForEach @(
        @{ Op = '-'; Case = 'tensor_minus_none' }
        @{ Op = '+'; Case = 'tensor_plus_none' }
        @{ Op = '*'; Case = 'tensor_times_none' }
        @{ Op = '/'; Case = 'tensor_div_none' }
    ) {
        $t = New-Tensor 1.0
        $err = Get-TerminatingError ([scriptblock]::Create("`$t $Op `$null"))
        $err.Exception.InnerException | Should -BeOfType ([AutoGrad.TorchException])
        $err.Exception.InnerException.Kind | Should -Be $Torch[$Case].kind
        $err.Exception.InnerException.Message | Should -BeExactly (Get-TorchMessage $Case)
        $err.Exception.Message | Should -BeLike "*$(Get-TorchMessage $Case)*"
    }
}

Describe 'PyTorch''s messages where they differed (issue 16, item 5)' {
    It 'New-Tensor <Label> -RequiresGrad says what torch.tensor/torch.zeros say (<Case>)' -ForEach @(
        @{ Label = '@(1, 2)';            Case = 'tensor_int_requires_grad'; Splat = @{ Data = @(1, 2) } }
        @{ Label = '-Zeros -DType Int64'; Case = 'zeros_int_requires_grad';  Splat = @{ Zeros = $true; Shape = 2; DType = 'Int64' } }
    ) {
        $err = Get-WrittenError { New-Tensor @Splat -RequiresGrad }
        $err.Exception.Message | Should -BeExactly (Get-TorchMessage $Case)
    }

    It '$t.RequiresGrad = $true on an integer tensor says what the attribute setter says' {
        $t = New-Tensor 1, 2
        $err = Get-TerminatingError { $t.RequiresGrad = $true }
        $err.Exception.InnerException.Message | Should -BeExactly (Get-TorchMessage set_requires_grad_int)
    }

    It '<Label> fails with PyTorch''s text (<Case>)' -ForEach @(
        @{ Label = 'CrossEntropy with a 0-d target';        Case = 'cross_entropy_0d_target';      Run = { New-Tensor @(, @(1.0, 1.0)) | Invoke-Op CrossEntropy -Target (New-Tensor 0) } }
        @{ Label = 'CrossEntropy with fewer targets';       Case = 'cross_entropy_batch_mismatch'; Run = { New-Tensor -Ones -Shape 3, 2 | Invoke-Op CrossEntropy -Target 0, 1 } }
        @{ Label = 'NllLoss with a [3, 1] target';          Case = 'nll_loss_multi_target';        Run = { New-Tensor -Ones -Shape 3, 2 | Invoke-Op NllLoss -Target (New-Tensor @(@(0), @(1), @(0))) } }
        @{ Label = 'NllLoss of a 0-d input';                Case = 'nll_loss_0d_input';            Run = { New-Tensor 1.0 | Invoke-Op NllLoss -Target (New-Tensor 0) } }
    ) {
        $err = Get-WrittenError $Run
        $err.Exception.Message | Should -BeExactly (Get-TorchMessage $Case)
        $err.Exception.Kind | Should -Be $Torch[$Case].kind
    }

    It 'running out of memory under the process''s limit is PyTorch''s allocator message with the byte count, and pwsh goes on' {
        # DOTNET_GCHeapHardLimit is what a container's memory limit becomes for .NET: 256 MB here.
        $r = Invoke-ChildPwsh -Environment @{ DOTNET_GCHeapHardLimit = '0x10000000' } -Script @'
New-Tensor -Zeros -Shape 100000000 -ErrorVariable ev -ErrorAction SilentlyContinue
"id $($ev[0].FullyQualifiedErrorId) $($ev[0].CategoryInfo.Category)"
"message $($ev[0].Exception.Message)"
$x = New-Tensor -Ones -Shape 20000000
try { $y = @($x.Mul(5), $x.Mul(6), $x.Mul(7)) } catch { "method $($_.Exception.InnerException.Message)" }
"alive $((New-Tensor 2.0) * 2)"
'@
        $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        $r.Output | Should -Contain 'id NewTensorOutOfMemory,AutoGrad.PowerShell.Commands.NewTensorCommand ResourceUnavailable'
        # PyTorch's text after its source position ("[enforce fail at alloc_cpu.cpp:75] err == 0. ").
        $expected = (Get-TorchMessage out_of_memory) -replace '^\[.*?\] err == 0\. ' -replace '4000000000000', '400000000'
        $r.Output | Should -Contain "message $expected"
        $r.Output | Should -Contain 'method DefaultCPUAllocator: can''t allocate memory: you tried to allocate 80000000 bytes. Error code 12 (Cannot allocate memory)'
        $r.Output | Should -Contain 'alive tensor(4.)'
    }
}
