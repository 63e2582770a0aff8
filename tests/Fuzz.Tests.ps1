#Requires -Version 7.4
# Issue 16's fuzz suite for the cmdlets: tests/fuzz/Invoke-CmdletFuzz.ps1 sends seeded random bad values into every
# cmdlet (layers, optimizers, schedulers, training, files and pictures included), every Invoke-Op op and the tensor
# operators; each call must give a result or an ErrorRecord that speaks of the input, never a leaked exception. It runs in a child pwsh with a time limit, so that a crash or a hang fails a
# test instead of ending the run. The seed is in the test's name; $env:AUTOGRAD_PROPERTY_SEED picks another and
# $env:AUTOGRAD_PROPERTY_SCALE multiplies the cases (build.ps1 Fuzz does both). The engine's side is
# tests/AutoGrad.Engine.Tests/FuzzTests.cs.

BeforeDiscovery {
    $seed = if ($env:AUTOGRAD_PROPERTY_SEED) { [int]([Convert]::ToUInt64($env:AUTOGRAD_PROPERTY_SEED.Replace("0x", ""), 16) % 1000000) } else { 16 }
    $scale = if ($env:AUTOGRAD_PROPERTY_SCALE) { [double]::Parse($env:AUTOGRAD_PROPERTY_SCALE, [cultureinfo]::InvariantCulture) } else { 1 }
    # The default run is a smoke test of every cmdlet (about 25 cases each); build.ps1 Fuzz runs 20 times as many.
    $script:Runs = @(
        @{ Kind = 'Ordinary';   Seed = $seed; Cases = [int][math]::Max(1, 1000 * $scale) }
        @{ Kind = 'CrashProne'; Seed = $seed; Cases = [int][math]::Max(1, 100 * $scale) }
    )
}

BeforeAll {
    . "$PSScriptRoot/IsolatedPwsh.ps1"
    $script:Fuzzer = Join-Path $PSScriptRoot 'fuzz/Invoke-CmdletFuzz.ps1'
    $script:ModulePath = Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1'
}

Describe 'Cmdlet fuzzing (a child pwsh per run: crashes and hangs are failures)' {
    It '<Kind> bad values: <Cases> cases, seed <Seed>, each a result or an ErrorRecord about the input' -ForEach $Runs {
        $r = Invoke-IsolatedPwsh -TimeoutSeconds (60 + $Cases / 10) -Script "& '$Fuzzer' -ModulePath '$ModulePath' -Seed $Seed -Cases $Cases -Kind $Kind"
        $report = $r.Output -join "`n"
        $r.TimedOut | Should -BeFalse -Because "the fuzzer must finish (a hang is a failure): $report"
        $r.ExitCode | Should -Be 0 -Because "the fuzzer's process must not crash: $report"
        $done = @($r.Output | Where-Object { $_ -like 'DONE *' })
        $done | Should -HaveCount 1 -Because $report
        $done[0] | Should -BeLike "DONE $Cases cases, 0 failures, *" -Because (($r.Output | Where-Object { $_ -like 'FAIL *' } | Select-Object -First 20) -join "`n")
    }
}
