#Requires -Version 7.4
# Issue 16 (reliability), the module's side: no input crashes the host, no silent wrong value, PowerShell's error
# conventions (per-item problems non-terminating, parameter problems terminating), PyTorch's exact messages.
# Expected texts and values come from real PyTorch: tests/data/reliability-messages.py -> .json.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
    . "$PSScriptRoot/IsolatedPwsh.ps1"
    $script:Torch = Get-Content -Raw "$PSScriptRoot/data/reliability-messages.json" | ConvertFrom-Json -AsHashtable

    # PyTorch's message for a case that raises in PyTorch (the test data says it raises).
    function Get-TorchMessage([string] $Case) {
        $Torch[$Case].Keys | Should -Contain 'message' -Because "PyTorch raises for $Case"
        $Torch[$Case].message
    }
}

Describe 'No input crashes the host (issue 16, item 2)' {
    BeforeAll {
        # These inputs used to kill the process with a stack overflow: one child pwsh runs them, so this run survives.
        $script:Crash = Invoke-IsolatedPwsh @'
$s = New-Tensor -Zeros -Shape (@(1) * 60000) | Out-String
"brackets $([regex]::Matches($s, '\[').Count)"
$x = 1.0; foreach ($i in 1..30000) { $x = , $x }
New-Tensor -Data $x -ErrorAction SilentlyContinue -ErrorVariable ev
"id $($ev[0].FullyQualifiedErrorId)"
$p = New-Tensor 1.0 -RequiresGrad; foreach ($i in 1..30000) { $p = , $p }
New-Optimizer SGD @{ Params = $p } -ErrorAction SilentlyContinue -ErrorVariable ev2
"optimizer id $($ev2[0].FullyQualifiedErrorId)"
"alive $((New-Tensor 2.0) * 2)"
'@
    }

    It 'the child pwsh that printed and parsed them exited normally' {
        $Crash.TimedOut | Should -BeFalse
        $Crash.ExitCode | Should -Be 0 -Because ($Crash.Output -join "`n")
    }

    It 'prints a tensor of rank 60000 (the formatter walks dims in a loop, not by recursion)' {
        $Crash.Output | Should -Contain 'brackets 60000'
    }

    It 'turns data nested 30000 levels deep into an ErrorRecord, and the host goes on' {
        $Crash.Output | Should -Contain 'id NewTensorTooManyDimensions,AutoGrad.PowerShell.Commands.NewTensorCommand'
        $Crash.Output | Should -Contain 'alive tensor(4.)'
    }

    It 'turns parameters nested 30000 levels deep for New-Optimizer into an ErrorRecord (the fuzzer''s crash)' {
        $Crash.Output | Should -Contain 'optimizer id NewOptimizerNestedTooDeep,AutoGrad.PowerShell.Commands.NewOptimizerCommand'
    }

    It 'lets data nest 128 levels deep, as torch.tensor does, and no deeper' {
        $x = 1.0
        foreach ($i in 1..128) { $x = , $x }
        (New-Tensor -Data $x).Rank | Should -Be $Torch.nested_128.value
        $err = Get-WrittenError { New-Tensor -Data (, $x) }
        $err.FullyQualifiedErrorId | Should -BeLike 'NewTensorTooManyDimensions,*'
        # PyTorch: "too many dimensions 'list'"; the .NET type stands where Python's type name does.
        (Get-TorchMessage nested_129) -replace "'list'", "'Object[]'" | Should -BeExactly ($err.Exception.Message -replace ' \(.*\)$')
    }

    It 'refuses a shape whose element count does not fit, instead of wrapping the count around' {
        $err = Get-WrittenError { New-Tensor -Zeros -Shape 65536, 65536, 65536, 65536 }
        $err.FullyQualifiedErrorId | Should -BeLike 'NewTensorTensorTooLarge,*'
        $err.Exception.Message | Should -BeLike 'a tensor of shape `[65536, 65536, 65536, 65536`] has more elements than this engine supports*'
    }
}

Describe 'No silent wrong values (issue 16, item 3)' {
    Context 'numbers that Int64 cannot hold' {
        It 'New-Tensor <Data> -DType Int64 fails as torch.tensor does (<Case>)' -ForEach @(
            @{ Case = 'tensor_1e19_int64';          Data = 1e19 }
            @{ Case = 'tensor_nan_int64';           Data = [double]::NaN }
            @{ Case = 'tensor_inf_int64';           Data = [double]::PositiveInfinity }
            @{ Case = 'tensor_list_with_big_int64'; Data = @(1.0, -1e19) }
        ) {
            $err = Get-WrittenError { New-Tensor -Data $Data -DType Int64 }
            $err.FullyQualifiedErrorId | Should -BeLike 'NewTensorValueOverflow,*'
            $err.Exception.Message | Should -BeExactly (Get-TorchMessage $Case)
        }

        It 'truncates what fits, and 2^63 wraps exactly as PyTorch''s bound check lets it' {
            (New-Tensor 1.5, -2.7 -DType Int64).ToArray() | Should -Be $Torch.tensor_1p5_int64.value
            (New-Tensor ([math]::Pow(2, 63)) -DType Int64).Item() | Should -Be $Torch.tensor_2p63_int64.value
        }

        It '-Fill <Fill> -DType <DType> fails as torch.full does (<Case>)' -ForEach @(
            @{ Case = 'full_1e19_int64';   Fill = 1e19;           DType = 'Int64' }
            @{ Case = 'full_nan_int64';    Fill = [double]::NaN;  DType = 'Int64' }
            @{ Case = 'full_1e39_float32'; Fill = 1e39;           DType = 'Float32' }
        ) {
            $err = Get-WrittenError { New-Tensor -Fill $Fill -Shape 1 -DType $DType }
            $err.Exception.Message | Should -BeExactly (Get-TorchMessage $Case)
        }
    }

    Context 'integers in -Fill stay integers' {
        It 'keeps 9007199254740993 exact in Int64 (no trip through double)' {
            $t = New-Tensor -Fill 9007199254740993 -Shape 1 -DType Int64
            $t.ToArray()[0] | Should -BeExactly ([long] $Torch.full_int64_exact.value[0])
        }

        It 'rounds a large integer into Float32 once, as torch.full does' {
            $t = New-Tensor -Fill 1152921573326323713 -Shape 1 -DType Float32
            [double] $t.ToArray()[0] | Should -BeExactly ([double] $Torch.full_int_into_float32.value[0])
        }
    }

    Context 'Test-Gradient' {
        It 'fails instead of reporting "passed" when no input can require grad' {
            $err = Get-WrittenError { Test-Gradient { param($x) $x * 2 } -InputObject (New-Tensor 1, 2) }
            $err.FullyQualifiedErrorId | Should -BeLike 'TestGradientNoInputRequiresGrad,*'
            $err.Exception.Message | Should -BeExactly (Get-TorchMessage gradcheck_no_input_requires_grad)
        }

        It 'prints in the invariant culture (de-DE too)' {
            $saved = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = 'de-DE'
                $r = Test-Gradient { param($x) $x * $x * $x } -InputObject (New-Tensor 1.5)
                $r.ToString() | Should -Match '^Gradient check passed \(largest difference \d\.\d+E-\d+\)$'
                $r = Test-Gradient { param($p) $p.Detach() * $p } -InputObject (New-Tensor 2.5)
                $r.ToString() | Should -BeExactly 'Gradient check failed: input 0, output element 0, input element 0: analytical 2.5 vs numerical 5'
            } finally {
                [cultureinfo]::CurrentCulture = $saved
            }
        }
    }

    Context 'a loss target that would broadcast' {
        BeforeAll {
            $script:pred = New-Tensor @(@(1.0), @(2.0), @(3.0))
            $script:target = New-Tensor 1.0, 2.0, 4.0
        }

        # One It each: a warning shows once per place in a script (see below), and a -ForEach runs one place.
        It 'Invoke-Op MseLoss writes PyTorch''s UserWarning to the warning stream and computes as PyTorch' {
            $loss = $pred | Invoke-Op MseLoss -Target $target -WarningVariable wv -WarningAction SilentlyContinue
            @($wv).Count | Should -Be 1
            [string] $wv[0] | Should -BeExactly $Torch.mse_loss_broadcast.warnings[0]
            [math]::Abs($loss.Item() - $Torch.mse_loss_broadcast.value) | Should -BeLessThan 1e-6
        }

        It 'Invoke-Op L1Loss too' {
            $loss = $pred | Invoke-Op L1Loss -Target $target -WarningVariable wv -WarningAction SilentlyContinue
            @($wv).Count | Should -Be 1
            [string] $wv[0] | Should -BeExactly $Torch.l1_loss_broadcast.warnings[0]
            [math]::Abs($loss.Item() - $Torch.l1_loss_broadcast.value) | Should -BeLessThan 1e-6
        }

        It 'the method $pred.MseLoss($target) warns too, through the warning stream (3>&1)' {
            $out = & { $pred.MseLoss($target) } 3>&1
            $warnings = @($out | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            $warnings | Should -HaveCount 1
            $warnings[0].Message | Should -BeExactly $Torch.mse_loss_broadcast.warnings[0]
        }

        It 'warns once per place in a script, as Python''s default filter does, not at every step' {
            $warnings = & { foreach ($i in 1..5) { $null = $pred | Invoke-Op MseLoss -Target $target } } 3>&1
            @($warnings).Count | Should -Be 1
        }

        It 'says nothing when the sizes agree' {
            $null = New-Tensor 1.0, 2.0 | Invoke-Op MseLoss -Target (New-Tensor 1.0, 4.0) -WarningVariable wv
            $Torch.mse_loss_same_size.warnings | Should -BeNullOrEmpty
            $wv | Should -BeNullOrEmpty
        }
    }

    Context 'rectangular .NET arrays' {
        It 'a [double[,]] of 2x3 becomes [2, 3] in row-major order' {
            $a = [double[,]]::new(2, 3)
            $v = 1.0; foreach ($i in 0..1) { foreach ($j in 0..2) { $a[$i, $j] = $v++ } }
            $t = New-Tensor $a -DType Float64
            $t.Shape | Should -Be $Torch.tensor_from_2x3.shape
            $t.ToArray() | Should -Be ($Torch.tensor_from_2x3.value | ForEach-Object { $_ })
        }

        It 'an [int[,,]] keeps its three dims and Int64, an [object[,]] its element types' {
            (New-Tensor ([int[,,]]::new(2, 1, 3))).Shape | Should -Be @(2, 1, 3)
            (New-Tensor ([int[,,]]::new(2, 1, 3))).DType | Should -Be 'Int64'
            $o = [object[,]]::new(1, 2); $o[0, 0] = 1; $o[0, 1] = '2.5'
            $t = New-Tensor $o
            $t.Shape | Should -Be @(1, 2)
            $t.ToArray() | Should -Be @(1.0, 2.5)
        }
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

    # Main's cmdlets with pipeline input get the conventions from the base class (AutoGradCmdlet) or write their own
    # per-item errors: a bad item among good ones is one non-terminating error, and the items after it still run.
    It '<Cmdlet>: good, bad, good items give <Outputs> outputs and one non-terminating <Id>' -ForEach @(
        @{ Cmdlet = 'ConvertFrom-Tensor';  Id = 'ConvertFromTensorRankTooHigh'; Outputs = 3; Run = { (New-Tensor 1.0, 2.0), (New-Tensor -Zeros -Shape 2, 2, 2), (New-Tensor 3.0) | ConvertFrom-Tensor } }
        @{ Cmdlet = 'ConvertTo-Tensor';    Id = 'ConvertToTensorNullRow';       Outputs = 1; Run = { 1, $null, 2 | ConvertTo-Tensor } }
        @{ Cmdlet = 'Register-TensorHook'; Id = 'RegisterTensorHookNoGrad';     Outputs = 2; Run = { (New-Tensor 1.0 -RequiresGrad), (New-Tensor 1.0), (New-Tensor 2.0 -RequiresGrad) | Register-TensorHook { param($g) $g } } }
        @{ Cmdlet = 'Update-LRScheduler';  Id = 'UpdateLRSchedulerMissingMetric'; Outputs = 2; Run = { $o = New-Optimizer SGD (New-Tensor 1.0 -RequiresGrad) -LR 0.1; (New-LRScheduler StepLR $o -StepSize 1), (New-LRScheduler ReduceLROnPlateau $o), (New-LRScheduler StepLR $o -StepSize 1) | Update-LRScheduler -PassThru 3>$null } }
        @{ Cmdlet = 'Get-Batch';           Id = 'GetBatchZeroDimData';          Outputs = 4; Run = { (New-Tensor 1.0, 2.0), (New-Tensor 5.0), (New-Tensor 3.0, 4.0) | Get-Batch -BatchSize 1 } }
        @{ Cmdlet = 'Get-TensorOp';        Id = 'GetTensorOpNotFound';          Outputs = 2; Run = { 'Add', 'NoSuchOp', 'Mul' | Get-TensorOp } }
        @{ Cmdlet = 'Invoke-Layer';        Id = 'InvokeLayerMatMulShapeMismatch'; Outputs = 2; Run = { $l = New-Layer Linear -InFeatures 2 -OutFeatures 1; (New-Tensor 1.0, 2.0), (New-Tensor 1.0, 2.0, 3.0), (New-Tensor 3.0, 4.0) | Invoke-Layer $l } }
        @{ Cmdlet = 'Import-Tensor';       Id = 'ImportTensorInvalidData';      Outputs = 2; Run = {
                New-Tensor 1.0, 2.0 | Export-Tensor "$TestDrive/a.pt" -Force
                [IO.File]::WriteAllBytes("$TestDrive/b.pt", [byte[]] (1..100))
                New-Tensor 3.0 | Export-Tensor "$TestDrive/c.safetensors" -Force
                "$TestDrive/a.pt", "$TestDrive/b.pt", "$TestDrive/c.safetensors" | Import-Tensor } }
        @{ Cmdlet = 'Use-AnomalyDetection'; Id = 'InvokeBackwardNanGradient';   Outputs = 2; Run = { Use-AnomalyDetection { 'before'; (New-Tensor -1.0 -RequiresGrad) | Invoke-Op Sqrt | Invoke-Backward; 'after' } 3>$null } }
    ) {
        $r = Invoke-WithErrors $Run
        $r.Terminating | Should -BeNullOrEmpty
        $r.Output | Should -HaveCount $Outputs
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

    It 'an error inside Use-NoGrad''s block reaches the caller''s error stream (2>$null, -ErrorVariable, -ErrorAction)' {
        $r = Invoke-WithErrors { Use-NoGrad { New-Tensor 'abc'; 'after' } }
        $r.Output | Should -Be 'after'
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'NewTensorNonNumericData,*'
        Use-NoGrad { New-Tensor 'abc' } -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev | Should -HaveCount 1
        { Use-NoGrad { New-Tensor 'abc' } -ErrorAction Stop } | Should -Throw -ErrorId 'NewTensorNonNumericData,*'
    }

    It 'an operator''s error inside Test-Gradient''s function keeps its TorchException' {
        $err = Get-WrittenError { New-Tensor 1.0 | Test-Gradient { param($x, $y) $x * $y } }
        $err.Exception.InnerException | Should -BeOfType ([AutoGrad.TorchException])
        $err.Exception.InnerException.Message | Should -BeExactly "unsupported operand type(s) for *: 'Tensor' and 'NoneType'"
    }

    It 'a problem with the parameters stops the statement: <Label>' -ForEach @(
        @{ Label = 'an unknown op';              Id = 'InvokeOpUnknownOp';        Run = { New-Tensor 1.0 | Invoke-Op Frobnicate; 'after' } }
        @{ Label = 'an unknown reduction';       Id = 'InvokeOpInvalidReduction'; Run = { New-Tensor 1.0 | Invoke-Op MseLoss -Target 1.0 -Reduction Average; 'after' } }
        @{ Label = 'a parameter the op refuses'; Id = 'InvokeOpUnexpectedParameter'; Run = { New-Tensor 1.0 | Invoke-Op Relu -Dim 0; 'after' } }
        @{ Label = 'an unknown layer type';      Id = 'NewLayerUnknownType';      Run = { New-Layer Conv2d; 'after' } }
        @{ Label = 'a plot file of no format';   Id = 'ExportPlotUnknownFormat';  Run = { 1, 2 | Export-Plot "$TestDrive/plot.gif"; 'after' } }
        @{ Label = 'a graph file in no folder';  Id = 'ExportTensorGraphFolderNotFound'; Run = { (New-Tensor 1.0 -RequiresGrad) * 2 | Export-TensorGraph "$TestDrive/no/such/g.dot"; 'after' } }
        @{ Label = 'an unknown loss';            Id = 'InvokeTrainingUnknownLoss'; Run = { $l = New-Layer Linear -InFeatures 1 -OutFeatures 1; $o = New-Optimizer SGD $l.Parameters() -LR 0.1; New-Tensor @(, @(1.0)) | Invoke-Training -Target (New-Tensor @(, @(1.0))) -Model $l -Loss Hinge -Optimizer $o; 'after' } }
        @{ Label = 'a tolerance given alone';    Id = 'AssertTensorCloseToleranceMissing'; Run = { Assert-TensorClose (New-Tensor 1.0) (New-Tensor 1.0) -RTol 0.1; 'after' } }
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
        $r = Invoke-IsolatedPwsh -Environment @{ DOTNET_GCHeapHardLimit = '0x10000000' } -Script @'
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
