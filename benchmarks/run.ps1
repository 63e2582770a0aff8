<#
.SYNOPSIS
    Builds and runs the engine-vs-libtorch benchmarks (issue 4) and writes the ratio summary.

.DESCRIPTION
    Builds benchmarks/AutoGrad.Benchmarks (Release, net10.0; restores TorchSharp 0.107.0 + libtorch-cpu-linux-x64
    2.10.0 on first use, ~600 MB, for this project only), runs BenchmarkDotNet with a short in-process job, and
    writes:
      <Out>/summary.md      ours/libtorch ratio table + BenchmarkDotNet's tables
      <Out>/ratios.svg      bar chart of the ratios
      <Out>/results/        BenchmarkDotNet's exporters (csv, html, github markdown)
      <Out>/peak-memory.md  peak memory of one MLP step, both engines (full runs and -PeakMemory; ~15 s, in child
                            processes; the full run also puts it at the end of summary.md and the docs section)
    After BenchmarkDotNet's runs, every run also measures each case in paired rounds (ours and libtorch in turn,
    16 rounds of ~25 ms; AutoGrad.Benchmarks/Interleaved.cs): the summary's *interleaved* column, the median of the
    per-round ratios. About 1 s per case more.
    With -UpdateDocs (full runs only) it also rewrites the generated section of docs/performance.md and
    docs/performance.svg (+ docs/performance.png when rsvg-convert is installed: apt-get install librsvg2-bin).

    build.ps1's Bench task should simply call this script:  & "$PSScriptRoot/benchmarks/run.ps1" -Filter $Filter

.PARAMETER Filter
    Which benchmarks to run: a class or case name (Elementwise, Reductions, MatMul, NotebookGraph, MlpStep,
    MemoryCopy) or any BenchmarkDotNet glob such as '*MatMul*'. A plain word is wrapped as *word*. Default: all.
    -Filter PeakMemory is the same as -PeakMemory.

.PARAMETER PeakMemory
    Only the MLP step peak-memory measurement (no timings): writes <Out>/peak-memory.md, not summary.md.

.PARAMETER InterleavedOnly
    Only the paired-round measurement of the filtered cases (no BenchmarkDotNet run): writes <Out>/interleaved.md.
    Set AUTOGRAD_BENCH_ROUNDS=1 to print every round's two times, AUTOGRAD_BENCH_CASE=Op=mul,Size=1000000 to keep
    only the cases with those parameter values, AUTOGRAD_BENCH_ROUND_COUNT=80 for 80 rounds instead of 16.

.PARAMETER LeakSteps
    With the peak-memory measurement (full run or -PeakMemory): also run our engine's MLP step this many times in
    all and check the resident set has not grown (e.g. 100000: about 45 s float32 + 80 s float64 more).

.EXAMPLE
    ./benchmarks/run.ps1                      # everything, ~12 min on 2 busy cores
    ./benchmarks/run.ps1 -Filter MatMul       # one class
    ./benchmarks/run.ps1 -UpdateDocs          # full run, then refresh docs/performance.md and its chart
    ./benchmarks/run.ps1 -PeakMemory          # only the MLP step peak memory (~15 s)
    ./benchmarks/run.ps1 -Filter Reductions -InterleavedOnly   # paired rounds only (~40 s)
    ./benchmarks/run.ps1 -PeakMemory -LeakSteps 100000   # ... plus a 100,000-step leak check of our engine
#>
[CmdletBinding()]
param(
    [string]$Filter = '*',
    [string]$Out,
    [switch]$UpdateDocs,
    [switch]$Smoke,
    [switch]$PeakMemory,
    [switch]$InterleavedOnly,
    [long]$LeakSteps = 0
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$project = Join-Path $PSScriptRoot 'AutoGrad.Benchmarks/AutoGrad.Benchmarks.csproj'
if (-not $Out) { $Out = Join-Path $PSScriptRoot 'AutoGrad.Benchmarks/BenchmarkDotNet.Artifacts' }
if ($Filter -eq 'PeakMemory') { $PeakMemory = $true; $Filter = '*' }
if ($UpdateDocs -and ($Filter -ne '*' -or $PeakMemory)) {
    throw '-UpdateDocs needs a full run (no -Filter): docs/performance.md must show one consistent run.'
}

dotnet build $project -c Release --nologo -v q
if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }

# The apphost in the RID-specific output; libLibTorchSharp.so next to it is patched at startup (see README.md).
$exe = Join-Path $PSScriptRoot 'AutoGrad.Benchmarks/bin/Release/net10.0/linux-x64/AutoGrad.Benchmarks'
if ($Smoke) {
    & $exe --smoke
    if ($LASTEXITCODE) { throw "smoke check failed ($LASTEXITCODE)" }
    return
}

$glob = if ($Filter -match '[*?]') { $Filter } else { "*$Filter*" }
# The glob goes through the environment: pwsh on Unix would expand '*' in a native command's arguments.
$env:AUTOGRAD_BENCH_FILTER = $glob
$arguments = @('--out', $Out)
if ($PeakMemory) { $arguments += '--peak-memory' }
if ($InterleavedOnly) { $arguments += '--interleaved-only' }
if ($LeakSteps -gt 0) { $arguments += @('--leak-steps', $LeakSteps) }
$docs = Join-Path $root 'docs/performance.md'
if ($UpdateDocs) { $arguments += @('--docs', $docs) }

try { & $exe @arguments; $code = $LASTEXITCODE } finally { Remove-Item Env:AUTOGRAD_BENCH_FILTER -ErrorAction Ignore }

if ($UpdateDocs -and -not $code) {
    $svg = Join-Path $root 'docs/performance.svg'
    Copy-Item (Join-Path $Out 'ratios.svg') $svg -Force
    if (Get-Command rsvg-convert -ErrorAction SilentlyContinue) {
        rsvg-convert -o (Join-Path $root 'docs/performance.png') $svg
    } else {
        Write-Warning 'rsvg-convert not found (apt-get install librsvg2-bin): docs/performance.png not refreshed.'
    }
}
Write-Host "Summary: $(Join-Path $Out $(if ($PeakMemory) { 'peak-memory.md' } elseif ($InterleavedOnly) { 'interleaved.md' } else { 'summary.md' }))"
if ($code) { throw "some benchmarks failed (exit $code); see the output above" }
