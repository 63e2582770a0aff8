#Requires -Version 7.4
# The worked training examples (examples/iris.ps1, examples/regression.ps1) run as a user runs them, in a runspace of
# their own, and reach what their help promises. Needs the assembled module: run through ./build.ps1 Test.

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot

    # Runs an example script with its parameters; returns its output objects (the tables it prints go to Out-Host,
    # which a runspace without a host drops). An error fails the test.
    function Invoke-Example([string] $Name, [hashtable] $Parameters = @{}) {
        $ps = [powershell]::Create([runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault()))
        try {
            $ps.Runspace.Open()
            $null = $ps.AddCommand((Join-Path $Root "examples/$Name")).AddParameters($Parameters)
            $output = $ps.Invoke()
            $errors = @($ps.Streams.Error)
            if ($errors.Count) { throw "examples/$Name wrote errors: $($errors -join '; ')" }
            @($output)
        } finally {
            $ps.Runspace.Dispose()
            $ps.Dispose()
        }
    }
}

Describe 'examples/iris.ps1' {
    BeforeAll {
        $script:Summary = Invoke-Example iris.ps1 @{ PlotPath = (Join-Path $TestDrive 'iris.png') }
    }

    It 'classifies over 95% of the training flowers right, with Invoke-Training and with a foreach loop' {
        $Summary.Loop | Should -Be 'Invoke-Training', 'foreach'
        foreach ($s in $Summary) {
            $s.TrainingAccuracy | Should -BeGreaterOrEqual 0.95 -Because $s.Loop
            $s.ValidationAccuracy | Should -BeGreaterOrEqual 0.9 -Because $s.Loop
        }
    }

    It 'gives the same losses in both loops (same seed, same batches)' {
        $Summary[1].Loss | Should -Be $Summary[0].Loss
        $Summary[1].TrainingAccuracy | Should -Be $Summary[0].TrainingAccuracy
    }

    It 'draws its plot' {
        Join-Path $TestDrive 'iris.png' | Should -Exist
    }

    It 'reads the shipped data: 150 flowers, 50 of each species' {
        $rows = Import-Csv (Join-Path $Root 'examples/data/iris.csv')
        $rows.Count | Should -Be 150
        $rows | Group-Object species | ForEach-Object Count | Should -Be 50, 50, 50
    }
}

Describe 'examples/regression.ps1' {
    It 'fits the noisy sine to a mean squared error below 0.015 with both models' {
        $summary = Invoke-Example regression.ps1 @{ PlotPath = (Join-Path $TestDrive 'fit.svg') }
        $summary.Model | Should -Be 'Linear-Tanh-Linear', 'a * sin(b * x + c)'
        foreach ($s in $summary) { $s.Loss | Should -BeLessThan 0.015 -Because $s.Model }
        Join-Path $TestDrive 'fit.svg' | Should -Exist
    }
}
