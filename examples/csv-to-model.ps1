<#
.SYNOPSIS
    From a CSV file to a trained model and back: softmax regression on Fisher's Iris data (examples/data/iris.csv).

.DESCRIPTION
    Import-Csv rows become a feature tensor and a tensor of class indices (ConvertTo-Tensor, -AsCategory), a
    hand-written training loop fits weights with gradient descent (Invoke-Backward, Use-NoGrad, Clear-Grad), the
    weights go to a .safetensors file that Hugging Face and PyTorch users read (Export-Tensor), come back
    (Import-Tensor) and predict species names for every row, written out with Export-Csv.

.EXAMPLE
    dotnet pwsh ./examples/csv-to-model.ps1
#>
[CmdletBinding()]
param(
    # Where the model and the predictions go (default: a new folder under the temp directory).
    [string] $OutputFolder = (Join-Path ([IO.Path]::GetTempPath()) 'autograd-iris'),
    [int] $Steps = 300
)
$ErrorActionPreference = 'Stop'
if (-not (Get-Module AutoGrad.PS)) {
    $built = Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1'
    Import-Module ((Test-Path $built) ? $built : 'AutoGrad.PS')
}
$null = New-Item -ItemType Directory -Path $OutputFolder -Force
$inv = [cultureinfo]::InvariantCulture   # numbers print the same in every session culture

# Data: four numeric columns (read culture-invariantly from the CSV's text) and the species as class indices.
$rows = Import-Csv (Join-Path $PSScriptRoot 'data/iris.csv')
$x = $rows | ConvertTo-Tensor -Property sepal_length, sepal_width, petal_length, petal_width
$y = $rows | ConvertTo-Tensor -Property species -AsCategory
$species = $y.Categories.species
"{0} rows, features {1}, classes {2}" -f $x.Shape[0], ($x.Columns -join ', '), ($species -join ', ')

# Standardize each feature (mean 0, standard deviation 1), as one would before fitting.
$mean = $x | Measure-Mean -Dim 0 -KeepDim
$std = $x | Invoke-Op Std -Dim 0 -KeepDim
$features = ($x - $mean) / $std

# Softmax regression: logits = features @ W + b, cross-entropy loss, plain gradient descent.
$w = New-Tensor -Zeros 4, 3 -RequiresGrad
$b = New-Tensor -Zeros 3 -RequiresGrad
$lr = 0.5
foreach ($step in 1..$Steps) {
    $logits = ($features | Invoke-Op MatMul $w) + $b
    $loss = $logits | Invoke-Op CrossEntropy -Target $y
    $loss | Invoke-Backward
    Use-NoGrad {
        $null = $w.Sub_($w.Grad * $lr)
        $null = $b.Sub_($b.Grad * $lr)
    }
    $w, $b | Clear-Grad
    if ($step % 100 -eq 0) { [string]::Format($inv, 'step {0,4}: loss {1:F4}', $step, [double]$loss) }
}

# Keep the model: weights and the standardization, with the species names as safetensors metadata.
$model = [ordered]@{ weight = $w.Detach(); bias = $b.Detach(); mean = $mean; std = $std }
$modelPath = Join-Path $OutputFolder 'iris-model.safetensors'
$model | Export-Tensor -Path $modelPath -Metadata @{ species = $species -join ',' } -Force
"model written to $modelPath"

# Later, elsewhere: load it, predict every row, and write the predictions as CSV.
$loaded = Import-Tensor -Path $modelPath
$names = $loaded.Metadata['species'] -split ','
$scaled = ($x - $loaded['mean']) / $loaded['std']
$predicted = ($scaled | Invoke-Op MatMul $loaded['weight']) + $loaded['bias'] | Invoke-Op ArgMax -Dim 1
$accuracy = [double](($predicted | Invoke-Op Eq $y | Invoke-Op To -DType Float32) | Measure-Mean)
[string]::Format($inv, 'training accuracy: {0:P1}', $accuracy)

$csvPath = Join-Path $OutputFolder 'iris-predictions.csv'
$predicted | ConvertFrom-Tensor -Property predicted -Categories $names | Export-Csv -Path $csvPath
"predictions written to $csvPath"
