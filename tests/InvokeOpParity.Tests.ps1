#Requires -Version 7.4
# Invoke-Op, the parity ops of issue 3: what the op table's generated tests (tests/OpTable.Tests.ps1 and
# OpTableTests in xUnit, every op's samples against the engine and PyTorch) do not show: arguments given as
# PowerShell data, ties, printing, and argument errors with their ids.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
}

Describe 'Invoke-Op parity ops' {
    Context 'Detach' {
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

        It 'fails with PyTorch''s message without bounds' {
            { $x | Invoke-Op Clamp -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeOpClampNoBounds*' -ExpectedMessage "torch.clamp: At least one of 'min' or 'max' must not be None"
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
            { New-Tensor 1.0 | Invoke-Op Maximum 2 -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeOpArgumentNotTensor*' -ExpectedMessage "maximum(): argument 'other' (position 1) must be Tensor, not int"
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
            { New-Tensor 1.0 | Invoke-Op Where -Condition (New-Tensor 1.0) -Other 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvokeOpWhereConditionNotBool*' -ExpectedMessage 'where expected condition to be a boolean tensor, but got a tensor with dtype Float'
        }

    }

    Context 'reductions' {
        BeforeAll {
            $m = New-Tensor @(@(1, 5, 3), @(4, 2, 6)) -DType Float64 -RequiresGrad
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
            { $a | Invoke-Op Max 2 -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeOpArgumentNotTensor*' -ExpectedMessage "max(): argument 'other' (position 1) must be Tensor, not int"
            { $a | Invoke-Op Max $a -Dim 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeOpOtherWithDim*'
        }

        It '<Name> -KeepDim without -Dim fails with <Id>' -ForEach @(
            @{ Name = 'Max'; Splat = @{ KeepDim = $true };     Id = 'InvokeOpNeedsDim'; Message = 'max(): -KeepDim needs -Dim' }
            @{ Name = 'Min'; Splat = @{ WithIndices = $true }; Id = 'InvokeOpNeedsDim'; Message = 'min(): -WithIndices needs -Dim' }
            @{ Name = 'ArgMax'; Splat = @{ KeepDim = $true };  Id = 'InvokeOpNeedsDim'; Message = 'argmax(): -KeepDim needs -Dim' }
            @{ Name = 'Prod'; Splat = @{ KeepDim = $true };    Id = 'InvokeOpNeedsDim'; Message = 'prod(): -KeepDim needs -Dim' }
        ) {
            { $m | Invoke-Op $Name @Splat -ErrorAction Stop } | Should -Throw -ErrorId "$Id*" -ExpectedMessage $Message
        }
    }

    Context 'shape ops' {
        BeforeAll {
            $x = New-Tensor (1..6) -Shape 2, 3 -DType Float64 -RequiresGrad
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
            $r = Invoke-WithErrors $Run
            $out = $r.Output
            $err = $r.Errors[0] ?? $r.Terminating
            $out | Should -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
            if ($Message.Contains('*')) { $err.Exception.Message | Should -BeLike $Message }
            else { $err.Exception.Message | Should -BeExactly $Message }
        }
    }

    Context 'Softmax and LogSoftmax' {
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

        It 'takes -Reduction in any case' -ForEach @(
            @{ Reduction = 'sum';  Expected = @(4.25) }
            @{ Reduction = 'NONE'; Expected = @(0.25, 0, 4) }
        ) {
            ($pred | Invoke-Op MseLoss -Target $target -Reduction $Reduction).ToDoubleArray() | Should -Be $Expected
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

        It 'rejects an unknown dtype' {
            { New-Tensor 1 | Invoke-Op To -DType complex } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
        }
    }

    Context 'completion' {
        It 'completes -Reduction and -Approximate' {
            (TabExpansion2 -inputScript '$x | Invoke-Op MseLoss -Reduction ' -cursorColumn 34).CompletionMatches.CompletionText | Should -Be @('Mean', 'Sum', 'None')
            (TabExpansion2 -inputScript '$x | Invoke-Op Gelu -Approximate t' -cursorColumn 34).CompletionMatches.CompletionText | Should -Be @('tanh')
        }
    }
}
