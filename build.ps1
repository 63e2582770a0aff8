<#
.SYNOPSIS
    The one front door: build, test, demo, document and clean AutoGrad.PS.

.DESCRIPTION
    Build  dotnet build (Release), then assembles out/AutoGrad.PS: module/ + the cmdlet DLLs + MAML help from docs/.
    Test   Build, then xUnit (engine) and Pester (tests/*.Tests.ps1, in a child pwsh). Ends with the line
           'N passed, N failed[, N skipped]' and exits non-zero if anything failed or no test ran.
    Demo   Build, then runs examples/notebook.ps1 (the PyTorch autograd notebook, in PowerShell).
    Notebook  Build, then runs examples/autograd.ipynb headless (dotnet-repl) into out/notebook/autograd.ipynb.
    Docs   Builds, regenerates the op list in docs/Invoke-Op.md from the engine's op table (build/Update-OpList.ps1),
           then out/AutoGrad.PS/en-US/AutoGrad.PS.dll-Help.xml from docs/*.md.
    Package  Build, then packs out/AutoGrad.PS into out/package/AutoGrad.PS.<version>.nupkg (Install-PSResource).
    Clean  Removes out/ and every bin/ and obj/ folder.
    Bench  Runs the engine-vs-libtorch benchmarks (benchmarks/run.ps1; not part of Test): build.ps1 Bench [filter];
           build.ps1 Bench Script runs the script suite instead (benchmarks/script/run.ps1: a fresh default pwsh
           against Python with PyTorch, the loops users write).
    OpReference  Regenerates the op table's PyTorch reference: tests/data/ops-samples.json (the samples the table
           generates) and tests/data/ops-reference.json (tests/data/ops.py runs them in PyTorch; needs a python3
           that can import torch, /usr/bin/python3 first). Run it after adding an op or changing its samples.
    Fuzz   Build, then the fuzz, property and concurrency tests with 20 times the cases and a new random seed (printed;
           AUTOGRAD_PROPERTY_SEED=<seed> reruns it). Not part of Test.
    Soak   Build, then tests/soak/Invoke-Soak.ps1: two training loops of 100,000 steps (by hand, and with layers and
           an optimizer) in a default pwsh with memory sampled; fails if memory grows or the loss does not fall. Not
           part of Test.

.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Demo', 'Clean', 'Docs', 'Bench', 'Notebook', 'OpReference', 'Package', 'Fuzz', 'Soak')]
    [string] $Task = 'Build',

    # Bench only: which benchmarks (a class or case name, or a BenchmarkDotNet glob); default all.
    [Parameter(Position = 1)]
    [string] $Filter = '*',

    # Bench only: after a full run, rewrite the measured section of docs/performance.md and its chart.
    [switch] $UpdateDocs
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ProgressPreference = 'SilentlyContinue'

# Same numbers and messages on every machine: parse and format with the invariant culture, in this process
# and (through the environment) in the dotnet and pwsh processes started from here.
[System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
[System.Globalization.CultureInfo]::DefaultThreadCurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
$env:DOTNET_CLI_UI_LANGUAGE = 'en'
$env:POWERSHELL_TELEMETRY_OPTOUT = '1'
$env:POWERSHELL_UPDATECHECK = 'Off'
# Logs (CI, a file) get plain text: no ANSI colour codes, here or in the pwsh processes started from here.
if ([Console]::IsOutputRedirected -or $env:CI) {
    $env:NO_COLOR = '1'
    $PSStyle.OutputRendering = 'PlainText'
}

$Root = $PSScriptRoot
$OutDir = Join-Path $Root 'out'
$ModuleOut = Join-Path $OutDir 'AutoGrad.PS'
$ResultsDir = Join-Path $OutDir 'TestResults'
$Solution = Join-Path $Root 'AutoGrad.PS.sln'
$CmdletBin = Join-Path $Root 'src/AutoGrad.PS/bin/Release/net8.0'
$PesterVersion = '5.7.1'

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

# Runs a native command; throws when it exits non-zero (unless -AllowFailure) and returns its exit code.
function Invoke-Native {
    param(
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @(),
        [switch] $AllowFailure
    )
    & $FilePath @ArgumentList | Out-Host
    $code = $LASTEXITCODE
    if ($code -ne 0 -and -not $AllowFailure) {
        throw "'$FilePath $($ArgumentList -join ' ')' failed with exit code $code."
    }
    return $code
}

# The pwsh that runs this script, as a command line for child processes: a plain pwsh executable, or
# 'dotnet <PSHOME>/pwsh.dll' when it runs as the 'dotnet pwsh' local tool.
function Get-PwshCommand {
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') {
        return @($exe, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($exe)
}

function Invoke-Pwsh {
    param([string[]] $ArgumentList, [switch] $AllowFailure)
    $cmd = @(Get-PwshCommand)
    $rest = @($cmd | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $ArgumentList
    Invoke-Native -FilePath $cmd[0] -ArgumentList $rest -AllowFailure:$AllowFailure
}

# NuGet's global packages folder, as NuGet itself resolves it (NUGET_PACKAGES, NuGet.Config, or ~/.nuget/packages).
function Get-NuGetPackagesFolder {
    $line = & dotnet nuget locals global-packages --list 2>$null |
        Where-Object { $_ -match '^\s*global-packages:\s*(.+?)\s*$' } | Select-Object -First 1
    if ($LASTEXITCODE -eq 0 -and $line -and $line -match '^\s*global-packages:\s*(.+?)\s*$') {
        return $Matches[1]
    }
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    return Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages'
}

function Invoke-Docs {
    Write-Step 'Docs: docs/*.md -> en-US/AutoGrad.PS.dll-Help.xml'
    . (Join-Path $Root 'build/ConvertTo-MamlHelp.ps1')
    $helpFile = Join-Path $ModuleOut 'en-US/AutoGrad.PS.dll-Help.xml'
    # Cmdlet help is docs/<Verb>-<Noun>.md; other markdown in docs/ (performance.md ...) is a guide.
    $docs = @(Get-ChildItem -Path (Join-Path $Root 'docs') -Filter '*-*.md' -File | Sort-Object Name)
    if ($docs.Count -eq 0) { throw 'No cmdlet help found in docs/*.md.' }
    ConvertTo-MamlHelp -Path $docs.FullName -OutputPath $helpFile | Out-Null
    Write-Host "    $($docs.Count) cmdlets -> $helpFile"
}

# The picture renderers (Export-TensorGraph -Format Svg, Export-Plot) go to Drawing/: the cmdlets load them on
# first use in a load context of their own, resolved through AutoGrad.Drawing.deps.json (which names each
# platform's runtimes/<rid>/native files). The engine is the module's own copy, so it is not duplicated there.
function Copy-DrawingAssemblies {
    $drawingBin = Join-Path $Root 'src/AutoGrad.Drawing/bin/Release/net8.0'
    $drawingOut = Join-Path $ModuleOut 'Drawing'
    if (-not (Test-Path (Join-Path $drawingBin 'AutoGrad.Drawing.dll'))) { throw "AutoGrad.Drawing.dll not found in $drawingBin." }
    New-Item -ItemType Directory -Path $drawingOut -Force | Out-Null
    Get-ChildItem -Path $drawingBin -File | Where-Object {
        ($_.Extension -eq '.dll' -or $_.Name -like '*.deps.json') -and $_.Name -notin 'AutoGrad.Engine.dll', 'System.Numerics.Tensors.dll'
    } | Copy-Item -Destination $drawingOut -Force
    Copy-Item -Path (Join-Path $drawingBin 'runtimes') -Destination $drawingOut -Recurse -Force
}

# docs/Invoke-Op.md's op list from the op table of the module just built (in a child pwsh, which loads it).
function Invoke-OpListDocs {
    Write-Step 'Docs: the op list of docs/Invoke-Op.md from the op table'
    Invoke-Pwsh @('-File', (Join-Path $Root 'build/Update-OpList.ps1'), '-Path', (Join-Path $Root 'docs/Invoke-Op.md'),
        '-ModulePath', (Join-Path $ModuleOut 'AutoGrad.PS.psd1')) | Out-Null
}

function Invoke-Build {
    Write-Step 'Build: dotnet build AutoGrad.PS.sln -c Release'
    Invoke-Native dotnet @('build', $Solution, '-c', 'Release', '-nologo', '-v', 'minimal') | Out-Null

    Write-Step "Assemble $ModuleOut"
    if (Test-Path $ModuleOut) { Remove-Item -LiteralPath $ModuleOut -Recurse -Force }
    New-Item -ItemType Directory -Path $ModuleOut -Force | Out-Null

    # Everything in module/ (manifest, format file, about_ help), keeping its folders.
    $moduleSrc = Join-Path $Root 'module'
    if (Test-Path $moduleSrc) {
        Get-ChildItem -LiteralPath $moduleSrc -Force | Copy-Item -Destination $ModuleOut -Recurse -Force
    }
    # What a gallery package carries besides the module: the license, third-party notices and the changelog.
    foreach ($file in 'LICENSE', 'THIRD-PARTY-NOTICES.md', 'CHANGELOG.md') {
        Copy-Item -LiteralPath (Join-Path $Root $file) -Destination $ModuleOut -Force
    }
    # The cmdlet assembly and what it loads; PowerShell itself provides System.Management.Automation.
    $dlls = @(Get-ChildItem -Path $CmdletBin -Filter '*.dll' -File |
            Where-Object Name -ne 'System.Management.Automation.dll')
    if (-not ($dlls.Name -contains 'AutoGrad.PS.dll')) { throw "AutoGrad.PS.dll not found in $CmdletBin." }
    $dlls | Copy-Item -Destination $ModuleOut -Force
    Copy-DrawingAssemblies

    Invoke-Docs

    if (-not (Test-Path (Join-Path $ModuleOut 'AutoGrad.PS.psd1'))) {
        Write-Warning 'module/AutoGrad.PS.psd1 is missing: out/AutoGrad.PS cannot be imported yet.'
    }
    Get-ChildItem -LiteralPath $ModuleOut -Recurse -File | ForEach-Object {
        Write-Host ('    ' + [IO.Path]::GetRelativePath($ModuleOut, $_.FullName))
    }
}

# A python3 that can import torch (PyTorch's reference data): Debian's /usr/bin/python3 first, then PATH.
function Find-TorchPython {
    foreach ($candidate in '/usr/bin/python3', 'python3', 'python') {
        $cmd = Get-Command $candidate -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if (-not $cmd) { continue }
        & $cmd.Source -c 'import torch' 2>$null
        if ($LASTEXITCODE -eq 0) { return $cmd.Source }
    }
    throw 'No python3 that can import torch: install it (apt-get install -y python3-torch), then run build.ps1 OpReference again.'
}

function Invoke-OpReference {
    Write-Step 'OpReference: op table samples -> tests/data/ops-samples.json -> PyTorch -> tests/data/ops-reference.json'
    $project = Join-Path $Root 'tests/AutoGrad.Engine.Tests'
    $samples = Join-Path $Root 'tests/data/ops-samples.json'
    Invoke-Native dotnet @('build', $project, '-c', 'Release', '-nologo', '-v', 'minimal') | Out-Null
    # The test that compares the checked-in samples with the table writes them when this is set.
    $env:AUTOGRAD_OP_SAMPLES_OUT = $samples
    try {
        Invoke-Native dotnet @('test', $project, '-c', 'Release', '--no-build', '--nologo',
            '--filter', 'FullyQualifiedName~OpTableTests.The_checked_in_samples_are_the_tables') | Out-Null
    } finally {
        Remove-Item Env:AUTOGRAD_OP_SAMPLES_OUT -ErrorAction SilentlyContinue
    }
    $python = Find-TorchPython
    Invoke-Native $python @((Join-Path $Root 'tests/data/ops.py'), $samples, (Join-Path $Root 'tests/data/ops-reference.json')) | Out-Null
}

function Invoke-Clean {
    Write-Step 'Clean: out/, bin/, obj/'
    $targets = @($OutDir)
    foreach ($dir in 'src', 'tests', 'build') {
        $path = Join-Path $Root $dir
        if (Test-Path $path) {
            $targets += @(Get-ChildItem -LiteralPath $path -Recurse -Directory -Force |
                    Where-Object { $_.Name -in 'bin', 'obj' } | ForEach-Object FullName)
        }
    }
    foreach ($t in $targets) {
        if (Test-Path -LiteralPath $t) {
            Remove-Item -LiteralPath $t -Recurse -Force
            Write-Host "    removed $([IO.Path]::GetRelativePath($Root, $t))"
        }
    }
}

function Invoke-Demo {
    Invoke-Build
    Write-Step 'Demo: examples/notebook.ps1'
    Invoke-Pwsh @('-File', (Join-Path $Root 'examples/notebook.ps1')) | Out-Null
}

function Invoke-Notebook {
    Invoke-Build
    Write-Step 'Notebook: examples/autograd.ipynb -> out/notebook/autograd.ipynb (dotnet-repl)'
    $file = & (Join-Path $Root 'build/Invoke-Notebook.ps1') -Path (Join-Path $Root 'examples/autograd.ipynb') `
        -OutputPath (Join-Path $OutDir 'notebook/autograd.ipynb')
    Write-Host "    $($file.FullName)"
}

function Invoke-Package {
    Invoke-Build
    Write-Step 'Package: out/AutoGrad.PS -> out/package (Compress-PSResource)'
    $file = & (Join-Path $Root 'build/New-ModulePackage.ps1') -ModulePath $ModuleOut -OutputPath (Join-Path $OutDir 'package')
    $installed = (Get-ChildItem -LiteralPath $ModuleOut -Recurse -File | Measure-Object -Property Length -Sum).Sum
    Write-Host ("    {0} ({1:N1} MB; {2:N1} MB installed)" -f $file.FullName, ($file.Length / 1MB), ($installed / 1MB))
    Write-Host "    Install: Register-PSResourceRepository -Name AutoGradLocal -Uri $(Split-Path $file.FullName) -Trusted; Install-PSResource AutoGrad.PS -Repository AutoGradLocal"
}

. (Join-Path $Root 'build/TestSummary.ps1')

# xUnit, counted from the TRX file that 'dotnet test --logger trx' writes (build/TestSummary.ps1).
function Invoke-EngineTests([string] $TestFilter) {
    $trx = Join-Path $ResultsDir 'engine.trx'
    $project = Join-Path $Root 'tests/AutoGrad.Engine.Tests'
    Write-Step "Test (xUnit): tests/AutoGrad.Engine.Tests$(if ($TestFilter) { " ($TestFilter)" })"
    $arguments = @('test', $project, '-c', 'Release', '--no-build', '--nologo',
        '--logger', 'trx;LogFileName=engine.trx', '--results-directory', $ResultsDir)
    if ($TestFilter) { $arguments += @('--filter', $TestFilter) }
    $code = Invoke-Native dotnet $arguments -AllowFailure
    $r = Read-TrxResult $trx 'xUnit'
    if ($code -ne 0 -and $r.Failed -eq 0 -and $r.Problems.Count -eq 0) {
        # e.g. the test host crashed after the last result: don't let it pass silently.
        $r.Problems.Add("dotnet test exited with $code although no test failed")
    }
    Write-Host "    xUnit: $($r.Passed) passed, $($r.Failed) failed, $($r.Skipped) skipped, $($r.Inconclusive) inconclusive, $($r.NotRun) not runnable"
    return $r
}

# Pester runs in a child pwsh: a test that crashes its process (or pollutes the session) cannot take the summary down.
function Invoke-PesterTests([string[]] $Include = @('*.Tests.ps1')) {
    Write-Step "Test (Pester $PesterVersion): tests/$($Include -join ', tests/')"
    Invoke-Native dotnet @('restore', (Join-Path $Root 'build/Tools.csproj'), '--nologo', '-v', 'quiet') | Out-Null
    $pester = Join-Path (Get-NuGetPackagesFolder) "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $pester)) { throw "Pester $PesterVersion not found at $pester after restoring build/Tools.csproj." }

    $summary = Join-Path $ResultsDir 'pester-summary.json'
    Remove-Item -LiteralPath $summary -Force -ErrorAction SilentlyContinue
    $code = Invoke-Pwsh @('-File', (Join-Path $Root 'build/Invoke-PesterTests.ps1'),
        '-PesterPath', $pester, '-TestsPath', (Join-Path $Root 'tests'),
        '-ResultsDir', $ResultsDir, '-SummaryPath', $summary, '-Include', ($Include -join ',')) -AllowFailure
    $r = Read-PesterSummary $summary 'Pester'
    if ($code -ne 0 -and $r.Failed -eq 0 -and $r.Problems.Count -eq 0) {
        $r.Problems.Add("Pester's process exited with $code although no test failed")
    }
    Write-Host "    Pester: $($r.Passed) passed, $($r.Failed) failed, $($r.Skipped) skipped, $($r.Inconclusive) inconclusive, $($r.NotRun) not run"
    return $r
}

function Invoke-Test {
    $results = [System.Collections.Generic.List[object]]::new()
    # The fewest tests each suite may report: a suite that runs less lost tests (see README, "Test counts").
    $expected = Get-ExpectedTestCount (Join-Path $Root 'tests/expected-counts.psd1')
    try {
        Invoke-Build
        if (Test-Path $ResultsDir) { Remove-Item -LiteralPath $ResultsDir -Recurse -Force }
        New-Item -ItemType Directory -Path $ResultsDir -Force | Out-Null
        foreach ($suite in @(@{ Name = 'xUnit'; Run = 'Invoke-EngineTests' }, @{ Name = 'Pester'; Run = 'Invoke-PesterTests' })) {
            try {
                $r = & $suite.Run
            } catch {
                $r = New-SuiteResult $suite.Name
                $r.Problems.Add("$($suite.Run): $_")
            }
            Test-SuiteCount $r ([int] $expected[$suite.Name])
            $results.Add($r)
        }
    } catch {
        $r = New-SuiteResult 'Build'
        $r.Problems.Add("Build failed: $_")
        $results.Add($r)
    }
    foreach ($r in $results) { foreach ($p in $r.Problems) { Write-Host "    $p" -ForegroundColor Red } }
    $verdict = Get-TestVerdict $results
    # The closing line, alone and last, is what CI reads.
    [Console]::Out.Flush()
    [Console]::WriteLine($verdict.Line)
    exit $verdict.ExitCode
}

# The fuzz, property and concurrency tests with many more cases and a fresh seed: a search for new failures, which
# a failure's printed seed then replays (AUTOGRAD_PROPERTY_SEED, and CsCheck_Seed for one engine case).
function Invoke-Fuzz {
    Invoke-Build
    if (Test-Path $ResultsDir) { Remove-Item -LiteralPath $ResultsDir -Recurse -Force }
    New-Item -ItemType Directory -Path $ResultsDir -Force | Out-Null
    if (-not $env:AUTOGRAD_PROPERTY_SEED) { $env:AUTOGRAD_PROPERTY_SEED = '{0:X}' -f [System.Random]::Shared.NextInt64() }
    if (-not $env:AUTOGRAD_PROPERTY_SCALE) { $env:AUTOGRAD_PROPERTY_SCALE = '20' }
    Write-Step "Fuzz: seed $env:AUTOGRAD_PROPERTY_SEED, $env:AUTOGRAD_PROPERTY_SCALE times the cases (rerun: `$env:AUTOGRAD_PROPERTY_SEED = '$env:AUTOGRAD_PROPERTY_SEED')"
    $results = @(
        Invoke-EngineTests 'FullyQualifiedName~FuzzTests|FullyQualifiedName~PropertyTests|FullyQualifiedName~ConcurrencyTests|FullyQualifiedName~DisposeTests'
        Invoke-PesterTests @('Fuzz.Tests.ps1', 'Concurrency.Tests.ps1')
    )
    foreach ($r in $results) { Test-SuiteCount $r 1; foreach ($p in $r.Problems) { Write-Host "    $p" -ForegroundColor Red } }
    $verdict = Get-TestVerdict $results
    Write-Host "Fuzz seed: $env:AUTOGRAD_PROPERTY_SEED"
    [Console]::Out.Flush()
    [Console]::WriteLine($verdict.Line)
    exit $verdict.ExitCode
}

function Invoke-Soak {
    Invoke-Build
    Write-Step 'Soak: tests/soak/Invoke-Soak.ps1 (two loops of 100,000 training steps in a default pwsh, memory sampled)'
    $code = Invoke-Pwsh @('-File', (Join-Path $Root 'tests/soak/Invoke-Soak.ps1'),
        '-ModulePath', (Join-Path $ModuleOut 'AutoGrad.PS.psd1')) -AllowFailure
    exit $code
}

Push-Location $Root
try {
    switch ($Task) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Notebook' { Invoke-Notebook }
        'Package' { Invoke-Package }
        'Docs' { Invoke-Build; Invoke-OpListDocs; Invoke-Docs }
        'Clean' { Invoke-Clean }
        'Bench' {
            # 'Script' is the script suite (a fresh default pwsh against Python/PyTorch); anything else the engine's.
            if ($Filter -eq 'Script') { & (Join-Path $Root 'benchmarks/script/run.ps1') -Memory -UpdateDocs:$UpdateDocs }
            else { & (Join-Path $Root 'benchmarks/run.ps1') -Filter $Filter -UpdateDocs:$UpdateDocs }
        }
        'OpReference' { Invoke-OpReference }
        'Fuzz' { Invoke-Fuzz }
        'Soak' { Invoke-Soak }
    }
} finally {
    Pop-Location
}
