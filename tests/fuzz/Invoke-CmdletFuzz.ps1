<#
.SYNOPSIS
    The cmdlet fuzzer of issue 16: seeded random bad values into every cmdlet and every Invoke-Op op.
.DESCRIPTION
    Each case calls one cmdlet (for Invoke-Op: one op) with random parameters and pipeline input drawn from a list of
    bad values - $null, strings, ragged and deep nesting, NaN/inf, huge, negative and zero sizes, wrong dtypes,
    mismatched shapes, disposed tensors, odd .NET objects - next to ordinary ones. The cmdlets of layers,
    optimizers, schedulers and training get random options, models, losses and script blocks; the file cmdlets
    write to paths that cannot be written (no folder, a folder, another provider, a NUL in the name) and read
    corrupt, truncated, misnamed and random files made at the start in a temporary folder. The property: the call writes
    output or an ErrorRecord that speaks of the input (an id of the cmdlet, or PowerShell's own parameter-binding
    id), never an exception that leaked from inside (NullReference, IndexOutOfRange, InvalidCast, ArgumentOutOfRange,
    Overflow, DivideByZero, KeyNotFound, Format, the cmdlets' catch-all EngineFailure). -Kind CrashProne draws
    from inputs that could take a process down (data nested thousands deep, tensors of rank 100000, sizes at the
    limits); tests/Fuzz.Tests.ps1 runs both kinds in a child pwsh with a time limit, so a crash or a hang is a test
    failure, not the end of the run.

    Prints 'FAIL <case>: <what>' per bad case and, last, 'DONE <cases> cases, <failures> failures, seed <seed>'.
    Replay one case with -Seed <seed> -First <case> -Cases 1.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Seed = 16,
    [int] $Cases = 1000,
    [int] $First = 0,
    [ValidateSet('Ordinary', 'CrashProne')] [string] $Kind = 'Ordinary'
)

$ErrorActionPreference = 'Continue'
$WarningPreference = 'SilentlyContinue'
$ProgressPreference = 'SilentlyContinue'
Import-Module (Resolve-Path $ModulePath).Path

# Every op of the engine's op table and the Invoke-Op parameters it accepts (so ops added later are fuzzed too).
$ops = foreach ($op in [AutoGrad.Ops.OpTable]::All) {
    $accepted = foreach ($p in [Enum]::GetValues([AutoGrad.Ops.OpArgs])) {
        if ([int]$p -ne 0 -and $op.Accepts($p)) { [string]$p }
    }
    [pscustomobject]@{ Name = $op.Name; Parameters = @($accepted) }
}

# Exception types that mean a bug leaked, wherever they sit in the exception chain.
$leaks = 'NullReferenceException', 'IndexOutOfRangeException', 'InvalidCastException', 'ArgumentOutOfRangeException',
    'OverflowException', 'DivideByZeroException', 'KeyNotFoundException', 'FormatException', 'AccessViolationException',
    'StackOverflowException', 'InsufficientExecutionStackException', 'ArrayTypeMismatchException', 'RankException'
# Ids of errors that speak of the input: the cmdlets' own (Verb+Noun prefix) and PowerShell's parameter binding.
$ownPrefixes = @((Get-Command -Module AutoGrad.PS -CommandType Cmdlet).Name | ForEach-Object { $_ -replace '-', '' })
$bindingIds = 'ParameterArgumentTransformationError', 'ParameterArgumentValidationError', 'CannotConvertArgument',
    'CannotConvertArgumentNoMessage', 'ParameterBindingFailed', 'AmbiguousParameterSet', 'MissingArgument',
    'NamedParameterNotFound', 'InputObjectNotBound', 'PositionalParameterNotFound', 'ParameterArgumentValidationErrorNullNotAllowed',
    'ParameterArgumentValidationErrorEmptyArrayNotAllowed', 'ParameterArgumentValidationErrorEmptyStringNotAllowed',
    'MissingMandatoryParameter', 'ParameterAlreadyBound', 'CannotIndex', 'RuntimeException', 'ScriptBlockArgumentNoInput'

$random = [System.Random]::new($Seed)
# One of the arguments (or of the one array given): Pick 1 2 3, Pick @($list).
function Pick {
    $items = if ($args.Count -eq 1 -and $args[0] -is [array]) { $args[0] } else { $args }
    $items[$random.Next($items.Count)]
}
function Chance([double] $P) { $random.NextDouble() -lt $P }

function New-RandomTensor {
    $rank = $random.Next(0, 4)
    $shape = @(for ($i = 0; $i -lt $rank; $i++) { $random.Next(0, 4) })
    $dtype = Pick 'Float32', 'Float64', 'Int64', 'Bool'
    $n = 1; foreach ($d in $shape) { $n *= $d }
    $values = [double[]]::new($n)
    $pool = if ($dtype -eq 'Int64') { @(0.0, 1.0, -2.0, 3.0, 9.2e18, -9.2e18) } else { @(0.0, 1.0, -2.5, 3.0, [double]::NaN, [double]::PositiveInfinity, -1e30, 0.5) }
    for ($i = 0; $i -lt $n; $i++) { $values[$i] = Pick @($pool) }
    $t = [AutoGrad.Tensor]::FromDoubles($values, [int[]]$shape, $dtype, $false)
    if ($dtype -like 'Float*' -and (Chance 0.3)) { $t.RequiresGrad = $true }
    if (Chance 0.05) { $t.Dispose() }   # a tensor whose storage went back to the pool (may stay readable if shared)
    $t
}

function New-Nested([int] $Depth) {
    $x = Pick 1, 1.5, 'x', $null
    for ($i = 0; $i -lt $Depth; $i++) { $x = , $x }
    , $x
}

# A value for any parameter or the pipeline: mostly bad, sometimes ordinary.
function New-RandomValue {
    switch ($random.Next(0, 30)) {
        0 { $null }
        1 { '' }
        2 { 'abc' }
        3 { '1.5' }
        4 { '4,5' }
        5 { [double]::NaN }
        6 { Pick ([double]::PositiveInfinity) ([double]::NegativeInfinity) }
        7 { Pick 0 (-1) (-7) 1 2 3 }
        8 { Pick 1e300 (-1e300) 1e19 3.5e38 }
        9 { Pick ([long]::MaxValue) ([long]::MinValue) ([int]::MaxValue) ([int]::MinValue) 65536 }
        10 { , @() }
        11 { , @(1, 2) }
        12 { , @(@(1, 2), @(3)) }
        13 { , @(@(1.0, 2.0), @(3.0, 4.0)) }
        14 { New-Nested $random.Next(1, 6) }
        15 { [pscustomobject]@{ a = 1 } }
        16 { @{ a = 1 } }
        17 { Get-Date }
        18 { $a = [double[,]]::new(2, 3); $a[1, 2] = [double]::NaN; , $a }
        19 { Pick $true $false }
        20 { [char]'x' }
        21 { [guid]::Empty }
        22 { { 1 } }
        23 { Pick 'Float32' 'Float64' 'Int64' 'Bool' 'float16' 'torch.double' 'complex' }
        24 { Pick 'Mean' 'Sum' 'None' 'Average' 'none' 'tanh' }
        25 { , [int[]] @(Pick (-1) 0 1 2 3 65536 ([int]::MaxValue)) }
        26 { , [int[]] @(1, -1) }
        default { New-RandomTensor }
    }
}

# Values for inputs that could take a process down: deep data, huge ranks, sizes at the limits.
function New-CrashProneValue {
    switch ($random.Next(0, 6)) {
        0 { New-Nested (Pick 127 128 129 500 5000 30000) }
        1 { [AutoGrad.Tensor]::Zeros([int[]] (@(1) * (Pick 1000 60000 100000)), 'Float32', $false) }
        2 { , [int[]] (@(1) * (Pick 1000 60000)) }
        3 { , [int[]] (@(Pick 65536 100000 2147483647 (-2147483648)) * (Pick 1 2 4)) }
        4 { [AutoGrad.Tensor]::Zeros([int[]] @(Pick 1000000 3000000), 'Float32', $false) }
        default { New-RandomValue }
    }
}

function New-Value { if ($Kind -eq 'CrashProne' -and (Chance 0.5)) { New-CrashProneValue } else { New-RandomValue } }

# A tensor most of the time (so that ops run and their kernels see NaN, inf, empty and odd shapes), else anything.
function New-Input { if (Chance 0.7) { New-RandomTensor } else { New-Value } }

# A value for a named parameter: mostly of the kind it takes (small dims, short shapes, numbers, dtype and reduction
# names), sometimes anything at all.
function New-ParameterValue([string] $Name) {
    if (Chance 0.2) { return New-Value }
    switch ($Name) {
        { $_ -in 'Dim', 'Dims', 'Shape' } { return , [int[]] @(for ($i = $random.Next(0, 4); $i -gt 0; $i--) { $random.Next(-4, 5) }) }
        { $_ -in 'Dim0', 'Dim1', 'StartDim', 'EndDim', 'Start', 'Length', 'IgnoreIndex' } { return $random.Next(-4, 5) }
        { $_ -in 'Other', 'Min', 'Max', 'Index', 'Target', 'Condition' } { return $(if (Chance 0.5) { New-RandomTensor } else { Pick 0 1 2 (-1) 0.5 ([double]::NaN) $true }) }
        'Reduction' { return Pick 'Mean' 'Sum' 'None' 'mean' 'Average' }
        'DType' { return Pick 'Float32' 'Float64' 'Int64' 'Bool' 'double' 'long' 'float16' }
        'Approximate' { return Pick 'none' 'tanh' 'exact' }
        default { return Pick 0.0 1.0 2.0 (-1.0) 0.5 1e-6 ([double]::NaN) ([double]::PositiveInfinity) }
    }
}

# ---- layers, optimizers, schedulers, files: main's cmdlets ----------------------------------------------------------

# A folder for the files the export cmdlets write and the import cmdlet reads; removed at the end.
$TempDir = Join-Path ([IO.Path]::GetTempPath()) "autograd-cmdlet-fuzz-$PID"
$null = New-Item -ItemType Directory -Path $TempDir -Force
# Relative paths (' ', a bare name) land there too, not in the folder the fuzzer was started from.
Push-Location -LiteralPath $TempDir

# Files for Import-Tensor: good ones of each format, then copies cut short, with bytes changed, random bytes, an empty
# file, a file named like another format, a folder.
$ImportFiles = @(& {
    $good = @(
        @{ Name = 'w.pt'; Value = New-Tensor @(@(1.0, 2.0), @(3.0, [double]::NaN)) }
        @{ Name = 'i.safetensors'; Value = [ordered]@{ a = (New-Tensor 1, 2, 3); b = (New-Tensor 0.5) } }
        @{ Name = 'b.npy'; Value = New-Tensor $true, $false }
        @{ Name = 'state.pt'; Value = New-Layer Linear -InFeatures 2 -OutFeatures 1 }
    )
    foreach ($g in $good) {
        $path = Join-Path $TempDir $g.Name
        Export-Tensor -LiteralPath $path -InputObject $g.Value -Force
        $path
        $bytes = [IO.File]::ReadAllBytes($path)
        $ext = [IO.Path]::GetExtension($g.Name)
        $r = [System.Random]::new($bytes.Length)
        for ($k = 0; $k -lt 6; $k++) {
            $copy = [byte[]]$bytes.Clone()
            switch ($k % 3) {
                0 { $copy = $copy[0..($r.Next(1, $copy.Length) - 1)] }
                1 { for ($j = 0; $j -lt 4; $j++) { $copy[$r.Next($copy.Length)] = [byte]$r.Next(256) } }
                default { $at = $r.Next([math]::Max(1, $copy.Length - 8)); for ($j = 0; $j -lt 8; $j++) { $copy[$at + $j] = 0xFF } }
            }
            $bad = Join-Path $TempDir "bad$k-$($g.Name)"
            [IO.File]::WriteAllBytes($bad, [byte[]]$copy)
            $bad
        }
        $renamed = Join-Path $TempDir "renamed-$($g.Name).npy"
        [IO.File]::WriteAllBytes($renamed, $bytes)
        $renamed
    }
    $random = Join-Path $TempDir 'random.pt'; [IO.File]::WriteAllBytes($random, [byte[]](1..200 | ForEach-Object { $_ * 37 % 256 })); $random
    $empty = Join-Path $TempDir 'empty.safetensors'; [IO.File]::WriteAllBytes($empty, [byte[]]@()); $empty
    $folder = Join-Path $TempDir 'folder.pt'; $null = New-Item -ItemType Directory -Path $folder -Force; $folder
    Join-Path $TempDir 'missing.pt'
    Join-Path $TempDir '*.npy'
})

# A path for the export cmdlets: a file in the temp folder with a random extension, or one that cannot be written.
function New-OutputPath {
    switch ($random.Next(0, 10)) {
        0 { Join-Path $TempDir 'no/such/folder/x.pt' }
        1 { $TempDir }
        2 { Pick 'variable:x' 'env:AUTOGRAD_FUZZ' 'function:f' }
        3 { Pick '' ' ' "$TempDir/bad`0name.pt" }
        4 { Join-Path $TempDir ('x' * 300 + '.pt') }
        default { Join-Path $TempDir ("out{0}{1}" -f $random.Next(0, 5), (Pick '.pt' '.pth' '.safetensors' '.npy' '.dot' '.mmd' '.md' '.svg' '.png' '.gif' '' '.PT')) }
    }
}

# A number for an option: ordinary, at an edge, or not finite.
function New-Number { Pick 0.0 1.0 2.0 (-1.0) 0.5 0.9 1e-6 ([double]::NaN) ([double]::PositiveInfinity) (-1e300) }

function New-RandomLayer {
    switch ($random.Next(0, 6)) {
        0 { New-Layer Linear -InFeatures (Pick 1 2 3) -OutFeatures (Pick 1 2) -DType (Pick 'Float32' 'Float64') }
        1 { New-Layer (Pick 'ReLU' 'Tanh' 'Sigmoid' 'GELU' 'SiLU' 'Identity' 'Flatten') }
        2 { New-Layer Sequential (New-Layer Linear -InFeatures 2 -OutFeatures 2), (New-Layer ReLU) }
        3 { Pick (New-Layer Dropout -P 0.5) (New-Layer LayerNorm -NormalizedShape 2) (New-Layer BatchNorm1d -NumFeatures 2) (New-Layer Embedding -NumEmbeddings 4 -EmbeddingDim 2) (New-Layer Softmax -Dim 1) }
        default { New-Value }
    }
}

function New-RandomOptimizer {
    if (Chance 0.15) { return New-Value }
    $parameters = if (Chance 0.5) { (New-Layer Linear -InFeatures 2 -OutFeatures 2).Parameters() } else { , (New-Tensor 1.0, 2.0 -RequiresGrad) }
    New-Optimizer (Pick 'SGD' 'Adam' 'AdamW' 'RMSprop' 'Adagrad') $parameters -LR 0.1
}

function New-RandomScheduler {
    if (Chance 0.15) { return New-Value }
    $opt = New-Optimizer SGD (New-Tensor 1.0 -RequiresGrad) -LR 0.1
    switch ($random.Next(0, 4)) {
        0 { New-LRScheduler StepLR $opt -StepSize 1 }
        1 { New-LRScheduler ReduceLROnPlateau $opt -Patience 0 }
        2 { New-LRScheduler OneCycleLR $opt -MaxLR 0.5 -TotalSteps 2 }
        default { New-LRScheduler CosineAnnealingLR $opt -TMax 3 }
    }
}

# Script blocks for the cmdlets that run one: ordinary, failing, returning the wrong things.
function New-RandomBlock {
    Pick { param($x) $x } { param($x) $x * 2 } { throw 'inner' } { param($x) } { param($x) 'text' } { param($x) $x; $x } `
        { param($x) $x | Invoke-Op Sqrt } { param($x) New-Tensor 'abc' } { param($x) $x | Invoke-Op MatMul (New-Tensor 1.0, 2.0, 3.0) } `
        { param($x) $x | Invoke-Op To -DType Float64 }
}

# Objects for ConvertTo-Tensor and Export-Plot: rows with properties, hashtables, plain values, junk.
function New-Row {
    switch ($random.Next(0, 6)) {
        0 { [pscustomobject]@{ A = New-Value; B = (Pick 1 2.5 'x' $null) } }
        1 { [pscustomobject]@{ Loss = $random.NextDouble(); Epoch = $random.Next(5); Name = (Pick 'a' 'b' 'setosa') } }
        2 { @{ A = 1; B = (Pick 2 'two' $null) } }
        default { New-Value }
    }
}

# One case: a cmdlet, its parameters and its pipeline input.
function New-Case {
    $cmdlet = Pick 'Invoke-Op' 'Invoke-Op' 'Invoke-Op' 'Invoke-Op' 'New-Tensor' 'New-Tensor' 'Measure-Sum' 'Measure-Mean' 'Invoke-Backward' 'Get-Grad' 'Clear-Grad' 'Use-NoGrad' 'Test-Gradient' 'Join-Tensor' 'Split-Tensor' 'Operator' `
        'New-Layer' 'Invoke-Layer' 'New-Optimizer' 'Update-Parameter' 'New-LRScheduler' 'Update-LRScheduler' 'Invoke-Training' 'Get-Batch' `
        'ConvertTo-Tensor' 'ConvertFrom-Tensor' 'Export-Tensor' 'Import-Tensor' 'Import-Tensor' 'Export-TensorGraph' 'Export-Plot' 'Assert-TensorClose' `
        'Get-TensorOp' 'Register-TensorHook' 'Unregister-TensorHook' 'Use-AnomalyDetection' 'Set-RandomSeed' 'Set-RandomState'
    $splat = @{}
    $pipe = $null; $usePipe = Chance 0.6
    switch ($cmdlet) {
        'Invoke-Op' {
            $op = Pick @($ops)
            $splat.Name = if (Chance 0.03) { Pick 'Nope' '' 'matmul' } else { $op.Name }
            foreach ($p in $op.Parameters) { if (Chance 0.7) { $splat[$p] = New-ParameterValue $p } }
            if (Chance 0.1) { $splat[(Pick 'Dim' 'Shape' 'Target' 'Other' 'P' 'Index')] = New-Value }   # maybe one the op refuses
            foreach ($k in @($splat.Keys)) { if ($k -in 'KeepDim', 'WithIndices') { $splat[$k] = [bool](Chance 0.5) } }
            $pipe = New-Input
        }
        'New-Tensor' {
            $usePipe = $false
            switch ($random.Next(0, 6)) {
                0 { $splat.Zeros = $true; $splat.Shape = New-Value }
                1 { $splat.Ones = $true; $splat.Shape = New-Value }
                2 { $splat.Fill = New-Value; $splat.Shape = New-Value }
                3 { $splat.Rand = $true; $splat.Shape = New-Value; if (Chance 0.5) { $splat.Seed = New-Value } }
                4 { $splat.RandN = $true; $splat.Shape = New-Value }
                default {
                    $pipe = New-Value
                    if (Chance 0.6) { $usePipe = $true } else { $splat.Data = $pipe }
                    if (Chance 0.3) { $splat.Shape = New-Value }
                }
            }
            if (Chance 0.4) { $splat.DType = New-Value }
            if (Chance 0.2) { $splat.RequiresGrad = $true }
        }
        { $_ -in 'Measure-Sum', 'Measure-Mean' } { $pipe = New-Input; if (Chance 0.5) { $splat.Dim = New-ParameterValue 'Dim' }; if (Chance 0.3) { $splat.KeepDim = $true } }
        'Invoke-Backward' { $pipe = New-Input; if (Chance 0.4) { $splat.Gradient = New-Input }; if (Chance 0.2) { $splat.RetainGraph = $true }; if (Chance 0.2) { $splat.CreateGraph = $true } }
        'Get-Grad' {
            if (Chance 0.5) { $pipe = New-Input }
            else { $usePipe = $false; $splat.Of = New-Input; $splat.WithRespectTo = New-Input; if (Chance 0.3) { $splat.GradOutputs = New-Input }; if (Chance 0.2) { $splat.AllowUnused = $true } }
        }
        'Clear-Grad' { $pipe = New-Input; if (Chance 0.3) { $splat.Zero = $true } }
        'Operator' {
            # Tensor operators from script: $a + $b, $b - $a ... with a tensor on one side and anything on the other.
            $usePipe = $false
            $splat.Op = Pick '+' '-' '*' '/'
            $splat.Left = New-RandomTensor; $splat.Right = New-Value
            if (Chance 0.5) { $splat.Left, $splat.Right = $splat.Right, $splat.Left }
        }
        'Use-NoGrad' { $usePipe = $false; $splat.ScriptBlock = Pick { 1 } { New-Tensor 1.0 | Invoke-Op Exp } { throw 'inner' } { New-Tensor 'abc' } }
        'Test-Gradient' {
            $splat.ScriptBlock = Pick { param($x) $x * 2 } { param($x) 1 } { param($x) } { param($x, $y) $x * $y } { param($x) $x | Invoke-Op Softmax -Dim 0 } { throw 'inner' }
            $pipe = New-Input
        }
        'Join-Tensor' { $pipe = @(New-Input; New-Input); if (Chance 0.5) { $splat.Dim = New-ParameterValue 'Dim0' }; if (Chance 0.3) { $splat.Stack = $true } }
        'Split-Tensor' {
            $pipe = New-Input
            switch ($random.Next(0, 3)) { 0 { $splat.SplitSize = New-ParameterValue 'Length' } 1 { $splat.Sections = New-ParameterValue 'Shape' } default { $splat.Chunks = New-ParameterValue 'Length' } }
            if (Chance 0.5) { $splat.Dim = New-ParameterValue 'Dim0' }
        }
        'New-Layer' {
            $usePipe = $false
            $splat.Type = if (Chance 0.9) { Pick 'Linear' 'Sequential' 'ReLU' 'GELU' 'Softmax' 'Dropout' 'Flatten' 'Embedding' 'LayerNorm' 'BatchNorm1d' 'LeakyReLU' 'Conv2d' '' } else { New-Value }
            foreach ($p in 'InFeatures', 'OutFeatures', 'NumEmbeddings', 'EmbeddingDim', 'NumFeatures', 'Dim', 'StartDim', 'EndDim') { if (Chance 0.25) { $splat[$p] = Pick 0 1 2 (-1) 65536 ([int]::MaxValue) } }
            foreach ($p in 'P', 'NegativeSlope', 'Eps', 'Momentum') { if (Chance 0.15) { $splat[$p] = New-ParameterValue $p } }
            if (Chance 0.2) { $splat.NormalizedShape = New-ParameterValue 'Shape' }
            if (Chance 0.1) { $splat.PaddingIdx = Pick 0 (-1) 9 ([long]::MinValue) }
            if (Chance 0.2) { $splat.Layers = @(New-RandomLayer; New-RandomLayer) }
            if (Chance 0.2) { $splat.DType = New-ParameterValue 'DType' }
            if (Chance 0.1) { $splat.Approximate = Pick 'none' 'tanh' 'exact' }
        }
        'Invoke-Layer' { $splat.Layer = New-RandomLayer; $pipe = New-Input }
        'New-Optimizer' {
            $usePipe = $false
            $splat.Type = Pick 'SGD' 'Adam' 'AdamW' 'RMSprop' 'Adagrad' 'Adamax'
            $splat.Parameters = switch ($random.Next(0, 5)) {
                0 { , @() }
                1 { , @((New-Tensor 1.0 -RequiresGrad), (New-Value)) }
                2 { , @(@{ Params = (New-Tensor 1.0 -RequiresGrad); LR = New-ParameterValue 'P' }) }
                3 { (New-Layer Linear -InFeatures 2 -OutFeatures 1).Parameters() }
                default { New-Input }
            }
            foreach ($p in 'LR', 'Momentum', 'Dampening', 'WeightDecay', 'Eps', 'Alpha', 'LRDecay', 'InitialAccumulatorValue') { if (Chance 0.15) { $splat[$p] = New-ParameterValue $p } }
            if (Chance 0.15) { $splat.Betas = , [double[]]@(New-Number; New-Number) }
            foreach ($p in 'Nesterov', 'Maximize', 'AmsGrad', 'Centered') { if (Chance 0.1) { $splat[$p] = $true } }
        }
        'Update-Parameter' {
            $pipe = New-RandomOptimizer
            # Gradients of the right shape, of NaN, or none at all.
            if ($pipe -is [AutoGrad.Optim.Optimizer]) { foreach ($p in $pipe.ParamGroups[0].Params) { if (Chance 0.7) { $p.Grad = $p.Detach().Mul((Pick 0.5 ([double]::NaN) (-1e30))) } } }
        }
        'New-LRScheduler' {
            $splat.Type = Pick 'StepLR' 'MultiStepLR' 'ExponentialLR' 'CosineAnnealingLR' 'LinearLR' 'ReduceLROnPlateau' 'OneCycleLR' 'CyclicLR'
            $pipe = New-RandomOptimizer
            if (-not (Chance 0.6)) { $usePipe = $false; $splat.Optimizer = $pipe }
            foreach ($p in 'StepSize', 'TMax', 'TotalIters', 'Patience', 'Cooldown', 'TotalSteps', 'Epochs', 'StepsPerEpoch') { if (Chance 0.2) { $splat[$p] = Pick 0 1 2 (-1) 65536 ([int]::MaxValue) } }
            foreach ($p in 'Gamma', 'EtaMin', 'StartFactor', 'EndFactor', 'Factor', 'Threshold', 'Eps', 'PctStart', 'DivFactor', 'FinalDivFactor') { if (Chance 0.15) { $splat[$p] = New-ParameterValue $p } }
            foreach ($p in 'MinLR', 'MaxLR', 'BaseMomentum', 'MaxMomentum') { if (Chance 0.2) { $splat[$p] = , [double[]]@(New-Number) } }
            if (Chance 0.2) { $splat.Milestones = New-ParameterValue 'Shape' }
            if (Chance 0.15) { $splat.Mode = Pick 'min' 'max' 'lowest' }
            if (Chance 0.15) { $splat.ThresholdMode = Pick 'rel' 'abs' 'x' }
            if (Chance 0.15) { $splat.AnnealStrategy = Pick 'cos' 'linear' 'exp' }
        }
        'Update-LRScheduler' { $pipe = New-RandomScheduler; if (Chance 0.5) { $splat.Metric = New-Value } }
        'Invoke-Training' {
            $n = Pick 1 2 4
            $pipe = if (Chance 0.8) { New-Tensor -Rand -Shape $n, 2 -Seed 1 } else { New-Input }
            if (Chance 0.8) { $splat.Target = Pick (New-Tensor -Zeros -Shape $n -DType Int64) (New-Tensor -Rand -Shape $n, 1 -Seed 2) (New-Tensor -Rand -Shape $n -Seed 3) (New-Input) }
            $splat.Model = if (Chance 0.6) { New-RandomLayer } else { New-RandomBlock }
            $splat.Loss = if (Chance 0.7) { Pick 'CrossEntropy' 'MseLoss' 'L1Loss' 'NllLoss' 'BinaryCrossEntropyWithLogits' 'Hinge' } elseif (Chance 0.5) { New-RandomBlock } else { New-Value }
            $splat.Optimizer = if ($splat.Model -is [AutoGrad.NN.Module] -and $splat.Model.Parameters().Count -gt 0 -and (Chance 0.8)) { New-Optimizer SGD $splat.Model.Parameters() -LR 0.1 } else { New-RandomOptimizer }
            $splat.Epochs = Pick 0 1 2
            if (Chance 0.4) { $splat.BatchSize = Pick 1 2 3 100 }
            if (Chance 0.2) { $splat.Shuffle = $true }
            if (Chance 0.2) { $splat.DropLast = $true }
            if (Chance 0.15) { $splat.Scheduler = New-RandomScheduler }
            if (Chance 0.15) { $splat.ValidationInput = New-Input; if (Chance 0.7) { $splat.ValidationTarget = New-Input } }
            $splat.ProgressAction = 'SilentlyContinue'
        }
        'Get-Batch' {
            $pipe = New-Input
            $splat.BatchSize = Pick 1 2 3 0 (-1) 65536
            if (Chance 0.5) { $splat.Target = New-Input }
            if (Chance 0.2) { $splat.Shuffle = $true }
            if (Chance 0.2) { $splat.DropLast = $true }
        }
        'ConvertTo-Tensor' {
            $pipe = @(for ($i = $random.Next(0, 4); $i -gt 0; $i--) { New-Row })
            if (Chance 0.3) { $splat.Property = Pick 'A' 'B' 'Loss' 'Name' 'Missing' }
            if (Chance 0.2) { $splat.AsCategory = $true }
            if (Chance 0.2) { $splat.Categories = Pick @('a', 'b') @{ a = 0; b = 1 } 'x' 5 }
            if (Chance 0.2) { $splat.MissingValue = New-ParameterValue 'P' }
            if (Chance 0.2) { $splat.DType = New-ParameterValue 'DType' }
            if (Chance 0.1) { $splat.RequiresGrad = $true }
        }
        'ConvertFrom-Tensor' {
            $pipe = New-Input
            if (Chance 0.3) { $splat.Property = , [string[]]@(Pick 'a' 'b' ''; Pick 'c' 'a') }
            if (Chance 0.3) { $splat.AsArray = $true }
            if (Chance 0.2) { $splat.NoEnumerate = $true }
            if (Chance 0.2) { $splat.Categories = Pick @('a', 'b') @{ a = 0 } 'x' 5 }
        }
        'Export-Tensor' {
            $pipe = Pick (New-Input) (New-RandomLayer) ([ordered]@{ a = New-Input; b = New-Input }) @{ 1 = 2 } (New-Value)
            $splat.LiteralPath = New-OutputPath
            if (Chance 0.2) { $splat.Format = Pick 'Auto' 'Pt' 'Safetensors' 'Npy' }
            if (Chance 0.2) { $splat.Metadata = Pick @{ a = 'b' } @{ a = 1 } @{ x = $null } }
            if (Chance 0.5) { $splat.Force = $true }
        }
        'Import-Tensor' {
            $pipe = @($ImportFiles | Where-Object { Chance 0.3 })
            if (-not (Chance 0.7)) { $usePipe = $false; $splat.LiteralPath = , [string[]]$pipe; if ($splat.LiteralPath.Count -eq 0) { $splat.LiteralPath = , [string[]]@(Pick @($ImportFiles)) } }
            if (Chance 0.2) { $splat.Format = Pick 'Auto' 'Pt' 'Safetensors' 'Npy' }
            if (Chance 0.2) { $splat.AsDictionary = $true }
        }
        'Export-TensorGraph' {
            $x = New-Tensor 1.0, 2.0 -RequiresGrad
            $pipe = Pick ($x * 2 | Invoke-Op Exp) (New-Input) @(($x * 3), ($x | Invoke-Op Sum)) $x
            if (Chance 0.6) { $splat.Path = New-OutputPath }
            if (Chance 0.2) { $splat.Format = Pick 'Dot' 'Mermaid' 'Svg' }
            if (Chance 0.2) { $splat.ShowSaved = $true }
            if (Chance 0.2) { $splat.ShowAttributes = $true }
            if (Chance 0.1) { $splat.MaxAttributeChars = Pick 3 10 }
            if (Chance 0.2) { $splat.Name = Pick @{ x = $x } @{ w = 3 } @{ '' = $x } }
            if (Chance 0.2) { $splat.NoClobber = $true }
        }
        'Export-Plot' {
            $pipe = @(for ($i = $random.Next(0, 5); $i -gt 0; $i--) { New-Row })
            $splat.Path = New-OutputPath
            if (Chance 0.3) { $splat.X = Pick 'Epoch' 'A' 'Nope' }
            if (Chance 0.3) { $splat.Y = Pick 'Loss' 'B' 'Nope' }
            if (Chance 0.1) { $splat.RightY = 'Loss' }
            if (Chance 0.2) { $splat.Format = Pick 'Png' 'Svg' }
            if (Chance 0.1) { $splat.Width = Pick 16 17 }
        }
        'Assert-TensorClose' {
            $pipe = New-Input
            $splat.Expected = if (Chance 0.5) { $pipe } else { New-Value }
            if (Chance 0.3) { $splat.RTol = New-ParameterValue 'P' }
            if (Chance 0.3) { $splat.ATol = New-ParameterValue 'P' }
            if (Chance 0.2) { $splat.EqualNan = $true }
            if (Chance 0.2) { $splat.CheckDType = [bool](Chance 0.5) }
        }
        'Get-TensorOp' { $pipe = Pick 'Add' 'add' 'Nope' '' '*' '[' 'M*' (New-Value) }
        'Register-TensorHook' {
            $splat.ScriptBlock = New-RandomBlock
            $pipe = New-Input
            if (Chance 0.2) { $splat.Name = Pick 'h' '' }
            # The hook runs in a backward pass through the hooked tensor.
            $splat.ThenBackward = $true
        }
        'Unregister-TensorHook' {
            $t = New-Tensor 1.0 -RequiresGrad
            $pipe = Pick (Register-TensorHook { param($g) $g } $t) (New-Value)
        }
        'Use-AnomalyDetection' {
            $usePipe = $false
            $splat.ScriptBlock = Pick { (New-Tensor -1.0 -RequiresGrad) | Invoke-Op Sqrt | Invoke-Backward } { throw 'inner' } { New-Tensor 'abc'; 1 } { $a = New-Tensor 1.0 -RequiresGrad; $b = $a | Invoke-Op Sigmoid; $null = $b.Mul_(2); $b | Invoke-Backward }
            if (Chance 0.3) { $splat.SkipNanCheck = $true }
        }
        'Set-RandomSeed' { $pipe = New-Value }
        'Set-RandomState' { $pipe = Pick (Get-RandomState) (New-Value) }
    }
    [pscustomobject]@{ Cmdlet = $cmdlet; Splat = $splat; Pipe = $pipe; UsePipe = $usePipe }
}

function Format-Value($v) {
    if ($null -eq $v) { return '$null' }
    if ($v -is [AutoGrad.Tensor]) { return "Tensor[$($v.DType) $($v.Shape -join ',')]" }
    if ($v -is [array]) { $s = @($v | Select-Object -First 4 | ForEach-Object { Format-Value $_ }) -join ','; return "@($s$(if ($v.Count -gt 4) { ',...' }))" }
    "$v".Substring(0, [math]::Min(40, "$v".Length))
}

function Format-Case($c) {
    $text = ($c.Splat.GetEnumerator() | Sort-Object Key | ForEach-Object { "-$($_.Key) $(Format-Value $_.Value)" }) -join ' '
    $(if ($c.UsePipe) { "$(Format-Value $c.Pipe) | " }) + "$($c.Cmdlet) $text"
}

# The problems with one error record: an exception of a leak type thrown from inside the module (its stack goes
# through AutoGrad code; PowerShell's own conversions may throw FormatException and the like, and speak of the
# value), the cmdlets' catch-all EngineFailure, or an id that is neither a cmdlet's, PowerShell's binding nor (for
# operators) PowerShell's own.
function Test-ErrorRecord($err, [switch] $Operator) {
    for ($e = $err.Exception; $null -ne $e; $e = $e.InnerException) {
        if ($e.GetType().Name -in $leaks -and "$($e.StackTrace)" -match '\bAutoGrad\.') {
            return "leaked $($e.GetType().Name): $($e.Message)"
        }
    }
    $id = ($err.FullyQualifiedErrorId -split ',')[0]
    if ($id -like '*EngineFailure') { return "engine failure $($err.Exception.GetType().Name): $($err.Exception.Message)" }
    if ([string]::IsNullOrWhiteSpace($err.Exception.Message)) { return "error '$id' without a message" }
    if ($Operator -or $id -in $bindingIds) { return $null }
    # A script block's own error (Use-NoGrad and Test-Gradient run the user's code) keeps the code's id: 'inner' is
    # the fuzzer's own throw, and a tensor operator's error is PowerShell's MethodInvocationException around PyTorch's
    # TypeError.
    $own = @($ownPrefixes | Where-Object { $id.StartsWith($_, [StringComparison]::Ordinal) }).Count -gt 0
    $torch = $false
    for ($e = $err.Exception; $null -ne $e; $e = $e.InnerException) { if ($e -is [AutoGrad.TorchException]) { $torch = $true } }
    $operatorInScript = $id -eq 'DotNetMethodException' -and $torch
    if (-not ($own -or $id -eq 'inner' -or $operatorInScript)) { return "unexpected error id '$($err.FullyQualifiedErrorId)': $($err.Exception.Message)" }
    $null
}

function Invoke-Operator($Op, $Left, $Right) {
    switch ($Op) { '+' { $Left + $Right } '-' { $Left - $Right } '*' { $Left * $Right } default { $Left / $Right } }
}


$failures = 0
$stats = @{ Results = 0; Errors = 0 }
for ($i = 0; $i -lt $First + $Cases; $i++) {
    # Each case has its own seed, so -First/-Cases replays one case exactly.
    # (In 64 bits, folded into an int: a large seed times 1000003 passes int's range.)
    $random = [System.Random]::new([int](([long]$Seed * 1000003 + $i) % [int]::MaxValue))
    if ($i -lt $First) { continue }
    $case = New-Case
    $problems = [System.Collections.Generic.List[string]]::new()
    try {
        $c = $case
        $splat = $c.Splat
        # As a user would write it: an array in the pipeline is unrolled, $null is one item.
        $then = $splat.ThenBackward; $splat.Remove('ThenBackward')
        $out = if ($c.Cmdlet -eq 'Operator') { Invoke-Operator @splat }
               elseif ($c.UsePipe) { $c.Pipe | & $c.Cmdlet @splat 2>&1 } else { & $c.Cmdlet @splat 2>&1 }
        if ($then -and $c.Pipe -is [AutoGrad.Tensor] -and $c.Pipe.RequiresGrad -and -not $c.Pipe.IsDisposed) {
            $out = @($out) + @($c.Pipe | Invoke-Op Sum | Invoke-Backward 2>&1)
        }
        foreach ($o in @($out)) {
            if ($o -is [System.Management.Automation.ErrorRecord]) { $stats.Errors++; if ($p = Test-ErrorRecord $o -Operator:($c.Cmdlet -eq 'Operator')) { $problems.Add($p) } }
            else { $stats.Results++; if ($o -is [AutoGrad.Tensor] -and -not $o.IsDisposed) { $null = $o.ToString() } }   # results must print
        }
    } catch {
        $stats.Errors++
        if ($p = Test-ErrorRecord $_ -Operator:($case.Cmdlet -eq 'Operator')) { $problems.Add($p) }
    }
    foreach ($p in $problems) {
        $failures++
        [Console]::WriteLine("FAIL case $i (replay: -Seed $Seed -First $i -Cases 1 -Kind $Kind): $(Format-Case $case): $p")
    }
}
Pop-Location
Remove-Item -LiteralPath $TempDir -Recurse -Force -ErrorAction SilentlyContinue
[Console]::WriteLine("DONE $Cases cases, $failures failures, seed $Seed, kind $Kind ($($stats.Results) results, $($stats.Errors) error records)")
