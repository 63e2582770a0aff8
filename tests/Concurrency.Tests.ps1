#Requires -Version 7.4
# Issue 16, item 1, as a PowerShell user meets it: ForEach-Object -Parallel runspaces sharing tensors. Backward
# passes into one shared leaf lose nothing, the storage pool never mixes up two runspaces' tensors, Use-NoGrad in
# one runspace leaves the others recording, separate graphs in parallel give each its own right gradient, one
# optimizer stepped from several runspaces takes every step, separate models trained side by side train as they do
# alone. Every race runs many times ($env:AUTOGRAD_PROPERTY_SCALE multiplies the rounds, as for the engine's tests).

BeforeAll {
    $script:ModulePath = (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1").Path
    Import-Module $ModulePath -Force
    $script:Scale = if ($env:AUTOGRAD_PROPERTY_SCALE) { [double]::Parse($env:AUTOGRAD_PROPERTY_SCALE, [cultureinfo]::InvariantCulture) } else { 1 }
    function Get-Rounds([int] $n) { [math]::Max(1, [int][math]::Round($n * $Scale)) }
}

Describe 'Tensors shared between runspaces (ForEach-Object -Parallel)' {
    It 'backward passes from 8 runspaces into one leaf add up exactly (4096 elements, <Passes> passes each)' -ForEach @(
        @{ Passes = 250 }
    ) {
        $passes = Get-Rounds $Passes
        $w = New-Tensor -Ones -Shape 4096 -RequiresGrad
        1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:ModulePath
            $w = $using:w
            for ($i = 0; $i -lt $using:passes; $i++) { $w * 2 | Measure-Sum | Invoke-Backward }
        }
        $expected = 2.0 * 8 * $passes
        $grad = $w.Grad.ToArray()
        @($grad | Where-Object { $_ -ne $expected }).Count | Should -Be 0 -Because "every element of the gradient should be $expected"
    }

    It 'the storage pool never gives one runspace''s live tensor to another (8 runspaces, pooled sizes, Dispose)' {
        $rounds = Get-Rounds 100
        $wrong = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:ModulePath
            $sizes = 300, 4096, 70003
            for ($i = 0; $i -lt $using:rounds; $i++) {
                $tag = $_ * 100000 + $i
                $a = New-Tensor -Fill $tag -Shape $sizes[$i % 3] -DType Float64
                $b = $a | Invoke-Op Add 1
                $c = $b * 2
                # Min and max of each live tensor are still this runspace's own values.
                $av = [double[]] $a.ToArray(); $cv = [double[]] $c.ToArray()
                if ([Linq.Enumerable]::Min($av) -ne $tag -or [Linq.Enumerable]::Max($av) -ne $tag -or
                    [Linq.Enumerable]::Min($cv) -ne 2 * ($tag + 1) -or [Linq.Enumerable]::Max($cv) -ne 2 * ($tag + 1)) { "runspace $_ round $i" }
                $a.Dispose(); $b.Dispose(); $c.Dispose()
            }
        }
        $wrong | Should -BeNullOrEmpty
    }

    It 'Use-NoGrad in one runspace does not stop another from recording' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $results = 1..2 | ForEach-Object -ThrottleLimit 2 -Parallel {
            Import-Module $using:ModulePath
            $x = $using:x
            if ($_ -eq 1) {
                Use-NoGrad {
                    Start-Sleep -Milliseconds 300       # the other runspace computes meanwhile
                    [pscustomobject]@{ Runspace = 'no-grad'; HasGradFn = $null -ne ($x * 2).GradFn }
                }
            } else {
                Start-Sleep -Milliseconds 100
                [pscustomobject]@{ Runspace = 'recording'; HasGradFn = $null -ne ($x * 2).GradFn }
            }
        }
        ($results | Where-Object Runspace -eq 'no-grad').HasGradFn | Should -BeFalse
        ($results | Where-Object Runspace -eq 'recording').HasGradFn | Should -BeTrue
    }

    It 'one optimizer stepped from 8 runspaces (Update-Parameter) takes every step, as one runspace would' {
        $steps = Get-Rounds 40
        $reference = New-Tensor -Ones -Shape 2000 -RequiresGrad
        $reference.Grad = New-Tensor -Fill 0.5 -Shape 2000
        $alone = New-Optimizer Adam $reference -LR 0.01
        for ($i = 0; $i -lt 8 * $steps; $i++) { Update-Parameter $alone }
        $w = New-Tensor -Ones -Shape 2000 -RequiresGrad
        $w.Grad = New-Tensor -Fill 0.5 -Shape 2000
        $opt = New-Optimizer Adam $w -LR 0.01
        1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:ModulePath
            $opt = $using:opt
            for ($i = 0; $i -lt $using:steps; $i++) { Update-Parameter $opt }
        }
        $opt.StepCount | Should -Be (8 * $steps)
        Assert-TensorClose $w $reference -RTol 0 -ATol 0
    }

    It 'separate models trained in 8 runspaces at once (Invoke-Training) each end as they do trained alone' {
        # The models are made here, from seeds (the global generator is the process's, as torch's is); each is then
        # trained alone, and an identical one in a runspace of its own while the seven others train.
        function New-Run([int] $Seed) {
            Set-RandomSeed $Seed
            $model = New-Layer Sequential (New-Layer Linear -InFeatures 2 -OutFeatures 6), (New-Layer Tanh), (New-Layer Linear -InFeatures 6 -OutFeatures 2)
            [pscustomobject]@{
                Seed = $Seed; Model = $model
                X = New-Tensor -RandN -Shape 20, 2 -Seed $Seed
                Y = New-Tensor @(0..19 | ForEach-Object { ($_ + $Seed) % 2 })
            }
        }
        $train = {
            param($Run)
            $opt = New-Optimizer SGD $Run.Model.Parameters() -LR 0.1 -Momentum 0.9
            $null = Invoke-Training $Run.X $Run.Y -Model $Run.Model -Loss CrossEntropy -Optimizer $opt -Epochs 3 -BatchSize 5 -ProgressAction SilentlyContinue
            ($Run.Model.Parameters() | ForEach-Object { $_.ToDoubleArray() }) -join ','
        }
        $alone = 1..8 | ForEach-Object { & $train (New-Run $_) }
        $runs = 1..8 | ForEach-Object { New-Run $_ }
        $text = $train.ToString()
        $together = $runs | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:ModulePath
            [pscustomobject]@{ Seed = $_.Seed; Weights = & ([scriptblock]::Create($using:text)) $_ }
        } | Sort-Object Seed
        $together.Weights | Should -Be $alone
    }

    It 'separate graphs built and differentiated in 8 runspaces at once each get their own right gradient' {
        $rounds = Get-Rounds 40
        $wrong = 1..8 | ForEach-Object -ThrottleLimit 8 -Parallel {
            Import-Module $using:ModulePath
            for ($i = 0; $i -lt $using:rounds; $i++) {
                $v = 0.1 * $_ + 0.001 * $i
                $x = New-Tensor $v, (-$v) -DType Float64 -RequiresGrad
                # d/dx sum(x^3 + exp(x)) = 3x^2 + exp(x)
                ($x * $x * $x | Invoke-Op Add ($x | Invoke-Op Exp)) | Measure-Sum | Invoke-Backward
                $g = $x.Grad.ToArray()
                foreach ($k in 0, 1) {
                    $xv = @($v, -$v)[$k]
                    if ([math]::Abs($g[$k] - (3 * $xv * $xv + [math]::Exp($xv))) -gt 1e-12) { "runspace $_ round $i element $k" }
                }
            }
        }
        $wrong | Should -BeNullOrEmpty
    }
}
