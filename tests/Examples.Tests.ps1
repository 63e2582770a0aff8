#Requires -Version 7.4
# examples/csv-to-model.ps1 runs from CSV to a saved model and predictions, in a child pwsh (as a user runs it).

BeforeAll {
    $script:root = Split-Path -Parent $PSScriptRoot
    $script:out = Join-Path ([IO.Path]::GetTempPath()) "autograd-example-$PID"
    Remove-Item $out -Recurse -Force -ErrorAction SilentlyContinue
    $exe = [Environment]::ProcessPath
    $pwsh = [IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet' ? @($exe, (Join-Path $PSHOME 'pwsh.dll')) : @($exe)
    $script:lines = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "[cultureinfo]::CurrentCulture = 'de-DE'; & '$root/examples/csv-to-model.ps1' -OutputFolder '$out'"
    $script:exitCode = $LASTEXITCODE
}

AfterAll {
    Remove-Item $out -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'examples/csv-to-model.ps1' {
    It 'runs to the end' {
        $exitCode | Should -Be 0
        $lines | Should -Contain 'step  300: loss 0.1028'
    }

    It 'fits the Iris data (training accuracy over 95%), printing numbers culture-invariantly in a de-DE session' {
        $lines | Should -Contain '150 rows, features sepal_length, sepal_width, petal_length, petal_width, classes setosa, versicolor, virginica'
        ($lines | Where-Object { $_ -like 'training accuracy:*' }) | Should -Be 'training accuracy: 97.3 %'
    }

    It 'leaves the model and one predicted species name per row' {
        Import-Module "$root/out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
        $m = Import-Tensor (Join-Path $out 'iris-model.safetensors')
        @($m.Keys) | Should -Be @('weight', 'bias', 'mean', 'std')
        $m.Metadata['species'] | Should -Be 'setosa,versicolor,virginica'
        $predictions = Import-Csv (Join-Path $out 'iris-predictions.csv')
        $predictions.Count | Should -Be 150
        ($predictions.predicted | Sort-Object -Unique) | Should -Be @('setosa', 'versicolor', 'virginica')
    }
}
