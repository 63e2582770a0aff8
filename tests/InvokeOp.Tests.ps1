#Requires -Version 7.4
# Invoke-Op: operands given as PowerShell data, dtype rules for numbers, names, the pipeline, argument checks and
# engine errors. Every op's values on its samples are checked by tests/OpTable.Tests.ps1 (generated from the table).

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'Invoke-Op' {
    Context 'binary ops' {
        BeforeAll {
            $x = New-Tensor 1, 2, 4 -DType Float64 -RequiresGrad
        }

        # PowerShell values as operands (the table's samples pass tensors, longs and doubles).
        It '<Name> with <Label>' -ForEach @(
            @{ Name = 'Add'; Label = 'an integer';    Other = 2;        Expected = @(3, 4, 6);       GradFn = 'AddBackward0' }
            @{ Name = 'Pow'; Label = 'a fraction';    Other = 0.5;      Expected = @(1, [math]::Sqrt(2), 2); GradFn = 'PowBackward0' }
            @{ Name = 'Add'; Label = 'a numeric string'; Other = '1.5'; Expected = @(2.5, 3.5, 5.5); GradFn = 'AddBackward0' }
            @{ Name = 'Add'; Label = 'an array';      Other = @(10, 20, 30); Expected = @(11, 22, 34); GradFn = 'AddBackward0' }
        ) {
            $y = $x | Invoke-Op $Name $Other
            $y.DType | Should -Be 'Float64'
            $y.GradFn.Name | Should -Be $GradFn
            $y | Should -BeTensor (New-Tensor $Expected -DType Float64) -RTol 0 -ATol 1e-12
        }

        It 'broadcasts a row against a column' {
            $col = New-Tensor @(@(1), @(2))
            $y = $col | Invoke-Op Add (New-Tensor 10, 20, 30)
            $y.Shape | Should -Be @(2, 3)
            $y.ToDoubleArray() | Should -Be @(11, 21, 31, 12, 22, 32)
        }

        It 'takes -Other by name and a PSObject-wrapped tensor' {
            $o = [psobject](New-Tensor 1, 1, 1 -DType Float64)
            ($x | Invoke-Op -Name Sub -Other $o).ToDoubleArray() | Should -Be @(0, 1, 3)
        }

        It 'takes -InputObject by name' {
            (Invoke-Op Mul 3 -InputObject $x).ToDoubleArray() | Should -Be @(3, 6, 12)
        }
    }

    Context 'dtype rules (numbers keep int64 tensors int64)' {
        It '<Label>' -ForEach @(
            @{ Label = 'int64 * integer -> Int64';   Name = 'Mul'; Other = 2;        DType = 'Int64';   Expected = @(2, 4, 6) }
            @{ Label = 'int64 + [long] -> Int64';    Name = 'Add'; Other = [long]5;  DType = 'Int64';   Expected = @(6, 7, 8) }
            @{ Label = 'int64 ** integer -> Int64';  Name = 'Pow'; Other = 2;        DType = 'Int64';   Expected = @(1, 4, 9) }
            @{ Label = 'int64 * fraction -> Float32'; Name = 'Mul'; Other = 0.5;     DType = 'Float32'; Expected = @(0.5, 1, 1.5) }
            @{ Label = 'int64 / integer -> Float32'; Name = 'Div'; Other = 2;        DType = 'Float32'; Expected = @(0.5, 1, 1.5) }
        ) {
            $y = New-Tensor 1, 2, 3 | Invoke-Op $Name $Other
            $y.DType | Should -Be $DType
            $y.ToDoubleArray() | Should -Be $Expected
        }

        It 'float32 stays float32 with a fractional number' {
            (New-Tensor 1.5, 2 | Invoke-Op Mul 2.5).DType | Should -Be 'Float32'
        }
    }

    Context 'op names' {
        It 'accepts <Given> (case-insensitive)' -ForEach @(
            @{ Given = 'add' }, @{ Given = 'ADD' }, @{ Given = 'aDd' }
        ) {
            (New-Tensor 1, 2 | Invoke-Op $Given 1).ToDoubleArray() | Should -Be @(2, 3)
        }
    }

    Context 'MatMul' {
        It 'rejects a number operand with a TypeError' {
            $err = Get-WrittenError { New-Tensor @(@(1, 2), @(3, 4)) | Invoke-Op MatMul 2 }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvokeOpArgumentNotTensor,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidType'
            $err.Exception.Message | Should -Be "matmul(): argument 'other' (position 1) must be Tensor, not int"
        }

        It 'reports incompatible shapes with PyTorch''s message' {
            $err = Get-WrittenError { New-Tensor @(@(1, 2, 3), @(4, 5, 6)) | Invoke-Op MatMul (New-Tensor @(@(1, 2), @(3, 4))) }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvokeOpMatMulShapeMismatch,*'
            $err.Exception.Message | Should -Be 'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)'
        }
    }

    Context 'Reshape' {
        It 'reports an impossible shape with PyTorch''s message' {
            $err = Get-WrittenError { New-Tensor (1..6) | Invoke-Op Reshape -Shape 4 }
            $err.FullyQualifiedErrorId | Should -BeLike 'InvokeOpReshapeInvalid,*'
            $err.Exception.Message | Should -Be "shape '[4]' is invalid for input of size 6"
        }
    }

    Context 'Sum' {
        It 'sums int64 to int64' {
            $y = New-Tensor 1, 2, 3 | Invoke-Op Sum
            $y.DType | Should -Be 'Int64'
            $y.Item() | Should -Be 6
        }
    }

    Context 'pipeline' {
        It 'applies the op to each tensor in the pipeline, one output each' {
            $a = New-Tensor 1, 2
            $b = New-Tensor 3, 4
            $out = $a, $b | Invoke-Op Mul 2
            $out | Should -HaveCount 2
            $out[0].ToDoubleArray() | Should -Be @(2, 4)
            $out[1].ToDoubleArray() | Should -Be @(6, 8)
        }

        It 'chains ops' {
            $y = New-Tensor 1, 2, 3 -DType Float64 | Invoke-Op Pow 2 | Invoke-Op Add 1 | Invoke-Op Sum
            $y.Item() | Should -Be 17
        }
    }

    Context 'errors' {
        BeforeAll {
            $x = New-Tensor 1, 2, 3 -DType Float64
        }

        It '<Label> fails with <Id> (<Category>)' -ForEach @(
            @{ Label = 'unknown op';            Run = { $x | Invoke-Op Frobnicate };          Id = 'InvokeOpUnknownOp';           Category = 'InvalidArgument';  Message = "Unknown op 'Frobnicate'. Valid ops: *Add*MatMul*Sum*" }
            @{ Label = 'binary op without -Other'; Run = { $x | Invoke-Op Add };             Id = 'InvokeOpMissingOther';        Category = 'InvalidArgument';  Message = '*Add needs -Other*' }
            @{ Label = 'Reshape without -Shape'; Run = { $x | Invoke-Op Reshape };           Id = 'InvokeOpMissingShape';        Category = 'InvalidArgument';  Message = '*Reshape needs -Shape*' }
            @{ Label = 'unary op with -Other';  Run = { $x | Invoke-Op Neg 2 };               Id = 'InvokeOpUnexpectedParameter'; Category = 'InvalidArgument';  Message = '*Neg does not take -Other*' }
            @{ Label = 'Add with -Dim';         Run = { $x | Invoke-Op Add 1 -Dim 0 };        Id = 'InvokeOpUnexpectedParameter'; Category = 'InvalidArgument';  Message = '*-Dim*' }
            @{ Label = 'Sum with -Shape';       Run = { $x | Invoke-Op Sum -Shape 3 };        Id = 'InvokeOpUnexpectedParameter'; Category = 'InvalidArgument';  Message = '*-Shape*' }
            @{ Label = 'shape mismatch';        Run = { $x | Invoke-Op Add (New-Tensor 1, 2) }; Id = 'InvokeOpShapeMismatch';    Category = 'InvalidArgument';  Message = 'The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0' }
            @{ Label = 'dim out of range';      Run = { $x | Invoke-Op Sum -Dim 2 };          Id = 'InvokeOpDimOutOfRange';       Category = 'InvalidArgument';  Message = 'Dimension out of range (expected to be in range of `[-1, 0`], but got 2)' }
            @{ Label = 'mean of int64';         Run = { New-Tensor 1, 2 | Invoke-Op Mean };   Id = 'InvokeOpMeanNonFloating';     Category = 'InvalidOperation'; Message = 'mean(): could not infer output dtype.*Got: Long' }
            @{ Label = 'non-numeric -Other';    Run = { $x | Invoke-Op Mul 'abc' };           Id = 'InvokeOpNonNumericData';      Category = 'InvalidData';      Message = "*'abc'*" }
            @{ Label = 'jagged -Other';         Run = { $x | Invoke-Op Mul @(@(1, 2), @(3)) }; Id = 'InvokeOpJaggedData';        Category = 'InvalidData';      Message = '*' }
            @{ Label = 'null -Other';           Run = { $x | Invoke-Op Mul $null };           Id = 'InvokeOpNullOther';           Category = 'InvalidArgument';  Message = '*null*' }
        ) {
            $r = Invoke-WithErrors $Run
            $out = $r.Output
            $err = $r.Errors[0] ?? $r.Terminating
            $out | Should -BeNullOrEmpty
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $err.CategoryInfo.Category | Should -Be $Category
            $err.Exception.Message | Should -BeLike $Message
        }

        It 'names the unknown op as the target' {
            $err = $null
            try { $x | Invoke-Op Frobnicate } catch { $err = $_ }
            $err.TargetObject | Should -Be 'Frobnicate'
        }

        It 'keeps the engine exception (Kind, Id) on engine errors' {
            $err = Get-WrittenError { $x | Invoke-Op Add (New-Tensor 1, 2) }
            $err.Exception | Should -BeOfType ([AutoGrad.TorchException])
            $err.Exception.Kind | Should -Be 'RuntimeError'
            $err.Exception.Id | Should -Be 'ShapeMismatch'
        }

        It 'fails before touching pipeline input when the op is unknown' {
            $script:seen = 0
            { 1..3 | ForEach-Object { $script:seen++; New-Tensor $_ } | Invoke-Op Nope } | Should -Throw -ErrorId 'InvokeOpUnknownOp*'
            $script:seen | Should -Be 0
        }
    }
}
