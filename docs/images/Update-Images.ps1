<#
.SYNOPSIS
    Draws the README's pictures with the module itself: docs/images/graph.svg (Export-TensorGraph) and
    docs/images/training.png (Export-Plot of a small training run). Run after ./build.ps1 Build:
        dotnet pwsh docs/images/Update-Images.ps1
#>
[CmdletBinding()]
param([string] $OutputFolder = $PSScriptRoot)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
Import-Module (Join-Path $PSScriptRoot '../../out/AutoGrad.PS/AutoGrad.PS.psd1') -Force

# A logistic-regression step on two features: the graph torchviz would draw for it, with the parameters named and
# the tensors backward saved.
$x = New-Tensor -RandN -Shape 8, 2 -Seed 1
$target = New-Tensor 0, 1, 0, 1, 1, 0, 1, 0
$w = New-Tensor -RandN -Shape 2, 2 -Seed 2 -RequiresGrad
$b = New-Tensor -Zeros -Shape 2 -RequiresGrad
$loss = ($x | Invoke-Op MatMul $w) + $b | Invoke-Op CrossEntropy -Target $target
$loss | Export-TensorGraph -Path (Join-Path $OutputFolder 'graph.svg') -Name @{ weight = $w; bias = $b } -ShowSaved

# Training: two clouds of points, one class each; one object per epoch, as a training loop emits them.
$n = 100
$a = (New-Tensor -RandN -Shape $n, 2 -Seed 3) + (New-Tensor -1.0, -1.0)
$c = (New-Tensor -RandN -Shape $n, 2 -Seed 4) + (New-Tensor 1.0, 1.0)
$inputs = $a, $c | Join-Tensor
$labels = New-Tensor (@(0) * $n + @(1) * $n)
$w = New-Tensor -Zeros -Shape 2, 2 -RequiresGrad
$b = New-Tensor -Zeros -Shape 2 -RequiresGrad
$history = foreach ($epoch in 1..60) {
    $logits = ($inputs | Invoke-Op MatMul $w) + $b
    $loss = $logits | Invoke-Op CrossEntropy -Target $labels
    $loss | Invoke-Backward
    Use-NoGrad { $null = $w.Sub_($w.Grad * 0.1); $null = $b.Sub_($b.Grad * 0.1) }
    $w, $b | Clear-Grad
    $predicted = $logits | Invoke-Op ArgMax -Dim 1
    $accuracy = ($predicted | Invoke-Op Eq $labels | Invoke-Op To -DType Float64 | Measure-Mean).Item()
    [pscustomobject]@{ Epoch = $epoch; Loss = $loss.Item(); Accuracy = $accuracy }
}
$history | Export-Plot -Path (Join-Path $OutputFolder 'training.png') -X Epoch -Y Loss -RightY Accuracy `
    -Title 'Logistic regression on two clouds of points' -Width 800 -Height 420
Get-ChildItem (Join-Path $OutputFolder 'graph.svg'), (Join-Path $OutputFolder 'training.png')
