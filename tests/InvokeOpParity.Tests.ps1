#Requires -Version 7.4
# Invoke-Op, the parity ops of issue 3: values against closed forms, PyTorch's node names, each op's options
# (PyTorch's keyword names in PascalCase), printing, and argument errors with their ids.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
}

Describe 'Invoke-Op parity ops' {
    Context 'elementwise ops on [-1.5, -0.5, 0.5, 2] (float64)' {
        It '<Name> matches its closed form and records <GradFn>' -ForEach @(
            @{ Name = 'Reciprocal'; GradFn = 'ReciprocalBackward0'; F = { param($v) 1 / $v } }
            @{ Name = 'Square';     GradFn = 'PowBackward0';        F = { param($v) $v * $v } }
            @{ Name = 'Expm1';      GradFn = 'Expm1Backward0';      F = { param($v) [math]::Exp($v) - 1 } }
            @{ Name = 'Sign';       GradFn = 'SignBackward0';       F = { param($v) [math]::Sign($v) } }
            @{ Name = 'Floor';      GradFn = 'FloorBackward0';      F = { param($v) [math]::Floor($v) } }
            @{ Name = 'Ceil';       GradFn = 'CeilBackward0';       F = { param($v) [math]::Ceiling($v) } }
            @{ Name = 'Round';      GradFn = 'RoundBackward0';      F = { param($v) [math]::Round($v, [MidpointRounding]::ToEven) } }
            @{ Name = 'Silu';       GradFn = 'SiluBackward0';       F = { param($v) $v / (1 + [math]::Exp(-$v)) } }
            @{ Name = 'Softplus';   GradFn = 'SoftplusBackward0';   F = { param($v) [math]::Log(1 + [math]::Exp($v)) } }
            @{ Name = 'LeakyRelu';  GradFn = 'LeakyReluBackward0';  F = { param($v) if ($v -gt 0) { $v } else { 0.01 * $v } } }
        ) {
            $x = New-Tensor -1.5, -0.5, 0.5, 2 -DType Float64 -RequiresGrad
            $y = $x | Invoke-Op $Name
            $y.GradFn.Name | Should -Be $GradFn
            $y | Should -BeTensor (New-Tensor @(-1.5, -0.5, 0.5, 2 | ForEach-Object { & $F $_ }) -DType Float64) -RTol 0 -ATol 1e-9
        }

        It '<Name> on positive inputs matches its closed form and records <GradFn>' -ForEach @(
            @{ Name = 'Log1p'; GradFn = 'Log1PBackward0'; F = { param($v) [math]::Log(1 + $v) } }
            @{ Name = 'Rsqrt'; GradFn = 'RsqrtBackward0'; F = { param($v) 1 / [math]::Sqrt($v) } }
        ) {
            $x = New-Tensor 0.25, 1, 4 -DType Float64 -RequiresGrad
            $y = $x | Invoke-Op $Name
            $y.GradFn.Name | Should -Be $GradFn
            $y | Should -BeTensor (New-Tensor @(0.25, 1, 4 | ForEach-Object { & $F $_ }) -DType Float64) -RTol 0 -ATol 1e-9
        }

        It 'Floor, Ceil, Round and Sign pass a zero gradient' -ForEach @(
            @{ Name = 'Floor' }, @{ Name = 'Ceil' }, @{ Name = 'Round' }, @{ Name = 'Sign' }
        ) {
            $x = New-Tensor -1.5, 0.5, 2.5 -DType Float64 -RequiresGrad
            $x | Invoke-Op $Name | Measure-Sum | Invoke-Backward
            $x.Grad.ToDoubleArray() | Should -Be @(0, 0, 0)
        }

        It 'Softplus takes -Beta and -Threshold' {
            $y = New-Tensor -1.0, 0.0, 30.0 -DType Float64 | Invoke-Op Softplus -Beta 2 -Threshold 10
            $expected = @(([math]::Log(1 + [math]::Exp(-2)) / 2), ([math]::Log(2) / 2), 30)
            for ($i = 0; $i -lt 3; $i++) { [math]::Abs($y.ToDoubleArray()[$i] - $expected[$i]) | Should -BeLessThan 1e-12 }
        }

        It 'LeakyRelu takes -NegativeSlope' {
            $y = New-Tensor -2.0, 3.0 | Invoke-Op LeakyRelu -NegativeSlope 0.25
            $y.ToDoubleArray() | Should -Be @(-0.5, 3)
        }

        It 'Gelu is x * Phi(x); -Approximate tanh uses the tanh formula' {
            $x = New-Tensor -1.0, 0.5, 2.0 -DType Float64 -RequiresGrad
            $exact = $x | Invoke-Op Gelu
            $exact.GradFn.Name | Should -Be 'GeluBackward0'
            # Phi(1) = 0.8413447460685429, Phi(0.5) = 0.6914624612740131, Phi(2) = 0.9772498680518208
            $exact | Should -BeTensor (New-Tensor (-1 * (1 - 0.8413447460685429)), (0.5 * 0.6914624612740131), (2 * 0.9772498680518208) -DType Float64) -RTol 0 -ATol 1e-12
            $k = [math]::Sqrt(2 / [math]::PI)
            $tanh = $x | Invoke-Op Gelu -Approximate tanh
            $tanh | Should -BeTensor (New-Tensor @(-1.0, 0.5, 2.0 | ForEach-Object { 0.5 * $_ * (1 + [math]::Tanh($k * ($_ + 0.044715 * $_ * $_ * $_))) }) -DType Float64) -RTol 0 -ATol 1e-12
        }

        It 'Detach gives a leaf without requires_grad that shares the values' {
            $x = New-Tensor 1.0, 2.0 -RequiresGrad
            $d = $x * 2 | Invoke-Op Detach
            $d.IsLeaf | Should -BeTrue
            $d.RequiresGrad | Should -BeFalse
            $d.GradFn | Should -BeNullOrEmpty
            $d.ToString() | Should -Be 'tensor([2., 4.])'
        }
    }

    Context 'Clamp' {
        BeforeAll {
            $x = New-Tensor -2.0, 0.5, 3.0 -DType Float64 -RequiresGrad
        }

        It 'clamps with <Label> (<GradFn>)' -ForEach @(
            @{ Label = '-Min and -Max numbers'; Splat = @{ Min = -1; Max = 1 };       Expected = @(-1, 0.5, 1);  Grad = @(0, 1, 0); GradFn = 'ClampBackward1' }
            @{ Label = '-Min only';             Splat = @{ Min = 0 };                  Expected = @(0, 0.5, 3);   Grad = @(0, 1, 1); GradFn = 'ClampBackward1' }
            @{ Label = '-Max only';             Splat = @{ Max = 0.5 };                Expected = @(-2, 0.5, 0.5); Grad = @(1, 1, 0); GradFn = 'ClampBackward1' }
            @{ Label = 'a tensor -Min';         Splat = @{ Min = 'tensor' };           Expected = @(0, 0.5, 3);   Grad = @(0, 1, 1); GradFn = 'ClampBackward0' }
        ) {
            $splat = $Splat.Clone()
            if ($splat.Min -eq 'tensor') { $splat.Min = New-Tensor 0.0, 0.0, 0.0 -DType Float64 }
            $x.Grad = $null
            $y = $x | Invoke-Op Clamp @splat
            $y.GradFn.Name | Should -Be $GradFn
            $y.ToDoubleArray() | Should -Be $Expected
            $y | Measure-Sum | Invoke-Backward
            $x.Grad.ToDoubleArray() | Should -Be $Grad
        }

        It 'fails with PyTorch''s message without bounds' {
            { $x | Invoke-Op Clamp } | Should -Throw -ErrorId 'InvokeOpClampNoBounds*' -ExpectedMessage "torch.clamp: At least one of 'min' or 'max' must not be None"
        }
    }

    Context 'Maximum, Minimum, Where and comparisons' {
        It 'Maximum and Minimum are elementwise and split the gradient on ties' {
            $a = New-Tensor 1.0, 5.0, 3.0 -RequiresGrad
            $b = New-Tensor 2.0, 4.0, 3.0 -RequiresGrad
            $mx = $a | Invoke-Op Maximum $b
            $mx.ToString() | Should -Be 'tensor([2., 5., 3.], grad_fn=<MaximumBackward0>)'
            ($a | Invoke-Op Minimum $b).ToString() | Should -Be 'tensor([1., 4., 3.], grad_fn=<MinimumBackward0>)'
            $mx | Measure-Sum | Invoke-Backward
            $a.Grad.ToDoubleArray() | Should -Be @(0, 1, 0.5)
            $b.Grad.ToDoubleArray() | Should -Be @(1, 0, 0.5)
        }

        It 'Maximum rejects a number as torch.maximum does' {
            { New-Tensor 1.0 | Invoke-Op Maximum 2 } | Should -Throw -ErrorId 'InvokeOpArgumentNotTensor*' -ExpectedMessage "maximum(): argument 'other' (position 1) must be Tensor, not int"
        }

        It 'Where picks x where -Condition holds, else -Other (<Label>)' -ForEach @(
            @{ Label = 'a tensor'; Other = 'tensor'; Expected = @(1, 20, 3) }
            @{ Label = 'a number'; Other = 0;        Expected = @(1, 0, 3) }
        ) {
            $x = New-Tensor 1.0, 2.0, 3.0 -RequiresGrad
            $mask = New-Tensor $true, $false, $true
            $other = if ($Other -eq 'tensor') { New-Tensor 10.0, 20.0, 30.0 } else { $Other }
            $y = $x | Invoke-Op Where -Condition $mask -Other $other
            $y.GradFn.Name | Should -Be 'WhereBackward0'
            $y.ToDoubleArray() | Should -Be $Expected
            $y | Measure-Sum | Invoke-Backward
            $x.Grad.ToDoubleArray() | Should -Be @(1, 0, 1)
        }

        It 'compares int64 and bool tensors with integers and booleans' {
            (New-Tensor 1, 2, 3 | Invoke-Op Le 2).ToString() | Should -Be 'tensor([ True,  True, False])'
            (New-Tensor $true, $false | Invoke-Op Eq $true).ToString() | Should -Be 'tensor([ True, False])'
            (New-Tensor $true, $false | Invoke-Op Lt 1).ToString() | Should -Be 'tensor([False,  True])'
        }

        It 'Where takes a mask made by a comparison, as torch.where(x > 1.5, x, 0)' {
            $x = New-Tensor 1.0, 2.0, 3.0
            ($x | Invoke-Op Where -Condition ($x | Invoke-Op Gt 1.5) -Other 0).ToString() | Should -Be 'tensor([0., 2., 3.])'
        }

        It 'Where rejects a condition that is not Bool' {
            { New-Tensor 1.0 | Invoke-Op Where -Condition (New-Tensor 1.0) -Other 0 } |
                Should -Throw -ErrorId 'InvokeOpWhereConditionNotBool*' -ExpectedMessage 'where expected condition to be a boolean tensor, but got a tensor with dtype Float'
        }

        It '<Name> <Other> gives <Expected>' -ForEach @(
            @{ Name = 'Gt'; Other = 2;   Expected = 'tensor([False, False,  True])' }
            @{ Name = 'Ge'; Other = 2;   Expected = 'tensor([False,  True,  True])' }
            @{ Name = 'Lt'; Other = 2;   Expected = 'tensor([ True, False, False])' }
            @{ Name = 'Le'; Other = 2;   Expected = 'tensor([ True,  True, False])' }
            @{ Name = 'Eq'; Other = 2;   Expected = 'tensor([False,  True, False])' }
            @{ Name = 'Ne'; Other = 2;   Expected = 'tensor([ True, False,  True])' }
            @{ Name = 'Gt'; Other = 1.5; Expected = 'tensor([False,  True,  True])' }
            @{ Name = 'Eq'; Other = 'tensor'; Expected = 'tensor([ True, False,  True])' }
        ) {
            $other = if ($Other -eq 'tensor') { New-Tensor 1.0, 0.0, 3.0 } else { $Other }
            $y = New-Tensor 1.0, 2.0, 3.0 -RequiresGrad | Invoke-Op $Name $other
            $y.DType | Should -Be 'Bool'
            $y.RequiresGrad | Should -BeFalse
            $y.ToString() | Should -Be $Expected
        }
    }

    Context 'reductions' {
        BeforeAll {
            $m = New-Tensor @(@(1, 5, 3), @(4, 2, 6)) -DType Float64 -RequiresGrad
        }

        It '<Name> <Label>' -ForEach @(
            @{ Name = 'Max';       Label = 'of all';               Splat = @{};                                  Shape = '';    Expected = @(6);                GradFn = 'MaxBackward1' }
            @{ Name = 'Min';       Label = 'of all';               Splat = @{};                                  Shape = '';    Expected = @(1);                GradFn = 'MinBackward1' }
            @{ Name = 'Max';       Label = 'along dim 1';          Splat = @{ Dim = 1 };                         Shape = '2';   Expected = @(5, 6);             GradFn = 'MaxBackward0' }
            @{ Name = 'Min';       Label = 'along dim 0, kept';    Splat = @{ Dim = 0; KeepDim = $true };        Shape = '1,3'; Expected = @(1, 2, 3);          GradFn = 'MinBackward0' }
            @{ Name = 'Amax';      Label = 'over dim 0';           Splat = @{ Dim = 0 };                         Shape = '3';   Expected = @(4, 5, 6);          GradFn = 'AmaxBackward0' }
            @{ Name = 'Amin';      Label = 'of all';               Splat = @{};                                  Shape = '';    Expected = @(1);                GradFn = 'AminBackward0' }
            @{ Name = 'Prod';      Label = 'of all';               Splat = @{};                                  Shape = '';    Expected = @(720);              GradFn = 'ProdBackward0' }
            @{ Name = 'Prod';      Label = 'along dim 1';          Splat = @{ Dim = 1 };                         Shape = '2';   Expected = @(15, 48);           GradFn = 'ProdBackward1' }
            @{ Name = 'Var';       Label = 'of all (correction 1)'; Splat = @{};                                 Shape = '';    Expected = @(3.5);              GradFn = 'VarBackward0' }
            @{ Name = 'Var';       Label = 'along dim 1, correction 0'; Splat = @{ Dim = 1; Correction = 0 };    Shape = '2';   Expected = @((8 / 3), (8 / 3)); GradFn = 'VarBackward0' }
            @{ Name = 'Std';       Label = 'of all';               Splat = @{};                                  Shape = '';    Expected = @([math]::Sqrt(3.5)); GradFn = 'StdBackward0' }
            @{ Name = 'Norm';      Label = 'of all (p = 2)';       Splat = @{};                                  Shape = '';    Expected = @([math]::Sqrt(91)); GradFn = 'LinalgVectorNormBackward0' }
            @{ Name = 'Norm';      Label = 'p = 1 along dim 1';    Splat = @{ P = 1; Dim = 1 };                  Shape = '2';   Expected = @(9, 12);            GradFn = 'LinalgVectorNormBackward0' }
            @{ Name = 'LogSumExp'; Label = 'along dim 1';          Splat = @{ Dim = 1 };                         Shape = '2';   Expected = @([math]::Log([math]::Exp(1) + [math]::Exp(5) + [math]::Exp(3)), [math]::Log([math]::Exp(4) + [math]::Exp(2) + [math]::Exp(6))); GradFn = 'LogsumexpBackward0' }
        ) {
            $y = $m | Invoke-Op $Name @Splat
            $y.Shape -join ',' | Should -Be $Shape
            $y | Should -BeTensor (New-Tensor -Data ([double[]]$Expected) -Shape $y.Shape -DType Float64) -RTol 0 -ATol 1e-12
            $y.GradFn.Name | Should -Be $GradFn
        }

        It 'ArgMax and ArgMin give Int64 indices, of the flattened tensor or along -Dim' {
            ($m | Invoke-Op ArgMax).ToString() | Should -Be 'tensor(5)'
            ($m | Invoke-Op ArgMin).ToString() | Should -Be 'tensor(0)'
            ($m | Invoke-Op ArgMax -Dim 1).ToString() | Should -Be 'tensor([1, 2])'
            ($m | Invoke-Op ArgMin -Dim 0 -KeepDim).ToString() | Should -Be 'tensor([[0, 1, 0]])'
        }

        It 'Max -Dim -WithIndices writes values and indices, printed as torch.return_types.max' {
            $r = $m | Invoke-Op Max -Dim 1 -WithIndices
            $r | Should -BeOfType ([AutoGrad.Ops.ValuesIndicesResult])
            $r.Values.ToString() | Should -Be 'tensor([5., 6.], dtype=torch.float64, grad_fn=<MaxBackward0>)'
            $r.Indices.ToString() | Should -Be 'tensor([1, 2])'
            ($r | Out-String).Trim() -replace '\r\n', "`n" | Should -BeExactly "torch.return_types.max(`nvalues=tensor([5., 6.], dtype=torch.float64, grad_fn=<MaxBackward0>),`nindices=tensor([1, 2]))"
            ($m | Invoke-Op Min -Dim 0 -WithIndices).ToString() | Should -BeExactly "torch.return_types.min(`nvalues=tensor([1., 2., 3.], dtype=torch.float64, grad_fn=<MinBackward0>),`nindices=tensor([0, 1, 0]))"
        }

        It 'Max and Min with -Other are torch.max(a, b) and torch.min(a, b): elementwise' {
            $a = New-Tensor 1.0, 5.0 -RequiresGrad
            ($a | Invoke-Op Max (New-Tensor 2.0, 4.0)).ToString() | Should -Be 'tensor([2., 5.], grad_fn=<MaximumBackward0>)'
            ($a | Invoke-Op Min (New-Tensor 2.0, 4.0)).ToString() | Should -Be 'tensor([1., 4.], grad_fn=<MinimumBackward0>)'
            { $a | Invoke-Op Max 2 } | Should -Throw -ErrorId 'InvokeOpArgumentNotTensor*' -ExpectedMessage "max(): argument 'other' (position 1) must be Tensor, not int"
            { $a | Invoke-Op Max $a -Dim 0 } | Should -Throw -ErrorId 'InvokeOpOtherWithDim*'
        }

        It 'Max along a dim sends the gradient to the winners' {
            $x = New-Tensor @(@(1, 5), @(4, 2)) -DType Float64 -RequiresGrad
            $x | Invoke-Op Max -Dim 1 | Measure-Sum | Invoke-Backward
            $x.Grad.ToDoubleArray() | Should -Be @(0, 1, 1, 0)
        }

        It '<Name> -KeepDim without -Dim fails with <Id>' -ForEach @(
            @{ Name = 'Max'; Splat = @{ KeepDim = $true };     Id = 'InvokeOpNeedsDim'; Message = 'max(): -KeepDim needs -Dim' }
            @{ Name = 'Min'; Splat = @{ WithIndices = $true }; Id = 'InvokeOpNeedsDim'; Message = 'min(): -WithIndices needs -Dim' }
            @{ Name = 'ArgMax'; Splat = @{ KeepDim = $true };  Id = 'InvokeOpNeedsDim'; Message = 'argmax(): -KeepDim needs -Dim' }
            @{ Name = 'Prod'; Splat = @{ KeepDim = $true };    Id = 'InvokeOpNeedsDim'; Message = 'prod(): -KeepDim needs -Dim' }
        ) {
            { $m | Invoke-Op $Name @Splat } | Should -Throw -ErrorId "$Id*" -ExpectedMessage $Message
        }
    }

    Context 'shape ops' {
        BeforeAll {
            $x = New-Tensor (1..6) -Shape 2, 3 -DType Float64 -RequiresGrad
        }

        It '<Name> <Label>' -ForEach @(
            @{ Name = 'Unsqueeze';   Label = 'at dim 0';            Splat = @{ Dim = 0 };                              Shape = '1,2,3'; Values = @(1, 2, 3, 4, 5, 6); GradFn = 'UnsqueezeBackward0' }
            @{ Name = 'Unsqueeze';   Label = 'at dim -1';           Splat = @{ Dim = -1 };                             Shape = '2,3,1'; Values = @(1, 2, 3, 4, 5, 6); GradFn = 'UnsqueezeBackward0' }
            @{ Name = 'Permute';     Label = 'to (1, 0)';           Splat = @{ Dims = 1, 0 };                          Shape = '3,2';   Values = @(1, 4, 2, 5, 3, 6); GradFn = 'PermuteBackward0' }
            @{ Name = 'Transpose';   Label = 'of dims 0 and 1';     Splat = @{ Dim0 = 0; Dim1 = 1 };                   Shape = '3,2';   Values = @(1, 4, 2, 5, 3, 6); GradFn = 'TransposeBackward0' }
            @{ Name = 'Flatten';     Label = 'of all dims';         Splat = @{};                                       Shape = '6';     Values = @(1, 2, 3, 4, 5, 6); GradFn = 'ViewBackward0' }
            @{ Name = 'View';        Label = 'as (3, -1)';          Splat = @{ Shape = 3, -1 };                        Shape = '3,2';   Values = @(1, 2, 3, 4, 5, 6); GradFn = 'ViewBackward0' }
            @{ Name = 'Expand';      Label = 'to (2, 2, 3)';        Splat = @{ Shape = 2, 2, 3 };                      Shape = '2,2,3'; Values = @(1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6); GradFn = 'ExpandBackward0' }
            @{ Name = 'Select';      Label = 'row 1';               Splat = @{ Dim = 0; Index = 1 };                   Shape = '3';     Values = @(4, 5, 6);          GradFn = 'SelectBackward0' }
            @{ Name = 'Select';      Label = 'column -1';           Splat = @{ Dim = 1; Index = -1 };                  Shape = '2';     Values = @(3, 6);             GradFn = 'SelectBackward0' }
            @{ Name = 'Narrow';      Label = 'columns 1..2';        Splat = @{ Dim = 1; Start = 1; Length = 2 };       Shape = '2,2';   Values = @(2, 3, 5, 6);       GradFn = 'SliceBackward0' }
            @{ Name = 'IndexSelect'; Label = 'columns 2, 0, 2';     Splat = @{ Dim = 1; Index = 2, 0, 2 };             Shape = '2,3';   Values = @(3, 1, 3, 6, 4, 6); GradFn = 'IndexSelectBackward0' }
            @{ Name = 'IndexSelect'; Label = 'row 1 (one number)';  Splat = @{ Dim = 0; Index = 1 };                   Shape = '1,3';   Values = @(4, 5, 6);          GradFn = 'IndexSelectBackward0' }
        ) {
            $y = $x | Invoke-Op $Name @Splat
            $y.Shape -join ',' | Should -Be $Shape
            $y.ToDoubleArray() | Should -Be $Values
            $y.GradFn.Name | Should -Be $GradFn
        }

        It 'Squeeze removes a size-1 -Dim (SqueezeBackward1)' {
            $y = New-Tensor @(, @(1.0, 2.0)) -RequiresGrad | Invoke-Op Squeeze -Dim 0
            $y.ToString() | Should -Be 'tensor([1., 2.], grad_fn=<SqueezeBackward1>)'
        }

        It 'Squeeze without -Dim removes every size-1 dim (SqueezeBackward0)' {
            $t = New-Tensor -Ones -Shape 1, 2, 1, 3 -RequiresGrad
            $y = $t | Invoke-Op Squeeze
            $y.Shape | Should -Be @(2, 3)
            $y.GradFn.Name | Should -Be 'SqueezeBackward0'
            $y * 2 | Measure-Sum | Invoke-Backward
            $t.Grad.Shape | Should -Be @(1, 2, 1, 3)
            (New-Tensor -Ones -Shape 1, 1 | Invoke-Op Squeeze).ToString() | Should -Be 'tensor(1.)'
        }

        It 'Flatten takes -StartDim and -EndDim' {
            $t = New-Tensor -Zeros -Shape 2, 3, 4
            ($t | Invoke-Op Flatten -StartDim 1).Shape | Should -Be @(2, 12)
            ($t | Invoke-Op Flatten -StartDim 0 -EndDim 1).Shape | Should -Be @(6, 4)
        }

        It 'IndexSelect takes an Int64 tensor index and sums gradients of repeated indices' {
            $v = New-Tensor 10.0, 20.0, 30.0 -RequiresGrad
            $y = $v | Invoke-Op IndexSelect -Dim 0 -Index (New-Tensor 2, 2, 0)
            $y.ToString() | Should -Be 'tensor([30., 30., 10.], grad_fn=<IndexSelectBackward0>)'
            $y | Measure-Sum | Invoke-Backward
            $v.Grad.ToString() | Should -Be 'tensor([1., 0., 2.])'
        }

        It 'Select passes the gradient back to its row' {
            $x.Grad = $null
            $x | Invoke-Op Select -Dim 0 -Index 1 | Measure-Sum | Invoke-Backward
            $x.Grad.ToDoubleArray() | Should -Be @(0, 0, 0, 1, 1, 1)
        }

        It '<Label> fails with <Id>' -ForEach @(
            @{ Label = 'Select out of range';  Run = { $x | Invoke-Op Select -Dim 0 -Index 2 };             Id = 'InvokeOpSelectIndexOutOfRange'; Message = 'select(): index 2 out of range for tensor of size [2, 3] at dimension 0' }
            @{ Label = 'Select with a list';   Run = { $x | Invoke-Op Select -Dim 0 -Index 0, 1 };          Id = 'InvokeOpIndexNotInt';           Message = "select(): argument 'index' (position 2) must be int, not Tensor" }
            @{ Label = 'IndexSelect float index'; Run = { $x | Invoke-Op IndexSelect -Dim 0 -Index 0.5, 1 }; Id = 'InvokeOpIndexSelectIndexDType'; Message = 'index_select(): Expected dtype int32/int64 for index but got: Float' }
            @{ Label = 'IndexSelect out of range'; Run = { $x | Invoke-Op IndexSelect -Dim 0 -Index 5 };    Id = 'InvokeOpIndexSelectOutOfRange'; Message = 'index out of range in self' }
            @{ Label = 'Permute with too few dims'; Run = { $x | Invoke-Op Permute -Dims 0 };               Id = 'InvokeOpPermuteDimCount';       Message = '*input.dim() = 2 is not equal to len(dims) = 1' }
            @{ Label = 'Transpose without -Dim1'; Run = { $x | Invoke-Op Transpose -Dim0 0 };               Id = 'InvokeOpMissingDim1';           Message = 'The op Transpose needs -Dim1. Usage: $x | Invoke-Op Transpose -Dim0 <int> -Dim1 <int> (*).' }
            @{ Label = 'Narrow without -Length'; Run = { $x | Invoke-Op Narrow -Dim 0 -Start 0 };           Id = 'InvokeOpMissingLength';         Message = 'The op Narrow needs -Length.*' }
            @{ Label = 'Unsqueeze with two dims'; Run = { $x | Invoke-Op Unsqueeze -Dim 0, 1 };             Id = 'InvokeOpDimCount';              Message = 'The op Unsqueeze takes one -Dim, got 2. Usage: $x | Invoke-Op Unsqueeze -Dim <int> (*).' }
            @{ Label = 'Softmax without -Dim';   Run = { $x | Invoke-Op Softmax };                          Id = 'InvokeOpMissingDim';            Message = 'The op Softmax needs -Dim.*' }
            @{ Label = 'Exp with -Index';        Run = { $x | Invoke-Op Exp -Index 1 };                     Id = 'InvokeOpUnexpectedParameter';   Message = 'The op Exp does not take -Index.*' }
            @{ Label = 'View with a bad shape';  Run = { $x | Invoke-Op View -Shape 4, -1 };                Id = 'InvokeOpReshapeInvalid';        Message = "shape '[4, -1]' is invalid for input of size 6" }
        ) {
            $err = $null
            $out = try { & $Run } catch { $err = $_ }
            $out | Should -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            if ($Message.Contains('*')) { $err.Exception.Message | Should -BeLike $Message }
            else { $err.Exception.Message | Should -BeExactly $Message }
        }
    }

    Context 'linear algebra' {
        It 'Dot, Outer and Bmm, with their node names' {
            $a = New-Tensor 1.0, 2.0, 3.0 -RequiresGrad
            $b = New-Tensor 4.0, 5.0, 6.0
            ($a | Invoke-Op Dot $b).ToString() | Should -Be 'tensor(32., grad_fn=<DotBackward0>)'
            $o = New-Tensor 1.0, 2.0 -RequiresGrad | Invoke-Op Outer (New-Tensor 3.0, 4.0)
            $o.ToString() | Should -Be "tensor([[3., 4.],`n        [6., 8.]], grad_fn=<MulBackward0>)"
            $p = New-Tensor (1..8) -Shape 2, 2, 2 -DType Float64 -RequiresGrad
            $y = $p | Invoke-Op Bmm $p
            $y.Shape | Should -Be @(2, 2, 2)
            $y.ToDoubleArray() | Should -Be @(7, 10, 15, 22, 67, 78, 91, 106)
            $y.GradFn.Name | Should -Be 'BmmBackward0'
        }

        It 'MatMul of <Label> records <GradFn>' -ForEach @(
            @{ Label = 'two vectors';              A = @(3);       B = @(3);       Shape = '';      GradFn = 'DotBackward0' }
            @{ Label = 'a matrix and a vector';    A = @(2, 3);    B = @(3);       Shape = '2';     GradFn = 'MvBackward0' }
            @{ Label = 'a batch and a matrix';     A = @(2, 2, 3); B = @(3, 4);    Shape = '2,2,4'; GradFn = 'UnsafeViewBackward0' }
        ) {
            $a = New-Tensor -Ones -Shape $A -RequiresGrad
            $b = New-Tensor -Ones -Shape $B
            $y = $a | Invoke-Op MatMul $b
            $y.Shape -join ',' | Should -Be $Shape
            $y.GradFn.Name | Should -Be $GradFn
        }
    }

    Context 'Softmax and LogSoftmax' {
        It '<Name> along -Dim <Dim>' -ForEach @(
            @{ Name = 'Softmax';    Dim = 1;  GradFn = 'SoftmaxBackward0';    F = { param($r) $s = ($r | ForEach-Object { [math]::Exp($_) } | Measure-Object -Sum).Sum; $r | ForEach-Object { [math]::Exp($_) / $s } } }
            @{ Name = 'LogSoftmax'; Dim = -1; GradFn = 'LogSoftmaxBackward0'; F = { param($r) $s = ($r | ForEach-Object { [math]::Exp($_) } | Measure-Object -Sum).Sum; $r | ForEach-Object { $_ - [math]::Log($s) } } }
        ) {
            $y = New-Tensor @(@(1, 2, 3), @(0, 0, 0)) -DType Float64 -RequiresGrad | Invoke-Op $Name -Dim $Dim
            $y.GradFn.Name | Should -Be $GradFn
            $y | Should -BeTensor (New-Tensor @(@(& $F @(1, 2, 3)), @(& $F @(0, 0, 0))) -DType Float64) -RTol 0 -ATol 1e-12
        }

        It 'prints as PyTorch prints softmax([[1, 2, 3]], dim=1)' {
            (New-Tensor @(, @(1.0, 2.0, 3.0)) -RequiresGrad | Invoke-Op Softmax -Dim 1).ToString() |
                Should -Be 'tensor([[0.0900, 0.2447, 0.6652]], grad_fn=<SoftmaxBackward0>)'
        }
    }

    Context 'losses' {
        BeforeAll {
            $pred = New-Tensor 1.0, 2.0, 4.0 -DType Float64 -RequiresGrad
            $target = New-Tensor 1.5, 2.0, 2.0 -DType Float64
        }

        It '<Name> -Reduction <Reduction>' -ForEach @(
            @{ Name = 'MseLoss'; Reduction = 'Mean'; Expected = @(((0.25 + 0 + 4) / 3)); GradFn = 'MseLossBackward0' }
            @{ Name = 'MseLoss'; Reduction = 'Sum';  Expected = @(4.25);                 GradFn = 'MseLossBackward0' }
            @{ Name = 'MseLoss'; Reduction = 'None'; Expected = @(0.25, 0, 4);           GradFn = 'MseLossBackward0' }
            @{ Name = 'L1Loss';  Reduction = 'Mean'; Expected = @((2.5 / 3));            GradFn = 'MeanBackward0' }
            @{ Name = 'L1Loss';  Reduction = 'sum';  Expected = @(2.5);                  GradFn = 'SumBackward0' }
            @{ Name = 'L1Loss';  Reduction = 'none'; Expected = @(0.5, 0, 2);            GradFn = 'AbsBackward0' }
        ) {
            $y = $pred | Invoke-Op $Name -Target $target -Reduction $Reduction
            $y | Should -BeTensor (New-Tensor -Data ([double[]]$Expected) -Shape $y.Shape -DType Float64) -RTol 0 -ATol 1e-12
            $y.GradFn.Name | Should -Be $GradFn
        }

        It 'the default reduction is Mean' {
            ($pred | Invoke-Op MseLoss -Target $target).Item() | Should -Be ((0.25 + 0 + 4) / 3)
        }

        It 'CrossEntropy of logits and Int64 class targets (data) is -mean(log_softmax[target])' {
            $logits = New-Tensor @(@(1, 2, 3), @(1, 1, 1)) -DType Float64 -RequiresGrad
            $y = $logits | Invoke-Op CrossEntropy -Target 2, 0
            $y.GradFn.Name | Should -Be 'NllLossBackward0'
            $lse = [math]::Log([math]::Exp(1) + [math]::Exp(2) + [math]::Exp(3))
            $y | Should -BeTensor (New-Tensor ((($lse - 3) + [math]::Log(3)) / 2) -DType Float64) -RTol 0 -ATol 1e-12
            $y | Invoke-Backward
            $logits.Grad.Shape | Should -Be @(2, 3)
        }

        It '<Name> -IgnoreIndex leaves out the rows of that class (default -100)' -ForEach @(
            @{ Name = 'CrossEntropy'; Splat = @{ Target = 1, -100 } }
            @{ Name = 'CrossEntropy'; Splat = @{ Target = 1, 0; IgnoreIndex = 0 } }
        ) {
            $l = New-Tensor @(@(1.0, 2.0), @(0.5, 0.1)) -DType Float64 -RequiresGrad
            $y = $l | Invoke-Op $Name @Splat
            [math]::Abs($y.Item() - ([math]::Log([math]::Exp(1) + [math]::Exp(2)) - 2)) | Should -BeLessThan 1e-12
            $y | Invoke-Backward
            $l.Grad.ToDoubleArray()[2..3] | Should -Be @(0, 0)
        }

        It 'NllLoss picks -log-probabilities at the targets' {
            $logp = New-Tensor @(@(-1.0, -2.0), @(-3.0, -0.5)) -RequiresGrad
            $y = $logp | Invoke-Op NllLoss -Target (New-Tensor 1, 0) -Reduction Sum
            $y.ToString() | Should -Be 'tensor(5., grad_fn=<NllLossBackward0>)'
        }

        It 'BinaryCrossEntropyWithLogits against probabilities' {
            $z = New-Tensor 0.0, 2.0 -DType Float64 -RequiresGrad
            $y = $z | Invoke-Op BinaryCrossEntropyWithLogits -Target (New-Tensor 1.0, 0.0 -DType Float64) -Reduction None
            $y.GradFn.Name | Should -Be 'BinaryCrossEntropyWithLogitsBackward0'
            $y | Should -BeTensor (New-Tensor ([math]::Log(2)), ([math]::Log(1 + [math]::Exp(2))) -DType Float64) -RTol 0 -ATol 1e-12
        }

        It 'an unknown reduction fails with PyTorch''s message' {
            { $pred | Invoke-Op MseLoss -Target $target -Reduction Average } |
                Should -Throw -ErrorId 'InvokeOpInvalidReduction*' -ExpectedMessage 'Average is not a valid value for reduction'
        }

        It 'a loss without -Target fails' {
            { $pred | Invoke-Op MseLoss } | Should -Throw -ErrorId 'InvokeOpMissingTarget*'
        }
    }

    Context 'To' {
        It 'converts to <DType> given as <Given>' -ForEach @(
            @{ Given = 'Float64';       DType = 'Float64' }
            @{ Given = 'torch.float64'; DType = 'Float64' }
            @{ Given = 'double';        DType = 'Float64' }
            @{ Given = 'Int64';         DType = 'Int64' }
        ) {
            $y = New-Tensor 1.5, 2.5 | Invoke-Op To -DType $Given
            $y.DType | Should -Be $DType
        }

        It 'keeps the graph (ToCopyBackward0) and casts the gradient back' {
            $x = New-Tensor 1.0, 2.0 -RequiresGrad
            $y = $x | Invoke-Op To -DType Float64
            $y.ToString() | Should -Be 'tensor([1., 2.], dtype=torch.float64, grad_fn=<ToCopyBackward0>)'
            $y | Invoke-Op Pow 2 | Measure-Sum | Invoke-Backward
            $x.Grad.ToString() | Should -Be 'tensor([2., 4.])'
        }

        It 'rejects an unknown dtype' {
            { New-Tensor 1 | Invoke-Op To -DType complex } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        }
    }

    Context 'registry, parameters and help agree' {
        It 'every op option the registry knows is an Invoke-Op parameter' {
            $flags = [AutoGrad.Ops.OpArgs]
            $parameters = (Get-Command Invoke-Op).Parameters.Keys
            foreach ($name in [enum]::GetNames($flags) | Where-Object { $_ -ne 'None' }) {
                $parameters | Should -Contain $name
            }
        }

        It 'docs/Invoke-Op.md names every op under -Name' {
            $doc = Get-Content "$PSScriptRoot/../docs/Invoke-Op.md" -Raw
            $nameSection = ($doc -split '### -Name')[1] -split '```yaml' | Select-Object -First 1
            $ops = (TabExpansion2 -inputScript '$x | Invoke-Op ' -cursorColumn 15).CompletionMatches.CompletionText
            $ops.Count | Should -BeGreaterThan 70
            foreach ($op in $ops) { $nameSection | Should -Match "\b$op\b" -Because "$op is an op" }
        }
    }

    Context 'completion' {
        It 'completes -Reduction and -Approximate' {
            (TabExpansion2 -inputScript '$x | Invoke-Op MseLoss -Reduction ' -cursorColumn 34).CompletionMatches.CompletionText | Should -Be @('Mean', 'Sum', 'None')
            (TabExpansion2 -inputScript '$x | Invoke-Op Gelu -Approximate t' -cursorColumn 34).CompletionMatches.CompletionText | Should -Be @('tanh')
        }

        It 'offers every parity op by name' {
            $all = (TabExpansion2 -inputScript '$x | Invoke-Op ' -cursorColumn 15).CompletionMatches.CompletionText
            foreach ($op in 'Log1p', 'Expm1', 'Reciprocal', 'Rsqrt', 'Square', 'Clamp', 'Maximum', 'Minimum', 'Where',
                'Gt', 'Ge', 'Lt', 'Le', 'Eq', 'Ne', 'Sign', 'Floor', 'Ceil', 'Round', 'Detach', 'Max', 'Min', 'ArgMax',
                'ArgMin', 'Amax', 'Amin', 'LogSumExp', 'Var', 'Std', 'Norm', 'Prod', 'Unsqueeze', 'Squeeze', 'Permute',
                'Transpose', 'Expand', 'Flatten', 'View', 'Select', 'Narrow', 'IndexSelect', 'Dot', 'Outer', 'Bmm',
                'Softmax', 'LogSoftmax', 'LeakyRelu', 'Gelu', 'Silu', 'Softplus', 'MseLoss', 'L1Loss', 'CrossEntropy',
                'NllLoss', 'BinaryCrossEntropyWithLogits', 'To') {
                $all | Should -Contain $op
            }
        }
    }
}
