<#
.SYNOPSIS
    Draws the README's pictures with the module itself: docs/images/graph.svg (Export-TensorGraph) and
    docs/images/training.png (Export-Plot of examples/iris.ps1's Invoke-Training run). Run after ./build.ps1 Build:
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

# Training: examples/iris.ps1 trains with Invoke-Training (and validation data) and plots its per-epoch objects.
$null = & (Join-Path $PSScriptRoot '../../examples/iris.ps1') -PlotPath (Join-Path $OutputFolder 'training.png')
Get-ChildItem (Join-Path $OutputFolder 'graph.svg'), (Join-Path $OutputFolder 'training.png')
