#Requires -Version 7.4
# Invoke-Training and Get-Batch: complete training runs against real PyTorch loops, through Invoke-Training and
# through a foreach loop of the same cmdlets (tests/data/training_loop.json, made by tests/data/training_loop.py),
# DataLoader's batch order, the per-epoch objects and their table, progress, stopping, warnings and errors.

BeforeDiscovery {
    $script:Reference = Get-Content -Raw "$PSScriptRoot/data/training_loop.json" | ConvertFrom-Json -AsHashtable
    $script:Runs = @($Reference.runs | ForEach-Object { @{ Name = $_.name; Run = $_ } })
    # Get-Batch draws from the global generator; a DataLoader with a generator of its own is the engine's business.
    $script:Loaders = @($Reference.loaders | Where-Object { $null -eq $_.generator_seed } | ForEach-Object { @{ Name = $_.name; Loader = $_ } })
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"

    function New-RunModel($Run) {
        $layers = foreach ($l in $Run.layers) {
            switch ($l.type) {
                'Linear' { New-Layer Linear -InFeatures $l.in -OutFeatures $l.out -Bias:($l.bias -ne $false) -DType Float64 }
                'BatchNorm1d' { New-Layer BatchNorm1d -NumFeatures $l.features -DType Float64 }
                'Dropout' { New-Layer Dropout -P $l.p }
                'LogSoftmax' { New-Layer LogSoftmax -Dim $l.dim }
                default { New-Layer $l.type }
            }
        }
        New-Layer Sequential $layers
    }

    function New-RunOptimizer($Run, $Model) {
        $o = $Run.optimizer.options
        $options = @{ LR = $o.lr }
        if ($o.ContainsKey('momentum')) { $options.Momentum = $o.momentum }
        if ($o.ContainsKey('nesterov')) { $options.Nesterov = [switch]$o.nesterov }
        New-Optimizer $Run.optimizer.type -Parameters $Model.Parameters() @options
    }

    function New-RunScheduler($Run, $Optimizer) {
        $s = $Run.scheduler
        if (-not $s) { return $null }
        $o = $s.options
        switch ($s.type) {
            'StepLR' { New-LRScheduler StepLR $Optimizer -StepSize $o.step_size -Gamma $o.gamma }
            'OneCycleLR' { New-LRScheduler OneCycleLR $Optimizer -MaxLR $o.max_lr -TotalSteps $o.total_steps }
            'ReduceLROnPlateau' { New-LRScheduler ReduceLROnPlateau $Optimizer -Factor $o.factor -Patience $o.patience }
            'CosineAnnealingLR' { New-LRScheduler CosineAnnealingLR $Optimizer -TMax $o.T_max }
        }
    }

    # The run's model, optimizer and scheduler (or $null), made after its seed in PyTorch's order.
    function Initialize-Run($Run) {
        Set-RandomSeed $Run.seed
        $model = New-RunModel $Run
        $optimizer = New-RunOptimizer $Run $model
        $model, $optimizer, (New-RunScheduler $Run $optimizer)
    }

    # Class indices stay Int64; everything else is float64, as in the PyTorch script.
    function ConvertTo-RunTensor($Run, $Values) {
        if ($Run.loss -in 'CrossEntropy', 'NllLoss' -and $Values[0] -isnot [System.Collections.IList]) { return New-Tensor $Values }
        New-Tensor $Values -DType Float64
    }

    function Assert-Close([double] $Expected, $Actual, [string] $What) {
        $Actual | Should -Not -BeNullOrEmpty -Because $What
        [math]::Abs($Expected - [double]$Actual) | Should -BeLessOrEqual (1e-12 * [math]::Max(1, [math]::Abs($Expected))) -Because "$What (PyTorch $Expected)"
    }

    # The per-epoch values and the final parameters and buffers of a run against PyTorch's.
    function Assert-Run($Run, $History, $Model) {
        @($History).Count | Should -Be $Run.history.Count
        for ($i = 0; $i -lt $Run.history.Count; $i++) {
            $e = $Run.history[$i]
            $h = @($History)[$i]
            $h.Epoch | Should -Be $e.Epoch
            foreach ($name in 'Loss', 'Accuracy', 'ValidationLoss', 'ValidationAccuracy', 'LR') {
                if ($e.ContainsKey($name)) { Assert-Close $e[$name] $h.$name "epoch $($e.Epoch) $name" }
                else { $h.PSObject.Properties.Name | Should -Not -Contain $name }
            }
        }
        $state = $Model.StateDict()
        foreach ($key in $Run.state.Keys) {
            $actual = $state[$key].ToDoubleArray()
            $expected = $Run.state[$key]
            for ($k = 0; $k -lt $expected.Count; $k++) { Assert-Close $expected[$k] $actual[$k] "$key[$k]" }
        }
    }

    # A PowerShell instance of its own (a host's view: its Progress stream, Stop() as Ctrl+C) with the module, data $x, $y
    # of $Samples points, a Linear model $m and its optimizer $opt, and $Script added after them.
    function New-TrainingShell([int] $Samples, [string] $Script) {
        $ps = [powershell]::Create([runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault()))
        $ps.Runspace.Open()
        $null = $ps.AddScript(@"
            Import-Module '$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1'
            `$x = New-Tensor -RandN -Shape $Samples, 2 -Seed 1
            `$y = New-Tensor -Zeros -Shape $Samples -DType Int64
            `$m = New-Layer Linear -InFeatures 2 -OutFeatures 2
            `$opt = New-Optimizer SGD -Parameters `$m.Parameters() -LR 0.1
            $Script
"@)
        $ps
    }

    # Two classes of points on either side of a line, for the behaviour tests.
    $script:X = New-Tensor -RandN -Shape 40, 2 -Seed 7 -DType Float64
    $script:Y = $X | Measure-Sum -Dim 1 | Invoke-Op Gt 0 | Invoke-Op To -DType Int64
    function New-Classifier {
        Set-RandomSeed 1
        New-Layer Linear -InFeatures 2 -OutFeatures 2 -DType Float64
    }
}

Describe 'Invoke-Training matches a PyTorch training loop' {
    It '<Name>' -ForEach $Runs {
        $model, $optimizer, $scheduler = Initialize-Run $Run
        $options = @{ Epochs = $Run.epochs; BatchSize = $Run.batch_size; Shuffle = [switch]$Run.shuffle; DropLast = [switch]$Run.drop_last }
        if ($scheduler) { $options.Scheduler = $scheduler; $options.SchedulerInterval = $Run.scheduler.interval }
        if ($Run.data.ContainsKey('xv')) {
            $options.ValidationInput = ConvertTo-RunTensor $Run $Run.data.xv
            $options.ValidationTarget = ConvertTo-RunTensor $Run $Run.data.yv
        }
        $history = Invoke-Training (ConvertTo-RunTensor $Run $Run.data.x) (ConvertTo-RunTensor $Run $Run.data.y) -Model $model `
            -Loss $Run.loss -Optimizer $optimizer @options
        Assert-Run $Run $history $model
        $model.Training | Should -BeTrue -Because 'the model is left in the mode it had'
    }
}

Describe 'a foreach loop of the same cmdlets matches the PyTorch loop too' {
    It '<Name>' -ForEach $Runs {
        $model, $optimizer, $scheduler = Initialize-Run $Run
        $x = ConvertTo-RunTensor $Run $Run.data.x
        $y = ConvertTo-RunTensor $Run $Run.data.y
        $classes = $Run.loss -in 'CrossEntropy', 'NllLoss'
        $history = foreach ($epoch in 1..$Run.epochs) {
            $model.Train()
            $sum = 0.0; $seen = 0; $right = 0
            foreach ($batch in Get-Batch $x $y -BatchSize $Run.batch_size -Shuffle:$Run.shuffle -DropLast:$Run.drop_last) {
                Clear-Grad -Optimizer $optimizer
                $out = $batch.Input | Invoke-Layer $model
                $loss = $out | Invoke-Op $Run.loss -Target $batch.Target
                $loss | Invoke-Backward
                Update-Parameter -Optimizer $optimizer
                $lr = $optimizer.ParamGroups[0].LR
                if ($scheduler -and $Run.scheduler.interval -eq 'Batch') { Update-LRScheduler $scheduler }
                $sum += $loss.Item() * $batch.Size
                $seen += $batch.Size
                $right += if ($classes) { ($out | Invoke-Op ArgMax -Dim 1 | Invoke-Op Eq $batch.Target | Measure-Sum).Item() }
                elseif ($Run.loss -eq 'BinaryCrossEntropyWithLogits') { ($out | Invoke-Op Gt 0 | Invoke-Op Eq ($batch.Target | Invoke-Op Gt 0.5) | Measure-Sum).Item() }
            }
            $row = [ordered]@{ Epoch = $epoch; Loss = $sum / $seen }
            if ($Run.loss -ne 'MseLoss') { $row.Accuracy = $right / $seen }
            if ($Run.data.ContainsKey('xv')) {
                # Validation in order, as views (Split-Tensor: torch.split), in eval mode, without a graph.
                $model.Eval()
                $xv = @(ConvertTo-RunTensor $Run $Run.data.xv | Split-Tensor -SplitSize $Run.batch_size)
                $yv = @(ConvertTo-RunTensor $Run $Run.data.yv | Split-Tensor -SplitSize $Run.batch_size)
                $vsum = 0.0; $vseen = 0; $vright = 0
                Use-NoGrad {
                    for ($k = 0; $k -lt $xv.Count; $k++) {
                        $out = $xv[$k] | Invoke-Layer $model
                        $vsum += ($out | Invoke-Op $Run.loss -Target $yv[$k]).Item() * $yv[$k].Shape[0]
                        $vseen += $yv[$k].Shape[0]
                        $vright += ($out | Invoke-Op ArgMax -Dim 1 | Invoke-Op Eq $yv[$k] | Measure-Sum).Item()
                    }
                }
                $row.ValidationLoss = $vsum / $vseen
                $row.ValidationAccuracy = $vright / $vseen
            }
            $row.LR = $lr
            if ($scheduler -and $Run.scheduler.interval -eq 'Epoch') {
                if ($Run.scheduler.type -eq 'ReduceLROnPlateau') { Update-LRScheduler $scheduler -Metric ($row.ValidationLoss ?? $row.Loss) }
                else { Update-LRScheduler $scheduler }
            }
            [pscustomobject]$row
        }
        $model.Train()
        Assert-Run $Run $history $model
    }
}

Describe 'Get-Batch' {
    It 'gives DataLoader''s batches and leaves the global generator where DataLoader does: <Name>' -ForEach $Loaders {
        Set-RandomSeed $Loader.seed
        $data = New-Tensor (0..($Loader.samples - 1))
        foreach ($expected in $Loader.batches) {
            $batches = @(Get-Batch $data $data -BatchSize $Loader.batch_size -Shuffle:$Loader.shuffle -DropLast:$Loader.drop_last)
            $batches.Count | Should -Be $expected.Count
            for ($b = 0; $b -lt $batches.Count; $b++) {
                $batches[$b].Indices | Should -Be $expected[$b]
                $batches[$b].Input.ToDoubleArray() | Should -Be $expected[$b]
                $batches[$b].Target.ToDoubleArray() | Should -Be $expected[$b]
            }
        }
        (New-Tensor -Rand -Shape 2 -DType Float64).ToDoubleArray() | Should -Be $Loader.rand_after
    }

    It 'takes the input from the pipeline, prints a batch as one line and works without a target' {
        $batches = @(New-Tensor -Zeros -Shape 5, 3 | Get-Batch -BatchSize 2)
        $batches.Size | Should -Be 2, 2, 1
        $batches[0].Target | Should -BeNullOrEmpty
        ($batches[2] | Out-String).Trim() | Should -BeExactly 'Batch(size=1, input=torch.Size([1, 3]))'
        (Get-Batch $X $Y -BatchSize 16 | Select-Object -First 1 | Out-String).Trim() |
            Should -BeExactly 'Batch(size=16, input=torch.Size([16, 2]), target=torch.Size([16]))'
    }

    It 'reports a bad input among several piped ones and goes on with the next' {
        $out = @((New-Tensor -Zeros -Shape 40, 1), (New-Tensor -Zeros -Shape 3, 1), (New-Tensor -Ones -Shape 40, 1) |
                Get-Batch -Target $Y -BatchSize 20 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 4
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetBatchSizeMismatch*'
        $errs[0].Exception.Message | Should -BeExactly 'Size mismatch between tensors: the input has 3 samples (dim 0) and the target 40'
    }
}

Describe 'Invoke-Training' {
    It 'writes one object per epoch: Epoch, Loss, Accuracy, LR for a classification loss' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $history = @(Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 3 -BatchSize 8)
        $history.Count | Should -Be 3
        $history.Epoch | Should -Be 1, 2, 3
        $history[0].PSObject.Properties.Name | Should -Be 'Epoch', 'Loss', 'Accuracy', 'LR'
        $history[0].PSObject.TypeNames[0..1] | Should -Be 'AutoGrad.TrainingEpoch#Accuracy', 'AutoGrad.TrainingEpoch'
        $history[-1].Loss | Should -BeLessThan $history[0].Loss
        $history[-1].Accuracy | Should -BeGreaterThan 0.8
    }

    It 'has no Accuracy for a regression loss, and validation columns with validation data' {
        Set-RandomSeed 2
        $model = New-Layer Linear -InFeatures 2 -OutFeatures 1 -DType Float64
        $target = ($X | Measure-Sum -Dim 1 -KeepDim) * 0.5
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $epoch = Invoke-Training $X $target -Model $model -Loss MseLoss -Optimizer $opt -ValidationInput $X -ValidationTarget $target
        $epoch.PSObject.Properties.Name | Should -Be 'Epoch', 'Loss', 'ValidationLoss', 'LR'
        $epoch.PSObject.TypeNames[0] | Should -Be 'AutoGrad.TrainingEpoch#Validation'
        $epoch.ValidationLoss | Should -BeLessThan $epoch.Loss -Because 'validation comes after the epoch''s step'
    }

    It 'trains on all samples in one batch by default, as a full-batch loop does' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $history = Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 4
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $losses = foreach ($i in 1..4) {
            $loss = $X | Invoke-Layer $model | Invoke-Op CrossEntropy -Target $Y
            Clear-Grad -Optimizer $opt; $loss | Invoke-Backward; Update-Parameter $opt
            $loss.Item()
        }
        $history.Loss | Should -Be $losses
    }

    It 'takes a script block as the model ($_ and a parameter are the batch input) and as the loss' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $expected = (Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 3 -BatchSize 8 -Shuffle).Loss

        $model = New-Classifier
        $w = $model.Weight.Detach().Clone(); $w.RequiresGrad = $true
        $b = $model.Bias.Detach().Clone(); $b.RequiresGrad = $true
        $opt = New-Optimizer SGD -Parameters $w, $b -LR 0.5
        $byHand = (Invoke-Training $X $Y -Model { param($inputs) ($inputs | Invoke-Op MatMul ($w | Invoke-Op T)) + $b } `
                -Loss { param($prediction, $target) $prediction | Invoke-Op CrossEntropy -Target $target } -Optimizer $opt -Epochs 3 -BatchSize 8 -Shuffle).Loss

        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $dollarUnder = (Invoke-Training $X $Y -Model { $_ | Invoke-Layer $model } -Loss CrossEntropy -Optimizer $opt -Epochs 3 -BatchSize 8 -Shuffle).Loss

        for ($i = 0; $i -lt 3; $i++) {
            [math]::Abs($byHand[$i] - $expected[$i]) | Should -BeLessOrEqual 1e-14
            $dollarUnder[$i] | Should -Be $expected[$i]
        }
    }

    It 'takes the input from the pipeline' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $a = ($X | Invoke-Training -Target $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 2).Loss
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        (Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 2).Loss | Should -Be $a
    }

    It 'trains in training mode and leaves every layer in the mode it had' {
        Set-RandomSeed 3
        $norm = New-Layer BatchNorm1d -NumFeatures 2 -DType Float64
        $model = New-Layer Sequential $norm, (New-Layer Linear -InFeatures 2 -OutFeatures 2 -DType Float64)
        $model.Eval()
        $model[1].Train()
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $null = Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 1
        $norm.RunningMean.ToDoubleArray() | Should -Not -Be @(0, 0) -Because 'BatchNorm updates its statistics in training mode only'
        $model.Training | Should -BeFalse
        $norm.Training | Should -BeFalse
        $model[1].Training | Should -BeTrue
    }

    It 'writes nothing for -Epochs 0' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        @(Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 0).Count | Should -Be 0
    }

    It 'steps OneCycleLR per batch by default, other schedulers per epoch, as -SchedulerInterval says otherwise' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $cycle = New-LRScheduler OneCycleLR $opt -MaxLR 1.0 -Epochs 2 -StepsPerEpoch 5
        $null = Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Scheduler $cycle -Epochs 2 -BatchSize 8
        $cycle.LastEpoch | Should -Be 10

        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $step = New-LRScheduler StepLR $opt -StepSize 1 -Gamma 0.5
        (Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Scheduler $step -Epochs 3 -BatchSize 8).LR | Should -Be 0.1, 0.05, 0.025
        $step.LastEpoch | Should -Be 3

        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $step = New-LRScheduler StepLR $opt -StepSize 1 -Gamma 0.5
        (Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Scheduler $step -SchedulerInterval Batch -Epochs 2 -BatchSize 20).LR | Should -Be 0.05, 0.0125
    }

    It 'gives ReduceLROnPlateau the epoch loss without validation data' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.0
        $plateau = New-LRScheduler ReduceLROnPlateau $opt -Patience 0
        $history = Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Scheduler $plateau -Epochs 2
        $plateau.Best | Should -Be $history[0].Loss -Because 'a learning rate of 0 keeps the loss where it was'
        $plateau.NumBadEpochs | Should -Be 0
    }

    It 'prints its epochs as a table with a decimal point, also in a de-DE session' {
        $ps = [powershell]::Create([runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault()))
        try {
            $ps.Runspace.Open()
            $null = $ps.AddScript(@'
                param($Manifest)
                Import-Module $Manifest
                [cultureinfo]::CurrentCulture = 'de-DE'
                $x = New-Tensor @(@(1.0, 2.0), @(-1.0, -2.0), @(2.0, 1.0), @(-2.0, -1.0)) -DType Float64
                $y = New-Tensor 1, 0, 1, 0
                $w = New-Tensor -Zeros -Shape 2, 2 -DType Float64 -RequiresGrad
                $opt = New-Optimizer SGD -Parameters $w -LR 0.00025
                Invoke-Training $x $y -Model { $_ | Invoke-Op MatMul $w } -Loss CrossEntropy -Optimizer $opt -Epochs 2 -ValidationInput $x -ValidationTarget $y | Out-String -Width 200
'@).AddArgument("$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1")
            $lines = @(($ps.Invoke() -join "`n") -split '\r?\n' | Where-Object { $_.Trim() })
            $lines[0] | Should -Match '^Epoch\s+Loss\s+Accuracy\s+ValidationLoss\s+ValidationAccuracy\s+LR$'
            $lines[2] | Should -Match '^\s+1 0\.6931\s+0\.5000\s+0\.6926\s+1\.0000 0\.00025$'
        } finally {
            $ps.Dispose()
        }
    }

    It 'goes to Export-Csv and Export-Plot as they are' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.5
        $history = Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 3
        $history | Export-Csv -Path TestDrive:/history.csv
        $rows = Import-Csv TestDrive:/history.csv
        $rows[0].PSObject.Properties.Name | Should -Be 'Epoch', 'Loss', 'Accuracy', 'LR'
        [double]$rows[2].Loss | Should -Be $history[2].Loss
        $history | Export-Plot -Path TestDrive:/history.svg -X Epoch -Y Loss -RightY Accuracy
        Get-Content TestDrive:/history.svg -Raw | Should -Match '<svg'
    }

    It 'warns with PyTorch''s text when MseLoss would broadcast a target of another shape' {
        Set-RandomSeed 2
        $model = New-Layer Linear -InFeatures 2 -OutFeatures 1 -DType Float64
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $null = Invoke-Training $X ($X | Measure-Sum -Dim 1) -Model $model -Loss MseLoss -Optimizer $opt -Epochs 2 -BatchSize 10 `
            -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeExactly 'Using a target size (torch.Size([10])) that is different to the input size (torch.Size([10, 1])). This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.'
        # Once per run in every stream: the loss itself raises the warning at each step, and the run reports it once.
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $all = Invoke-Training $X ($X | Measure-Sum -Dim 1) -Model $model -Loss { param($p, $t) $p.MseLoss($t) } -Optimizer $opt -Epochs 2 -BatchSize 10 3>&1
        @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count | Should -Be 1
    }

    It 'warns once when no gradient reaches the optimizer''s parameters' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters (New-Tensor 1.0 -RequiresGrad) -LR 0.5
        $null = Invoke-Training $X $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 2 -BatchSize 8 -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -BeExactly 'None of the optimizer''s parameters received a gradient: the model does not use them, so training cannot change it.'
    }

    It 'warns once when the loss is not finite' {
        $model = New-Classifier
        $opt = New-Optimizer SGD -Parameters $model.Parameters() -LR 0.1
        $null = Invoke-Training ($X * [double]::NaN) $Y -Model $model -Loss CrossEntropy -Optimizer $opt -Epochs 3 -WarningVariable warnings -WarningAction SilentlyContinue
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -Match '^The loss is (nan|inf) in epoch \d: the learning rate may be too high'
    }
}

Describe 'Invoke-Training progress' {
    BeforeAll {
        # Progress records as a host would receive them: the Progress stream of a PowerShell instance.
        function Get-TrainingProgress([string] $Preference, [string] $Extra = '', [int] $Epochs = 1) {
            $ps = New-TrainingShell 2000 @"
                `$ProgressPreference = '$Preference'
                `$watch = [Diagnostics.Stopwatch]::StartNew()
                `$null = Invoke-Training `$x `$y -Model `$m -Loss CrossEntropy -Optimizer `$opt -Epochs $Epochs -BatchSize 1 $Extra
                `$watch.Elapsed.TotalSeconds
"@
            try {
                $seconds = $ps.Invoke()[0]
                [pscustomobject]@{ Records = @($ps.Streams.Progress); Seconds = $seconds }
            } finally {
                $ps.Dispose()
            }
        }
    }

    It 'shows epoch, batch and loss at most four times a second, then completes' {
        $p = Get-TrainingProgress Continue -Epochs 2
        $p.Records.Count | Should -BeGreaterOrEqual 2
        $p.Records.Count | Should -BeLessOrEqual (2 + [math]::Ceiling($p.Seconds * 4))
        $p.Records[0].Activity | Should -Be 'Invoke-Training'
        $p.Records[0].StatusDescription | Should -Match '^Epoch 1 of 2, batch 1 of 2000, loss \d+\.\d{4}$'
        $p.Records[-1].RecordType | Should -Be 'Completed'
    }

    It 'writes no progress when $ProgressPreference is SilentlyContinue, or with -ProgressAction SilentlyContinue' {
        (Get-TrainingProgress SilentlyContinue).Records.Count | Should -Be 0
        (Get-TrainingProgress Continue '-ProgressAction SilentlyContinue').Records.Count | Should -Be 0
    }
}

Describe 'Invoke-Training stops' {
    It 'stops between batches when the pipeline is stopped (Ctrl+C), keeping the epochs written' {
        $ps = New-TrainingShell 100 @"
            `$ProgressPreference = 'SilentlyContinue'
            Invoke-Training `$x `$y -Model `$m -Loss CrossEntropy -Optimizer `$opt -Epochs 1000000 -BatchSize 1
"@
        try {
            $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $async = $ps.BeginInvoke([System.Management.Automation.PSDataCollection[psobject]]::new(), $output)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            while ($output.Count -lt 2 -and $watch.Elapsed.TotalSeconds -lt 60) { Start-Sleep -Milliseconds 20 }
            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $output.Count | Should -BeGreaterOrEqual 2
            $output[0].Epoch | Should -Be 1
        } finally {
            $ps.Dispose()
        }
    }
}

Describe 'Invoke-Training errors' {
    BeforeAll {
        $script:Model = New-Classifier
        $script:Opt = New-Optimizer SGD -Parameters $Model.Parameters() -LR 0.1
    }

    It 'lists the valid losses for an unknown one' {
        { Invoke-Training $X $Y -Model $Model -Loss Hinge -Optimizer $Opt } |
            Should -Throw -ErrorId 'InvokeTrainingUnknownLoss*' -ExpectedMessage "Unknown loss 'Hinge'. Valid losses: BinaryCrossEntropyWithLogits, CrossEntropy, L1Loss, MseLoss, NllLoss; or a script block that returns the loss: { param(`$Prediction, `$Target) ... }."
        { Invoke-Training $X $Y -Model $Model -Loss 5 -Optimizer $Opt } | Should -Throw -ErrorId 'InvokeTrainingInvalidLoss*'
    }

    It 'completes -Loss with the loss names' {
        $line = 'Invoke-Training -Loss '
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be 'BinaryCrossEntropyWithLogits', 'CrossEntropy', 'L1Loss', 'MseLoss', 'NllLoss'
    }

    It 'refuses inputs and targets with different numbers of samples, as TensorDataset does' {
        { Invoke-Training $X ($Y | Invoke-Op Narrow -Dim 0 -Start 0 -Length 30) -Model $Model -Loss CrossEntropy -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingSizeMismatch*' -ExpectedMessage 'Size mismatch between tensors: -InputObject has 40 samples (dim 0 of torch.Size(`[40, 2`])) and -Target has 30 (dim 0 of torch.Size(`[30`])).'
        { Invoke-Training $X $Y -Model $Model -Loss CrossEntropy -Optimizer $Opt -ValidationInput $X -ValidationTarget (New-Tensor 1, 0) } |
            Should -Throw -ErrorId 'InvokeTrainingSizeMismatch*' -ExpectedMessage 'Size mismatch between tensors: -ValidationInput has 40 samples*'
        { Invoke-Training $X $Y -Model $Model -Loss CrossEntropy -Optimizer $Opt -ValidationInput $X } |
            Should -Throw -ErrorId 'InvokeTrainingMissingValidationData*'
    }

    It 'needs a target for a named loss' {
        { Invoke-Training $X -Model $Model -Loss CrossEntropy -Optimizer $Opt } |
            Should -Throw -ErrorId 'InvokeTrainingMissingTarget*' -ExpectedMessage '-Target is required: CrossEntropy compares the prediction with a target.'
    }

    It 'says what a model or loss script block returned instead of one tensor' {
        { Invoke-Training $X $Y -Model { param($x) } -Loss CrossEntropy -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingModelOutput*' -ExpectedMessage 'The -Model script block must return one tensor, the prediction, but it returned nothing. Assign what it should not return to $null.'
        { Invoke-Training $X $Y -Model { $_ | Invoke-Layer $Model; 1 } -Loss CrossEntropy -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingModelOutput*' -ExpectedMessage '*returned 2 objects (Tensor, Int32)*'
        { Invoke-Training $X $Y -Model $Model -Loss { 0.5 } -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingLossOutput*' -ExpectedMessage 'The -Loss script block must return one tensor, the loss (a scalar), but it returned one Double.*'
        { Invoke-Training $X $Y -Model 'Linear' -Loss CrossEntropy -Optimizer $Opt } |
            Should -Throw -ErrorId 'InvokeTrainingInvalidModel*' -ExpectedMessage '-Model must be a layer (New-Layer) or a script block that returns the prediction, but got String.'
    }

    It 'fails with PyTorch''s message for a loss that is not a scalar' {
        { Invoke-Training $X $Y -Model $Model -Loss { param($p, $t) $p } -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingNonScalar*' -ExpectedMessage 'grad can be implicitly created only for scalar outputs'
    }

    It 'passes on the error of a layer with the wrong input size, with PyTorch''s message' {
        $wide = New-Layer Linear -InFeatures 3 -OutFeatures 2 -DType Float64
        { Invoke-Training $X $Y -Model $wide -Loss CrossEntropy -Optimizer $Opt -BatchSize 8 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingMatMulShapeMismatch*' -ExpectedMessage 'mat1 and mat2 shapes cannot be multiplied (8x2 and 3x2)'
    }

    It 'keeps the id of an error inside a script block' {
        { Invoke-Training $X $Y -Model { $_ | Invoke-Op MatMul (New-Tensor -Zeros -Shape 5, 5) } -Loss CrossEntropy -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeOpMatMulShapeMismatch*'
        { Invoke-Training $X $Y -Model { throw 'my model broke' } -Loss CrossEntropy -Optimizer $Opt -ErrorAction Stop } | Should -Throw 'my model broke'
    }

    It 'checks a OneCycleLR''s remaining steps before training' {
        $before = $Model.Weight.ToDoubleArray()
        $opt = New-Optimizer SGD -Parameters $Model.Parameters() -LR 0.1
        $cycle = New-LRScheduler OneCycleLR $opt -MaxLR 1.0 -TotalSteps 10
        { Invoke-Training $X $Y -Model $Model -Loss CrossEntropy -Optimizer $opt -Scheduler $cycle -Epochs 3 -BatchSize 8 -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingSchedulerTooShort*' -ExpectedMessage 'OneCycleLR has 10 steps left, but 3 epochs of 5 batches step it 15 times (once per batch): create it with total_steps=15 (or epochs=3 and steps_per_epoch=5)'
        $Model.Weight.ToDoubleArray() | Should -Be $before -Because 'nothing was trained'
    }

    It 'refuses a scheduler of another optimizer' {
        $other = New-Optimizer SGD -Parameters $Model.Parameters() -LR 0.1
        $step = New-LRScheduler StepLR $other -StepSize 1
        { Invoke-Training $X $Y -Model $Model -Loss CrossEntropy -Optimizer $Opt -Scheduler $step -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingSchedulerOptimizerMismatch*'
    }

    It 'refuses an epoch without batches and a 0-d input' {
        { Invoke-Training $X $Y -Model $Model -Loss CrossEntropy -Optimizer $Opt -BatchSize 50 -DropLast -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingNoBatches*' -ExpectedMessage 'an epoch has no batches: 40 samples in batches of 50 with the incomplete batch dropped'
        { Invoke-Training (New-Tensor 1.0) (New-Tensor 1) -Model $Model -Loss CrossEntropy -Optimizer $Opt -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvokeTrainingZeroDimData*'
    }

    It 'trains on one input: a second piped tensor is an error about that item, and the first is trained on' {
        $r = Invoke-WithErrors { $X, $X | Invoke-Training -Target $Y -Model $Model -Loss CrossEntropy -Optimizer $Opt }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Errors | Should -HaveCount 1
        $r.Errors[0].FullyQualifiedErrorId | Should -BeLike 'InvokeTrainingTooManyInputs*'
        $r.Output | Should -HaveCount 1
    }
}
