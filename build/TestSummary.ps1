<#
.SYNOPSIS
    The counts and the verdict of a test run, for build.ps1 Test (dot-sourced there; tests/TestRun.Tests.ps1 checks
    them). A run proves something only if each suite ran at least its expected number of tests
    (tests/expected-counts.psd1) and every test ran to a verdict: failures, inconclusive and not-run tests, a suite
    that ran nothing or too little, and a runner's own problems (no test files, an It that made no test) all fail it.
#>

# A suite's result: the runner's counts and the problems found with the run itself.
function New-SuiteResult([string] $Name) {
    [pscustomobject]@{
        Name = $Name; Passed = 0; Failed = 0; Skipped = 0; Inconclusive = 0; NotRun = 0
        Problems = [System.Collections.Generic.List[string]]::new()
    }
}

# xUnit's counts from the TRX file 'dotnet test --logger trx' writes. A skipped xUnit test is a result with outcome
# NotExecuted; inconclusive and not-runnable ones have their own counters.
function Read-TrxResult([string] $Path, [string] $Name = 'xUnit') {
    $r = New-SuiteResult $Name
    if (-not (Test-Path -LiteralPath $Path)) {
        $r.Problems.Add("$Name wrote no result file ($Path)")
        return $r
    }
    [xml] $doc = Get-Content -LiteralPath $Path -Raw
    $c = $doc.TestRun.ResultSummary.Counters
    $count = { param($name) [int] $c.GetAttribute($name) }   # a counter the file leaves out is 0
    $r.Passed = & $count 'passed'
    $r.Failed = (& $count 'failed') + (& $count 'error') + (& $count 'timeout') + (& $count 'aborted')
    $r.Inconclusive = & $count 'inconclusive'
    $r.NotRun = & $count 'notRunnable'
    $results = $doc.SelectNodes("//*[local-name()='UnitTestResult']")
    $r.Skipped = @($results | Where-Object { $_.outcome -eq 'NotExecuted' }).Count
    $r
}

# The Pester summary JSON that build/Invoke-PesterTests.ps1 writes.
function Read-PesterSummary([string] $Path, [string] $Name = 'Pester') {
    $r = New-SuiteResult $Name
    if (-not (Test-Path -LiteralPath $Path)) {
        $r.Problems.Add("$Name wrote no summary ($Path)")
        return $r
    }
    $s = Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json
    foreach ($k in 'Passed', 'Failed', 'Skipped', 'Inconclusive', 'NotRun') {
        if ($s.PSObject.Properties[$k]) { $r.$k = [int] $s.$k }
    }
    if ($s.PSObject.Properties['Problems']) { foreach ($p in @($s.Problems)) { if ($p) { $r.Problems.Add([string] $p) } } }
    $r
}

# The minimum number of tests each suite must report (tests/expected-counts.psd1).
function Get-ExpectedTestCount([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return @{} }
    Import-PowerShellDataFile -LiteralPath $Path
}

# Adds a problem when the suite reported fewer tests than its minimum (or none at all).
function Test-SuiteCount($Result, [int] $Minimum) {
    $total = $Result.Passed + $Result.Failed + $Result.Skipped + $Result.Inconclusive + $Result.NotRun
    if ($total -eq 0) {
        $Result.Problems.Add("$($Result.Name) ran no test")
    } elseif ($total -lt $Minimum) {
        $Result.Problems.Add("$($Result.Name) ran $total tests, fewer than the $Minimum expected (tests/expected-counts.psd1)")
    }
}

# The closing line and the exit code. 'failed' counts every reason the run failed - failed tests, inconclusive and
# not-run tests, and each problem with the run - so that a reader of 'N passed, N failed' alone (CI) is never misled;
# the details follow it.
function Get-TestVerdict($Results) {
    $passed = 0; $failed = 0; $skipped = 0; $inconclusive = 0; $notRun = 0; $problems = 0
    foreach ($r in $Results) {
        $passed += $r.Passed; $skipped += $r.Skipped; $inconclusive += $r.Inconclusive; $notRun += $r.NotRun
        $problems += $r.Problems.Count
        $failed += $r.Failed + $r.Inconclusive + $r.NotRun + $r.Problems.Count
    }
    $line = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $line += ", $skipped skipped" }
    if ($inconclusive -gt 0) { $line += ", $inconclusive inconclusive" }
    if ($notRun -gt 0) { $line += ", $notRun not run" }
    if ($problems -gt 0) { $line += ", $problems run problem$(if ($problems -ne 1) { 's' })" }
    [pscustomobject]@{ Line = $line; ExitCode = [int]($failed -gt 0 -or $passed -eq 0) }
}
