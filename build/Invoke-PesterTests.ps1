<#
.SYNOPSIS
    Runs tests/*.Tests.ps1 with a pinned Pester and writes the counts as JSON. build.ps1 Test starts this in a child
    pwsh, so a test that crashes or pollutes its session cannot take the build's summary down with it.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestsPath,
    [Parameter(Mandatory)] [string] $ResultsDir,
    [Parameter(Mandatory)] [string] $SummaryPath,
    # Which test files (comma-separated names or wildcards); all *.Tests.ps1 by default.
    [string] $Include = '*.Tests.ps1'
)

$ErrorActionPreference = 'Stop'
# No Set-StrictMode here: it would leak into the test files, which Pester runs in its default (non-strict) mode.
[System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
# Plain text, here and in every pwsh a test starts: ANSI escapes in a failure message would make the XML report
# invalid (0x1B is not an XML character) and the log unreadable.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'

Import-Module $PesterPath -Force
$files = @(Get-ChildItem -Path $TestsPath -Filter '*.Tests.ps1' -File |
        Where-Object { $n = $_.Name; @($Include -split ',' | Where-Object { $n -like $_.Trim() }).Count -gt 0 } | Sort-Object Name)

# Problems with the run itself (not with a test): each one fails the run, as build.ps1 counts them.
$problems = [System.Collections.Generic.List[string]]::new()
function Write-Summary([hashtable] $Counts) {
    $Counts.Problems = @($problems)
    $Counts | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath -Encoding utf8
}
if ($files.Count -eq 0) {
    # Invoke-Pester only writes a non-terminating error for this, and a run of nothing must not look green.
    $problems.Add("no test files (*.Tests.ps1) in $TestsPath")
    Write-Host "No test files (*.Tests.ps1) in $TestsPath." -ForegroundColor Red
    Write-Summary @{ Passed = 0; Failed = 0; Skipped = 0; Inconclusive = 0; NotRun = 0; Total = 0 }
    exit 1
}

$config = New-PesterConfiguration
$config.Run.Path = [string[]] @($files.FullName)
$config.Run.PassThru = $true
$config.Run.Exit = $false
$config.Output.Verbosity = 'Detailed'
$config.Output.RenderMode = 'Plaintext'
$config.TestResult.Enabled = $true
$config.TestResult.OutputFormat = 'NUnitXml'
$config.TestResult.OutputPath = Join-Path $ResultsDir 'pester.xml'

# The test files run in this script's scope chain: give them PowerShell's defaults, as in an interactive session.
$ErrorActionPreference = 'Continue'
try {
    $result = Invoke-Pester -Configuration $config
} catch {
    # Pester itself failed (e.g. writing the report): the run counts as failed, whatever the tests did.
    Write-Host "Invoke-Pester failed: $_" -ForegroundColor Red
    $problems.Add("Invoke-Pester failed: $_")
    Write-Summary @{ Passed = 0; Failed = 0; Skipped = 0; Inconclusive = 0; NotRun = 0; Total = 0 }
    exit 1
}
if ($null -eq $result) {
    $problems.Add('Invoke-Pester returned no result')
    Write-Summary @{ Passed = 0; Failed = 0; Skipped = 0; Inconclusive = 0; NotRun = 0; Total = 0 }
    exit 1
}

# Every file must make tests, and every It in it at least one: an It whose -ForEach/-TestCases data (or whose
# Describe's or Context's -ForEach data) came out empty makes none, silently. An It is known by its body's position.
$made = [System.Collections.Generic.HashSet[string]]::new([StringComparer]::OrdinalIgnoreCase)
foreach ($t in $result.Tests) {
    $p = $t.ScriptBlock.StartPosition
    $null = $made.Add("$($t.ScriptBlock.File):$($p.StartLine):$($p.StartColumn)")
}
foreach ($f in $files) {
    if (-not @($result.Tests | Where-Object { $_.ScriptBlock.File -eq $f.FullName })) {
        if (-not @($result.Containers | Where-Object { $_.Item.FullName -eq $f.FullName -and $_.Result -eq 'Failed' })) {
            $problems.Add("$($f.Name) made no test")
        }
        continue
    }
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($f.FullName, [ref] $null, [ref] $null)
    $its = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $n.GetCommandName() -eq 'It' }, $true)
    foreach ($it in $its) {
        $body = @($it.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.ScriptBlockExpressionAst] })[-1]
        if ($null -eq $body) { continue }
        $key = "$($f.FullName):$($body.Extent.StartLineNumber):$($body.Extent.StartColumnNumber)"
        if (-not $made.Contains($key)) {
            $name = @($it.CommandElements)[1].Extent.Text
            $problems.Add("$($f.Name):$($it.Extent.StartLineNumber): It $name made no test (empty -ForEach/-TestCases data?)")
        }
    }
}
foreach ($p in $problems) { Write-Host "Test run problem: $p" -ForegroundColor Red }

# A file that failed to load (syntax error, failing discovery) counts as a failure too, and so does a failing
# setup or teardown block when no test inside it was reported as failed. Inconclusive and not-run tests are reported
# on their own (build.ps1 fails the run for them).
$failed = $result.FailedCount + $result.FailedContainersCount
if ($result.FailedCount -eq 0) { $failed += $result.FailedBlocksCount }
Write-Summary @{
    Passed       = $result.PassedCount
    Failed       = $failed
    Skipped      = $result.SkippedCount
    Inconclusive = $result.InconclusiveCount
    NotRun       = $result.NotRunCount
    Total        = $result.TotalCount
}
exit 0
