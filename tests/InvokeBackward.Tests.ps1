#Requires -Version 7.4
# Invoke-Backward: the notebook example, PyTorch's operators from PowerShell, -Gradient, -RetainGraph, -PassThru.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'Invoke-Backward' {
    Context 'the notebook example, with PowerShell operators' {
        It 'y = x + 2; z = y * y * 3; out = z.mean() gives dout/dx = 4.5, 6, 6, 7.5' {
            $x = New-Tensor @(@(1, 2), @(2, 3)) -DType Float64 -RequiresGrad
            $y = $x + 2
            $z = $y * $y * 3
            $out = $z | Measure-Mean

            $y.GradFn.Name | Should -Be 'AddBackward0'
            $z.GradFn.Name | Should -Be 'MulBackward0'
            $out.GradFn.Name | Should -Be 'MeanBackward0'
            $out.Item() | Should -Be 49.5

            $out | Invoke-Backward
            $g = Get-Grad $x
            $g.Shape | Should -Be @(2, 2)
            $g.DType | Should -Be 'Float64'
            $g.ToDoubleArray() | Should -Be @(4.5, 6, 6, 7.5)
        }

        It 'numbers on the left: 2 * t + 2 * y * y' {
            $t = New-Tensor 1, 2, 3 -DType Float64 -RequiresGrad
            $y = $t + 1
            $r = 2 * $t + 2 * $y * $y
            $r.ToDoubleArray() | Should -Be @(10, 22, 38)
            $r | Measure-Sum | Invoke-Backward
            # d/dt (2t + 2(t+1)^2) = 2 + 4(t+1)
            (Get-Grad $t).ToDoubleArray() | Should -Be @(10, 14, 18)
        }

        It 'PowerShell binds <Expr> to the engine''s operators' -ForEach @(
            @{ Expr = '$a - 1';  Expected = @(0, 1, 3) }
            @{ Expr = '1 - $a';  Expected = @(0, -1, -3) }
            @{ Expr = '$a / 2';  Expected = @(0.5, 1, 2) }
            @{ Expr = '1 / $a';  Expected = @(1, 0.5, 0.25) }
            @{ Expr = '-$a';     Expected = @(-1, -2, -4) }
            @{ Expr = '$a * $a'; Expected = @(1, 4, 16) }
            @{ Expr = '$a + $a * 0.5'; Expected = @(1.5, 3, 6) }
        ) {
            $a = New-Tensor 1, 2, 4 -DType Float64
            $r = Invoke-Expression $Expr
            $r | Should -BeOfType ([AutoGrad.Tensor])
            $r.ToDoubleArray() | Should -Be $Expected
        }

        It 'operators keep int64 with integer numbers' {
            $i = New-Tensor 1, 2, 3
            (2 * $i + 1).DType | Should -Be 'Int64'
            ($i * 2.5).DType | Should -Be 'Float32'
        }

        It 'the same graph built with Invoke-Op gives the same gradient' {
            $x = New-Tensor @(@(1, 2), @(2, 3)) -DType Float64 -RequiresGrad
            $y = $x | Invoke-Op Add 2
            $y | Invoke-Op Mul $y | Invoke-Op Mul 3 | Measure-Mean | Invoke-Backward
            (Get-Grad $x).ToDoubleArray() | Should -Be @(4.5, 6, 6, 7.5)
        }
    }

    Context 'parameters' {
        It 'takes the tensor by position' {
            $x = New-Tensor 3.0 -DType Float64 -RequiresGrad
            Invoke-Backward ($x * $x)
            (Get-Grad $x).Item() | Should -Be 6
        }

        It 'writes nothing without -PassThru and the input with it' {
            $x = New-Tensor 1.0, 2.0 -RequiresGrad
            $loss = $x | Measure-Sum
            $none = $loss | Invoke-Backward -RetainGraph
            $none | Should -BeNullOrEmpty
            $same = $loss | Invoke-Backward -PassThru
            [object]::ReferenceEquals($same, $loss) | Should -BeTrue
        }

        It 'backpropagates a non-scalar output with -Gradient' {
            $x = New-Tensor 1, 2, 3 -DType Float64 -RequiresGrad
            $y = $x * $x
            $y | Invoke-Backward -Gradient (New-Tensor 1, 0.5, 0 -DType Float64)
            (Get-Grad $x).ToDoubleArray() | Should -Be @(2, 2, 0)
        }

        It 'takes plain data as -Gradient, cast to the output dtype' {
            $x = New-Tensor 1, 2, 3 -DType Float64 -RequiresGrad
            $x * $x | Invoke-Backward -Gradient @(1, 0.5, 0)
            (Get-Grad $x).ToDoubleArray() | Should -Be @(2, 2, 0)
            (Get-Grad $x).DType | Should -Be 'Float64'
        }

        It 'rejects -Gradient data that is not numeric' {
            $x = New-Tensor 1.0 -RequiresGrad
            { $x * 2 | Invoke-Backward -Gradient 'abc' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*' -ExpectedMessage "*'abc'*"
        }

        It 'accumulates over two passes with -RetainGraph' {
            $x = New-Tensor 2.0 -DType Float64 -RequiresGrad
            $y = $x * $x * $x
            $y | Invoke-Backward -RetainGraph
            $y | Invoke-Backward
            (Get-Grad $x).Item() | Should -Be 24
        }

        It 'builds a differentiable gradient with -CreateGraph' {
            $x = New-Tensor 2.0 -DType Float64 -RequiresGrad
            $y = $x * $x * $x
            $y | Invoke-Backward -CreateGraph
            $g = Get-Grad $x
            $g.Item() | Should -Be 12
            $g.RequiresGrad | Should -BeTrue
        }
    }

    Context 'second-order gradients through the cmdlets' {
        It 'd2/dx2 of x^3 is 6x: backward with -CreateGraph, clear, backward through the gradient' {
            $x = New-Tensor 1.0, 2.0, -0.5 -DType Float64 -RequiresGrad
            $x | Invoke-Op Pow 3 | Measure-Sum | Invoke-Backward -CreateGraph
            $g = $x.Grad
            # Under create_graph PyTorch's AccumulateGrad stores a differentiable copy of the first gradient
            # (empty_strided(...).copy_(grad)), so x.grad's node is CopyBackwards, fed by the MulBackward0 of pow's
            # backward. PyTorch moves grad_fn to its own line when the repr would pass 80 columns.
            $g.ToString() | Should -Be "tensor([ 3.0000, 12.0000,  0.7500], dtype=torch.float64,`n       grad_fn=<CopyBackwards>)"
            $g.GradFn.NextFunctions.Name | Should -Contain 'MulBackward0'
            $x | Clear-Grad
            $g | Measure-Sum | Invoke-Backward
            $x.Grad.ToDoubleArray() | Should -Be @(6, 12, -3)
        }

        It 'a non-scalar output with -Gradient and -CreateGraph: d2/dx2 tanh (TanhBackwardBackward0)' {
            $x = New-Tensor 0.5, -1.0 -DType Float64 -RequiresGrad
            $x | Invoke-Op Tanh | Invoke-Backward -Gradient 1, 1 -CreateGraph
            $g = $x.Grad
            $g.GradFn.Name | Should -Be 'CopyBackwards'
            $g.GradFn.NextFunctions.Name | Should -Contain 'TanhBackwardBackward0'
            $x | Clear-Grad
            $g | Invoke-Backward -Gradient 1, 1
            $expected = 0.5, -1.0 | ForEach-Object { $t = [math]::Tanh($_); -2 * $t * (1 - $t * $t) }
            for ($i = 0; $i -lt 2; $i++) { [math]::Abs($x.Grad.ToDoubleArray()[$i] - $expected[$i]) | Should -BeLessThan 1e-12 }
        }

        It 'without clearing, the second pass accumulates onto the first gradient, as in PyTorch' {
            $x = New-Tensor 2.0 -DType Float64 -RequiresGrad
            $x | Invoke-Op Pow 3 | Invoke-Backward -CreateGraph
            $x.Grad | Invoke-Backward
            $x.Grad.Item() | Should -Be 24   # 12 (first derivative) + 12 (6x at 2)
        }

        It 'mixed partials: d/dy (d/dx (x^2 y)) = 2x' {
            $x = New-Tensor 3.0 -DType Float64 -RequiresGrad
            $y = New-Tensor 5.0 -DType Float64 -RequiresGrad
            $dx = Get-Grad -Of ($x * $x * $y) -WithRespectTo $x -CreateGraph
            $dx.Item() | Should -Be 30
            $dx | Invoke-Backward
            $y.Grad.Item() | Should -Be 6
        }
    }

    Context 'errors' {
        It '<Label> fails with <Id>' -ForEach @(
            @{ Label = 'a non-scalar without -Gradient'; Id = 'InvokeBackwardNonScalar'; Category = 'InvalidOperation'
               Run = { $x = New-Tensor 1.0, 2.0 -RequiresGrad; $x * 2 | Invoke-Backward }
               Message = 'grad can be implicitly created only for scalar outputs' }
            @{ Label = 'a tensor that does not require grad'; Id = 'InvokeBackwardBackwardNoGrad'; Category = 'InvalidOperation'
               Run = { New-Tensor 1.0 | Invoke-Backward }
               Message = 'element 0 of tensors does not require grad and does not have a grad_fn' }
            @{ Label = 'a second pass without -RetainGraph'; Id = 'InvokeBackwardBackwardTwice'; Category = 'InvalidOperation'
               Run = { $x = New-Tensor 1.0 -RequiresGrad; $y = $x * $x; $y | Invoke-Backward; $y | Invoke-Backward }
               Message = 'Trying to backward through the graph a second time*retain_graph=True*' }
            @{ Label = 'a -Gradient of the wrong shape'; Id = 'InvokeBackwardGradientShapeMismatch'; Category = 'InvalidArgument'
               Run = { $x = New-Tensor 1.0, 2.0 -RequiresGrad; $x * 2 | Invoke-Backward -Gradient (New-Tensor 1.0, 1.0, 1.0) }
               Message = 'Mismatch in shape: grad_output`[0`] has a shape of torch.Size(`[3`]) and output`[0`] has a shape of torch.Size(`[2`]).' }
        ) {
            $r = Invoke-WithErrors $Run
            $out = $r.Output
            $err = $r.Errors[0] ?? $r.Terminating
            $out | Should -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $err.CategoryInfo.Category | Should -Be $Category
            $err.Exception.Message | Should -BeLike $Message
        }

        It 'names the output tensor as the target' {
            $x = New-Tensor 1.0, 2.0 -RequiresGrad
            $y = $x * 2
            $err = Get-WrittenError { $y | Invoke-Backward }
            [object]::ReferenceEquals($err.TargetObject, $y) | Should -BeTrue
        }
    }
}
