#Requires -Version 7.4
# New-Optimizer, Update-Parameter, Clear-Grad -Optimizer: trajectories against real PyTorch through the cmdlets
# (tests/data/optim_trajectories.json, made by tests/data/optim_trajectories.py), options, errors, printing, state dicts.

BeforeDiscovery {
    $script:Reference = Get-Content -Raw "$PSScriptRoot/data/optim_trajectories.json" | ConvertFrom-Json -AsHashtable
    $script:Cases = @($Reference.cases | ForEach-Object { @{ Name = $_.name; Case = $_ } })
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"

    # PyTorch's keyword -> the cmdlet's parameter name.
    $script:Names = @{
        lr = 'LR'; momentum = 'Momentum'; dampening = 'Dampening'; weight_decay = 'WeightDecay'; nesterov = 'Nesterov'
        maximize = 'Maximize'; betas = 'Betas'; eps = 'Eps'; amsgrad = 'AmsGrad'; alpha = 'Alpha'; centered = 'Centered'
        lr_decay = 'LRDecay'; initial_accumulator_value = 'InitialAccumulatorValue'
    }

    function New-CaseOptimizer($Case, $Params) {
        $groups = @($Case.groups)
        if ($groups.Count -eq 1) {
            $options = @{}
            foreach ($k in $groups[0].options.Keys) {
                $v = $groups[0].options[$k]
                $options[$Names[$k]] = if ($v -is [bool]) { [switch]$v } elseif ($v -is [System.Collections.IList]) { [double[]]$v } else { [double]$v }
            }
            return New-Optimizer $Case.optimizer -Parameters @($groups[0].params | ForEach-Object { $Params[$_] }) @options
        }
        $tables = foreach ($g in $groups) {
            $t = @{ Params = @($g.params | ForEach-Object { $Params[$_] }) }
            foreach ($k in $g.options.Keys) { $t[$Names[$k]] = $g.options[$k] }
            $t
        }
        New-Optimizer $Case.optimizer -Parameters $tables
    }
}

Describe 'Optimizer trajectories match PyTorch through the cmdlets' {
    It '<Name>' -ForEach $Cases {
        $dtype = if ($Case.dtype -eq 'float32') { 'Float32' } else { 'Float64' }
        $params = for ($i = 0; $i -lt $Case.initial.Count; $i++) {
            New-Tensor ([double[]]$Case.initial[$i]) -Shape ([int[]]$Case.shapes[$i]) -DType $dtype -RequiresGrad
        }
        $opt = New-CaseOptimizer $Case $params
        $sched = $null
        if ($Case.scheduler) {
            $o = $Case.scheduler.options
            $sched = switch ($Case.scheduler.type) {
                'OneCycleLR' { New-LRScheduler OneCycleLR -Optimizer $opt -MaxLR $o.max_lr -TotalSteps $o.total_steps }
                'StepLR' { New-LRScheduler StepLR -Optimizer $opt -StepSize $o.step_size -Gamma $o.gamma }
            }
        }
        $worst = 0.0
        foreach ($step in $Case.steps) {
            for ($i = 0; $i -lt $params.Count; $i++) {
                $params[$i].Grad = if ($null -eq $step.grads[$i]) { $null } else {
                    New-Tensor ([double[]]$step.grads[$i]) -Shape ([int[]]$Case.shapes[$i]) -DType $dtype
                }
            }
            Update-Parameter $opt | Should -BeNullOrEmpty
            if ($sched) { Update-LRScheduler $sched | Should -BeNullOrEmpty }
            for ($i = 0; $i -lt $params.Count; $i++) {
                $actual = $params[$i].ToDoubleArray()
                $expected = [double[]]$step.params[$i]
                for ($k = 0; $k -lt $expected.Count; $k++) {
                    $worst = [math]::Max($worst, [math]::Abs($actual[$k] - $expected[$k]) / [math]::Max(1, [math]::Abs($expected[$k])))
                }
            }
        }
        $worst | Should -BeLessOrEqual ($dtype -eq 'Float64' ? 1e-12 : 1e-6)
    }
}

Describe 'New-Optimizer' {
    BeforeEach {
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $b = New-Tensor 0.5 -RequiresGrad
    }

    It 'takes tensors from the pipeline or as an array, with PyTorch''s default lr' {
        $a = $w, $b | New-Optimizer Adam
        $a | Should -BeOfType ([AutoGrad.Optim.Adam])
        $a.ParamGroups[0].Params | Should -HaveCount 2
        $a.ParamGroups[0].LR | Should -Be 0.001
        (New-Optimizer SGD -Parameters $w, $b).ParamGroups[0].Params | Should -HaveCount 2
        (New-Optimizer RMSprop $w).ParamGroups[0].LR | Should -Be 0.01
        (New-Optimizer adagrad $w).Name | Should -Be 'Adagrad'
        (New-Optimizer AdamW $w).ParamGroups[0].WeightDecay | Should -Be 0.01
    }

    It 'takes anything with a Parameters() method, such as a layer' {
        $layer = [pscustomobject]@{ W = $w; B = $b }
        $layer | Add-Member ScriptMethod Parameters { $this.W, $this.B }
        $opt = New-Optimizer SGD $layer -LR 0.1
        $opt.ParamGroups[0].Params | Should -HaveCount 2
        [object]::ReferenceEquals($opt.ParamGroups[0].Params[0], $w) | Should -BeTrue
        ($layer | New-Optimizer Adam).ParamGroups[0].Params | Should -HaveCount 2
    }

    It 'makes one parameter group per hashtable, options by either spelling' {
        $opt = New-Optimizer SGD @{ Params = $w; LR = 0.1 }, @{ params = $b; momentum = 0.9 } -LR 0.01
        $opt.ParamGroups | Should -HaveCount 2
        $opt.ParamGroups[0].LR | Should -Be 0.1
        $opt.ParamGroups[1].LR | Should -Be 0.01
        $opt.ParamGroups[1].Momentum | Should -Be 0.9
    }

    It 'exposes each group''s options as writable properties and by PyTorch''s key' {
        $opt = New-Optimizer Adam $w -LR 0.1 -Betas 0.8, 0.99 -AmsGrad
        $g = $opt.ParamGroups[0]
        $g.Betas | Should -Be @(0.8, 0.99)
        $g.AmsGrad | Should -BeTrue
        $g.LR = 0.5
        $g['lr'] | Should -Be 0.5
        $opt.param_groups[0].lr | Should -Be 0.5
    }

    It 'rejects an option of another optimizer, naming the ones that apply' {
        { New-Optimizer SGD $w -Betas 0.9, 0.99 } |
            Should -Throw -ErrorId 'NewOptimizerOptionNotForType*' -ExpectedMessage '-Betas is not an option of SGD; SGD takes -LR, -Momentum, -Dampening, -WeightDecay, -Nesterov, -Maximize.'
        { New-Optimizer Adam $w -Momentum 0.9 } | Should -Throw -ErrorId 'NewOptimizerOptionNotForType*'
        { New-Optimizer SGD @{ Params = $w; Momentun = 0.9 } -ErrorAction Stop } | Should -Throw -ErrorId 'NewOptimizerOptionNotForType*' -ExpectedMessage "'Momentun' is not an option of SGD*"
    }

    It 'lists the valid types for an unknown one' {
        { New-Optimizer Adamax $w } | Should -Throw -ErrorId 'NewOptimizerUnknownType*' -ExpectedMessage "Unknown optimizer type 'Adamax'. Valid types: SGD, Adam, AdamW, RMSprop, Adagrad."
    }

    It 'raises PyTorch''s messages for bad options' -ForEach @(
        @{ Command = { New-Optimizer SGD $w -LR -1 }; Message = 'Invalid learning rate: -1' }
        @{ Command = { New-Optimizer Adam $w -Betas 1.5, 0.9 }; Message = 'Invalid beta parameter at index 0: 1.5' }
        @{ Command = { New-Optimizer SGD $w -Momentum -0.5 }; Message = 'Invalid momentum value: -0.5' }
        @{ Command = { New-Optimizer SGD $w -Nesterov }; Message = 'Nesterov momentum requires a momentum and zero dampening' }
        @{ Command = { New-Optimizer RMSprop $w -Eps -1e-8 }; Message = 'Invalid epsilon value: -1e-08' }
        @{ Command = { New-Optimizer AdamW $w -WeightDecay -0.01 }; Message = 'Invalid weight_decay value: -0.01' }
    ) {
        # Checked as the optimizer is made from the collected parameters: an error about them, not terminating.
        $err = Get-WrittenError { & $Command }
        $err.Exception.Message | Should -Be $Message
        $err.FullyQualifiedErrorId | Should -BeLike 'NewOptimizerInvalidOption*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'refuses a non-leaf, an empty list and a non-tensor with PyTorch''s messages' {
        { New-Optimizer SGD ($w * 2) -ErrorAction Stop } | Should -Throw -ErrorId 'NewOptimizerNonLeafParameter*' -ExpectedMessage "can't optimize a non-leaf Tensor"
        { New-Optimizer SGD @() -ErrorAction Stop } | Should -Throw -ErrorId 'NewOptimizerEmptyParameterList*' -ExpectedMessage 'optimizer got an empty parameter list'
        { New-Optimizer SGD $w, 'x' -ErrorAction Stop } | Should -Throw -ErrorId 'NewOptimizerNotATensor*' -ExpectedMessage 'optimizer can only optimize Tensors, but one of the params is System.String'
        { New-Optimizer SGD @{ Params = $w }, @{ Params = $w } -ErrorAction Stop } | Should -Throw -ExpectedMessage 'some parameters appear in more than one parameter group'
    }

    It 'warns with PyTorch''s text about a parameter given twice' {
        $null = New-Optimizer SGD $w, $w -WarningVariable warned -WarningAction SilentlyContinue
        $warned | Should -HaveCount 1
        "$($warned[0])" | Should -BeLike 'optimizer contains a parameter group with duplicate parameters*'
    }

    It 'prints as PyTorch''s repr, in any culture' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $text = (New-Optimizer Adam $w -LR 0.05 | Out-String).Trim()
            $text | Should -Be (@(
                'Adam ('
                'Parameter Group 0'
                '    amsgrad: False'
                '    betas: (0.9, 0.999)'
                '    capturable: False'
                '    decoupled_weight_decay: False'
                '    differentiable: False'
                '    eps: 1e-08'
                '    foreach: None'
                '    fused: None'
                '    lr: 0.05'
                '    maximize: False'
                '    weight_decay: 0'
                ')') -join "`n")
            (New-Optimizer SGD $w -LR 0.1).ParamGroups[0] | Out-String | Should -Match "'lr': 0\.1, 'momentum': 0,"
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
    }
}

Describe 'Update-Parameter and Clear-Grad -Optimizer' {
    BeforeEach {
        $w = New-Tensor 1.0, 2.0 -DType Float64 -RequiresGrad
        $opt = New-Optimizer SGD $w -LR 0.5
    }

    It 'steps the parameters that have gradients and prints nothing' {
        $w * $w | Measure-Sum | Invoke-Backward
        Update-Parameter $opt | Should -BeNullOrEmpty
        $w.ToDoubleArray() | Should -Be @(0.0, 0.0)
        $w.IsLeaf | Should -BeTrue
        $w.VersionNumber | Should -Be 1
    }

    It 'does nothing to a parameter without a gradient' {
        $opt | Update-Parameter
        $w.ToDoubleArray() | Should -Be @(1.0, 2.0)
        $w.VersionNumber | Should -Be 0
    }

    It 'writes the parameters with -PassThru' {
        $w * $w | Measure-Sum | Invoke-Backward
        $out = Update-Parameter $opt -PassThru
        [object]::ReferenceEquals($out, $w) | Should -BeTrue
    }

    It 'keeps a method-call training loop silent' {
        $out = & {
            foreach ($i in 1..3) {
                $w * $w | Measure-Sum | Invoke-Backward
                $opt.Step()
                $opt.ZeroGrad()
            }
        }
        $out | Should -BeNullOrEmpty
    }

    It 'clears the gradients of every parameter, or zeros them with -Zero' {
        $w * $w | Measure-Sum | Invoke-Backward
        Clear-Grad -Optimizer $opt -Zero
        $w.Grad.ToDoubleArray() | Should -Be @(0.0, 0.0)
        $opt | Clear-Grad
        $w.Grad | Should -BeNullOrEmpty
        $w * $w | Measure-Sum | Invoke-Backward
        $opt.zero_grad()
        $w.Grad | Should -BeNullOrEmpty
    }

    It 'refuses something that is not an optimizer' {
        { Update-Parameter -Optimizer 'x' } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage*'
    }
}

Describe 'Optimizer state dicts in PowerShell' {
    It 'saves a checkpoint that PowerShell can index and edit, and loads it back' {
        $w = New-Tensor 1.0, 2.0 -DType Float64 -RequiresGrad
        $opt = New-Optimizer Adam $w -LR 0.1
        $w * $w | Measure-Sum | Invoke-Backward
        Update-Parameter $opt
        $sd = $opt.StateDict()
        $sd.state[0].step.Item() | Should -Be 1
        $sd.state[0].exp_avg | Should -BeOfType ([AutoGrad.Tensor])
        $sd.param_groups[0].lr | Should -Be 0.1
        $sd.param_groups[0].params | Should -Be @(0)
        $sd.param_groups[0].lr = 0.01
        $opt.LoadStateDict($sd)
        $opt.ParamGroups[0].LR | Should -Be 0.01
        ($sd | Out-String) | Should -Match "state\s+\{\[0, \{'step': tensor\(1\.\), 'exp_avg': tensor"
    }

    It 'refuses a dict for a different optimizer layout with PyTorch''s message' {
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $other = New-Optimizer Adam (New-Tensor 1.0 -RequiresGrad), (New-Tensor 2.0 -RequiresGrad)
        $opt = New-Optimizer Adam $w
        { $opt.LoadStateDict($other.StateDict()) } | Should -Throw -ExpectedMessage "*loaded state dict contains a parameter group that doesn't match the size of optimizer's group*"
    }
}

Describe 'argument completion for optimizers and schedulers' {
    BeforeAll {
        function Get-Completion([string]$InputScript) {
            (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches.CompletionText
        }
    }

    It 'completes <Line> with <Expected>' -ForEach @(
        @{ Line = 'New-Optimizer Ad'; Expected = @('Adam', 'AdamW', 'Adagrad') }
        @{ Line = 'New-Optimizer r'; Expected = @('RMSprop') }
        @{ Line = 'New-LRScheduler -Type C'; Expected = @('CosineAnnealingLR') }
        @{ Line = 'New-LRScheduler ReduceLROnPlateau $o -Mode '; Expected = @('min', 'max') }
        @{ Line = 'New-LRScheduler ReduceLROnPlateau $o -ThresholdMode a'; Expected = @('abs') }
        @{ Line = 'New-LRScheduler OneCycleLR $o -AnnealStrategy l'; Expected = @('linear') }
    ) {
        Get-Completion $Line | Should -Be $Expected
    }
}
