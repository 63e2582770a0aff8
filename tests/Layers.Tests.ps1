#Requires -Version 7.4
# New-Layer and Invoke-Layer against PyTorch. Expected values, reprs, node names and messages come from
# tests/data/nn_layers.json, written by tests/data/nn_layers.py with real PyTorch (1.13; where 2.x records another
# node name the test maps it and says why). Layer specs there use New-Layer's parameter names, so they splat.

BeforeDiscovery {
    $script:ref = Get-Content -Raw "$PSScriptRoot/data/nn_layers.json" | ConvertFrom-Json
    $script:layerCases = @($ref.layers | ForEach-Object { @{ Case = $_; Name = $_.name } })
    $script:reprCases = @($ref.reprs | ForEach-Object { @{ Case = $_; Repr = ($_.repr -split "`n")[0] } })
    $script:dropoutCases = @($ref.dropout | ForEach-Object { @{ Case = $_; Seed = $_.seed; P = $_.p; DType = $_.dtype } })
    $script:types = 'Linear', 'Sequential', 'ReLU', 'Tanh', 'Sigmoid', 'GELU', 'Softmax', 'LogSoftmax', 'Dropout',
        'Flatten', 'Embedding', 'LayerNorm', 'BatchNorm1d', 'LeakyReLU', 'SiLU', 'Identity'
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    $script:ref = Get-Content -Raw "$PSScriptRoot/data/nn_layers.json" | ConvertFrom-Json

    # The layer a spec describes: its args are New-Layer's parameters; Sequential's children are built first.
    function New-LayerFromSpec($Spec) {
        $params = @{}
        if ($Spec.args) { foreach ($p in $Spec.args.PSObject.Properties) { $params[$p.Name] = $p.Value } }
        if ($params.ContainsKey('NormalizedShape')) { $params.NormalizedShape = [int[]]$params.NormalizedShape }
        if ($Spec.type -eq 'Sequential') { $params.Layers = @($Spec.layers | ForEach-Object { New-LayerFromSpec $_ }) }
        New-Layer $Spec.type @params -WarningAction SilentlyContinue
    }

    function ConvertTo-Tensor($T, [switch]$RequiresGrad) {
        $grad = $RequiresGrad -and $T.dtype -ne 'int64'
        New-Tensor -Data ([double[]]$T.values) -Shape ([int[]]$T.shape) -DType $T.dtype -RequiresGrad:$grad
    }

    function Assert-Exact($Expected, $Actual, [string]$What) {
        ($Actual.Shape -join ',') | Should -Be ($Expected.shape -join ',') -Because "$What shape"
        $got = $Actual.ToDoubleArray()
        for ($i = 0; $i -lt $Expected.values.Count; $i++) { $got[$i] | Should -Be ([double]$Expected.values[$i]) -Because "$What[$i]" }
    }

    # Should -BeTensor's tolerances for a PyTorch reference: float64 to 1e-12, float32 to 2e-6 (PyTorch's kernels sum in
    # another order), relative as well as absolute.
    function Get-Tolerance($Expected) {
        $tol = if ($Expected.dtype -eq 'float32') { 2e-6 } else { 1e-12 }
        @{ RTol = $tol; ATol = $tol }
    }

    # PyTorch 2.x's names where the 1.13 reference differs: reshape of a contiguous tensor is ViewBackward0
    # (1.13 ReshapeAliasBackward0); F.linear on 1-d input with a bias is view + addmm + view (1.13 AddBackward0).
    function Get-TorchTwoNodeName([string]$Case, [string]$Name) {
        if ($Name -eq 'ReshapeAliasBackward0') { return 'ViewBackward0' }
        if ($Case -eq 'Linear 1-d' -and $Name -eq 'AddBackward0') { return 'ViewBackward0' }
        if ($Name -eq 'NoneType') { return $null }
        $Name
    }
}

Describe 'New-Layer' {
    It 'creates <Repr> printing PyTorch''s repr, state-dict keys and parameter names' -ForEach $reprCases {
        $layer = New-LayerFromSpec $Case.spec
        ($layer | Out-String).Trim() | Should -BeExactly $Case.repr
        $layer.ToString() | Should -BeExactly $Case.repr
        @($layer.StateDict().Keys) | Should -Be @($Case.state_dict_keys)
        @($layer.NamedParameters().Key) | Should -Be @($Case.parameter_names)
    }

    It 'reads Bias, ElementwiseAffine, Affine and TrackRunningStats as on unless switched off' {
        (New-Layer Linear -InFeatures 2 -OutFeatures 3).Bias.Shape | Should -Be 3
        (New-Layer Linear -InFeatures 2 -OutFeatures 3 -Bias:$false).Bias | Should -BeNullOrEmpty
        (New-Layer Linear -InFeatures 2 -OutFeatures 3 -Bias).Bias.Shape | Should -Be 3
        (New-Layer LayerNorm -NormalizedShape 4 -ElementwiseAffine:$false).Weight | Should -BeNullOrEmpty
        (New-Layer LayerNorm -NormalizedShape 4 -Bias:$false).Bias | Should -BeNullOrEmpty
        $bn = New-Layer BatchNorm1d -NumFeatures 3 -Affine:$false -TrackRunningStats:$false -Momentum $null
        $bn.ToString() | Should -Be 'BatchNorm1d(3, eps=1e-05, momentum=None, affine=False, track_running_stats=False)'
    }

    It 'makes float64 layers with -DType float64 (also torch.float64, double)' -ForEach @('Float64', 'float64', 'torch.float64', 'double') {
        (New-Layer Linear -InFeatures 2 -OutFeatures 3 -DType $_).Weight.DType | Should -Be ([AutoGrad.DType]::Float64)
    }

    It 'takes Sequential''s layers positionally and names children from a dictionary' {
        $seq = New-Layer Sequential (New-Layer Linear -InFeatures 2 -OutFeatures 3), (New-Layer ReLU)
        $seq.Count | Should -Be 2
        $seq[0].ToString() | Should -Be 'Linear(in_features=2, out_features=3, bias=True)'
        $seq[-1].ToString() | Should -Be 'ReLU()'
        $named = New-Layer Sequential -Layers ([ordered]@{ hidden = New-Layer Linear -InFeatures 2 -OutFeatures 3; act = New-Layer Tanh })
        @($named.StateDict().Keys) | Should -Be @('hidden.weight', 'hidden.bias')
        $named.ToString() | Should -Be "Sequential(`n  (hidden): Linear(in_features=2, out_features=3, bias=True)`n  (act): Tanh()`n)"
        try { New-Layer Sequential (New-Layer ReLU), 5 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'NewLayerNotALayer,AutoGrad.PowerShell.Commands.NewLayerCommand'
        $err.Exception.Message | Should -BeExactly '-Layers takes layers (from New-Layer), got Int32.'
    }

    It 'lists the valid types for an unknown one' {
        { New-Layer Conv2d -ErrorAction Stop } | Should -Throw -ErrorId 'NewLayerUnknownType,AutoGrad.PowerShell.Commands.NewLayerCommand'
        try { New-Layer Conv2d -ErrorAction Stop } catch { $err = $_ }
        $err.Exception.Message | Should -BeExactly "Unknown layer type 'Conv2d'. Valid types: $($types -join ', ')."
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'names what is missing and what does not apply' {
        try { New-Layer Linear -InFeatures 3 -ErrorAction Stop } catch { $missing = $_ }
        $missing.FullyQualifiedErrorId | Should -Be 'NewLayerMissingParameter,AutoGrad.PowerShell.Commands.NewLayerCommand'
        $missing.Exception.Message | Should -BeExactly 'Linear needs -OutFeatures.'
        try { New-Layer Embedding -ErrorAction Stop } catch { $both = $_ }
        $both.Exception.Message | Should -BeExactly 'Embedding needs -NumEmbeddings and -EmbeddingDim.'
        try { New-Layer ReLU -P 0.3 -ErrorAction Stop } catch { $extra = $_ }
        $extra.FullyQualifiedErrorId | Should -Be 'NewLayerParameterNotApplicable,AutoGrad.PowerShell.Commands.NewLayerCommand'
        $extra.Exception.Message | Should -BeExactly '-P does not apply to ReLU. ReLU takes no options.'
        try { New-Layer Dropout -Dim 1 -ErrorAction Stop } catch { $dim = $_ }
        $dim.Exception.Message | Should -BeExactly '-Dim does not apply to Dropout. Dropout takes -P.'
    }

    It 'reports PyTorch''s messages for bad options: <Message>' -ForEach @(
        @{ Splat = @{ Type = 'Dropout'; P = 1.5 }; Id = 'NewLayerDropoutProbability'; Message = 'dropout probability has to be between 0 and 1, but got 1.5' }
        @{ Splat = @{ Type = 'Embedding'; NumEmbeddings = 4; EmbeddingDim = 2; PaddingIdx = 4 }; Id = 'NewLayerEmbeddingPaddingIdx'; Message = 'Padding_idx must be within num_embeddings' }
        @{ Splat = @{ Type = 'Linear'; InFeatures = -1; OutFeatures = 8 }; Id = 'NewLayerNegativeDimension'; Message = 'Trying to create tensor with negative dimension -1: [8, -1]' }
        @{ Splat = @{ Type = 'GELU'; Approximate = 'fast' }; Id = 'NewLayerGeluApproximate'; Message = 'approximate argument must be either none or tanh.' }
        @{ Splat = @{ Type = 'Linear'; InFeatures = 2; OutFeatures = 2; DType = 'Int64' }; Id = 'NewLayerRandomNonFloating'; Message = '"check_uniform_bounds" not implemented for ''Long''' }
    ) {
        try { New-Layer @Splat -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be "$Id,AutoGrad.PowerShell.Commands.NewLayerCommand"
        $err.Exception.Message | Should -BeExactly $Message
    }

    It 'warns as PyTorch does when Softmax gets no -Dim, and then picks PyTorch''s implicit dim' {
        $sm = New-Layer Softmax -WarningVariable w -WarningAction SilentlyContinue
        "$w" | Should -BeExactly 'Implicit dimension choice for softmax has been deprecated. Change the call to include dim=X as an argument.'
        $y = New-Tensor @(@(1.0, 2.0), @(3.0, 5.0)) | Invoke-Layer $sm
        ($y | Measure-Sum -Dim 1).ToDoubleArray() | ForEach-Object { $_ | Should -BeGreaterThan 0.9999 }
    }

    It 'completes -Type <Word>' -ForEach @(
        @{ Word = 'Li'; Expected = @('Linear') }
        @{ Word = 'l'; Expected = @('Linear', 'LogSoftmax', 'LayerNorm', 'LeakyReLU') }
        @{ Word = "'B"; Expected = @('BatchNorm1d') }
        @{ Word = ''; Expected = $types }
    ) {
        $line = "New-Layer $Word"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be $Expected
    }

    It 'prints the same in a de-DE session' {
        $old = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            (New-Layer LayerNorm -NormalizedShape 8 -Eps 0.001 | Out-String).Trim() | Should -BeExactly 'LayerNorm((8,), eps=0.001, elementwise_affine=True)'
            (New-Layer Dropout -P 0.25).ToString() | Should -BeExactly 'Dropout(p=0.25, inplace=False)'
            (New-Layer LeakyReLU -NegativeSlope 1.5e-7).ToString() | Should -BeExactly 'LeakyReLU(negative_slope=1.5e-07)'
        } finally { [cultureinfo]::CurrentCulture = $old }
    }
}

Describe 'Invoke-Layer' {
    It '<Name>: initial state, forward, node name and gradients match PyTorch' -ForEach $layerCases {
        Set-RandomSeed $Case.seed
        $layer = New-LayerFromSpec $Case.spec
        $layer.ToString() | Should -BeExactly $Case.repr
        $state = $layer.StateDict()
        foreach ($p in $Case.state_dict.PSObject.Properties) { Assert-Exact $p.Value $state[$p.Name] $p.Name }
        $x = ConvertTo-Tensor $Case.input -RequiresGrad
        foreach ($run in $Case.runs) {
            $layer.Train($run.mode -eq 'train')
            $layer.ZeroGrad()
            $x.Grad = $null
            $y = $x | Invoke-Layer $layer
            $tol = Get-Tolerance $run.output
            $y | Should -BeTensor (ConvertTo-Tensor $run.output) @tol -Because "$($run.mode) output"
            $y.GradFn.Name | Should -Be (Get-TorchTwoNodeName $Name $run.grad_fn)
            $y * (ConvertTo-Tensor $run.upstream) | Measure-Sum | Invoke-Backward
            $params = @{}
            foreach ($kv in $layer.NamedParameters()) { $params[$kv.Key] = $kv.Value }
            foreach ($g in $run.grads.PSObject.Properties) {
                $params[$g.Name].Grad | Should -BeTensor (ConvertTo-Tensor $g.Value) @tol -Because "$($run.mode) grad of $($g.Name)"
            }
            if ($run.input_grad) { $x.Grad | Should -BeTensor (ConvertTo-Tensor $run.input_grad) @tol -Because "$($run.mode) grad of the input" }
            $buffers = @{}
            foreach ($kv in $layer.NamedBuffers()) { $buffers[$kv.Key] = $kv.Value }
            foreach ($b in $run.buffers.PSObject.Properties) {
                $btol = Get-Tolerance $b.Value
                $buffers[$b.Name] | Should -BeTensor (ConvertTo-Tensor $b.Value) @btol -Because "$($run.mode) $($b.Name)"
            }
        }
    }

    It 'Dropout -P <P> (<DType>) after Set-RandomSeed <Seed> drops what torch drops and scales the rest' -ForEach $dropoutCases {
        $d = New-Layer Dropout -P $P
        $x = ConvertTo-Tensor $Case.input -RequiresGrad
        Set-RandomSeed $Seed
        $y = $x | Invoke-Layer $d
        Assert-Exact $Case.output $y 'output'
        $y.GradFn.Name | Should -Be $Case.grad_fn
        Assert-Exact $Case.after (New-Tensor -Rand 2 -DType $DType) 'rand after the mask'
        $d.Eval()
        [object]::ReferenceEquals(($x | Invoke-Layer $d), $x) | Should -BeTrue -Because 'eval mode passes the input itself through'
    }

    It 'runs the layer on each piped tensor, and $layer.Forward($x) is the same computation' {
        $layer = New-Layer Linear -InFeatures 2 -OutFeatures 1
        $a = New-Tensor 1.0, 2.0
        $b = New-Tensor @(@(1.0, 2.0), @(3.0, 4.0))
        $out = @($a, $b | Invoke-Layer $layer)
        $out.Count | Should -Be 2
        $out[0].Shape | Should -Be @(1)
        $out[1].Shape | Should -Be @(2, 1)
        $out[1].ToDoubleArray() | Should -Be $layer.Forward($b).ToDoubleArray()
        $out[1].GradFn.Name | Should -Be 'AddmmBackward0'
    }

    It 'takes plain data as input, as New-Tensor reads it' {
        $layer = New-Layer Linear -InFeatures 2 -OutFeatures 3
        (Invoke-Layer $layer -InputObject @(1.5, 2.5)).Shape | Should -Be @(3)
    }

    It 'reports a bad input without stopping the others (non-terminating), with PyTorch''s message' {
        $layer = New-Layer Linear -InFeatures 2 -OutFeatures 3
        $good = New-Tensor -Ones 4, 2
        $bad = New-Tensor -Ones 4, 5
        $out = @($good, $bad, $good | Invoke-Layer $layer -ErrorAction SilentlyContinue -ErrorVariable errs)
        $out.Count | Should -Be 2
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'InvokeLayerMatMulShapeMismatch,AutoGrad.PowerShell.Commands.InvokeLayerCommand'
        $errs[0].Exception.Message | Should -BeExactly 'mat1 and mat2 shapes cannot be multiplied (4x5 and 2x3)'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        { $bad | Invoke-Layer $layer -ErrorAction Stop } | Should -Throw -ErrorId 'InvokeLayerMatMulShapeMismatch,AutoGrad.PowerShell.Commands.InvokeLayerCommand'
    }

    It 'reports PyTorch''s message for <Key>' -ForEach @(
        @{ Key = 'layernorm_shape'; MakeLayer = { New-Layer LayerNorm -NormalizedShape 8 }; MakeInput = { New-Tensor -Zeros 2, 4 } }
        @{ Key = 'batchnorm_rank'; MakeLayer = { New-Layer BatchNorm1d -NumFeatures 3 }; MakeInput = { New-Tensor -Zeros 3 } }
        @{ Key = 'batchnorm_single'; MakeLayer = { New-Layer BatchNorm1d -NumFeatures 3 }; MakeInput = { New-Tensor -Zeros 1, 3 } }
        @{ Key = 'embedding_dtype'; MakeLayer = { New-Layer Embedding -NumEmbeddings 4 -EmbeddingDim 2 }; MakeInput = { New-Tensor -Zeros 3 } }
        @{ Key = 'embedding_range'; MakeLayer = { New-Layer Embedding -NumEmbeddings 4 -EmbeddingDim 2 }; MakeInput = { New-Tensor 1, 4 } }
    ) {
        $layer = & $MakeLayer
        $x = & $MakeInput
        $x | Invoke-Layer $layer -ErrorAction SilentlyContinue -ErrorVariable errs
        $errs[0].Exception.Message | Should -BeExactly $ref.errors.$Key.message
    }
}

Describe 'layer objects in PowerShell' {
    BeforeEach {
        Set-RandomSeed 1
        $script:model = New-Layer Sequential (New-Layer Linear -InFeatures 4 -OutFeatures 6), (New-Layer ReLU), (New-Layer Dropout -P 0.5), (New-Layer Linear -InFeatures 6 -OutFeatures 2)
    }

    It 'lists parameters in PyTorch''s order: Parameters(), NamedParameters(), named_parameters()' {
        $model.Parameters().Count | Should -Be 4
        @($model.NamedParameters().Key) | Should -Be @('0.weight', '0.bias', '3.weight', '3.bias')
        @($model.named_parameters().Key) | Should -Be @('0.weight', '0.bias', '3.weight', '3.bias')
        [object]::ReferenceEquals($model.Parameters()[0], $model[0].Weight) | Should -BeTrue
        $model.Parameters() | ForEach-Object { $_.RequiresGrad | Should -BeTrue; $_.IsLeaf | Should -BeTrue }
    }

    It 'switches train/eval mode for the whole tree and writes nothing' {
        $out = $model.Eval()
        $out | Should -BeNullOrEmpty
        $model.Training | Should -BeFalse
        $model[2].Training | Should -BeFalse
        $x = New-Tensor -RandN 3, 4
        ($x | Invoke-Layer $model).ToDoubleArray() | Should -Be ($x | Invoke-Layer $model).ToDoubleArray()
        $model.Train()
        $model[2].Training | Should -BeTrue
    }

    It 'ZeroGrad() removes the gradients, ZeroGrad($false) zeroes them' {
        New-Tensor -RandN 3, 4 | Invoke-Layer $model | Measure-Sum | Invoke-Backward
        $model[0].Weight.Grad | Should -Not -BeNullOrEmpty
        $model.ZeroGrad($false)
        $model[0].Weight.Grad.ToDoubleArray() | ForEach-Object { $_ | Should -Be 0 }
        $model.zero_grad()
        $model[0].Weight.Grad | Should -BeNullOrEmpty
    }

    It 'StateDict() is an [ordered] dictionary of tensors sharing the model''s storage' {
        $sd = $model.StateDict()
        $sd | Should -BeOfType ([System.Collections.Specialized.OrderedDictionary])
        @($sd.Keys) | Should -Be @('0.weight', '0.bias', '3.weight', '3.bias')
        $null = $sd['3.bias'].Fill_(7)
        $model[3].Bias.ToDoubleArray() | Should -Be @(7, 7)
        $sd['3.bias'].RequiresGrad | Should -BeFalse
    }

    It 'LoadStateDict takes a hashtable, an [ordered] dictionary or another model''s StateDict()' {
        Set-RandomSeed 99
        $other = New-Layer Sequential (New-Layer Linear -InFeatures 4 -OutFeatures 6), (New-Layer ReLU), (New-Layer Dropout -P 0.5), (New-Layer Linear -InFeatures 6 -OutFeatures 2)
        ($other.LoadStateDict($model.StateDict()) | Out-String).Trim() | Should -Be '<All keys matched successfully>'
        $model.Eval(); $other.Eval()
        $x = New-Tensor -RandN 2, 4
        ($x | Invoke-Layer $other).ToDoubleArray() | Should -Be ($x | Invoke-Layer $model).ToDoubleArray()
        $lin = New-Layer Linear -InFeatures 2 -OutFeatures 1
        $lin.LoadStateDict(@{ weight = New-Tensor @(, @(1.0, 2.0)); bias = New-Tensor 0.5 -Shape 1 }).ToString() | Should -Be '<All keys matched successfully>'
        $lin.Forward((New-Tensor 3.0, 4.0)).ToDoubleArray() | Should -Be @(11.5)
        $lin.LoadStateDict([ordered]@{ weight = New-Tensor @(, @(0.0, 1.0)) }, $false).ToString() |
            Should -Be "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"
        $lin.Weight.ToDoubleArray() | Should -Be @(0, 1)
    }

    It 'LoadStateDict fails with PyTorch''s text and changes nothing: <Key>' -ForEach @(
        @{ Key = 'load_missing'; Make = { New-Layer Linear -InFeatures 2 -OutFeatures 3 }; State = { @{ weight = New-Tensor -Zeros 3, 2 } } }
        @{ Key = 'load_size'; Make = { New-Layer Linear -InFeatures 2 -OutFeatures 3 }; State = { [ordered]@{ weight = New-Tensor -Zeros 2, 2; bias = New-Tensor -Zeros 4 } } }
        @{ Key = 'load_unexpected'; Make = { New-Layer Linear -InFeatures 2 -OutFeatures 3 }; State = { [ordered]@{ weight = New-Tensor -Zeros 3, 2; bias = New-Tensor -Zeros 3; foo = New-Tensor -Zeros 1; 'bar.baz' = New-Tensor -Zeros 1 } } }
        @{ Key = 'load_not_tensor'; Make = { New-Layer Linear -InFeatures 2 -OutFeatures 3 }; State = { [ordered]@{ weight = 5; bias = New-Tensor -Zeros 3 } } }
    ) {
        $layer = & $Make
        $before = $layer.Weight.ToDoubleArray()
        $state = & $State
        try { $layer.LoadStateDict($state) } catch { $err = $_ }
        $err.Exception.InnerException | Should -BeOfType ([AutoGrad.TorchException])
        $err.Exception.InnerException.Message | Should -BeExactly $ref.errors.$Key.message
        $layer.Weight.ToDoubleArray() | Should -Be $before
    }

    It 'BatchNorm1d keeps running statistics in training and uses them in eval, as torch does' {
        $seq = $ref.batchnorm_sequences | Where-Object { $_.momentum -eq 0.1 -and $_.dtype -eq 'float64' }
        $bn = New-Layer BatchNorm1d -NumFeatures 3 -DType Float64
        $tol = @{ RTol = 1e-12; ATol = 1e-12 }
        foreach ($step in $seq.steps) {
            ConvertTo-Tensor $step.input | Invoke-Layer $bn | Should -BeTensor (ConvertTo-Tensor $step.output) @tol -Because 'train output'
            $bn.RunningMean | Should -BeTensor (ConvertTo-Tensor $step.running_mean) @tol -Because 'running_mean'
            $bn.RunningVar | Should -BeTensor (ConvertTo-Tensor $step.running_var) @tol -Because 'running_var'
        }
        $bn.NumBatchesTracked.Item() | Should -Be 3
        $bn.StateDict()['num_batches_tracked'].DType | Should -Be ([AutoGrad.DType]::Int64)
        $bn.Eval()
        ConvertTo-Tensor $seq.eval_input | Invoke-Layer $bn | Should -BeTensor (ConvertTo-Tensor $seq.eval_output) @tol -Because 'eval output'
    }
}
