<#
.SYNOPSIS
    One side of one script-suite case, in this (fresh, default) pwsh: writes the case as the script a user would
    (import, setup, then the loop at the script's top level) and runs it. Timed batches follow -WarmupSeconds of
    warm-up; writes {"batchesUs": [...], "coldUs": n, "rssMB": n} (microseconds per iteration; coldUs is the first
    batch's) as one JSON line. Started by run.ps1; not meant to be run by hand, though it can be.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Setup,
    [Parameter(Mandatory)] [string] $Body,
    [int] $Iterations = 100,
    [int] $Batches = 5,
    # .NET's tiered JIT and PowerShell's script compiler reach full speed only after seconds in the loop
    # (docs/performance.md, "Warm-up"). A long script spends nearly all its time after that, so batches are timed
    # after this much warm-up, and the first batch is reported too.
    [double] $WarmupSeconds = 6,
    # Memory mode: run $Iterations in all, sampling the resident set every $RssEvery iterations (no timing).
    [int] $RssEvery = 0
)
$ErrorActionPreference = 'Stop'

# The loop sits at the top level of a script file, as in a user's training script: its variables are the script's
# own (a dot-sourced or nested block reads them through the scope chain, 20-30% slower for a cmdlet-heavy body).
$script = if ($RssEvery -gt 0) {
    @"
param(`$Iterations, `$RssEvery)
Import-Module '$($Module -replace "'", "''")'
$Setup
`$rss = [System.Collections.Generic.List[double]]::new()
for (`$done = 0; `$done -lt `$Iterations; `$done += `$RssEvery) {
    for (`$i = 0; `$i -lt `$RssEvery; `$i++) { $Body }
    `$rss.Add([Math]::Round([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB, 1))
}
[ordered]@{ rssMB = @(`$rss); gen2 = [GC]::CollectionCount(2) } | ConvertTo-Json -Compress
"@
} else {
    @"
param(`$Iterations, `$Batches, `$WarmupSeconds)
Import-Module '$($Module -replace "'", "''")'
$Setup
`$times = [System.Collections.Generic.List[double]]::new()
`$cold = `$null
`$warm = [Diagnostics.Stopwatch]::StartNew()
while (`$times.Count -lt `$Batches) {
    `$sw = [Diagnostics.Stopwatch]::StartNew()
    for (`$i = 0; `$i -lt `$Iterations; `$i++) { $Body }
    `$us = `$sw.Elapsed.TotalMilliseconds * 1000 / `$Iterations
    if (`$null -eq `$cold) { `$cold = `$us }
    if (`$warm.Elapsed.TotalSeconds -ge `$WarmupSeconds) { `$times.Add(`$us) }
}
[ordered]@{
    batchesUs = @(`$times)
    coldUs = `$cold
    rssMB = [Math]::Round([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB, 1)
    gen2 = [GC]::CollectionCount(2)
} | ConvertTo-Json -Compress
"@
}
$file = Join-Path ([IO.Path]::GetTempPath()) "autograd-script-case-$PID.ps1"
Set-Content -LiteralPath $file -Value $script -Encoding utf8
try {
    if ($RssEvery -gt 0) { & $file $Iterations $RssEvery } else { & $file $Iterations $Batches $WarmupSeconds }
} finally {
    Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
}
