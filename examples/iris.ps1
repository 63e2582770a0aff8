<#
.SYNOPSIS
    Fits a small neural network to Fisher's Iris flowers, twice: with Invoke-Training, then with a plain foreach loop.

.DESCRIPTION
    Reads examples/data/iris.csv (150 flowers, four measurements in cm, three species), standardizes the measurements,
    holds out every fifth flower for validation (10 of each species), and trains Linear(4, 16) - ReLU - Linear(16, 3)
    with cross-entropy and Adam in mini-batches of 16, shuffled every epoch. Both loops start from the same seed, so
    they start from the same weights, take the same batches and print the same losses. Each reaches over 95%
    accuracy on the training flowers (tests/TrainingExamples.Tests.ps1 checks it).

    The data: R. A. Fisher, "The use of multiple measurements in taxonomic problems", Annals of Eugenics 7 (2),
    179-188 (1936); public domain. The file is scikit-learn's copy (sklearn/datasets/data/iris.csv in Debian's
    python3-sklearn 1.2.1, which matches Fisher's paper and R's iris), with a header row and species names; see
    examples/data/README.md.

    Run it after a build:  dotnet pwsh examples/iris.ps1 [-PlotPath iris.png]

.PARAMETER Epochs
    Passes over the training flowers.

.PARAMETER PlotPath
    Also draws the loss and accuracy per epoch (Export-Plot) to this PNG or SVG file.

.OUTPUTS
    One summary per loop: Loop, Epochs, Loss, TrainingAccuracy, ValidationAccuracy.
#>
[CmdletBinding()]
param(
    [int] $Epochs = 30,
    [string] $PlotPath
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
if (-not (Get-Module AutoGrad.PS)) { Import-Module (Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1') }

# ---- data: CSV rows -> tensors --------------------------------------------------------------------------------
$rows = Import-Csv (Join-Path $PSScriptRoot 'data/iris.csv')
$x = $rows | ConvertTo-Tensor -Property sepal_length, sepal_width, petal_length, petal_width
$y = $rows | ConvertTo-Tensor -Property species -AsCategory       # class indices (Int64): setosa 0, versicolor 1, ...

# Every fifth flower for validation; the rest for training. Standardize with the training flowers' mean and std.
$validationRows = @(0..149 | Where-Object { $_ % 5 -eq 0 })
$trainingRows = @(0..149 | Where-Object { $_ % 5 -ne 0 })
$trainX = $x | Invoke-Op IndexSelect -Dim 0 -Index $trainingRows
$trainY = $y | Invoke-Op IndexSelect -Dim 0 -Index $trainingRows
$validX = $x | Invoke-Op IndexSelect -Dim 0 -Index $validationRows
$validY = $y | Invoke-Op IndexSelect -Dim 0 -Index $validationRows
$mean = $trainX | Measure-Mean -Dim 0
$std = $trainX | Invoke-Op Std -Dim 0
$trainX = ($trainX - $mean) / $std
$validX = ($validX - $mean) / $std

function New-Classifier {
    New-Layer Sequential (New-Layer Linear -InFeatures 4 -OutFeatures 16), (New-Layer ReLU),
        (New-Layer Linear -InFeatures 16 -OutFeatures 3)
}

# The fraction of flowers whose highest score is their species, in eval mode and without recording a graph.
function Measure-Accuracy($Model, $Inputs, $Targets) {
    $Model.Eval()
    $right = Use-NoGrad { $Inputs | Invoke-Layer $Model | Invoke-Op ArgMax -Dim 1 | Invoke-Op Eq $Targets | Measure-Sum }
    $Model.Train()
    $right.Item() / $Targets.NumElements
}

# What a loop reached: its last epoch's loss, and the accuracy of the trained model on both sets of flowers.
function Get-Summary([string] $Loop, $History, $Model) {
    [pscustomobject]@{
        Loop               = $Loop
        Epochs             = @($History).Count
        Loss               = $History[-1].Loss
        TrainingAccuracy   = Measure-Accuracy $Model $trainX $trainY
        ValidationAccuracy = Measure-Accuracy $Model $validX $validY
    }
}

# ---- 1. Invoke-Training ------------------------------------------------------------------------------------------
Set-RandomSeed 0
$model = New-Classifier
$optimizer = New-Optimizer Adam -Parameters $model.Parameters() -LR 0.01
$history = Invoke-Training $trainX $trainY -Model $model -Loss CrossEntropy -Optimizer $optimizer -Epochs $Epochs `
    -BatchSize 16 -Shuffle -ValidationInput $validX -ValidationTarget $validY
$history | Select-Object -Last 3 | Out-Host
Get-Summary 'Invoke-Training' $history $model
if ($PlotPath) {
    $history | Export-Plot -Path $PlotPath -X Epoch -Y Loss, ValidationLoss -RightY Accuracy, ValidationAccuracy `
        -Title 'Iris: Linear(4, 16) - ReLU - Linear(16, 3), Adam, batches of 16'
}

# ---- 2. The same with a foreach loop: the statements of a PyTorch training loop ----------------------------------
Set-RandomSeed 0
$model = New-Classifier
$optimizer = New-Optimizer Adam -Parameters $model.Parameters() -LR 0.01
$loop = foreach ($epoch in 1..$Epochs) {
    $model.Train()
    $sum = 0.0
    $right = 0
    foreach ($batch in Get-Batch $trainX $trainY -BatchSize 16 -Shuffle) {   # for xb, yb in loader:
        Clear-Grad -Optimizer $optimizer                                      #   optimizer.zero_grad()
        $logits = $batch.Input | Invoke-Layer $model                          #   logits = model(xb)
        $loss = $logits | Invoke-Op CrossEntropy -Target $batch.Target        #   loss = F.cross_entropy(logits, yb)
        $loss | Invoke-Backward                                               #   loss.backward()
        Update-Parameter -Optimizer $optimizer                                #   optimizer.step()
        $sum += $loss.Item() * $batch.Size
        $right += ($logits | Invoke-Op ArgMax -Dim 1 | Invoke-Op Eq $batch.Target | Measure-Sum).Item()
    }
    [pscustomobject]@{ Epoch = $epoch; Loss = $sum / $trainY.NumElements; Accuracy = $right / $trainY.NumElements }
}
$loop | Select-Object -Last 3 | Out-Host
Get-Summary 'foreach' $loop $model
