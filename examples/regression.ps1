<#
.SYNOPSIS
    Regression: fits a noisy sine curve with a small network (Invoke-Training, OneCycleLR stepped per batch), then
    with a hand-written model a * sin(b * x + c) given to Invoke-Training as a script block.

.DESCRIPTION
    The data are 256 points x uniform in [-3, 3) with y = sin(x) plus normal noise of standard deviation 0.1, drawn
    after Set-RandomSeed 0, so the noise alone gives a mean squared error of about 0.01. Both models get below 0.015
    on the training points (tests/TrainingExamples.Tests.ps1 checks it).

    1. Linear(1, 32) - Tanh - Linear(32, 1), MseLoss, Adam with a one-cycle learning-rate schedule: OneCycleLR is
       built for per-batch steps, and Invoke-Training steps it after every batch (-SchedulerInterval Batch is its
       default for OneCycleLR), so the schedule's length is epochs x batches per epoch.
    2. Three tensors a, b, c that require grad and a script block that computes the prediction from them: any
       PowerShell that returns a tensor is a model; the optimizer updates the tensors.

    The targets have shape [256, 1], as the predictions do: a target of shape [256] would broadcast against them
    (Invoke-Training warns, with PyTorch's warning).

    Run it after a build:  dotnet pwsh examples/regression.ps1 [-PlotPath fit.png]

.PARAMETER PlotPath
    Also draws the curve, the network's fit and the hand-written model's fit (Export-Plot) to this PNG or SVG file.

.OUTPUTS
    One summary per model: Model, Epochs, Loss (the last epoch's mean squared error).
#>
[CmdletBinding()]
param([string] $PlotPath)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
if (-not (Get-Module AutoGrad.PS)) { Import-Module (Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1') }

Set-RandomSeed 0
$x = (New-Tensor -Rand -Shape 256, 1) * 6 - 3
$y = ($x | Invoke-Op Sin) + (New-Tensor -RandN -Shape 256, 1) * 0.1

# ---- 1. A network, with a learning rate that rises and falls once over the run -----------------------------------
$epochs = 100
$batchSize = 32
$network = New-Layer Sequential (New-Layer Linear -InFeatures 1 -OutFeatures 32), (New-Layer Tanh),
    (New-Layer Linear -InFeatures 32 -OutFeatures 1)
$optimizer = New-Optimizer Adam -Parameters $network.Parameters() -LR 0.01
$schedule = New-LRScheduler OneCycleLR -Optimizer $optimizer -MaxLR 0.05 -Epochs $epochs -StepsPerEpoch ($x.Shape[0] / $batchSize)
$history = Invoke-Training $x $y -Model $network -Loss MseLoss -Optimizer $optimizer -Scheduler $schedule `
    -Epochs $epochs -BatchSize $batchSize -Shuffle
$history | Select-Object -Last 3 | Out-Host
[pscustomobject]@{ Model = 'Linear-Tanh-Linear'; Epochs = $epochs; Loss = $history[-1].Loss }

# ---- 2. A hand-written model: a * sin(b * x + c), its parameters plain tensors -----------------------------------
$a = New-Tensor 0.5 -RequiresGrad
$b = New-Tensor 0.8 -RequiresGrad
$c = New-Tensor 0.1 -RequiresGrad
$optimizer = New-Optimizer Adam -Parameters $a, $b, $c -LR 0.05
$curve = { param($inputs) ($inputs * $b + $c | Invoke-Op Sin) * $a }
$fit = Invoke-Training $x $y -Model $curve -Loss MseLoss -Optimizer $optimizer -Epochs 60 -BatchSize $batchSize -Shuffle
$fit | Select-Object -Last 3 | Out-Host
[pscustomobject]@{ Model = 'a * sin(b * x + c)'; Epochs = 60; Loss = $fit[-1].Loss }
"a = {0:0.000}, b = {1:0.000}, c = {2:0.000}" -f $a.Item(), $b.Item(), $c.Item() | Out-Host

if ($PlotPath) {
    $grid = New-Tensor @(-30..30 | ForEach-Object { , @($_ / 10) })
    $network.Eval()
    $curveFit = Use-NoGrad { & $curve $grid }
    $networkFit = Use-NoGrad { $grid | Invoke-Layer $network }
    $columns = [ordered]@{
        X             = $grid
        'sin(x)'      = $grid | Invoke-Op Sin
        Network       = $networkFit
        'a sin(bx+c)' = $curveFit
    }
    foreach ($name in @($columns.Keys)) { $columns[$name] = ($columns[$name] | Invoke-Op Flatten).ToArray() }
    $points = for ($i = 0; $i -lt $grid.Shape[0]; $i++) {
        $point = [ordered]@{}
        foreach ($name in $columns.Keys) { $point[$name] = $columns[$name][$i] }
        [pscustomobject]$point
    }
    $points | Export-Plot -Path $PlotPath -X X -Y 'sin(x)', Network, 'a sin(bx+c)' -Title 'Fitting sin(x) from 256 noisy points'
}
