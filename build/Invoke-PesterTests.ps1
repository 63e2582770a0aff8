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
    [Parameter(Mandatory)] [string] $SummaryPath
)

$ErrorActionPreference = 'Stop'
# No Set-StrictMode here: it would leak into the test files, which Pester runs in its default (non-strict) mode.
[System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
# Plain text, here and in every pwsh a test starts: ANSI escapes in a failure message would make the XML report
# invalid (0x1B is not an XML character) and the log unreadable.
$env:NO_COLOR = '1'
$PSStyle.OutputRendering = 'PlainText'

Import-Module $PesterPath -Force
$files = @(Get-ChildItem -Path $TestsPath -Filter '*.Tests.ps1' -File | Sort-Object Name)

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
    [ordered]@{ Passed = 0; Failed = 1; Skipped = 0; Total = 0 } | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath -Encoding utf8
    exit 1
}

# A file that failed to load (syntax error, failing discovery) counts as a failure too, and so does a failing
# setup or teardown block when no test inside it was reported as failed.
$failed = $result.FailedCount + $result.FailedContainersCount
if ($result.FailedCount -eq 0) { $failed += $result.FailedBlocksCount }
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount
    Total   = $result.TotalCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath -Encoding utf8
exit 0
