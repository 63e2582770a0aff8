<#
.SYNOPSIS
    The script suite (issue 15): the same loops a PowerShell user and a PyTorch user write, each in a fresh default
    process, side by side in one run; a table of ratios against the issue's targets.

.DESCRIPTION
    For every case in cases.psd1, in turn and -Pairs times: a fresh `dotnet pwsh -NoProfile` runs worker.ps1 (the
    module as built in out/AutoGrad.PS, no DOTNET_GC* variables, nothing disposed), then the peer runs the same
    loop in a fresh process: /usr/bin/python3 worker.py with Debian's python3-torch on every core, or, for
    matrix-heavy cases, the benchmarks project's TorchSharp/libtorch (`--script-peer`), or a second pwsh form.
    Each process times -Batches batches after six seconds of warm-up (the first batch is reported too); a side's
    time is the median of its batches, and a case's ratio is ours / peer for each pair (the range over pairs is
    reported). Processes start in the same minute, so
    both sides see the same machine.

    Writes <Out>/script-suite.md; with -UpdateDocs also the script table of docs/performance.md (between its
    script-suite markers). Never part of the tests: timings belong in benchmarks.

.EXAMPLE
    ./build.ps1 Bench Script                         # via the front door
    ./benchmarks/script/run.ps1 -Filter add          # cases whose name contains 'add'
    ./benchmarks/script/run.ps1 -Pairs 3 -UpdateDocs
#>
[CmdletBinding()]
param(
    [string] $Filter = '',
    # Also (or, with -MemoryOnly, only) the memory cases: a long loop's resident set, both sides.
    [switch] $Memory,
    [switch] $MemoryOnly,
    [int] $Pairs = 2,
    [int] $Batches = 5,
    [string] $Out = (Join-Path $PSScriptRoot 'out'),
    [switch] $UpdateDocs
)
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
$module = Join-Path $root 'out/AutoGrad.PS/AutoGrad.PS.psd1'
if (-not (Test-Path $module)) { throw "Build the module first: ./build.ps1 Build" }
$python = '/usr/bin/python3'
$peerExe = Join-Path $root 'benchmarks/AutoGrad.Benchmarks/bin/Release/net10.0/linux-x64/AutoGrad.Benchmarks'
$suite = Import-PowerShellDataFile (Join-Path $PSScriptRoot 'cases.psd1')
$cases = if ($MemoryOnly) { @() } else { @($suite.Cases | Where-Object { $_.Name -like "*$Filter*" }) }
$memoryCases = if ($Memory -or $MemoryOnly) { @($suite.Memory | Where-Object { $_.Name -like "*$Filter*" }) } else { @() }
if (-not $cases -and -not $memoryCases) { throw "No case matches '$Filter'." }
if ($cases.Peer -contains 'torchsharp') {
    dotnet build (Join-Path $root 'benchmarks/AutoGrad.Benchmarks/AutoGrad.Benchmarks.csproj') -c Release --nologo -v q | Out-Null
    if ($LASTEXITCODE) { throw 'building the benchmarks project (TorchSharp peer) failed' }
}
if ($cases.Peer -contains 'python' -and -not (Test-Path $python)) { throw "$python not found (apt-get install python3-torch)" }

# A default pwsh as a user starts it: the repo's local tool, no profile, and none of the GC tuning variables.
$pwshCommand = @('dotnet', 'pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'worker.ps1'))
# A variable's value, or [NullString]::Value to remove it: PowerShell passes $null to a [string] parameter as '', and
# an empty MALLOC_MMAP_THRESHOLD_ left behind by the tuned Python run made glibc mmap every allocation in each later
# pwsh worker (cmdlet calls 3x slower: 76-98 us against 28-30 us for the same Measure-Sum loop).
function Set-ProcessVariable([string] $Name, [AllowNull()] [object] $Value) {
    [Environment]::SetEnvironmentVariable($Name, $(if ($null -eq $Value) { [NullString]::Value } else { [string]$Value }))
}

function Invoke-Worker([string[]] $Command, [switch] $Raw, [hashtable] $Environment = @{}) {
    $saved = @{}
    foreach ($name in [Environment]::GetEnvironmentVariables().Keys | Where-Object { $_ -like 'DOTNET_GC*' -or $_ -like 'COMPlus_GC*' }) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-ProcessVariable $name $null
    }
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-ProcessVariable $name $Environment[$name]
    }
    try {
        $lines = & $Command[0] $Command[1..($Command.Length - 1)] 2>&1
        if ($LASTEXITCODE) { throw "worker failed ($LASTEXITCODE): $($lines -join "`n")" }
    } finally {
        foreach ($name in $saved.Keys) { Set-ProcessVariable $name $saved[$name] }
    }
    $json = @($lines | Where-Object { "$_".StartsWith('{') })[-1]
    $result = $json | ConvertFrom-Json
    if ($Raw) { return $result }
    $sorted = @($result.batchesUs | Sort-Object)
    [pscustomobject]@{ Us = $sorted[[int][Math]::Floor($sorted.Count / 2)]; ColdUs = $result.coldUs; RssMB = $result.rssMB }
}

function Format-Us([double] $us) {
    if ($us -ge 1000) { '{0:N0}' -f $us } elseif ($us -ge 10) { '{0:F0}' -f $us } else { '{0:F1}' -f $us }
}

[System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
# PyTorch at its best here: glibc returns a freed 4 MB block to the system at once by default (each new result
# then faults its pages in again); with a high trim threshold it keeps and reuses it, as a long-running program
# tuned for speed would. And every core, where Debian's build starts with one thread.
$pythonBest = @{ MALLOC_TRIM_THRESHOLD_ = '1000000000'; MALLOC_MMAP_THRESHOLD_ = '33554432'; AUTOGRAD_PEER_THREADS = "$([Environment]::ProcessorCount)" }
$rows = foreach ($case in $cases) {
    $ours = @(); $cold = @(); $peer = @(); $ratios = @(); $best = @()
    foreach ($pair in 1..$Pairs) {
        $o = Invoke-Worker ($pwshCommand + @('-Module', $module, '-Setup', $case.Setup, '-Body', $case.Body,
            '-Iterations', $case.Iterations, '-Batches', $Batches))
        $p = switch ($case.Peer) {
            'python' { Invoke-Worker @($python, (Join-Path $PSScriptRoot 'worker.py'), $case.PySetup, $case.PyBody, "$($case.Iterations)", "$Batches") }
            'torchsharp' { Invoke-Worker @($peerExe, '--script-peer', $case.TorchSharp, "$($case.Iterations)", "$Batches") }
            'pwsh' { Invoke-Worker ($pwshCommand + @('-Module', $module, '-Setup', $case.Setup, '-Body', $case.PeerBody,
                '-Iterations', $case.Iterations, '-Batches', $Batches)) }
        }
        if ($case.Peer -eq 'python') {
            $b = Invoke-Worker @($python, (Join-Path $PSScriptRoot 'worker.py'), $case.PySetup, $case.PyBody, "$($case.Iterations)", "$Batches") -Environment $pythonBest
            $best += $b.Us
            # The target is judged against the faster of the two Python runs.
            $p = if ($b.Us -lt $p.Us) { [pscustomobject]@{ Us = $p.Us; Best = $b.Us } } else { [pscustomobject]@{ Us = $p.Us; Best = $p.Us } }
        } else { $p = [pscustomobject]@{ Us = $p.Us; Best = $p.Us } }
        $ours += $o.Us; $cold += $o.ColdUs; $peer += $p.Us; $ratios += $o.Us / $p.Best
        Write-Host ("{0} [{1}/{2}]: ours {3} us, {4} {5} us (best {6} us), ratio {7:F2}" -f $case.Name, $pair, $Pairs, (Format-Us $o.Us), $case.Peer, (Format-Us $p.Us), (Format-Us $p.Best), ($o.Us / $p.Best))
    }
    $low = ($ratios | Measure-Object -Minimum).Minimum; $high = ($ratios | Measure-Object -Maximum).Maximum
    [pscustomobject]@{
        Case = $case.Name
        # A '|' in a cell would split the markdown table's columns.
        Peer = switch ($case.Peer) { 'python' { 'Python + PyTorch' } 'torchsharp' { 'C# + libtorch (TorchSharp)' } 'pwsh' { "PowerShell: ``$($case.PeerBody -replace '\|', '\|')``" } }
        Ours = (($ours | ForEach-Object { Format-Us $_ }) -join ' / ')
        Cold = (($cold | ForEach-Object { Format-Us $_ }) -join ' / ')
        PeerUs = (($peer | ForEach-Object { Format-Us $_ }) -join ' / ')
        BestUs = if ($best) { (($best | ForEach-Object { Format-Us $_ }) -join ' / ') } else { '' }
        Ratio = if ($Pairs -gt 1) { '{0:F2}-{1:F2}' -f $low, $high } else { '{0:F2}' -f $low }
        Target = $case.Target
        Met = if ($high -le $case.Target) { 'yes' } elseif ($low -le $case.Target) { 'at the line' } else { 'no' }
    }
}

$memoryRows = foreach ($case in $memoryCases) {
    $o = Invoke-Worker ($pwshCommand + @('-Module', $module, '-Setup', $case.Setup, '-Body', $case.Body,
        '-Iterations', $case.Steps, '-RssEvery', $case.Every)) -Raw
    $p = Invoke-Worker @($python, (Join-Path $PSScriptRoot 'worker.py'), $case.PySetup, $case.PyBody, "$($case.Steps)", '1', "$($case.Every)") -Raw
    $ratio = $o.rssMB[-1] / $p.rssMB[-1]
    Write-Host ("{0}: ours {1} MB, python {2} MB" -f $case.Name, ($o.rssMB -join ' '), ($p.rssMB -join ' '))
    [pscustomobject]@{
        Case = $case.Name; Ours = "$($o.rssMB[0]) -> $($o.rssMB[-1]) (max $(($o.rssMB | Measure-Object -Maximum).Maximum))"
        Peer = "$($p.rssMB[0]) -> $($p.rssMB[-1]) (max $(($p.rssMB | Measure-Object -Maximum).Maximum))"
        Ratio = '{0:F2}' -f $ratio; Target = $case.Target; Met = if ($ratio -le $case.Target) { 'yes' } else { 'no' }
        Gen2 = $o.gen2
    }
}

$table = @(
    if ($rows) {
        '| loop body | peer | ours (us) | ours, first batch (us) | peer as it runs (us) | Python tuned (us) | ratio to the faster | target | met |'
        '|---|---|---:|---:|---:|---:|---:|---:|---|'
    }
    foreach ($r in $rows) { "| $($r.Case -replace '\|', '\|') | $($r.Peer) | $($r.Ours) | $($r.Cold) | $($r.PeerUs) | $($r.BestUs) | $($r.Ratio) | $($r.Target) | $($r.Met) |" }
    if ($memoryRows) {
        if ($rows) { '' }
        '| memory | ours: resident set, MB (first sample -> last) | Python + PyTorch, MB | ratio at the end | target | met |'
        '|---|---|---|---:|---:|---|'
        foreach ($r in $memoryRows) { "| $($r.Case) | $($r.Ours), $($r.Gen2) full collections | $($r.Peer) | $($r.Ratio) | $($r.Target) | $($r.Met) |" }
    }
) -join "`n"
$rows = @($rows)
$stamp = "Measured $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC on $([Environment]::ProcessorCount) cores, $Pairs pair(s) of fresh processes per case, median of $Batches batches each after 6 s of warm-up (every side)."
New-Item -ItemType Directory -Force $Out | Out-Null
Set-Content -LiteralPath (Join-Path $Out 'script-suite.md') -Value "$stamp`n`n$table`n" -Encoding utf8
Write-Host "`n$stamp`n`n$table"
if ($UpdateDocs) {
    $docs = Join-Path $root 'docs/performance.md'
    $text = Get-Content -LiteralPath $docs -Raw
    $begin = '<!-- script-suite:begin -->'; $end = '<!-- script-suite:end -->'
    if ($text -notmatch [regex]::Escape($begin)) { throw "docs/performance.md has no $begin ... $end markers" }
    $text = [regex]::Replace($text, "(?s)$([regex]::Escape($begin)).*?$([regex]::Escape($end))", "$begin`n$stamp`n`n$table`n$end")
    Set-Content -LiteralPath $docs -Value $text -NoNewline -Encoding utf8
}
