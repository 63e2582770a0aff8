#Requires -Version 7.4
# Assert-TensorClose and Pester's Should -BeTensor against torch.testing.assert_close. Every pair, option set, outcome
# and message comes from tests/data/assert_close.json, written by tests/data/assert_close.py (PyTorch 1.13, with the
# messages of PyTorch 2.x's rules: float32 compared in float32, "Expected ... but got ..." for 0-d tensors).

BeforeDiscovery {
    $script:ref = Get-Content -Raw "$PSScriptRoot/data/assert_close.json" | ConvertFrom-Json
    $script:cases = @($ref.cases | ForEach-Object { @{ Case = $_; Name = $_.name } })
    $script:failing = @($cases | Where-Object { $_.Case.outcome.type -eq 'AssertionError' })
    # Pester 6 comes from build/Tools.csproj's restore, next to the Pester 5 running this file.
    $pester6 = Join-Path (Get-Module Pester).ModuleBase '../../6.2.0/tools/Pester.psd1'
    $script:pesterVersions = @(
        @{ Version = '5.7.1'; Path = (Join-Path (Get-Module Pester).ModuleBase 'Pester.psd1') }
        @{ Version = '6.2.0'; Path = $(if (Test-Path $pester6) { (Resolve-Path $pester6).Path }) }
    )
}

BeforeAll {
    $script:ref = Get-Content -Raw "$PSScriptRoot/data/assert_close.json" | ConvertFrom-Json
    $script:manifest = (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1").Path
    Import-Module $manifest -Force
    . "$PSScriptRoot/ChildPwsh.ps1"

    function ConvertTo-RefTensor($T) {
        $values = [double[]]@($T.values | ForEach-Object {
                switch ($_) { 'nan' { [double]::NaN } 'inf' { [double]::PositiveInfinity } '-inf' { [double]::NegativeInfinity } default { [double]$_ } }
            })
        New-Tensor -Data $values -Shape ([int[]]$T.shape) -DType $T.dtype -RequiresGrad:([bool]$T.requires_grad)
    }

    # assert_close's keyword arguments as Assert-TensorClose / Should -BeTensor parameters.
    function Get-Options($Case) {
        $o = @{}
        $opt = $Case.options
        if ($null -ne $opt.rtol) { $o.RTol = [double]$opt.rtol }
        if ($null -ne $opt.atol) { $o.ATol = [double]$opt.atol }
        if ($opt.equal_nan) { $o.EqualNan = $true }
        if ($null -ne $opt.check_dtype) { $o.CheckDType = [bool]$opt.check_dtype }
        $o
    }

    # The error a script block raises (or $null), for exact message comparisons (-ExpectedMessage is a wildcard).
    function Get-Error([scriptblock]$Script) {
        try { & $Script; $null } catch { $_ }
    }
}

Describe 'Assert-TensorClose' {
    It '<Name>' -ForEach $cases {
        $a = ConvertTo-RefTensor $Case.actual
        $e = ConvertTo-RefTensor $Case.expected
        $opts = Get-Options $Case
        $err = Get-Error { Assert-TensorClose -Actual $a -Expected $e @opts }
        if ($null -eq $Case.outcome) {
            $err | Should -BeNullOrEmpty
            return
        }
        $err | Should -Not -BeNullOrEmpty -Because 'PyTorch raises'
        $err.Exception.Message | Should -BeExactly $Case.outcome.message
        $expectedId = switch -Wildcard ($Case.outcome.message) {
            "The values for attribute 'shape'*" { 'AssertTensorCloseShapeMismatch' }
            "The values for attribute 'dtype'*" { 'AssertTensorCloseDTypeMismatch' }
            "Both 'rtol' and 'atol'*" { 'AssertTensorCloseToleranceMissing' }
            '*must be greater than or equal to zero*' { 'AssertTensorCloseNegativeTolerance' }
            default { 'AssertTensorCloseValueMismatch' }
        }
        $err.FullyQualifiedErrorId | Should -BeLike "$expectedId,*"
    }

    It 'names a failed assertion InvalidResult with the actual tensor as target, and an argument problem InvalidArgument' {
        $a = New-Tensor 1.0, 2.0
        $err = Get-Error { Assert-TensorClose $a (New-Tensor 1.0, 3.0) }
        $err.CategoryInfo.Category | Should -Be 'InvalidResult'
        $err.TargetObject | Should -Be $a
        $err.Exception | Should -BeOfType ([AutoGrad.Testing.TensorAssertionException])
        $err.Exception.Result.MismatchedElements | Should -Be 1
        (Get-Error { Assert-TensorClose $a $a -RTol 0.1 }).CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'stops the script at the first failure, as an assertion does' {
        $log = [Collections.Generic.List[string]]::new()
        $err = Get-Error {
            $ErrorActionPreference = 'Continue'
            Assert-TensorClose (New-Tensor 1.0) (New-Tensor 2.0)
            $log.Add('went on')
        }
        $err | Should -Not -BeNullOrEmpty
        $log | Should -BeNullOrEmpty
    }

    It 'checks each piped tensor and passes it on with -PassThru' {
        $e = New-Tensor 1.0, 2.0
        $out = @((New-Tensor 1.0, 2.0), (New-Tensor 1.000001, 2.0) | Assert-TensorClose -Expected $e -PassThru)
        $out.Count | Should -Be 2
        $out[1].ToDoubleArray()[0] | Should -Be ([double][float]1.000001)
        @(New-Tensor 1.0 | Assert-TensorClose -Expected 1.0).Count | Should -Be 0
    }

    It 'takes data for either side, made as New-Tensor makes it (so 1, 2 is int64)' {
        Assert-TensorClose -Actual @(@(1.0, 2.0), @(3.0, 4.0)) -Expected (New-Tensor @(@(1.0, 2.0), @(3.0, 4.0)))
        Assert-TensorClose (New-Tensor 1, 2) @(1, 2)
        (Get-Error { Assert-TensorClose (New-Tensor 1.0, 2.0) @(1, 2) }).Exception.Message |
            Should -BeExactly "The values for attribute 'dtype' do not match: torch.float32 != torch.int64."
        Assert-TensorClose (New-Tensor 1.0, 2.0) @(1, 2) -CheckDType:$false
    }

    It 'compares a tensor that requires grad (and its views) without touching the graph' {
        $x = New-Tensor @(@(1.0, 2.0), @(3.0, 4.0)) -RequiresGrad
        $y = $x * 2
        Assert-TensorClose ($y | Invoke-Op T) @(@(2.0, 6.0), @(4.0, 8.0))
        $y.GradFn.Name | Should -Be 'MulBackward0'
        $x.Grad | Should -BeNullOrEmpty
    }

    It 'prints numbers the same way in a de-DE session' {
        $case = ($ref.cases | Where-Object name -eq 'float32 random pairs at the tolerance')
        $saved = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            $a = ConvertTo-RefTensor $case.actual
            $e = ConvertTo-RefTensor $case.expected
            (Get-Error { Assert-TensorClose $a $e }).Exception.Message | Should -BeExactly $case.outcome.message
        } finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $saved
        }
    }

    It 'declares its parameters: Actual from the pipeline, Expected second, -CheckDType on by default' {
        $cmd = Get-Command Assert-TensorClose
        $cmd.OutputType.Type | Should -Be ([AutoGrad.Tensor])
        $cmd.Parameters['Actual'].Attributes.Where({ $_ -is [Parameter] }).ValueFromPipeline | Should -Contain $true
        $cmd.Parameters['Expected'].Attributes.Where({ $_ -is [Parameter] }).Position | Should -Contain 1
        $cmd.Parameters['CheckDType'].SwitchParameter | Should -BeTrue
        (Get-Error { Assert-TensorClose (New-Tensor 1, 2) (New-Tensor 1.0, 2.0) }) | Should -Not -BeNullOrEmpty
    }
}

Describe 'Should -BeTensor' {
    It 'passes for close tensors, with tolerances, NaNs and -CheckDType:$false' {
        $x = New-Tensor @(@(1.0, 2.0), @(3.0, 4.0))
        $x | Should -BeTensor $x
        $x | Should -BeTensor (New-Tensor @(@(1.0, 2.0), @(3.0, 4.000001)))
        $x | Should -BeTensor @(@(1.0, 2.0), @(3.0, 4.5)) -RTol 0.2 -ATol 0
        New-Tensor ([double]::NaN), 1.0 | Should -BeTensor ([double]::NaN), 1.0 -EqualNan
        New-Tensor 1, 2 | Should -BeTensor @(1.0, 2.0) -CheckDType:$false
        Should -ActualValue $x -BeTensor $x
    }

    It 'fails with assert_close''s message: <Name>' -ForEach $failing {
        $a = ConvertTo-RefTensor $Case.actual
        $e = ConvertTo-RefTensor $Case.expected
        $opts = Get-Options $Case
        $err = Get-Error { $a | Should -BeTensor $e @opts }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -BeExactly $Case.outcome.message
    }

    It '-Not passes for tensors that are not close (values, shape or dtype) and fails for close ones' {
        $x = New-Tensor 1.0, 2.0
        $x | Should -Not -BeTensor (New-Tensor 1.0, 2.5)
        $x | Should -Not -BeTensor (New-Tensor 1.0, 2.0, 3.0)
        $x | Should -Not -BeTensor (New-Tensor 1.0, 2.0 -DType Float64)
        $x | Should -Not -BeTensor (New-Tensor 1.0, 2.5) -RTol 0.1 -ATol 0
        (Get-Error { $x | Should -Not -BeTensor $x }).Exception.Message |
            Should -BeExactly 'Expected the tensors not to be close (rtol=1.3e-06, atol=1e-05), but they are: tensor([1., 2.]).'
    }

    It 'puts -Because first, in Pester''s words' {
        $err = Get-Error { New-Tensor 1.0, 2.0 | Should -BeTensor (New-Tensor 1.0, 2.5) -Because 'the step is exact' }
        $err.Exception.Message | Should -BeExactly ("Expected the tensors to be close, because the step is exact, but they are not.`n`n" +
            ($ref.cases | Where-Object name -eq '1-d index is a 1-tuple').outcome.message)
        (Get-Error { New-Tensor 1.0 | Should -Not -BeTensor 1.0 -Because 'because it moved' }).Exception.Message |
            Should -BeExactly 'Expected the tensors not to be close (rtol=1.3e-06, atol=1e-05), because it moved, but they are: tensor(1.).'
    }

    It 'reports $null instead of a tensor, and a missing expected tensor as a mistake in the test' {
        (Get-Error { $null | Should -BeTensor 1.0 }).Exception.Message | Should -BeExactly 'Expected a tensor, but got $null.'
        $null | Should -Not -BeTensor 1.0
        (Get-Error { New-Tensor 1.0 | Should -BeTensor $null }).Exception.Message | Should -Match 'needs the expected tensor'
    }

    It 'checks each piped tensor' {
        (New-Tensor 1.0), (New-Tensor 1.0) | Should -BeTensor 1.0
        (Get-Error { (New-Tensor 1.0), (New-Tensor 2.0) | Should -BeTensor 1.0 }) | Should -Not -BeNullOrEmpty
    }

    It 'is registered with the Pester running these tests, with Assert-TensorClose''s help' {
        Get-ShouldOperator | Where-Object Name -eq 'BeTensor' | Should -Not -BeNullOrEmpty
        (& (Get-Module Pester) { $script:AssertionOperators['BeTensor'] }).InternalName | Should -Be 'Assert-TensorClose'
        (Get-Command Should).Parameters.Keys | Should -Contain 'RTol'
    }
}

Describe 'Should -BeTensor under Pester <Version>, whichever is imported first' -ForEach $pesterVersions {
    BeforeAll {
        # One child pwsh per scenario: a fresh session, so the import order is really the one under test.
        $script:checks = @'
param($Manifest, $Pester, $Order)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
$report = [ordered]@{}
$sentinel = [EventHandler[Management.Automation.CommandLookupEventArgs]] { param($n, $e) }
$ExecutionContext.InvokeCommand.PostCommandLookupAction = $sentinel
if ($Order -eq 'PesterFirst') { Import-Module $Pester; Import-Module $Manifest } else { Import-Module $Manifest; Import-Module $Pester }
$a = New-Tensor 1.0, 2.0
function Try-It([scriptblock]$s) { try { & $s; 'passed' } catch { "failed: $($_.Exception.Message)" } }
$report.Pass = Try-It { $a | Should -BeTensor @(1.0, 2.0) }
$report.Fail = Try-It { $a | Should -BeTensor @(1.0, 2.5) }
$report.Not = Try-It { $a | Should -Not -BeTensor @(1.0, 2.5) }
Import-Module $Pester -Force   # a re-imported Pester forgets its operators: the next Pester command brings it back
$report.AfterPesterReimport = Try-It { $a | Should -BeTensor @(1.0, 2.5) -RTol 0.25 -ATol 0 }
Remove-Module AutoGrad.PS
$report.ActionRestored = [object]::ReferenceEquals($ExecutionContext.InvokeCommand.PostCommandLookupAction, $sentinel)
$report | ConvertTo-Json -Compress
'@
        $script:invokePester = @'
param($Manifest, $Pester, $Dir)
$ErrorActionPreference = 'Stop'
Import-Module $Manifest      # as from a profile: Pester comes later, with Invoke-Pester
Import-Module $Pester
$file = Join-Path $Dir 'BeTensor.Tests.ps1'
Set-Content -LiteralPath $file -Encoding utf8 -Value @"
Describe 'tensors' {
    It 'close' { New-Tensor 1.0, 2.0 | Should -BeTensor (New-Tensor 1.0, 2.000001) }
    It 'not close' { New-Tensor 1.0, 2.0 | Should -BeTensor (New-Tensor 1.0, 2.5) }
}
"@
$config = New-PesterConfiguration
$config.Run.Path = $file
$config.Run.PassThru = $true
$config.Output.Verbosity = 'None'
$result = Invoke-Pester -Configuration $config
[ordered]@{
    Passed = $result.PassedCount
    Failed = $result.FailedCount
    Message = @($result.Failed)[0].ErrorRecord[0].Exception.Message
} | ConvertTo-Json -Compress
'@
        $script:failMessage = ($ref.cases | Where-Object name -eq '1-d index is a 1-tuple').outcome.message
    }

    It 'registers the operator with AutoGrad.PS imported <_>' -ForEach 'PesterFirst', 'ModuleFirst' {
        if (-not $Path) { Set-ItResult -Skipped -Because "Pester $Version is not restored (dotnet restore build/Tools.csproj)"; return }
        $run = Invoke-ChildPwsh -Script $checks -ArgumentList $manifest, $Path, $_
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $r = $run.Output[-1] | ConvertFrom-Json
        $r.Pass | Should -Be 'passed'
        $r.Fail | Should -BeExactly "failed: $failMessage"
        $r.Not | Should -Be 'passed'
        $r.AfterPesterReimport | Should -Be 'passed'
        $r.ActionRestored | Should -BeTrue -Because 'Remove-Module AutoGrad.PS puts back the lookup action it found'
    }

    It 'works in Invoke-Pester when AutoGrad.PS was imported before Pester' {
        if (-not $Path) { Set-ItResult -Skipped -Because "Pester $Version is not restored (dotnet restore build/Tools.csproj)"; return }
        $dir = Join-Path ([IO.Path]::GetTempPath()) "agps-pester-$([guid]::NewGuid().ToString('n'))"
        $null = New-Item -ItemType Directory -Path $dir
        try {
            $run = Invoke-ChildPwsh -Script $invokePester -ArgumentList $manifest, $Path, $dir
            $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
            $r = $run.Output[-1] | ConvertFrom-Json
            $r.Passed | Should -Be 1
            $r.Failed | Should -Be 1
            $r.Message | Should -BeExactly $failMessage
        } finally {
            Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
