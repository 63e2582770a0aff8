<#
.SYNOPSIS
    The soak test of issue 16 (build.ps1 Soak; not part of build.ps1 Test): a training loop through the cmdlets for
    100,000 steps in a default pwsh, with the process's memory sampled as it goes. Passes when memory stays flat
    (the last tenth of the run holds no more than the tenth after warm-up, within a margin) and the loss went down.
.DESCRIPTION
    Two loops, each of -Steps steps, each what a training script does. By hand: forward (Invoke-Op MatMul, Add, Tanh,
    MatMul, MseLoss), Invoke-Backward, an SGD update under Use-NoGrad and Clear-Grad. With layers and an optimizer:
    Invoke-Layer on a New-Layer Sequential, Invoke-Op MseLoss, Invoke-Backward, Update-Parameter (Adam) and
    Clear-Grad -Optimizer. Nothing is disposed and no runtime setting is tuned: memory must stay flat by the garbage
    collector, the storage pool and its reclaimer alone. Prints a line per sample (step, managed heap, working set,
    gen-2 collections, loss) and a verdict per loop; exits 1 if memory grew or the loss did not fall in either.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Steps = 100000,
    [int] $Samples = 50,
    # Growth allowed between the early and the late window, beyond the early window's own spread.
    [double] $AllowedGrowthMB = 16
)

$ErrorActionPreference = 'Stop'
# The same numbers in every session (12.5 MB, not 12,5 MB under de-DE).
[System.Threading.Thread]::CurrentThread.CurrentCulture = [cultureinfo]::InvariantCulture
Import-Module $ModulePath

# A small regression problem: y = sin(x1) + x2^2 / 4 from 8 features, 64 samples, an 8-16-1 network.
$x = New-Tensor -RandN -Shape 64, 8 -Seed 1
$y = ($x | Invoke-Op Select -Dim 1 -Index 0 | Invoke-Op Sin) + (($x | Invoke-Op Select -Dim 1 -Index 1) * ($x | Invoke-Op Select -Dim 1 -Index 1) / 4)
$y = $y | Invoke-Op Unsqueeze -Dim 1
$process = [System.Diagnostics.Process]::GetCurrentProcess()

# Runs $Step (which returns the step's loss tensor) -Steps times, samples memory, and says whether it stayed flat and
# the loss fell.
function Invoke-SoakLoop([string] $Name, [scriptblock] $Step) {
    [Console]::WriteLine("== $Name")
    $every = [math]::Max(1, [int]($Steps / $Samples))
    $taken = [System.Collections.Generic.List[object]]::new()
    $firstLoss = $null
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    for ($i = 1; $i -le $Steps; $i++) {
        $loss = & $Step
        if ($null -eq $firstLoss) { $firstLoss = $loss.Item() }
        if ($i % $every -eq 0) {
            $process.Refresh()
            $sample = [pscustomobject]@{
                Step       = $i
                HeapMB     = [math]::Round([GC]::GetTotalMemory($false) / 1MB, 1)
                WorkingMB  = [math]::Round($process.WorkingSet64 / 1MB, 1)
                Gen2       = [GC]::CollectionCount(2)
                Loss       = [math]::Round($loss.Item(), 6)
                Seconds    = [math]::Round($watch.Elapsed.TotalSeconds, 1)
            }
            $taken.Add($sample)
            [Console]::WriteLine(('step {0,7}  heap {1,7:F1} MB  working set {2,7:F1} MB  gen2 {3,5}  loss {4:F6}  {5,6:F1} s' -f
                $sample.Step, $sample.HeapMB, $sample.WorkingMB, $sample.Gen2, $sample.Loss, $sample.Seconds))
        }
    }

    # Flat: the late window's working set and heap stay within the early window's range plus a margin. The early
    # window starts after a tenth of the run (the pool and the JIT have warmed up by then).
    $n = $taken.Count
    $tenth = [math]::Max(1, [int]($n / 10))
    $early = $taken[$tenth..([math]::Min($n - 1, 2 * $tenth))]
    $late = $taken[($n - $tenth)..($n - 1)]
    $verdict = foreach ($measure in 'WorkingMB', 'HeapMB') {
        $earlyMax = ($early | Measure-Object $measure -Maximum).Maximum
        $lateMax = ($late | Measure-Object $measure -Maximum).Maximum
        [pscustomobject]@{ Measure = $measure; Early = $earlyMax; Late = $lateMax; Flat = $lateMax -le $earlyMax + $AllowedGrowthMB }
    }
    $lastLoss = $taken[$n - 1].Loss
    $learned = $lastLoss -lt $firstLoss / 2
    foreach ($v in $verdict) {
        [Console]::WriteLine(('{0}: early window max {1:F1} MB, late window max {2:F1} MB: {3}' -f $v.Measure, $v.Early, $v.Late, $(if ($v.Flat) { 'flat' } else { "GREW more than $AllowedGrowthMB MB" })))
    }
    [Console]::WriteLine(('loss {0:F6} -> {1:F6}: {2}' -f $firstLoss, $lastLoss, $(if ($learned) { 'learned' } else { 'DID NOT FALL' })))
    $ok = $learned -and -not @($verdict | Where-Object { -not $_.Flat })
    [Console]::WriteLine("$($Name): $Steps steps in $([math]::Round($watch.Elapsed.TotalMinutes, 1)) min: $(if ($ok) { 'passed' } else { 'FAILED' })")
    $ok
}

# By hand: the notebook's style, an 8-16-1 network of tensors and an SGD step under Use-NoGrad.
$w1 = (New-Tensor -RandN -Shape 8, 16 -Seed 2) * 0.3; $w1.RequiresGrad = $true
$b1 = New-Tensor -Zeros -Shape 16 -RequiresGrad
$w2 = (New-Tensor -RandN -Shape 16, 1 -Seed 3) * 0.3; $w2.RequiresGrad = $true
$parameters = $w1, $b1, $w2
$lr = 0.05
$byHand = Invoke-SoakLoop 'By hand (Invoke-Op, Invoke-Backward, Use-NoGrad, Clear-Grad)' {
    $hidden = $x | Invoke-Op MatMul $w1 | Invoke-Op Add $b1 | Invoke-Op Tanh
    $loss = $hidden | Invoke-Op MatMul $w2 | Invoke-Op MseLoss -Target $y
    $loss | Invoke-Backward
    Use-NoGrad { foreach ($p in $parameters) { $null = $p.Sub_($p.Grad * $lr) } }
    $parameters | Clear-Grad
    $loss
}

# With layers and an optimizer: the same problem as a PyTorch script writes it.
Set-RandomSeed 4
$model = New-Layer Sequential (New-Layer Linear -InFeatures 8 -OutFeatures 16), (New-Layer Tanh), (New-Layer Linear -InFeatures 16 -OutFeatures 1)
$optimizer = New-Optimizer Adam $model.Parameters() -LR 0.01
$withLayers = Invoke-SoakLoop 'With layers (Invoke-Layer, Invoke-Backward, Update-Parameter, Clear-Grad -Optimizer)' {
    $loss = $x | Invoke-Layer $model | Invoke-Op MseLoss -Target $y
    $loss | Invoke-Backward
    Update-Parameter $optimizer
    Clear-Grad -Optimizer $optimizer
    $loss
}

$ok = $byHand -and $withLayers
[Console]::WriteLine("Soak: $(if ($ok) { 'passed' } else { 'FAILED' })")
exit $(if ($ok) { 0 } else { 1 })
