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
