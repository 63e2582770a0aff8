#Requires -Version 7.4
# Get-Grad: .grad of leaves, nothing before backward, PyTorch's warning for non-leaves.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
}

Describe 'Get-Grad' {
    BeforeAll {
        $a = New-Tensor 1, 2 -DType Float64 -RequiresGrad
        $b = New-Tensor 3, 4 -DType Float64 -RequiresGrad
        $c = New-Tensor 5, 6 -DType Float64 -RequiresGrad   # not used in the graph
        $y = $a * $b
        $y | Measure-Sum | Invoke-Backward
    }

    It 'writes the gradient of a leaf' {
        $g = Get-Grad $a
        $g | Should -BeOfType ([AutoGrad.Tensor])
        $g.ToDoubleArray() | Should -Be @(3, 4)
        $g.Shape | Should -Be @(2)
    }

    It 'takes tensors from the pipeline, one gradient each' {
        $gs = $a, $b | Get-Grad
        $gs | Should -HaveCount 2
        $gs[0].ToDoubleArray() | Should -Be @(3, 4)
        $gs[1].ToDoubleArray() | Should -Be @(1, 2)
    }

    It 'takes an array by position' {
        (Get-Grad $a, $b) | Should -HaveCount 2
    }

    It 'writes nothing for a tensor without a gradient' {
        Get-Grad $c | Should -BeNullOrEmpty
        $gs = $a, $c, $b | Get-Grad
        $gs | Should -HaveCount 2
        (New-Tensor 1 | Get-Grad) | Should -BeNullOrEmpty
    }

    It 'warns with PyTorch''s text and writes nothing for a non-leaf' {
        $out = Get-Grad $y -WarningVariable w -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $w | Should -HaveCount 1
        $w[0].Message | Should -Be ([AutoGrad.Tensor]::NonLeafGradWarning)
        $w[0].Message | Should -BeLike 'The .grad attribute of a Tensor that is not a leaf Tensor is being accessed*retain_grad()*'
    }

    It 'gives a non-leaf''s gradient after RetainGrad(), without a warning' {
        $x = New-Tensor 1, 2 -DType Float64 -RequiresGrad
        $h = $x * 3
        $h.RetainGrad()
        $h | Invoke-Op Pow 2 | Measure-Sum | Invoke-Backward
        $g = Get-Grad $h -WarningVariable w
        $w | Should -BeNullOrEmpty
        $g.ToDoubleArray() | Should -Be @(6, 12)
    }

    It 'rejects input that is not a tensor' {
        { Get-Grad 'x' } | Should -Throw -ErrorId 'CannotConvertArgument*'
    }
}
