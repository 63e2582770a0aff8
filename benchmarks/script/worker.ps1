<#
.SYNOPSIS
    One side of one script-suite case, in this (fresh, default) pwsh: imports the module, runs the case's setup,
    warm-up batches for -WarmupSeconds, then -Batches batches of the loop; writes {"batchesUs": [...], "coldUs": n,
    "rssMB": n} (microseconds per iteration; coldUs is the first batch's) as one JSON line. Started by run.ps1; not meant to be run by hand, though it can be.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Setup,
    [Parameter(Mandatory)] [string] $Body,
    [int] $Iterations = 100,
    [int] $Batches = 5,
    # .NET's tiered JIT and PowerShell's script compiler reach full speed only after some time in the loop (an
    # operator on 2x2 tensors runs at 4-8 us for its first ~0.5 s, 1.2-1.4 us after); a long script spends nearly
    # all its time after that, so batches are timed after this much warm-up, and the first batch is reported too.
    [double] $WarmupSeconds = 2,
    # Memory mode: run $Iterations in all, sampling the resident set every $RssEvery iterations (no timing).
    [int] $RssEvery = 0
)
$ErrorActionPreference = 'Stop'
Import-Module $Module
. ([scriptblock]::Create($Setup))
# The loop as a user writes it: a plain for loop with the body inline, compiled once.
$loop = [scriptblock]::Create("param(`$n) for (`$i = 0; `$i -lt `$n; `$i++) { $Body }")
if ($RssEvery -gt 0) {
    $rss = foreach ($done in 0..([int]($Iterations / $RssEvery) - 1)) {
        . $loop $RssEvery
        [Math]::Round([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB, 1)
    }
    [ordered]@{ rssMB = @($rss); gen2 = [GC]::CollectionCount(2) } | ConvertTo-Json -Compress
    return
}
$warm = [Diagnostics.Stopwatch]::StartNew()
. $loop $Iterations
$cold = $warm.Elapsed.TotalMilliseconds * 1000 / $Iterations
while ($warm.Elapsed.TotalSeconds -lt $WarmupSeconds) { . $loop $Iterations }
$times = foreach ($batch in 1..$Batches) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    . $loop $Iterations
    $sw.Elapsed.TotalMilliseconds * 1000 / $Iterations
}
[ordered]@{
    batchesUs = @($times)
    coldUs = $cold
    rssMB = [Math]::Round([Diagnostics.Process]::GetCurrentProcess().WorkingSet64 / 1MB, 1)
    gen2 = [GC]::CollectionCount(2)
} | ConvertTo-Json -Compress
