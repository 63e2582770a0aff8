<#
.SYNOPSIS
    The cmdlet fuzzer of issue 16: seeded random bad values into every cmdlet and every Invoke-Op op.
.DESCRIPTION
    Each case calls one cmdlet (for Invoke-Op: one op) with random parameters and pipeline input drawn from a list of
    bad values - $null, strings, ragged and deep nesting, NaN/inf, huge, negative and zero sizes, wrong dtypes,
    mismatched shapes, disposed tensors, odd .NET objects - next to ordinary ones. The property: the call writes
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
$ownPrefixes = 'NewTensor', 'InvokeOp', 'MeasureSum', 'MeasureMean', 'InvokeBackward', 'GetGrad', 'ClearGrad',
    'UseNoGrad', 'TestGradient', 'JoinTensor', 'SplitTensor'
$bindingIds = 'ParameterArgumentTransformationError', 'ParameterArgumentValidationError', 'CannotConvertArgument',
    'CannotConvertArgumentNoMessage', 'ParameterBindingFailed', 'AmbiguousParameterSet', 'MissingArgument',
    'NamedParameterNotFound', 'InputObjectNotBound', 'PositionalParameterNotFound', 'ParameterArgumentValidationErrorNullNotAllowed',
    'ParameterArgumentValidationErrorEmptyArrayNotAllowed', 'ParameterArgumentValidationErrorEmptyStringNotAllowed',
    'MissingMandatoryParameter', 'ParameterAlreadyBound', 'CannotIndex', 'RuntimeException'

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

# One case: a cmdlet, its parameters and its pipeline input.
function New-Case {
    $cmdlet = Pick 'Invoke-Op' 'Invoke-Op' 'Invoke-Op' 'Invoke-Op' 'New-Tensor' 'New-Tensor' 'Measure-Sum' 'Measure-Mean' 'Invoke-Backward' 'Get-Grad' 'Clear-Grad' 'Use-NoGrad' 'Test-Gradient' 'Join-Tensor' 'Split-Tensor' 'Operator'
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
    $random = [System.Random]::new($Seed * 1000003 + $i)
    if ($i -lt $First) { continue }
    $case = New-Case
    $problems = [System.Collections.Generic.List[string]]::new()
    try {
        $c = $case
        $splat = $c.Splat
        # As a user would write it: an array in the pipeline is unrolled, $null is one item.
        $out = if ($c.Cmdlet -eq 'Operator') { Invoke-Operator @splat }
               elseif ($c.UsePipe) { $c.Pipe | & $c.Cmdlet @splat 2>&1 } else { & $c.Cmdlet @splat 2>&1 }
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
[Console]::WriteLine("DONE $Cases cases, $failures failures, seed $Seed, kind $Kind ($($stats.Results) results, $($stats.Errors) error records)")
