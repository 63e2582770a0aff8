<#
.SYNOPSIS
    Test helper: lays out out/AutoGrad.PS/ the way build.ps1 Build does (module/ files + the Release DLLs), for
    running the Pester tests without the full build. Does not build and does not generate help.
#>
param([switch]$Build)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
if ($Build) { dotnet build (Join-Path $root 'AutoGrad.PS.sln') -c Release --nologo -v q | Out-Host }
$out = Join-Path $root 'out/AutoGrad.PS'
if (Test-Path $out) { Remove-Item $out -Recurse -Force }
$null = New-Item -ItemType Directory $out
Copy-Item (Join-Path $root 'module/*') $out -Recurse
$bin = Join-Path $root 'src/AutoGrad.PS/bin/Release/net8.0'
foreach ($dll in 'AutoGrad.PS.dll', 'AutoGrad.Engine.dll', 'System.Numerics.Tensors.dll') {
    Copy-Item (Join-Path $bin $dll) $out
}
$out
