#Requires -Version 7.4
# The autograd cmdlets of issue 3: Use-NoGrad, Get-Grad -Of (torch.autograd.grad), Clear-Grad, Test-Gradient
# (gradcheck), and second-order gradients through the cmdlets.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'Use-NoGrad' {
    It 'records nothing inside: results are leaves without requires_grad' {
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $y = Use-NoGrad { $w * 2 | Invoke-Op Exp }
        $y.IsLeaf | Should -BeTrue
        $y.RequiresGrad | Should -BeFalse
        $y.GradFn | Should -BeNullOrEmpty
    }

    It 'writes the block''s output, every object' {
        $out = Use-NoGrad { 1; 'two'; New-Tensor 3 }
        $out | Should -HaveCount 3
        $out[0] | Should -Be 1
        $out[1] | Should -Be 'two'
        $out[2].ToString() | Should -Be 'tensor(3)'
    }

    It 'runs the block in the caller''s scope (dot-sourced): assignments stay visible' {
        $w = New-Tensor 1.0 -RequiresGrad
        Use-NoGrad { $inside = $w * 3 }
        $inside.ToString() | Should -Be 'tensor(3.)'
    }

    It 'keeps a function''s assignments in the function''s scope' {
        function Test-Scope { Use-NoGrad { $local = 5 }; $local }
        Test-Scope | Should -Be 5
        Get-Variable local -Scope Global -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'allows the in-place SGD step on a leaf that requires grad' {
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $w * $w | Measure-Sum | Invoke-Backward
        Use-NoGrad { $null = $w.Sub_($w.Grad * 0.5) }
        $w.ToString() | Should -Be 'tensor([0., 0.], requires_grad=True)'
        $w.IsLeaf | Should -BeTrue
    }

    It 'the same in-place step outside fails with PyTorch''s message' {
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $err = $null
        try { $w.Sub_(1.0) } catch { $err = $_ }
        $err.Exception.InnerException.Message | Should -Be 'a leaf Variable that requires grad is being used in an in-place operation.'
    }

    It 'restores recording after the block, and after an error in it' {
        [AutoGrad.Autograd.GradMode]::IsEnabled | Should -BeTrue
        Use-NoGrad { [AutoGrad.Autograd.GradMode]::IsEnabled } | Should -BeFalse
        [AutoGrad.Autograd.GradMode]::IsEnabled | Should -BeTrue
        { Use-NoGrad { throw 'boom' } } | Should -Throw -ErrorId 'boom*'
        [AutoGrad.Autograd.GradMode]::IsEnabled | Should -BeTrue
        { Use-NoGrad { New-Tensor 1 | Invoke-Op Nope } } | Should -Throw -ErrorId 'InvokeOpUnknownOp*'
        [AutoGrad.Autograd.GradMode]::IsEnabled | Should -BeTrue
        $x = New-Tensor 1.0 -RequiresGrad
        ($x * 2).GradFn.Name | Should -Be 'MulBackward0'
    }

    It 'nests: the inner block leaves recording off for the rest of the outer one' {
        Use-NoGrad { Use-NoGrad { }; [AutoGrad.Autograd.GradMode]::IsEnabled } | Should -BeFalse
        [AutoGrad.Autograd.GradMode]::IsEnabled | Should -BeTrue
    }

    It 'takes the block by name' {
        Use-NoGrad -ScriptBlock { 42 } | Should -Be 42
    }

    # A block with no command in it is dot-sourced directly, one with a command through the runner that merges
    # the commands' errors (CallerScopeBlock): both must behave alike.
    It 'a method''s failure in a block <Kind> is the terminating error, with the engine''s exception and its line' -ForEach @(
        @{ Kind = 'without commands'; Block = { $null = $t.View(5) } }
        @{ Kind = 'with a command';   Block = { $null = $t.View(5); Write-Output 1 } }
    ) {
        $t = New-Tensor 1.0, 2.0
        $err = $null
        try { Use-NoGrad $Block } catch { $err = $_ }
        $err.Exception.InnerException | Should -BeOfType ([AutoGrad.TorchException])
        $err.Exception.InnerException.Message | Should -BeExactly "shape '[5]' is invalid for input of size 2"
        $err.Exception.ErrorRecord.InvocationInfo.Line | Should -Match ([regex]::Escape('$t.View(5)'))
        [AutoGrad.Autograd.GradMode]::IsEnabled | Should -BeTrue
    }
}

Describe 'Get-Grad -Of -WithRespectTo (torch.autograd.grad)' {
    It 'writes the gradients in order and does not touch .grad' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $y = New-Tensor 3.0, 4.0 -RequiresGrad
        $z = $x * $y | Measure-Sum
        $gx, $gy = Get-Grad -Of $z -WithRespectTo $x, $y
        $gx.ToString() | Should -Be 'tensor([3., 4.])'
        $gy.ToString() | Should -Be 'tensor([1., 2.])'
        $x.Grad | Should -BeNullOrEmpty
        $y.Grad | Should -BeNullOrEmpty
    }

    It 'takes -GradOutputs for an output that is not a scalar' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $g = Get-Grad -Of ($x * $x) -WithRespectTo $x -GradOutputs (New-Tensor 1.0, 0.5)
        $g.ToString() | Should -Be 'tensor([2., 2.])'
    }

    It 'takes plain data as -GradOutputs for one output, cast to its dtype' {
        $x = New-Tensor 1.0, 2.0 -DType Float64 -RequiresGrad
        $g = Get-Grad -Of ($x * $x) -WithRespectTo $x -GradOutputs @(1, 0.5)
        $g.ToString() | Should -Be 'tensor([2., 2.], dtype=torch.float64)'
    }

    It 'takes one -GradOutputs tensor per output' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $g = Get-Grad -Of ($x * 2), ($x * $x) -WithRespectTo $x -GradOutputs (New-Tensor 1.0, 0.0), (New-Tensor 0.0, 1.0)
        $g.ToString() | Should -Be 'tensor([2., 4.])'
        { Get-Grad -Of ($x * 2), ($x * 3) -WithRespectTo $x -GradOutputs (New-Tensor 1.0, 0.0) -ErrorAction Stop } |
            Should -Throw -ErrorId 'GetGradGradCountMismatch*' -ExpectedMessage 'grad requires one gradient per output: got 1 gradients for 2 outputs'
        { Get-Grad -Of ($x * 2) -WithRespectTo $x -GradOutputs 'abc' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
    }

    It 'sums over several outputs' {
        $x = New-Tensor 2.0 -RequiresGrad
        Get-Grad -Of ($x * 3), ($x * $x) -WithRespectTo $x | ForEach-Object ToString | Should -Be 'tensor(7.)'
    }

    It 'writes $null for an unused input with -AllowUnused, so multiple assignment lines up' {
        $x = New-Tensor 2.0 -RequiresGrad
        $unused = New-Tensor 5.0 -RequiresGrad
        $y = New-Tensor 3.0 -RequiresGrad
        $gx, $gu, $gy = Get-Grad -Of ($x * $y) -WithRespectTo $x, $unused, $y -AllowUnused
        $gx.ToString() | Should -Be 'tensor(3.)'
        $gu | Should -BeNullOrEmpty
        $gy.ToString() | Should -Be 'tensor(2.)'
        @(Get-Grad -Of ($x * 2) -WithRespectTo $unused, $x -AllowUnused) | Should -HaveCount 2
    }

    It 'second order: d2/dx2 of x^3 is 6x (-CreateGraph, then Invoke-Backward)' {
        $x = New-Tensor 1.0, 2.0, -3.0 -DType Float64 -RequiresGrad
        $dy = Get-Grad -Of ($x | Invoke-Op Pow 3 | Measure-Sum) -WithRespectTo $x -CreateGraph
        $dy.ToString() | Should -Be 'tensor([ 3., 12., 27.], dtype=torch.float64, grad_fn=<MulBackward0>)'
        $dy | Measure-Sum | Invoke-Backward
        $x.Grad.ToDoubleArray() | Should -Be @(6, 12, -18)
    }

    It 'second order through Get-Grad twice: d2/dx2 tanh(x) = -2 tanh(x) (1 - tanh(x)^2)' {
        $x = New-Tensor 0.5 -DType Float64 -RequiresGrad
        $d1 = Get-Grad -Of ($x | Invoke-Op Tanh) -WithRespectTo $x -CreateGraph
        $d1.GradFn.Name | Should -Be 'TanhBackwardBackward0'
        $d2 = Get-Grad -Of $d1 -WithRespectTo $x
        $t = [math]::Tanh(0.5)
        [math]::Abs($d2.Item() - (-2 * $t * (1 - $t * $t))) | Should -BeLessThan 1e-12
    }

    It 'third order: d3/dx3 of x^4 at 2 is 24x = 48' {
        $x = New-Tensor 2.0 -DType Float64 -RequiresGrad
        $d = $x | Invoke-Op Pow 4
        foreach ($k in 1..3) { $d = Get-Grad -Of $d -WithRespectTo $x -CreateGraph }
        $d.Item() | Should -Be 48
    }

    It 'Invoke-Backward -CreateGraph makes .grad differentiable' {
        $x = New-Tensor 3.0 -DType Float64 -RequiresGrad
        $x | Invoke-Op Pow 3 | Invoke-Backward -CreateGraph
        $g = $x.Grad
        $g.GradFn | Should -Not -BeNullOrEmpty
        $h = Get-Grad -Of $g -WithRespectTo $x
        $h.Item() | Should -Be 18
    }

    It 'without -RetainGraph the graph is freed; -RetainGraph allows a second call' {
        $x = New-Tensor 1.0 -RequiresGrad
        $y = $x | Invoke-Op Exp
        $null = Get-Grad -Of $y -WithRespectTo $x -RetainGraph
        (Get-Grad -Of $y -WithRespectTo $x).ToString() | Should -Be 'tensor(2.7183)'
        { Get-Grad -Of $y -WithRespectTo $x -ErrorAction Stop } | Should -Throw -ErrorId 'GetGrad*'
    }

    It '<Label> fails with <Id>' -ForEach @(
        @{ Label = 'an unused input';          Id = 'GetGradGradUnusedInput';   Message = 'One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.'
           Run = { $x = New-Tensor 1.0 -RequiresGrad; $u = New-Tensor 1.0 -RequiresGrad; Get-Grad -Of ($x * 2) -WithRespectTo $x, $u } }
        @{ Label = 'an input without grad';    Id = 'GetGradGradInputNoGrad';   Message = 'One of the differentiated Tensors does not require grad'
           Run = { $x = New-Tensor 1.0 -RequiresGrad; Get-Grad -Of ($x * 2) -WithRespectTo (New-Tensor 1.0) } }
        @{ Label = 'a non-scalar output';      Id = 'GetGradNonScalar';         Message = 'grad can be implicitly created only for scalar outputs'
           Run = { $x = New-Tensor 1.0, 2.0 -RequiresGrad; Get-Grad -Of ($x * 2) -WithRespectTo $x } }
        @{ Label = 'a grad output of another shape'; Id = 'GetGradGradientShapeMismatch'; Message = 'Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2]).'
           Run = { $x = New-Tensor 1.0, 2.0 -RequiresGrad; Get-Grad -Of ($x * 2) -WithRespectTo $x -GradOutputs (New-Tensor 1.0, 1.0, 1.0) } }
        @{ Label = 'an output without grad';   Id = 'GetGradBackwardNoGrad';    Message = 'element 0 of tensors does not require grad and does not have a grad_fn'
           Run = { $x = New-Tensor 1.0 -RequiresGrad; Get-Grad -Of (New-Tensor 1.0) -WithRespectTo $x } }
    ) {
        $r = Invoke-WithErrors $Run
        $out = $r.Output
        $err = $r.Errors[0] ?? $r.Terminating
        $out | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeExactly $Message
    }

    It 'needs both -Of and -WithRespectTo' {
        $x = New-Tensor 1.0 -RequiresGrad
        $set = (Get-Command Get-Grad).ParameterSets | Where-Object Name -eq 'Of'
        ($set.Parameters | Where-Object IsMandatory).Name | Sort-Object | Should -Be @('Of', 'WithRespectTo')
        { Get-Grad -WithRespectTo $x -InputObject $x } | Should -Throw -ErrorId 'AmbiguousParameterSet*'
    }
}

Describe 'Clear-Grad' {
    It 'sets .grad to $null for each tensor from the pipeline' {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $b = New-Tensor 3.0 -RequiresGrad
        ($a * 2 | Measure-Sum) + ($b * 3) | Invoke-Backward
        $a, $b | Clear-Grad
        $a.Grad | Should -BeNullOrEmpty
        $b.Grad | Should -BeNullOrEmpty
    }

    It 'takes an array by position and writes nothing without -PassThru' {
        $a = New-Tensor 1.0 -RequiresGrad
        $a * 2 | Invoke-Backward
        Clear-Grad $a | Should -BeNullOrEmpty
        $a.Grad | Should -BeNullOrEmpty
    }

    It '-Zero zeros an existing gradient in place and leaves a missing one missing (zero_grad(set_to_none=False))' {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $b = New-Tensor 1.0 -RequiresGrad
        $a * 3 | Measure-Sum | Invoke-Backward
        $held = $a.Grad
        $a, $b | Clear-Grad -Zero
        $a.Grad.ToString() | Should -Be 'tensor([0., 0.])'
        [object]::ReferenceEquals($held, $a.Grad) | Should -BeTrue
        $b.Grad | Should -BeNullOrEmpty
    }

    It '-Zero then backward accumulates from zero' {
        $a = New-Tensor 2.0 -RequiresGrad
        $a * $a | Invoke-Backward
        $a | Clear-Grad -Zero
        $a * 5 | Invoke-Backward
        $a.Grad.ToString() | Should -Be 'tensor(5.)'
    }

    It '-PassThru writes each tensor' {
        $a = New-Tensor 1.0 -RequiresGrad
        $b = New-Tensor 2.0 -RequiresGrad
        $out = $a, $b | Clear-Grad -PassThru
        $out | Should -HaveCount 2
        [object]::ReferenceEquals($out[0], $a) | Should -BeTrue
    }

    It 'the training-loop idiom: step under Use-NoGrad, then clear' {
        $w = New-Tensor 0.0 -DType Float64 -RequiresGrad
        foreach ($i in 1..50) {
            ($w | Invoke-Op Sub 3) | Invoke-Op Square | Invoke-Backward
            Use-NoGrad { $null = $w.Sub_($w.Grad * 0.1) }
            $w | Clear-Grad
        }
        [math]::Abs($w.Item() - 3) | Should -BeLessThan 1e-4
    }
}

Describe 'Test-Gradient (gradcheck)' {
    It 'passes for <Label>' -ForEach @(
        @{ Label = 'sin(x * y)';               Block = { param($x, $y) $x * $y | Invoke-Op Sin };                         Inputs = { (New-Tensor 0.3, -1.2), (New-Tensor 2.0, 0.7) } }
        @{ Label = 'softmax along dim 1';      Block = { param($x) $x | Invoke-Op Softmax -Dim 1 };                       Inputs = { , (New-Tensor @(@(0.1, 0.5, -0.3), @(1.0, 2.0, 0.0))) } }
        @{ Label = 'cross entropy';            Block = { param($x) $x | Invoke-Op CrossEntropy -Target 2, 0 };           Inputs = { , (New-Tensor @(@(0.1, 0.5, -0.3), @(1.0, 2.0, 0.0))) } }
        @{ Label = 'matmul of two matrices';   Block = { param($a, $b) $a | Invoke-Op MatMul $b };                       Inputs = { (New-Tensor @(@(1.0, 2.0), @(3.0, 4.0))), (New-Tensor @(@(0.5, -1.0), @(2.0, 0.25))) } }
        @{ Label = 'clamp with tensor bounds'; Block = { param($x, $lo) $x | Invoke-Op Clamp -Min $lo };                 Inputs = { (New-Tensor -1.0, 0.5, 2.0), (New-Tensor 0.0, 0.0, 0.0) } }
        @{ Label = 'logsumexp and std';        Block = { param($x) ($x | Invoke-Op LogSumExp -Dim 0) + ($x | Invoke-Op Std) }; Inputs = { , (New-Tensor 0.2, 1.5, -0.7) } }
    ) {
        $inputs = & $Inputs
        $r = Test-Gradient -ScriptBlock $Block -InputObject $inputs
        $r.Passed | Should -BeTrue
        $r | Should -BeOfType ([AutoGrad.Autograd.GradientCheckResult])
    }

    It 'takes the inputs from the pipeline' {
        $x = New-Tensor 1.0, 2.0
        ($x | Test-Gradient { param($x) $x * $x | Measure-Sum }).Passed | Should -BeTrue
    }

    It 'fails for a wrong gradient and says where' {
        $x = New-Tensor 2.0
        $r = Test-Gradient { param($p) $p.Detach() * $p } -InputObject $x
        $r.Passed | Should -BeFalse
        $r.WorstInput | Should -Be 0
        $r.Analytical[0][0, 0] | Should -Be 2
        [math]::Abs($r.Numerical[0][0, 0] - 4) | Should -BeLessThan 1e-6
        $r.ToString() | Should -Be 'Gradient check failed: input 0, output element 0, input element 0: analytical 2 vs numerical 4'
        ($r | Out-String -Width 200).Trim() | Should -Be $r.ToString()
    }

    It 'passes the float64 copies, leaving the inputs alone' {
        $x = New-Tensor 1.0, 2.0
        $script:seen = $null
        $null = Test-Gradient { param($p) if ($null -eq $script:seen) { $script:seen = $p }; $p * 2 } -InputObject $x
        $script:seen.DType | Should -Be 'Float64'
        $script:seen.RequiresGrad | Should -BeTrue
        $x.DType | Should -Be 'Float32'
        $x.RequiresGrad | Should -BeFalse
    }

    It 'has both Jacobians: [output element, input element] per input' {
        $r = Test-Gradient { param($a, $b) $a * $b } -InputObject (New-Tensor 1.0, 2.0), (New-Tensor 3.0, 4.0)
        $r.Analytical | Should -HaveCount 2
        $r.Analytical[0][0, 0] | Should -Be 3
        $r.Analytical[0][1, 1] | Should -Be 4
        $r.Analytical[0][0, 1] | Should -Be 0
        $r.Analytical[1][1, 1] | Should -Be 2
    }

    It 'uses -AbsTolerance and -RelTolerance' {
        $x = New-Tensor 2.0
        (Test-Gradient { param($p) $p.Detach() * $p } -InputObject $x -AbsTolerance 3).Passed | Should -BeTrue
        (Test-Gradient { param($p) $p.Detach() * $p } -InputObject $x -AbsTolerance 0 -RelTolerance 0.6).Passed | Should -BeTrue
        (Test-Gradient { param($p) $p * $p * $p } -InputObject $x -Eps 1e-3).Passed | Should -BeTrue
    }

    It '<Label> fails with <Id>' -ForEach @(
        @{ Label = 'a block returning a number';    Run = { Test-Gradient { param($p) 1 } -InputObject (New-Tensor 1.0) };             Id = 'TestGradientNotOneTensor'; Message = 'The script block must return one tensor, but returned an object of type Int32.' }
        @{ Label = 'a block returning nothing';     Run = { Test-Gradient { param($p) } -InputObject (New-Tensor 1.0) };               Id = 'TestGradientNotOneTensor'; Message = 'The script block must return one tensor, but returned nothing.' }
        @{ Label = 'a block returning two tensors'; Run = { Test-Gradient { param($p) $p; $p } -InputObject (New-Tensor 1.0) };        Id = 'TestGradientNotOneTensor'; Message = 'The script block must return one tensor, but returned 2 objects.' }
        @{ Label = 'a block that throws';           Run = { Test-Gradient { param($p) throw 'inner' } -InputObject (New-Tensor 1.0) }; Id = 'inner';                    Message = 'inner' }
        @{ Label = 'an engine error in the block';  Run = { Test-Gradient { param($p) $p | Invoke-Op Softmax -Dim 3 } -InputObject (New-Tensor 1.0) }; Id = 'InvokeOpDimOutOfRange'; Message = 'Dimension out of range*' }
    ) {
        $r = Invoke-WithErrors $Run
        $out = $r.Output
        $err = $r.Errors[0] ?? $r.Terminating
        $out | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike $Message
    }
}
