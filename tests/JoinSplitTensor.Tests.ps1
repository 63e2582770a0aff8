#Requires -Version 7.4
# Join-Tensor (torch.cat / torch.stack) and Split-Tensor (torch.split / torch.chunk): values, shapes, node names,
# gradients back to the inputs, and PyTorch's errors.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'Join-Tensor' {
    BeforeAll {
        $m = New-Tensor @(@(1, 2), @(3, 4)) -DType Float64
        $n = New-Tensor @(, @(5, 6)) -DType Float64
    }

    It '<Label>' -ForEach @(
        @{ Label = 'cat along dim 0 (default)'; Inputs = { $m, $n };     Splat = @{};                          Shape = '3,2';   Values = @(1, 2, 3, 4, 5, 6) }
        @{ Label = 'cat along dim 1';           Inputs = { $m, $m };     Splat = @{ Dim = 1 };                 Shape = '2,4';   Values = @(1, 2, 1, 2, 3, 4, 3, 4) }
        @{ Label = 'cat along dim -1';          Inputs = { $m, $m };     Splat = @{ Dim = -1 };                Shape = '2,4';   Values = @(1, 2, 1, 2, 3, 4, 3, 4) }
        @{ Label = 'stack along dim 0';         Inputs = { $m, $m };     Splat = @{ Stack = $true };           Shape = '2,2,2'; Values = @(1, 2, 3, 4, 1, 2, 3, 4) }
        @{ Label = 'stack along dim 2';         Inputs = { $m, $m };     Splat = @{ Stack = $true; Dim = 2 };  Shape = '2,2,2'; Values = @(1, 1, 2, 2, 3, 3, 4, 4) }
        @{ Label = 'stack along dim -1';        Inputs = { $m, $m };     Splat = @{ Stack = $true; Dim = -1 }; Shape = '2,2,2'; Values = @(1, 1, 2, 2, 3, 3, 4, 4) }
        @{ Label = 'one tensor';                Inputs = { , $m };       Splat = @{};                          Shape = '2,2';   Values = @(1, 2, 3, 4) }
    ) {
        $y = & $Inputs | Join-Tensor @Splat
        @($y) | Should -HaveCount 1
        $y.Shape -join ',' | Should -Be $Shape
        $y.ToDoubleArray() | Should -Be $Values
    }

    It 'takes an array by position' {
        (Join-Tensor $m, $n).Shape | Should -Be @(3, 2)
    }

    It 'records <GradFn> and gives each input its part of the gradient' -ForEach @(
        @{ GradFn = 'CatBackward0';   Stack = $false }
        @{ GradFn = 'StackBackward0'; Stack = $true }
    ) {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $b = New-Tensor 3.0, 4.0 -RequiresGrad
        $y = $a, $b | Join-Tensor -Stack:$Stack
        $y.GradFn.Name | Should -Be $GradFn
        $y * (New-Tensor 10.0, 20.0, 30.0, 40.0 -Shape $y.Shape) | Measure-Sum | Invoke-Backward
        $a.Grad.ToString() | Should -Be 'tensor([10., 20.])'
        $b.Grad.ToString() | Should -Be 'tensor([30., 40.])'
    }

    It 'promotes dtypes as torch.cat does' {
        $y = (New-Tensor 1, 2), (New-Tensor 0.5, 1.5) | Join-Tensor
        $y.ToString() | Should -Be 'tensor([1.0000, 2.0000, 0.5000, 1.5000])'
    }

    It 'prints as PyTorch prints torch.stack([a, b])' {
        $y = (New-Tensor 1.0, 2.0 -RequiresGrad), (New-Tensor 3.0, 4.0) | Join-Tensor -Stack
        $y.ToString() | Should -Be "tensor([[1., 2.],`n        [3., 4.]], grad_fn=<StackBackward0>)"
    }

    It '<Label> fails with <Id>' -ForEach @(
        @{ Label = 'cat of sizes that differ';  Run = { (New-Tensor -Zeros 2, 2), (New-Tensor -Zeros 2, 3) | Join-Tensor };    Id = 'JoinTensorCatSizeMismatch';  Message = 'Sizes of tensors must match except in dimension 0. Expected size 2 but got size 3 for tensor number 1 in the list.' }
        @{ Label = 'cat of ranks that differ';  Run = { (New-Tensor -Zeros 2, 2), (New-Tensor -Zeros 2) | Join-Tensor };       Id = 'JoinTensorCatRankMismatch';  Message = 'Tensors must have same number of dimensions: got 2 and 1' }
        @{ Label = 'cat of 0-d tensors';        Run = { (New-Tensor 1.0), (New-Tensor 2.0) | Join-Tensor };                    Id = 'JoinTensorCatZeroDim';       Message = 'zero-dimensional tensor (at position 0) cannot be concatenated' }
        @{ Label = 'stack of shapes that differ'; Run = { (New-Tensor 1.0, 2.0), (New-Tensor 1.0) | Join-Tensor -Stack };      Id = 'JoinTensorStackShapeMismatch'; Message = 'stack expects each tensor to be equal size, but got `[2`] at entry 0 and `[`] at entry 1' }
        @{ Label = 'nothing to join';           Run = { @() | Join-Tensor };                                                    Id = 'JoinTensorCatEmpty';         Message = 'torch.cat(): expected a non-empty list of Tensors' }
        @{ Label = 'nothing to stack';          Run = { @() | Join-Tensor -Stack };                                             Id = 'JoinTensorStackEmpty';       Message = 'stack expects a non-empty TensorList' }
        @{ Label = 'a dim out of range';        Run = { (New-Tensor 1.0, 2.0), (New-Tensor 1.0) | Join-Tensor -Dim 1 };         Id = 'JoinTensorDimOutOfRange';    Message = 'Dimension out of range*' }
    ) {
        $r = Invoke-WithErrors $Run
        $out = $r.Output
        $err = $r.Errors[0] ?? $r.Terminating
        $out | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike $Message
    }
}

Describe 'Split-Tensor' {
    BeforeAll {
        $x = New-Tensor (1..5) -DType Float64
    }

    It '<Label>' -ForEach @(
        @{ Label = '-SplitSize 2';          Splat = @{ SplitSize = 2 };       Pieces = @('1,2', '3,4', '5') }
        @{ Label = '-SplitSize 5';          Splat = @{ SplitSize = 5 };       Pieces = @('1,2,3,4,5') }
        @{ Label = '-SplitSize 10';         Splat = @{ SplitSize = 10 };      Pieces = @('1,2,3,4,5') }
        @{ Label = '-Sections 2, 3';        Splat = @{ Sections = 2, 3 };     Pieces = @('1,2', '3,4,5') }
        @{ Label = '-Sections 1, 0, 4';     Splat = @{ Sections = 1, 0, 4 };  Pieces = @('1', '', '2,3,4,5') }
        @{ Label = '-Chunks 2';             Splat = @{ Chunks = 2 };          Pieces = @('1,2,3', '4,5') }
        @{ Label = '-Chunks 3';             Splat = @{ Chunks = 3 };          Pieces = @('1,2', '3,4', '5') }
        @{ Label = '-Chunks 5';             Splat = @{ Chunks = 5 };          Pieces = @('1', '2', '3', '4', '5') }
        @{ Label = '-Chunks 4 (fewer pieces, as torch.chunk)'; Splat = @{ Chunks = 4 }; Pieces = @('1,2', '3,4', '5') }
    ) {
        $out = @($x | Split-Tensor @Splat)
        $out | Should -HaveCount $Pieces.Count
        for ($i = 0; $i -lt $Pieces.Count; $i++) {
            $out[$i].ToDoubleArray() -join ',' | Should -Be $Pieces[$i]
        }
    }

    It 'splits along -Dim' {
        $m = New-Tensor (1..6) -Shape 2, 3
        $a, $b = $m | Split-Tensor -SplitSize 2 -Dim 1
        $a.Shape | Should -Be @(2, 2)
        $b.Shape | Should -Be @(2, 1)
        $b.ToDoubleArray() | Should -Be @(3, 6)
        $c, $d = $m | Split-Tensor -Chunks 2 -Dim -2
        $c.ToDoubleArray() | Should -Be @(1, 2, 3)
        $d.ToDoubleArray() | Should -Be @(4, 5, 6)
    }

    It 'takes the tensor by position' {
        @(Split-Tensor $x -SplitSize 3) | Should -HaveCount 2
    }

    It 'splits each tensor from the pipeline' {
        @((New-Tensor 1, 2), (New-Tensor 3, 4, 5, 6) | Split-Tensor -SplitSize 2) | Should -HaveCount 3
    }

    It 'records <GradFn> for <Set> and sends gradients back to the input' -ForEach @(
        @{ Set = '-SplitSize'; Splat = @{ SplitSize = 2 };  GradFn = 'SplitBackward0' }
        @{ Set = '-Chunks';    Splat = @{ Chunks = 2 };     GradFn = 'SplitBackward0' }
        @{ Set = '-Sections';  Splat = @{ Sections = 1, 3 }; GradFn = 'SplitWithSizesBackward0' }
    ) {
        $v = New-Tensor 1.0, 2.0, 3.0, 4.0 -RequiresGrad
        $first, $second = $v | Split-Tensor @Splat
        $first.GradFn.Name | Should -Be $GradFn
        $second.GradFn.Name | Should -Be $GradFn
        ($first * 2 | Measure-Sum) + ($second * 3 | Measure-Sum) | Invoke-Backward
        $n = $first.NumElements
        $v.Grad.ToDoubleArray() | Should -Be @(@(1..4) | ForEach-Object { if ($_ -le $n) { 2 } else { 3 } })
    }

    It 'round-trips with Join-Tensor' {
        ($x | Split-Tensor -SplitSize 2 | Join-Tensor).ToDoubleArray() | Should -Be @(1, 2, 3, 4, 5)
    }

    It 'has the parameter sets SplitSize (default), Sections and Chunks' {
        $cmd = Get-Command Split-Tensor
        $cmd.ParameterSets.Name | Sort-Object | Should -Be @('Chunks', 'Sections', 'SplitSize')
        $cmd.DefaultParameterSet | Should -Be 'SplitSize'
    }

    It '<Label> fails with <Id>' -ForEach @(
        @{ Label = 'sections that do not add up'; Run = { $x | Split-Tensor -Sections 1, 2 }; Id = 'SplitTensorSplitSizesSum'; Message = "split_with_sizes expects split_sizes to sum exactly to 5 (input tensor's size at dimension 0), but got split_sizes=``[1, 2``]" }
        @{ Label = 'a negative split size';       Run = { $x | Split-Tensor -SplitSize -1 };  Id = 'SplitTensorSplitSize';     Message = 'split expects split_size be non-negative, but got split_size=-1' }
        @{ Label = 'zero chunks';                 Run = { $x | Split-Tensor -Chunks 0 };      Id = 'SplitTensorChunkCount';    Message = 'chunk expects ``chunks`` to be greater than 0, got: 0' }
        @{ Label = 'a dim out of range';          Run = { $x | Split-Tensor -Chunks 2 -Dim 1 }; Id = 'SplitTensorDimOutOfRange'; Message = 'Dimension out of range*' }
        @{ Label = 'two sets at once';            Run = { $x | Split-Tensor -Chunks 2 -SplitSize 2 }; Id = 'AmbiguousParameterSet'; Message = '*' }
    ) {
        $r = Invoke-WithErrors $Run
        $out = $r.Output
        $err = $r.Errors[0] ?? $r.Terminating
        $out | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike $Message
    }
}
