#Requires -Version 7.4
# The console views: Format-Table / Format-List of tensors, layers, optimizers, schedulers, nodes and ops, and
# Get-Member's one name per property. The default output (PyTorch's repr) is pinned in Module.Tests.ps1.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force

    # The lines a formatter writes, without blank lines and trailing spaces.
    function Get-Lines([Parameter(ValueFromPipeline)]$InputObject, [int]$Width = 200) {
        end { @($input | Out-String -Width $Width) -split '\r?\n' | ForEach-Object TrimEnd | Where-Object { $_ } }
    }
}

Describe 'tensors in Format-Table and Format-List' {
    BeforeAll {
        $script:x = New-Tensor @(@(1.0, 2.0), @(3.0, 4.0)) -RequiresGrad
        $script:y = $x * 2
    }

    It 'Format-Table shows shape, dtype, requires_grad, grad_fn and the values, one row per tensor' {
        $lines = $x, $y, (New-Tensor 3.5), (New-Tensor 1, 2, 3), (New-Tensor $true, $false) | Format-Table | Get-Lines
        $lines[0] | Should -Match '^Shape\s+DType\s+RequiresGrad\s+GradFn\s+Values$'
        $lines[2] | Should -Match '^\[2, 2\]\s+float32\s+True\s+\[\[1\., 2\.\], \[3\., 4\.\]\]$'
        $lines[3] | Should -Match '^\[2, 2\]\s+float32\s+True\s+MulBackward0\s+\[\[2\., 4\.\], \[6\., 8\.\]\]$'
        $lines[4] | Should -Match '^\[\]\s+float32\s+False\s+3\.5000$'
        $lines[5] | Should -Match '^\[3\]\s+int64\s+False\s+\[1, 2, 3\]$'
        $lines[6] | Should -Match '^\[2\]\s+bool\s+False\s+\[True, False\]$'
        ($lines -join "`n") | Should -Not -Match 'VersionNumber|IsDisposed|StorageOffset'
    }

    It 'Format-List shows the same and is_leaf and the gradient' {
        $y | Measure-Sum | Invoke-Backward
        $lines = $x | Format-List | Get-Lines
        $lines | Should -Be @(
            'Shape        : [2, 2]'
            'DType        : float32'
            'RequiresGrad : True'
            'GradFn       :'
            'IsLeaf       : True'
            'Grad         : [[2., 2.], [2., 2.]]'
            'Values       : [[1., 2.], [3., 4.]]'
        )
        ($y | Format-List | Get-Lines) -match '^GradFn' | Should -Be 'GradFn       : MulBackward0'
    }

    It 'previews a large tensor as PyTorch summarizes it, two items at each end' {
        $big = New-Tensor (0..99) -Shape 10, 10
        ($big | Format-List | Get-Lines -Width 300) -match '^Values' |
            Should -Be 'Values       : [[0, 1, ..., 8, 9], [10, 11, ..., 18, 19], ..., [80, 81, ..., 88, 89], [90, 91, ..., 98, 99]]'
    }

    It 'keeps the default output PyTorch''s repr' {
        ($y | Out-String).Trim() | Should -BeExactly $y.ToString()
        ($x, $y | Out-String) | Should -Not -Match 'Shape\s+DType'
    }

    It 'prints numbers invariantly in a de-DE session' {
        $saved = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            (New-Tensor 0.5, 1.25 | Format-Table | Get-Lines)[-1] | Should -Match '\[0\.5000, 1\.2500\]$'
            $o = New-Optimizer SGD -Parameters (New-Tensor 1.0 -RequiresGrad) -LR 0.05 -Momentum 0.9
            ($o | Format-Table | Get-Lines)[-1] | Should -Match '^SGD\s+0\.05\s+1\s+1\s+0\s+momentum=0\.9, '
        } finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $saved
        }
    }
}

Describe 'Get-Member of a tensor' {
    It 'lists each property once, by its .NET name; the snake_case aliases work but are hidden' {
        $t = New-Tensor 1.0, 2.0 -RequiresGrad
        $names = ($t | Get-Member -MemberType Properties).Name
        $names | Should -Contain 'RequiresGrad'
        $names | Should -Contain 'GradFn'
        foreach ($alias in 'requires_grad', 'grad_fn', 'is_leaf', 'retains_grad') {
            $names | Should -Not -Contain $alias
            ($t | Get-Member -Name $alias -Force).Name | Should -Be $alias
        }
        $t.requires_grad | Should -BeTrue
        ($t * 2).grad_fn.Name | Should -Be 'MulBackward0'
        ($t | Get-Member -MemberType Properties -Force).Name | Should -Contain 'requires_grad'
    }

    It 'hides the other types'' snake_case properties too (<Type>)' -ForEach @(
        @{ Type = 'node'; Make = { ((New-Tensor 1.0 -RequiresGrad) * 2).GradFn }; Alias = 'next_functions' }
        @{ Type = 'optimizer'; Make = { New-Optimizer SGD -Parameters (New-Tensor 1.0 -RequiresGrad) -LR 0.1 }; Alias = 'param_groups' }
        @{ Type = 'scheduler'; Make = { New-LRScheduler StepLR -Optimizer (New-Optimizer SGD -Parameters (New-Tensor 1.0 -RequiresGrad) -LR 0.1) -StepSize 1 }; Alias = 'last_epoch' }
    ) {
        $o = & $Make
        ($o | Get-Member -MemberType Properties).Name | Should -Not -Contain $Alias
        $null -ne $o.$Alias | Should -BeTrue
    }
}

Describe 'layers, optimizers, schedulers and nodes in Format-Table and Format-List' {
    BeforeAll {
        Set-RandomSeed 3
        $script:model = New-Layer Sequential (New-Layer Linear -InFeatures 4 -OutFeatures 8), (New-Layer ReLU), (New-Layer Linear -InFeatures 8 -OutFeatures 3)
    }

    It 'a layer table shows type, settings, parameter count and training mode' {
        $lines = $model, $model[0], $model[1] | Format-Table | Get-Lines
        $lines[0] | Should -Match '^Layer\s+Settings\s+Parameters\s+Training$'
        $lines[2] | Should -Match '^Sequential\s+Linear, ReLU, Linear\s+67\s+True$'
        $lines[3] | Should -Match '^Linear\s+in_features=4, out_features=8, bias=True\s+40\s+True$'
        $lines[4] | Should -Match '^ReLU\s+0\s+True$'
        $model.Eval()
        ($model | Format-Table | Get-Lines)[-1] | Should -Match 'False$'
        $model.Train()
    }

    It 'a layer list shows each parameter''s shape' {
        $model[2] | Format-List | Get-Lines | Should -Be @(
            'Layer          : Linear'
            'Settings       : in_features=8, out_features=3, bias=True'
            'Parameters     : weight [3, 8], bias [3]'
            'ParameterCount : 27'
            'Training       : True'
        )
    }

    It 'an optimizer table shows learning rates, groups, parameters, steps and options; a group its options' {
        $o = New-Optimizer Adam -Parameters $model.Parameters() -LR 0.001
        $lines = $o | Format-Table | Get-Lines
        $lines[0] | Should -Match '^Optimizer\s+LR\s+Groups\s+Parameters\s+Steps\s+Options$'
        $lines[2] | Should -Match '^Adam\s+0\.001\s+1\s+4\s+0\s+betas=\(0\.9, 0\.999\), eps=1e-08, weight_decay=0'
        ($o | Format-List | Get-Lines) -match '^(LR|Steps)' | Should -Be @('LR         : 0.001', 'Steps      : 0')
        ($o.ParamGroups | Format-Table | Get-Lines)[-1] | Should -Match '^\s+4 lr=0\.001, betas=\(0\.9, 0\.999\)'
        ($o | Out-String).Trim() | Should -BeExactly $o.ToString()
    }

    It 'a scheduler table shows its position and learning rates' {
        $o = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $s = New-LRScheduler StepLR -Optimizer $o -StepSize 1 -Gamma 0.5
        $o | Update-Parameter
        $s | Update-LRScheduler | Out-Null
        ($s | Format-Table | Get-Lines)[-1] | Should -Match '^StepLR\s+1\s+0\.05\s+0\.1\s+SGD$'
        ($s | Format-List | Get-Lines) -match '^Settings' | Should -Be "Settings  : $s"
    }

    It 'a node table shows its name and next functions' {
        $y = (New-Tensor 1.0 -RequiresGrad) * 2 + 1
        ($y.GradFn | Format-Table | Get-Lines)[-1] | Should -Match '^AddBackward0\s+MulBackward0, None$'
    }
}
