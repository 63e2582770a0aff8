#Requires -Version 7.4
# Issue 16, item 6: the test run must not report green when it proved nothing. build/TestSummary.ps1 (the counts
# and the verdict build.ps1 Test prints) and build/Invoke-PesterTests.ps1 (the Pester runner) are checked here on
# made-up results and on small test folders run by a second Pester in a child pwsh.

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot
    . (Join-Path $Root 'build/TestSummary.ps1')
    . "$PSScriptRoot/IsolatedPwsh.ps1"
    $script:Scratch = Join-Path ([IO.Path]::GetTempPath()) "autograd-testrun-$PID"
    New-Item -ItemType Directory -Force -Path $Scratch | Out-Null

    # A TRX file with these counters, as 'dotnet test --logger trx' writes it.
    function New-Trx([hashtable] $Counters, [int] $NotExecuted = 0) {
        $path = Join-Path $Scratch "$([guid]::NewGuid()).trx"
        $attributes = ($Counters.GetEnumerator() | ForEach-Object { "$($_.Key)=`"$($_.Value)`"" }) -join ' '
        $results = (1..$NotExecuted | Where-Object { $NotExecuted } | ForEach-Object { '<UnitTestResult outcome="NotExecuted" />' }) -join ''
        Set-Content -LiteralPath $path -Value "<TestRun xmlns=`"http://microsoft.com/schemas/VisualStudio/TeamTest/2010`"><Results>$results</Results><ResultSummary><Counters $attributes /></ResultSummary></TestRun>"
        $path
    }

    # Runs build/Invoke-PesterTests.ps1 on a folder of test files in a child pwsh; returns its summary.
    function Invoke-Runner([hashtable] $Files) {
        $dir = Join-Path $Scratch ([guid]::NewGuid())
        New-Item -ItemType Directory -Path $dir | Out-Null
        foreach ($f in $Files.GetEnumerator()) { Set-Content -LiteralPath (Join-Path $dir $f.Key) -Value $f.Value }
        $pester = (Get-Module Pester).Path -replace '\.psm1$', '.psd1'
        $summary = Join-Path $dir 'summary.json'
        $r = Invoke-IsolatedPwsh -Script "& '$Root/build/Invoke-PesterTests.ps1' -PesterPath '$pester' -TestsPath '$dir' -ResultsDir '$dir' -SummaryPath '$summary'; exit `$LASTEXITCODE"
        $s = Read-PesterSummary $summary
        $s | Add-Member ExitCode $r.ExitCode -PassThru
    }
}

AfterAll {
    Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The verdict of a run (build/TestSummary.ps1)' {
    It 'counts xUnit''s inconclusive and not-runnable tests, and they fail the run' {
        $r = Read-TrxResult (New-Trx @{ total = 5; passed = 3; failed = 0; inconclusive = 1; notRunnable = 1 })
        $r.Inconclusive | Should -Be 1
        $r.NotRun | Should -Be 1
        $v = Get-TestVerdict @($r)
        $v.Line | Should -Be '3 passed, 2 failed, 1 inconclusive, 1 not run'
        $v.ExitCode | Should -Be 1
    }

    It 'fails a suite that ran nothing, and one that ran fewer tests than expected' {
        $none = Read-TrxResult (New-Trx @{ total = 0; passed = 0; failed = 0 })
        Test-SuiteCount $none 10
        $none.Problems | Should -Be @('xUnit ran no test')
        $few = Read-TrxResult (New-Trx @{ total = 7; passed = 7; failed = 0 })
        Test-SuiteCount $few 10
        $few.Problems[0] | Should -BeLike 'xUnit ran 7 tests, fewer than the 10 expected*'
        $v = Get-TestVerdict @($none, $few)
        $v.Line | Should -Be '7 passed, 2 failed, 2 run problems'
        $v.ExitCode | Should -Be 1
    }

    It 'passes a full run, with skipped tests shown but not failing it' {
        $r = Read-TrxResult (New-Trx @{ total = 12; passed = 10; failed = 0 } -NotExecuted 2)
        Test-SuiteCount $r 12
        $v = Get-TestVerdict @($r)
        $v.Line | Should -Be '10 passed, 0 failed, 2 skipped'
        $v.ExitCode | Should -Be 0
    }

    It 'counts a suite that wrote no result file as a problem' {
        $r = Read-TrxResult (Join-Path $Scratch 'missing.trx')
        (Get-TestVerdict @($r)).ExitCode | Should -Be 1
        $r.Problems[0] | Should -BeLike 'xUnit wrote no result file*'
    }

    It 'reads the expected counts from tests/expected-counts.psd1, one per suite' {
        $expected = Get-ExpectedTestCount (Join-Path $Root 'tests/expected-counts.psd1')
        $expected.Keys | Sort-Object | Should -Be @('Pester', 'xUnit')
        $expected.xUnit | Should -BeGreaterThan 1000
        $expected.Pester | Should -BeGreaterThan 500
    }
}

Describe 'The Pester runner (build/Invoke-PesterTests.ps1)' {
    It 'fails when there is no test file at all (Invoke-Pester only writes a non-terminating error then)' {
        $s = Invoke-Runner @{}
        $s.ExitCode | Should -Be 1
        $s.Problems[0] | Should -BeLike 'no test files*'
    }

    It 'reports an It whose -ForEach data is empty, inconclusive tests and a file that made no test' {
        $s = Invoke-Runner @{
            'Empty.Tests.ps1'   = "Describe 'd' {`n  It 'has <X>' -ForEach @() { 1 | Should -Be 1 }`n  It 'plain' { 1 | Should -Be 1 }`n  Context 'c' -ForEach @() { It 'inside' { 1 | Should -Be 1 } }`n  It 'maybe' { Set-ItResult -Inconclusive -Because 'it cannot tell' }`n}"
            'Nothing.Tests.ps1' = "Describe 'nothing here' { }"
        }
        $s.Passed | Should -Be 1
        $s.Inconclusive | Should -Be 1
        $s.Problems | Should -Contain 'Nothing.Tests.ps1 made no test'
        @($s.Problems | Where-Object { $_ -like "Empty.Tests.ps1:2: It 'has <X>' made no test*" }) | Should -HaveCount 1
        @($s.Problems | Where-Object { $_ -like "Empty.Tests.ps1:4: It 'inside' made no test*" }) | Should -HaveCount 1
        (Get-TestVerdict @($s)).ExitCode | Should -Be 1
    }
}
