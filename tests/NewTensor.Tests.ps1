#Requires -Version 7.4
# New-Tensor: data conversion (shape and dtype inference as torch.tensor), factories, dtype spellings, errors.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'New-Tensor -Data' {
    Context 'shape and dtype inference (torch.tensor)' {
        It '<Label> -> <DType> [<Shape>]' -ForEach @(
            @{ Label = 'int';                 Data = 1;                                Shape = '';      DType = 'Int64';   Values = @(1) }
            @{ Label = 'double';              Data = 1.5;                              Shape = '';      DType = 'Float32'; Values = @(1.5) }
            @{ Label = '[double] integral';   Data = [double]2;                        Shape = '';      DType = 'Float32'; Values = @(2) }
            @{ Label = '[single]';            Data = [single]2.5;                      Shape = '';      DType = 'Float32'; Values = @(2.5) }
            @{ Label = '[decimal]';           Data = 2.5d;                             Shape = '';      DType = 'Float32'; Values = @(2.5) }
            @{ Label = '[long]';              Data = [long]5;                          Shape = '';      DType = 'Int64';   Values = @(5) }
            @{ Label = '[bool]';              Data = $true;                            Shape = '';      DType = 'Bool';    Values = @(1) }
            @{ Label = 'flat ints';           Data = @(1, 2, 3);                       Shape = '3';     DType = 'Int64';   Values = @(1, 2, 3) }
            @{ Label = 'range';               Data = 1..4;                             Shape = '4';     DType = 'Int64';   Values = @(1, 2, 3, 4) }
            @{ Label = 'ints and a double';   Data = @(1, 2.5);                        Shape = '2';     DType = 'Float32'; Values = @(1, 2.5) }
            @{ Label = '[double[]]';          Data = [double[]](1, 2);                 Shape = '2';     DType = 'Float32'; Values = @(1, 2) }
            @{ Label = '[int[]]';             Data = [int[]](1, 2);                    Shape = '2';     DType = 'Int64';   Values = @(1, 2) }
            @{ Label = 'bools';               Data = @($true, $false);                 Shape = '2';     DType = 'Bool';    Values = @(1, 0) }
            @{ Label = 'bool and int';        Data = @($true, 2);                      Shape = '2';     DType = 'Int64';   Values = @(1, 2) }
            @{ Label = 'nested 2x2';          Data = @(@(1, 2), @(2, 3));              Shape = '2,2';   DType = 'Int64';   Values = @(1, 2, 2, 3) }
            @{ Label = 'nested 2x3';          Data = @(@(1, 2, 3), @(4, 5, 6.5));      Shape = '2,3';   DType = 'Float32'; Values = @(1, 2, 3, 4, 5, 6.5) }
            @{ Label = 'nested 2x2x1';        Data = @(@(, 1), @(, 2)), @(@(, 3), @(, 4)); Shape = '2,2,1'; DType = 'Int64'; Values = @(1, 2, 3, 4) }
            @{ Label = 'empty';               Data = @();                              Shape = '0';     DType = 'Float32'; Values = @() }
            @{ Label = 'two empty rows';      Data = @(@(), @());                      Shape = '2,0';   DType = 'Float32'; Values = @() }
            @{ Label = 'numeric string int';  Data = '3';                              Shape = '';      DType = 'Int64';   Values = @(3) }
            @{ Label = 'numeric string float'; Data = '4.5';                           Shape = '';      DType = 'Float32'; Values = @(4.5) }
            @{ Label = 'numeric strings';     Data = @('1', '2e1', ' -3 ');            Shape = '3';     DType = 'Float32'; Values = @(1, 20, -3) }
            @{ Label = 'PSObject-wrapped';    Data = @([psobject]1.5, [psobject]2);    Shape = '2';     DType = 'Float32'; Values = @(1.5, 2) }
            @{ Label = 'rows of [double[]]';  Data = @([double[]](1, 2), [double[]](3, 4)); Shape = '2,2'; DType = 'Float32'; Values = @(1, 2, 3, 4) }
            @{ Label = 'rows of [long[]]';    Data = @([long[]](1, 2), [long[]](3, 4));     Shape = '2,2'; DType = 'Int64';   Values = @(1, 2, 3, 4) }
            @{ Label = '[bool[]]';            Data = [bool[]]($true, $false);          Shape = '2';     DType = 'Bool';    Values = @(1, 0) }
            @{ Label = '[single[]]';          Data = [single[]](0.5, 1);               Shape = '2';     DType = 'Float32'; Values = @(0.5, 1) }
            @{ Label = 'List[object]';        Data = [System.Collections.Generic.List[object]]@(1, 2); Shape = '2'; DType = 'Int64'; Values = @(1, 2) }
        ) {
            $t = New-Tensor -Data $Data
            $t | Should -BeOfType ([AutoGrad.Tensor])
            $t.Shape -join ',' | Should -Be $Shape
            $t.DType | Should -Be $DType
            $t.ToDoubleArray() | Should -Be $Values
            $t.RequiresGrad | Should -BeFalse
            $t.IsLeaf | Should -BeTrue
        }

        It 'takes PSObject-wrapped values from a pipeline-built array' {
            $data = 1, 2, 3 | ForEach-Object { $_ * 2 }
            (New-Tensor $data).ToDoubleArray() | Should -Be @(2, 4, 6)
        }

        It 'keeps int64 values exactly (beyond 2^53)' {
            $t = New-Tensor ([long]::MaxValue)
            $t.Item() | Should -Be ([long]::MaxValue)
        }

        It 'stacks tensors nested in an array (torch.tensor([t1, t2]))' {
            $a = New-Tensor 1, 2
            $b = New-Tensor 3, 4
            $t = New-Tensor @($a, $b)
            $t.Shape | Should -Be @(2, 2)
            $t.ToDoubleArray() | Should -Be @(1, 2, 3, 4)
        }
    }

    Context '-DType' {
        It 'casts to <Expected> given <Given>' -ForEach @(
            @{ Given = 'Float64';       Expected = 'Float64' }
            @{ Given = 'float64';       Expected = 'Float64' }
            @{ Given = 'FLOAT64';       Expected = 'Float64' }
            @{ Given = 'torch.float64'; Expected = 'Float64' }
            @{ Given = 'double';        Expected = 'Float64' }
            @{ Given = [double];        Expected = 'Float64' }
            @{ Given = 'Float32';       Expected = 'Float32' }
            @{ Given = 'float';         Expected = 'Float32' }
            @{ Given = [single];        Expected = 'Float32' }
            @{ Given = 'Int64';         Expected = 'Int64' }
            @{ Given = 'long';          Expected = 'Int64' }
            @{ Given = 'torch.int64';   Expected = 'Int64' }
            @{ Given = [long];          Expected = 'Int64' }
            @{ Given = 'Bool';          Expected = 'Bool'; Values = @(0, 1, 1) }
            @{ Given = [bool];          Expected = 'Bool'; Values = @(0, 1, 1) }
        ) {
            $t = New-Tensor @(0, 1, 2) -DType $Given
            $t.DType | Should -Be $Expected
            $t.ToDoubleArray() | Should -Be ($Values ?? @(0, 1, 2))
        }

        It 'takes the DType enum itself' {
            (New-Tensor 1 -DType ([AutoGrad.DType]::Float64)).DType | Should -Be 'Float64'
        }

        It 'truncates fractions when casting to Int64, as torch does' {
            (New-Tensor 1.7, -1.7, 2.5 -DType Int64).ToDoubleArray() | Should -Be @(1, -1, 2)
        }

        It 'fails on an unknown dtype, listing the valid names' {
            { New-Tensor 1 -DType float16 } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*' -ExpectedMessage '*Unknown dtype*float16*Float32*Float64*Int64*Bool*'
            { New-Tensor 1 -DType ([int]) } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        }
    }

    Context '-Shape' {
        It 'lays out flat data in <Shape>' -ForEach @(
            @{ Shape = @(2, 3);  Expected = '2,3' }
            @{ Shape = @(3, 2);  Expected = '3,2' }
            @{ Shape = @(-1, 2); Expected = '3,2' }
            @{ Shape = @(6);     Expected = '6' }
            @{ Shape = @(1, 6, 1); Expected = '1,6,1' }
        ) {
            $t = New-Tensor (1..6) -Shape $Shape
            $t.Shape -join ',' | Should -Be $Expected
            $t.ToDoubleArray() | Should -Be @(1, 2, 3, 4, 5, 6)
        }

        It 'makes a 0-d tensor from one number with an empty shape' {
            (New-Tensor 7 -Shape @()).Shape.Count | Should -Be 0
        }

        It 'fails with NewTensorShapeMismatch when the count does not fit' {
            $err = Get-WrittenError { New-Tensor 1, 2, 3 -Shape 2, 2 }
            $err.FullyQualifiedErrorId | Should -BeLike 'NewTensorShapeMismatch,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Be "shape '[2, 2]' is invalid for input of size 3"
        }
    }

    Context 'copying a tensor' {
        BeforeAll {
            $src = New-Tensor 1, 2 -DType Float64 -RequiresGrad
        }

        It 'copies as a detached leaf, keeping the dtype' {
            $c = New-Tensor $src
            [object]::ReferenceEquals($c, $src) | Should -BeFalse
            $c.DType | Should -Be 'Float64'
            $c.RequiresGrad | Should -BeFalse
            $c.IsLeaf | Should -BeTrue
            $c.ToDoubleArray() | Should -Be @(1, 2)
        }

        It 'copies a non-leaf as a leaf, converting with -DType and -RequiresGrad' {
            $y = $src * 3
            $c = New-Tensor $y -DType Float32 -RequiresGrad
            $c.IsLeaf | Should -BeTrue
            $c.GradFn | Should -BeNullOrEmpty
            $c.RequiresGrad | Should -BeTrue
            $c.DType | Should -Be 'Float32'
            $c.ToDoubleArray() | Should -Be @(3, 6)
        }

        It 'reshapes a copy with -Shape' {
            (New-Tensor (New-Tensor (1..4)) -Shape 2, 2).Shape | Should -Be @(2, 2)
        }
    }

    Context '-RequiresGrad' {
        It 'makes a floating leaf that requires grad' {
            $t = New-Tensor 1.0, 2.0 -RequiresGrad
            $t.RequiresGrad | Should -BeTrue
            $t.IsLeaf | Should -BeTrue
            $t.Grad | Should -BeNullOrEmpty
        }

        It 'rejects integer data with the factories'' message (<Label>), as torch.tensor(..., requires_grad=True) does' -ForEach @(
            @{ Label = 'inferred Int64'; Splat = @{ Data = @(1, 2) } }
            @{ Label = 'explicit Int64'; Splat = @{ Data = @(1.5); DType = 'Int64' } }
            @{ Label = 'Bool';           Splat = @{ Data = $true } }
            @{ Label = 'Zeros Int64';    Splat = @{ Zeros = $true; Shape = 2; DType = 'Int64' } }
            @{ Label = 'Fill int';       Splat = @{ Fill = 3; Shape = 2 } }
        ) {
            $r = Invoke-WithErrors { New-Tensor @Splat -RequiresGrad }
            $r.Output | Should -BeNullOrEmpty
            $err = $r.Errors[0]
            $err.FullyQualifiedErrorId | Should -BeLike 'NewTensorRequiresGradNonFloating,*'
            # Capital O: the factories' text, not the attribute setter's (tests/data/reliability-messages.json).
            $err.Exception.Message | Should -BeExactly 'Only Tensors of floating point and complex dtype can require gradients'
            $err.Exception | Should -BeOfType ([AutoGrad.TorchException])
        }
    }

    Context 'pipeline input' {
        It 'makes one tensor per pipeline object' {
            $ts = 1, 2 | New-Tensor
            $ts | Should -HaveCount 2
            $ts[1].Shape.Count | Should -Be 0
        }

        It 'makes one tensor from an array sent whole' {
            $t = , @(1, 2, 3) | New-Tensor
            @($t) | Should -HaveCount 1
            $t.Shape | Should -Be @(3)
        }
    }

    Context 'bad data' {
        It '<Label> fails with <Id> (<Category>)' -ForEach @(
            @{ Label = 'jagged rows';         Data = @(@(1, 2), @(3));        Id = 'NewTensorJaggedData';      Category = 'InvalidData'; Message = 'expected sequence of length 2 at dim 1 (got 1)' }
            @{ Label = 'number then row';     Data = @(1, @(2, 3));           Id = 'NewTensorJaggedData';      Category = 'InvalidData'; Message = 'expected a number at dim 1 (got a sequence of length 2)' }
            @{ Label = 'row then number';     Data = @(@(1, 2), 3);           Id = 'NewTensorJaggedData';      Category = 'InvalidData'; Message = 'expected sequence of length 2 at dim 1 (got a number)' }
            @{ Label = 'ragged depth';        Data = @((, @(1, 2)), @(3, 4)); Id = 'NewTensorJaggedData';      Category = 'InvalidData'; Message = '*' }
            @{ Label = 'jagged typed rows';   Data = @([int[]](1, 2), [int[]](, 3)); Id = 'NewTensorJaggedData';    Category = 'InvalidData'; Message = 'expected sequence of length 2 at dim 1 (got 1)' }
            @{ Label = 'non-numeric string';  Data = 'abc';                   Id = 'NewTensorNonNumericData';  Category = 'InvalidData'; Message = "*'abc'*" }
            @{ Label = 'string in array';     Data = @(1, 'x');               Id = 'NewTensorNonNumericData';  Category = 'InvalidData'; Message = "*'x'*" }
            @{ Label = 'decimal comma';       Data = '4,5';                   Id = 'NewTensorNonNumericData';  Category = 'InvalidData'; Message = '*' }
            @{ Label = 'hashtable';           Data = @{ a = 1 };              Id = 'NewTensorNonNumericData';  Category = 'InvalidData'; Message = '*Hashtable*' }
            @{ Label = 'custom object';       Data = [pscustomobject]@{ a = 1 }; Id = 'NewTensorNonNumericData'; Category = 'InvalidData'; Message = '*' }
            @{ Label = 'null';                Data = $null;                   Id = 'NewTensorNullData';        Category = 'InvalidArgument'; Message = '*null*' }
            @{ Label = 'null element';        Data = @(1, $null);             Id = 'NewTensorNullData';        Category = 'InvalidData'; Message = '*' }
        ) {
            $r = Invoke-WithErrors { New-Tensor -Data $Data }
            $r.Output | Should -BeNullOrEmpty
            $err = $r.Errors[0]
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            $err.CategoryInfo.Category | Should -Be $Category
            $err.Exception.Message | Should -BeLike $Message
        }

        It 'names the offending value as the target' {
            $err = Get-WrittenError { New-Tensor @(1, 'abc') }
            $err.TargetObject | Should -Be 'abc'
        }

        It 'is a non-terminating error: the pipeline goes on with the next item' {
            $r = Invoke-WithErrors { 1, 'abc', 3 | New-Tensor }
            $r.Output.ForEach({ $_.Item() }) | Should -Be @(1, 3)
            $r.Errors | Should -HaveCount 1
            $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'NewTensorNonNumericData,*'
        }

        It 'obeys -ErrorAction: Stop throws, SilentlyContinue goes on quietly' {
            { New-Tensor 'abc' -ErrorAction Stop } | Should -Throw -ErrorId 'NewTensorNonNumericData*'
            $script:after = $false
            & { New-Tensor 'abc' -ErrorAction SilentlyContinue -ErrorVariable ev; $script:after = $true }
            $script:after | Should -BeTrue
            $ev | Should -HaveCount 1
        }
    }
}

Describe 'New-Tensor factories' {
    It '-<Kind> gives <DType> filled with <Value>' -ForEach @(
        @{ Kind = 'Zeros'; Splat = @{ Zeros = $true };             DType = 'Float32'; Value = 0 }
        @{ Kind = 'Ones';  Splat = @{ Ones = $true };              DType = 'Float32'; Value = 1 }
        @{ Kind = 'Ones';  Splat = @{ Ones = $true; DType = 'Int64' }; DType = 'Int64'; Value = 1 }
        @{ Kind = 'Fill';  Splat = @{ Fill = 3 };                  DType = 'Int64';   Value = 3 }
        @{ Kind = 'Fill';  Splat = @{ Fill = 2.5 };                DType = 'Float32'; Value = 2.5 }
        @{ Kind = 'Fill';  Splat = @{ Fill = $true };              DType = 'Bool';    Value = 1 }
        @{ Kind = 'Fill';  Splat = @{ Fill = '1.5' };              DType = 'Float32'; Value = 1.5 }
        @{ Kind = 'Fill';  Splat = @{ Fill = 3; DType = 'double' }; DType = 'Float64'; Value = 3 }
    ) {
        $t = New-Tensor @Splat -Shape 2, 3
        $t.Shape | Should -Be @(2, 3)
        $t.DType | Should -Be $DType
        $t.ToDoubleArray() | Should -Be (@($Value) * 6)
    }

    It 'takes -Shape by position' {
        (New-Tensor -Zeros 4).Shape | Should -Be @(4)
    }

    It '-Zeros -RequiresGrad makes a leaf requiring grad' {
        $t = New-Tensor -Zeros -Shape 2 -DType Float64 -RequiresGrad
        $t.RequiresGrad | Should -BeTrue
        $t.IsLeaf | Should -BeTrue
    }

    It '-Rand gives values in [0, 1) and repeats with a seed' {
        $a = New-Tensor -Rand -Shape 3, 4 -Seed 42
        $b = New-Tensor -Rand -Shape 3, 4 -Seed 42
        $a.Shape | Should -Be @(3, 4)
        $a.DType | Should -Be 'Float32'
        $a.ToDoubleArray() | ForEach-Object { $_ | Should -BeGreaterOrEqual 0; $_ | Should -BeLessThan 1 }
        $b.ToDoubleArray() | Should -Be $a.ToDoubleArray()
    }

    It '-RandN repeats with a seed and honours -DType/-RequiresGrad' {
        $a = New-Tensor -RandN -Shape 5 -Seed 7 -DType Float64 -RequiresGrad
        $b = New-Tensor -RandN -Shape 5 -Seed 7 -DType Float64
        $a.DType | Should -Be 'Float64'
        $a.RequiresGrad | Should -BeTrue
        $b.ToDoubleArray() | Should -Be $a.ToDoubleArray()
    }

    It 'rejects a negative dimension with PyTorch''s message' {
        $err = Get-WrittenError { New-Tensor -Zeros -Shape 2, -1 }
        $err.FullyQualifiedErrorId | Should -BeLike 'NewTensorNegativeDimension,*'
        $err.Exception.Message | Should -Be 'Trying to create tensor with negative dimension -1: [2, -1]'
    }

    It 'rejects a non-numeric -Fill' {
        (Get-WrittenError { New-Tensor -Fill 'x' -Shape 2 }).FullyQualifiedErrorId | Should -BeLike 'NewTensorNonNumericData,*'
    }
}

Describe 'culture invariance' {
    It 'parses and prints numbers the same in de-DE' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $t = New-Tensor '4.5'
            $t.ToDoubleArray() | Should -Be @(4.5)
            $text = $t | Out-String
            $text | Should -Match '4\.5'
            $text | Should -Not -Match '4,5'
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
    }
}
