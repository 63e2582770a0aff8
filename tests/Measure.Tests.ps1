#Requires -Version 7.4
# Measure-Sum and Measure-Mean: reductions over all elements or -Dim, from the pipeline or by parameter.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'Measure-Sum and Measure-Mean' {
    BeforeAll {
        $m = New-Tensor @(@(1, 2, 3), @(4, 5, 6)) -DType Float64 -RequiresGrad
    }

    It '<Command> <Label>' -ForEach @(
        @{ Command = 'Measure-Sum';  Label = 'of all';          Splat = @{};                           Shape = '';    Expected = @(21);         GradFn = 'SumBackward0' }
        @{ Command = 'Measure-Sum';  Label = 'over dim 0';      Splat = @{ Dim = 0 };                  Shape = '3';   Expected = @(5, 7, 9);    GradFn = 'SumBackward1' }
        @{ Command = 'Measure-Sum';  Label = 'over dim -1 kept'; Splat = @{ Dim = -1; KeepDim = $true }; Shape = '2,1'; Expected = @(6, 15);    GradFn = 'SumBackward1' }
        @{ Command = 'Measure-Sum';  Label = 'over dims 1,0';   Splat = @{ Dim = 1, 0 };               Shape = '';    Expected = @(21);         GradFn = 'SumBackward1' }
        @{ Command = 'Measure-Sum';  Label = 'of all, kept';    Splat = @{ KeepDim = $true };          Shape = '1,1'; Expected = @(21);         GradFn = 'SumBackward1' }
        @{ Command = 'Measure-Mean'; Label = 'of all';          Splat = @{};                           Shape = '';    Expected = @(3.5);        GradFn = 'MeanBackward0' }
        @{ Command = 'Measure-Mean'; Label = 'over dim 0';      Splat = @{ Dim = 0 };                  Shape = '3';   Expected = @(2.5, 3.5, 4.5); GradFn = 'MeanBackward1' }
        @{ Command = 'Measure-Mean'; Label = 'over dim 1 kept'; Splat = @{ Dim = 1; KeepDim = $true }; Shape = '2,1'; Expected = @(2, 5);       GradFn = 'MeanBackward1' }
    ) {
        $y = $m | & $Command @Splat
        $y | Should -BeOfType ([AutoGrad.Tensor])
        $y.Shape -join ',' | Should -Be $Shape
        $y.ToDoubleArray() | Should -Be $Expected
        $y.GradFn.Name | Should -Be $GradFn
        $y.DType | Should -Be 'Float64'
    }

    It '<Command> takes the tensor by position' -ForEach @(
        @{ Command = 'Measure-Sum'; Expected = 21 }
        @{ Command = 'Measure-Mean'; Expected = 3.5 }
    ) {
        (& $Command $m).Item() | Should -Be $Expected
    }

    It 'sums an int64 tensor to int64 and a bool tensor to int64' {
        $s = New-Tensor 1, 2, 3 | Measure-Sum
        $s.DType | Should -Be 'Int64'
        $s.Item() | Should -Be 6
        (New-Tensor $true, $true, $false | Measure-Sum).Item() | Should -Be 2
    }

    It 'reduces each pipeline tensor separately' {
        $out = (New-Tensor 1, 2), (New-Tensor 3, 4) | Measure-Sum
        $out | Should -HaveCount 2
        $out[1].Item() | Should -Be 7
    }

    It 'Measure-Mean of an int64 tensor fails with PyTorch''s message' {
        $r = Invoke-WithErrors { New-Tensor 1, 2, 3 | Measure-Mean }
        $out = $r.Output
        $err = $r.Errors[0]
        $out | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'MeasureMeanMeanNonFloating,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Be 'mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long'
    }

    It '<Command> with a dim out of range fails with <Id>' -ForEach @(
        @{ Command = 'Measure-Sum';  Id = 'MeasureSumDimOutOfRange' }
        @{ Command = 'Measure-Mean'; Id = 'MeasureMeanDimOutOfRange' }
    ) {
        $err = Get-WrittenError { $m | & $Command -Dim 5 }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Be 'Dimension out of range (expected to be in range of [-2, 1], but got 5)'
        $err.TargetObject | Should -Be $m
    }

    It 'rejects a repeated dim' {
        { $m | Measure-Sum -Dim 0, -2 -ErrorAction Stop } | Should -Throw -ErrorId 'MeasureSumDuplicateDim*' -ExpectedMessage 'dim 0 appears multiple times in the list of dims'
    }

    It 'names a tensor used after Dispose() handed its storage back' {
        $t = New-Tensor -Data (1..100000) -DType Float32
        $t.Dispose()
        $err = { $t | Measure-Sum -ErrorAction Stop } | Should -Throw -ErrorId 'MeasureSumTensorDisposed*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -BeLike 'Cannot access a disposed tensor*'
        ($t | Out-String).Trim() | Should -Be 'tensor(<disposed>)'
    }

    It 'rejects input that is not a tensor' {
        { 1, 2, 3 | Measure-Sum -ErrorAction Stop } | Should -Throw -ErrorId 'InputObjectNotBound*'
    }
}
