<#
.SYNOPSIS
    PowerShell layer benchmark (issue 4): per-call cost of the module's cmdlets on 2x2 tensors, compared with an
    empty binary cmdlet and with calling the engine's methods directly from PowerShell.

.DESCRIPTION
    Each measured line runs the same statement $Unroll times per iteration of a loop of $Iterations iterations,
    compiled once as one script block, $Rounds times; the per-call time is the fastest round divided by the number
    of calls, minus the same measurement with an empty statement (so the loop is not counted). The fastest round,
    not the median: on a shared machine the slower rounds measure the other processes. Ratios are against the
    empty binary cmdlet with one bound argument.

    The reference is an empty binary cmdlet compiled here with Add-Type (Invoke-Nothing). Why not a built-in cmdlet
    such as Write-Output or Out-Null: those do work of their own (enumeration, pipeline writes) and some are
    special-cased by the engine (Out-Null), so they are not a floor. An empty PSCmdlet compiled from C# pays
    exactly what every binary cmdlet pays: command lookup, parameter binding, the pipeline processor's
    Begin/Process/End. It is measured twice: with no argument, and with one [object] parameter bound by name
    (each of our cmdlets binds at least the tensor), which is the fair floor for a one-tensor cmdlet.

    Runs against the module assembled by build.ps1 Build: out/AutoGrad.PS/AutoGrad.PS.psd1 (or -ModulePath).
    Timing is indicative on a shared, noisy machine; never used by tests.

.EXAMPLE
    pwsh benchmarks/cmdlets.ps1
    pwsh benchmarks/cmdlets.ps1 -Iterations 20000 -Rounds 7 -OutFile cmdlets.md
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1'),
    [int]$Iterations = 2000,
    [int]$Unroll = 10,
    [int]$Rounds = 7,
    [string]$OutFile
)
$ErrorActionPreference = 'Stop'

if (-not (Test-Path $ModulePath)) {
    throw "Module not found at $ModulePath. Build it first: ./build.ps1 Build (or pass -ModulePath)."
}
Import-Module $ModulePath -Force

# The empty binary cmdlet (see .DESCRIPTION for why not a built-in one).
if (-not ('AutoGradBench.InvokeNothingCommand' -as [type])) {
    Add-Type -TypeDefinition @'
using System.Management.Automation;
namespace AutoGradBench
{
    [Cmdlet(VerbsLifecycle.Invoke, "Nothing")]
    public sealed class InvokeNothingCommand : PSCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        public object InputObject { get; set; }

        protected override void ProcessRecord() { }
    }
}
'@
}
Import-Module -Assembly ([AutoGradBench.InvokeNothingCommand].Assembly) -Force

# 2x2 inputs, made once. $x requires grad; $out is a fresh graph per Invoke-Backward call (see below).
$data = [double[][]]@(@(1.0, 2.0), @(3.0, 4.0))
$a = New-Tensor -Data $data -DType Float64
$b = New-Tensor -Data $data -DType Float64
$x = New-Tensor -Data $data -DType Float64 -RequiresGrad
$flat = [double[]](1.0, 2.0, 3.0, 4.0)
$shape = [int[]](2, 2)

function Measure-PerCall {
    param([string]$Name, [scriptblock]$Body, [scriptblock]$Setup = {})
    # Build "for ($i = 0; $i -lt $n; $i++) { <body> x $Unroll }" as one script block so PowerShell compiles the
    # loop once; the body is repeated $Unroll times per iteration so the loop's own cost is spread thin.
    $unrolled = (1..$Unroll | ForEach-Object { "$Body" }) -join "`n"
    $loop = [scriptblock]::Create("param(`$n) . { $Setup }; for (`$i = 0; `$i -lt `$n; `$i++) {`n$unrolled`n}")
    $null = & $loop ([Math]::Min(200, $Iterations))   # warm up: JIT, command discovery, binder caches
    $times = foreach ($r in 1..$Rounds) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = & $loop $Iterations
        $sw.Elapsed.TotalMilliseconds * 1000.0 / ($Iterations * $Unroll)
    }
    # The fastest round: on a shared machine the others are slowed by other processes, not by the code measured.
    [pscustomobject]@{ Name = $Name; Microseconds = ($times | Measure-Object -Minimum).Minimum }
}

# The loops' own cost (an empty body), subtracted from every line.
$empty = (Measure-PerCall 'empty loop' { }).Microseconds

$rows = @(
    Measure-PerCall 'Invoke-Nothing (empty binary cmdlet)' { $null = Invoke-Nothing }
    Measure-PerCall 'Invoke-Nothing -InputObject $a' { $null = Invoke-Nothing -InputObject $a }
    Measure-PerCall 'New-Tensor -Data (2x2)' { $null = New-Tensor -Data $data -DType Float64 }
    Measure-PerCall 'Invoke-Op -Name Add -Other' { $null = Invoke-Op -Name Add -InputObject $a -Other $b }
    Measure-PerCall 'Measure-Mean' { $null = Measure-Mean -InputObject $a }
    # Backward needs a fresh graph each time; the graph is built with engine calls, whose cost is measured on
    # its own line ('engine: graph only') and subtracted.
    Measure-PerCall 'engine: graph only (x+2)*(x+2) mean' { $null = ($x.Add(2.0)).Mul($x.Add(2.0)).Mean() }
    Measure-PerCall 'Invoke-Backward (+ graph)' { $o = ($x.Add(2.0)).Mul($x.Add(2.0)).Mean(); Invoke-Backward -InputObject $o }
    Measure-PerCall 'Get-Grad' { $null = Get-Grad -InputObject $x }
    Measure-PerCall 'engine: [Tensor]::FromArray' { $null = [AutoGrad.Tensor]::FromArray[double]($flat, $shape) }
    Measure-PerCall 'engine: $a.Add($b)' { $null = $a.Add($b) }
    Measure-PerCall 'engine: $a.Mean()' { $null = $a.Mean() }
    Measure-PerCall 'engine: $o.Backward() (+ graph)' { $o = ($x.Add(2.0)).Mul($x.Add(2.0)).Mean(); $o.Backward() }
    Measure-PerCall 'engine: $x.Grad' { $null = $x.Grad }
)
foreach ($r in $rows) { $r.Microseconds = [Math]::Max(0.0, $r.Microseconds - $empty) }
$graph = ($rows | Where-Object Name -like 'engine: graph only*').Microseconds
foreach ($r in $rows | Where-Object Name -like '*(+ graph)') {
    $r.Microseconds = [Math]::Max(0.0, $r.Microseconds - $graph); $r.Name = $r.Name -replace ' \(\+ graph\)', ''
}
$floor = ($rows | Where-Object Name -eq 'Invoke-Nothing -InputObject $a').Microseconds
$pairs = @{
    'New-Tensor -Data (2x2)' = 'engine: [Tensor]::FromArray'; 'Invoke-Op -Name Add -Other' = 'engine: $a.Add($b)'
    'Measure-Mean' = 'engine: $a.Mean()'; 'Invoke-Backward' = 'engine: $o.Backward()'; 'Get-Grad' = 'engine: $x.Grad'
}

$lines = @(
    "PowerShell layer, 2x2 float64 tensors: per-call microseconds (fastest of $Rounds rounds x $($Iterations * $Unroll) calls, " +
    "loop cost $([Math]::Round($empty, 2)) µs subtracted). Target: each cmdlet within 2x of the empty binary cmdlet " +
    'with one bound argument. PowerShell ' + $PSVersionTable.PSVersion + ', ' + [Runtime.InteropServices.RuntimeInformation]::FrameworkDescription +
    ', ' + (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm') + ' UTC; shared, noisy machine.'
    ''
    '| call | µs/call | / empty cmdlet (1 arg) | engine method from PowerShell, µs | cmdlet / engine call |'
    '|---|---:|---:|---:|---:|'
)
foreach ($r in $rows | Where-Object { $_.Name -notlike 'engine:*' }) {
    $eng = if ($pairs.ContainsKey($r.Name)) { ($rows | Where-Object Name -eq $pairs[$r.Name]).Microseconds }
    $lines += '| {0} | {1:0.00} | {2:0.00} | {3} | {4} |' -f $r.Name, $r.Microseconds,
        ($(if ($floor -gt 0) { $r.Microseconds / $floor } else { [double]::NaN })),
        ($(if ($null -ne $eng) { '{0:0.00}' -f $eng } else { '' })),
        ($(if ($eng -gt 0) { '{0:0.0}' -f ($r.Microseconds / $eng) } else { '' }))
}
$lines += '| engine: graph (x+2)*(x+2) mean, built from PowerShell | {0:0.00} | | | |' -f $graph
$text = $lines -join "`n"
$text
if ($OutFile) { Set-Content -Path $OutFile -Value $text -Encoding utf8 }
