#Requires -Version 7.4
# New-LRScheduler, Update-LRScheduler: learning-rate sequences against real PyTorch through the cmdlets
# (tests/data/lr_schedulers.json, made by tests/data/lr_schedulers.py), options, errors, warnings, printing.

BeforeDiscovery {
    $script:Reference = Get-Content -Raw "$PSScriptRoot/data/lr_schedulers.json" | ConvertFrom-Json -AsHashtable
    $script:Cases = @($Reference.cases | ForEach-Object { @{ Name = $_.name; Case = $_ } })
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"

    # PyTorch's keyword -> the cmdlet's parameter name.
    $script:Names = @{
        step_size = 'StepSize'; gamma = 'Gamma'; milestones = 'Milestones'; T_max = 'TMax'; eta_min = 'EtaMin'
        start_factor = 'StartFactor'; end_factor = 'EndFactor'; total_iters = 'TotalIters'; mode = 'Mode'; factor = 'Factor'
        patience = 'Patience'; threshold = 'Threshold'; threshold_mode = 'ThresholdMode'; cooldown = 'Cooldown'; min_lr = 'MinLR'
        eps = 'Eps'; max_lr = 'MaxLR'; total_steps = 'TotalSteps'; epochs = 'Epochs'; steps_per_epoch = 'StepsPerEpoch'
        pct_start = 'PctStart'; anneal_strategy = 'AnnealStrategy'; cycle_momentum = 'CycleMomentum'
        base_momentum = 'BaseMomentum'; max_momentum = 'MaxMomentum'; div_factor = 'DivFactor'
        final_div_factor = 'FinalDivFactor'; three_phase = 'ThreePhase'
    }

    function Get-Momentum($Group) { if ($Group -is [AutoGrad.Optim.AdamParamGroup]) { $Group.Betas[0] } else { $Group.Momentum } }
}

Describe 'Scheduler sequences match PyTorch through the cmdlets' {
    It '<Name>' -ForEach $Cases {
        $groups = for ($i = 0; $i -lt $Case.lrs.Count; $i++) { @{ Params = New-Tensor -Zeros ($i + 2) -RequiresGrad; LR = $Case.lrs[$i] } }
        $optOptions = @{}
        if ($Case.optimizer_options.momentum) { $optOptions.Momentum = $Case.optimizer_options.momentum }
        if ($Case.optimizer_options.betas) { $optOptions.Betas = [double[]]$Case.optimizer_options.betas }
        $opt = New-Optimizer $Case.optimizer $groups @optOptions
        $options = @{}
        foreach ($k in $Case.options.Keys) {
            $v = $Case.options[$k]
            $options[$Names[$k]] = if ($v -is [bool]) { [switch]$v } else { $v }
        }
        $sched = $opt | New-LRScheduler $Case.scheduler @options
        @($opt.ParamGroups.LR) | Should -Be @($Case.initial.lr)
        @($opt.ParamGroups | ForEach-Object { Get-Momentum $_ }) | Should -Be @($Case.initial.momentum)
        for ($k = 0; $k -lt $Case.steps; $k++) {
            Update-Parameter $opt
            if ($Case.metrics) { Update-LRScheduler $sched -Metric $Case.metrics[$k] } else { $sched | Update-LRScheduler }
            $expected = $Case.sequence[$k]
            # Exact: the same double operations in the same order give the same doubles.
            @($sched.GetLastLR()) | Should -Be @($expected.last_lr) -Because "get_last_lr() after step $($k + 1)"
            @($opt.ParamGroups.LR) | Should -Be @($expected.lr) -Because "lr after step $($k + 1)"
            @($opt.ParamGroups | ForEach-Object { Get-Momentum $_ }) | Should -Be @($expected.momentum) -Because "momentum after step $($k + 1)"
        }
    }
}

Describe 'New-LRScheduler' {
    BeforeEach {
        $opt = New-Optimizer SGD (New-Tensor 1.0, 2.0 -RequiresGrad) -LR 0.1 -Momentum 0.9
    }

    It 'takes its initial step at once, as PyTorch does' {
        $s = New-LRScheduler LinearLR $opt -StartFactor 0.5 -TotalIters 4
        $s | Should -BeOfType ([AutoGrad.Optim.LinearLR])
        $s.LastEpoch | Should -Be 0
        $opt.ParamGroups[0].LR | Should -Be 0.05
        $opt.ParamGroups[0]['initial_lr'] | Should -Be 0.1
        $s.get_last_lr() | Should -Be @(0.05)
    }

    It 'lists the valid types for an unknown one' {
        { New-LRScheduler CyclicLR $opt } | Should -Throw -ErrorId 'NewLRSchedulerUnknownType*' -ExpectedMessage "Unknown scheduler type 'CyclicLR'. Valid types: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ReduceLROnPlateau, OneCycleLR."
    }

    It 'rejects an option of another scheduler and asks for a required one' {
        { New-LRScheduler StepLR $opt -StepSize 2 -TMax 3 } |
            Should -Throw -ErrorId 'NewLRSchedulerOptionNotForType*' -ExpectedMessage '-TMax is not an option of StepLR; StepLR takes -StepSize, -Gamma.'
        { New-LRScheduler CosineAnnealingLR $opt } | Should -Throw -ErrorId 'NewLRSchedulerMissingOption*' -ExpectedMessage 'CosineAnnealingLR requires -TMax.'
        { New-LRScheduler OneCycleLR $opt -MaxLR 0.1 -ErrorAction Stop } | Should -Throw -ErrorId 'NewLRSchedulerInvalidOption*' -ExpectedMessage 'You must define either total_steps OR (epochs AND steps_per_epoch)'
    }

    # The options are checked as the scheduler is made for the optimizer in hand: an error about that item.
    It 'raises PyTorch''s messages for bad options' -ForEach @(
        @{ Command = { New-LRScheduler LinearLR $opt -StartFactor 0 }; Message = 'Starting multiplicative factor expected to be greater than 0 and less or equal to 1.' }
        @{ Command = { New-LRScheduler ReduceLROnPlateau $opt -Factor 1 }; Message = 'Factor should be < 1.0.' }
        @{ Command = { New-LRScheduler ReduceLROnPlateau $opt -Mode lowest }; Message = 'mode lowest is unknown!' }
        @{ Command = { New-LRScheduler OneCycleLR $opt -MaxLR 0.1 -TotalSteps 10 -PctStart 2 }; Message = 'Expected float between 0 and 1 pct_start, but got 2' }
        @{ Command = { New-LRScheduler OneCycleLR $opt -MaxLR 0.1 -TotalSteps 10 -AnnealStrategy exp }; Message = "anneal_strategy must be one of 'cos' or 'linear', instead got exp" }
    ) {
        $err = Get-WrittenError { & $Command }
        $err.Exception.Message | Should -Be $Message
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'reads Mode, ThresholdMode and AnnealStrategy in any case' {
        (New-LRScheduler ReduceLROnPlateau $opt -Mode Max -ThresholdMode ABS).Mode | Should -Be 'max'
    }

    It 'prints its settings and position, in any culture' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $s = New-LRScheduler StepLR $opt -StepSize 2 -Gamma 0.5
            ($s | Out-String).Trim() | Should -Be 'StepLR(step_size=2, gamma=0.5, last_epoch=0, last_lr=[0.1])'
        }
        finally {
            [cultureinfo]::CurrentCulture = $saved
        }
    }
}

Describe 'Update-LRScheduler' {
    BeforeEach {
        $opt = New-Optimizer SGD (New-Tensor 1.0, 2.0 -RequiresGrad) -LR 0.1 -Momentum 0.9
    }

    It 'steps from the pipeline and prints nothing' {
        $s = New-LRScheduler ExponentialLR $opt -Gamma 0.5
        $opt.Step()
        $s | Update-LRScheduler | Should -BeNullOrEmpty
        $opt.ParamGroups[0].LR | Should -Be 0.05
        (Update-LRScheduler $s -PassThru).LastEpoch | Should -Be 2
    }

    It 'warns with PyTorch''s text when it comes before the first optimizer step' {
        $s = New-LRScheduler StepLR $opt -StepSize 3
        Update-LRScheduler $s -WarningVariable warned -WarningAction SilentlyContinue
        "$($warned[0])" | Should -Be ([AutoGrad.Optim.LRScheduler]::StepOrderWarning)
        "$($warned[0])" | Should -Match '^Detected call of .lr_scheduler\.step\(\). before .optimizer\.step\(\).'
        $opt.Step()
        Update-LRScheduler $s -WarningVariable warned2
        $warned2 | Should -BeNullOrEmpty
    }

    It 'feeds ReduceLROnPlateau a number or a one-element tensor' {
        $s = New-LRScheduler ReduceLROnPlateau $opt -Patience 0 -Factor 0.5
        Update-LRScheduler $s -Metric 1.0
        Update-LRScheduler $s -Metric (New-Tensor 2.0)
        $opt.ParamGroups[0].LR | Should -Be 0.05
        { Update-LRScheduler $s -ErrorAction Stop } | Should -Throw -ErrorId 'UpdateLRSchedulerMissingMetric*'
        { Update-LRScheduler $s -Metric (New-Tensor 1.0, 2.0) -ErrorAction Stop } | Should -Throw -ErrorId 'UpdateLRSchedulerInvalidMetric*' -ExpectedMessage '-Metric must be a number or a one-element tensor, but got a tensor of shape `[2`].'
        { Update-LRScheduler (New-LRScheduler StepLR $opt -StepSize 2) -Metric 1 -ErrorAction Stop } | Should -Throw -ErrorId 'UpdateLRSchedulerInvalidMetric*'
    }

    It 'refuses to step OneCycleLR past its total steps with PyTorch''s message' {
        $s = New-LRScheduler OneCycleLR $opt -MaxLR 1 -TotalSteps 2
        $opt.Step()
        Update-LRScheduler $s
        Update-LRScheduler $s
        { Update-LRScheduler $s -ErrorAction Stop } | Should -Throw -ErrorId 'UpdateLRSchedulerTooManySteps*' -ExpectedMessage 'Tried to step 3 times. The specified number of total steps is 2'
    }
}
