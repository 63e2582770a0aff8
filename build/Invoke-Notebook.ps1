<#
.SYNOPSIS
    Runs a PowerShell (Polyglot / .NET Interactive) notebook headless with the dotnet-repl tool and writes the executed
    notebook: build.ps1 Notebook runs examples/autograd.ipynb into out/notebook/autograd.ipynb; the tests run it too.

.DESCRIPTION
    dotnet-repl (this repository's tool manifest) hosts its own PowerShell; it finds PowerShell's own modules
    (Microsoft.PowerShell.Utility, with Out-String...) once PSModulePath includes a pwsh's Modules folder, so the
    Modules folder of the pwsh running this script is put first. The kernel starts in the notebook's folder, as an
    editor starts it, so the notebook's relative Import-Module path works (the notebook must be inside this
    repository, whose dotnet-tools.json names dotnet-repl). dotnet-repl leaves execution_count empty:
    the code cells are numbered here in the order they ran (1, 2, ...), as Jupyter numbers them.
    Fails when dotnet-repl fails or a cell reports an error.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Path,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$Path = (Resolve-Path -LiteralPath $Path).Path
$OutputPath = [IO.Path]::GetFullPath($OutputPath, (Get-Location).Path)
$null = New-Item -ItemType Directory -Path (Split-Path $OutputPath) -Force
Remove-Item -LiteralPath $OutputPath -Force -ErrorAction SilentlyContinue

$savedModulePath = $env:PSModulePath
$env:PSModulePath = (Join-Path $PSHOME 'Modules') + [IO.Path]::PathSeparator + $env:PSModulePath
try {
    # In the notebook's folder: the kernel's PowerShell starts in the process's current folder (dotnet-repl's
    # --working-dir does not move it), and 'dotnet tool run' finds dotnet-tools.json from there up.
    Push-Location (Split-Path $Path)
    $log = & dotnet tool run dotnet-repl -- --run $Path --exit-after-run --output-format ipynb --output-path $OutputPath `
        --default-kernel pwsh 2>&1
    $code = $LASTEXITCODE
} finally {
    Pop-Location
    $env:PSModulePath = $savedModulePath
}
if ($code -ne 0 -or -not (Test-Path -LiteralPath $OutputPath)) {
    throw "dotnet-repl failed (exit code $code) running $Path`:`n$($log -join "`n")"
}

$notebook = Get-Content -LiteralPath $OutputPath -Raw | ConvertFrom-Json
$count = 0
foreach ($cell in $notebook.cells) {
    if ($cell.cell_type -ne 'code') { continue }
    $cell.execution_count = ++$count
    foreach ($output in @($cell.outputs)) {
        if ($output.output_type -eq 'error') { throw "Cell $count of $Path failed: $($output.evalue)" }
    }
}
$json = $notebook | ConvertTo-Json -Depth 64
[IO.File]::WriteAllText($OutputPath, $json + "`n", [Text.UTF8Encoding]::new($false))
Get-Item -LiteralPath $OutputPath
