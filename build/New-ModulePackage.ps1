<#
.SYNOPSIS
    Packs the assembled module (out/AutoGrad.PS) into AutoGrad.PS.<version>.nupkg, the package Install-PSResource
    installs from a repository (a folder, or the PowerShell Gallery after Publish-PSResource).

.DESCRIPTION
    PSResourceGet's Compress-PSResource writes the .nuspec from the module manifest (version, description, author,
    tags, release notes, exported commands) and packs every file of the module folder, so the package is the folder as
    Import-Module loads it. build.ps1 Package runs this after Build; tests/Package.Tests.ps1 runs it too and installs
    the result. Returns the .nupkg file.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
$manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $ModulePath 'AutoGrad.PS.psd1')
if (-not (Get-Command Compress-PSResource -ErrorAction SilentlyContinue)) {
    throw 'Compress-PSResource (Microsoft.PowerShell.PSResourceGet 1.1 or later, in PowerShell 7.5+) is needed to pack the module; run build.ps1 with the repository''s pwsh (dotnet pwsh).'
}

# Symbols, XML docs and build leftovers have no place in the package.
$stray = @(Get-ChildItem -LiteralPath $ModulePath -Recurse -File | Where-Object { $_.Extension -in '.pdb', '.xml' -and $_.Name -notlike '*-Help.xml' })
if ($stray) { throw "Not packing build leftovers: $($stray.FullName -join ', ')" }

New-Item -ItemType Directory -Path $OutputPath -Force | Out-Null
$package = Join-Path $OutputPath "AutoGrad.PS.$($manifest.ModuleVersion).nupkg"
Remove-Item -LiteralPath $package -Force -ErrorAction SilentlyContinue
Compress-PSResource -Path $ModulePath -DestinationPath $OutputPath
if (-not (Test-Path -LiteralPath $package)) { throw "Compress-PSResource wrote no $package." }
Get-Item -LiteralPath $package
