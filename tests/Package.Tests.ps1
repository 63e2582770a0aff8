#Requires -Version 7.4
# The gallery package: build/New-ModulePackage.ps1 (what build.ps1 Package runs) packs the assembled module
# (out/AutoGrad.PS, from build.ps1 Build) into AutoGrad.PS.<version>.nupkg; PSResourceGet installs it from a folder
# repository into a temporary home, and a fresh pwsh imports it by name.

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot
    $script:ModuleDir = Join-Path $Root 'out/AutoGrad.PS'
    $script:Manifest = Import-PowerShellDataFile (Join-Path $Root 'module/AutoGrad.PS.psd1')
    . "$PSScriptRoot/ChildPwsh.ps1"

    $script:PackageDir = Join-Path $TestDrive 'package'
    $script:Package = & (Join-Path $Root 'build/New-ModulePackage.ps1') -ModulePath $ModuleDir -OutputPath $PackageDir
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [IO.Compression.ZipFile]::OpenRead($Package.FullName)
    try {
        $script:Entries = @($zip.Entries | ForEach-Object { [Uri]::UnescapeDataString($_.FullName) })
        $reader = [IO.StreamReader]::new($zip.GetEntry('AutoGrad.PS.nuspec').Open())
        $script:Nuspec = ([xml]$reader.ReadToEnd()).package.metadata
        $reader.Dispose()
    } finally {
        $zip.Dispose()
    }
}

Describe 'the package' {
    It 'is AutoGrad.PS.<version>.nupkg with the manifest''s version, description, authors, tags and release notes' {
        $Package.Name | Should -Be "AutoGrad.PS.$($Manifest.ModuleVersion).nupkg"
        $Nuspec.id | Should -Be 'AutoGrad.PS'
        $Nuspec.version | Should -Be $Manifest.ModuleVersion
        $Nuspec.description | Should -Be $Manifest.Description
        $Nuspec.authors | Should -Be $Manifest.Author
        $Nuspec.releaseNotes | Should -Be $Manifest.PrivateData.PSData.ReleaseNotes
        $Nuspec.requireLicenseAcceptance | Should -Be 'false'
        foreach ($tag in 'PSModule', 'autograd', 'pytorch', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS') {
            $Nuspec.tags -split ' ' | Should -Contain $tag
        }
    }

    It 'holds exactly the files of the assembled module' {
        $packaging = '_rels/.rels', '[Content_Types].xml', 'AutoGrad.PS.nuspec'
        $files = @($Entries | Where-Object { $_ -notin $packaging -and $_ -notlike 'package/services/*' } | Sort-Object)
        $module = @(Get-ChildItem -LiteralPath $ModuleDir -Recurse -File |
                ForEach-Object { [IO.Path]::GetRelativePath($ModuleDir, $_.FullName).Replace('\', '/') } | Sort-Object)
        $files | Should -Be $module
    }

    It 'carries the license, notices, changelog, help and SkiaSharp for six platforms, and no symbols' {
        foreach ($file in 'LICENSE', 'THIRD-PARTY-NOTICES.md', 'CHANGELOG.md', 'AutoGrad.PS.psd1', 'AutoGrad.PS.dll',
            'en-US/AutoGrad.PS.dll-Help.xml', 'en-US/about_AutoGrad.PS.help.txt', 'Drawing/AutoGrad.Drawing.deps.json') {
            $Entries | Should -Contain $file
        }
        $natives = @($Entries | Where-Object { $_ -like 'Drawing/runtimes/*/native/libSkiaSharp.*' })
        @($natives | ForEach-Object { $_.Split('/')[2] } | Sort-Object) |
            Should -Be @('linux-arm64', 'linux-musl-x64', 'linux-x64', 'osx', 'win-arm64', 'win-x64')
        $Entries | Where-Object { $_ -match '\.(pdb|nupkg)$' } | Should -BeNullOrEmpty
        (Get-Content (Join-Path $Root 'LICENSE') -TotalCount 1) | Should -Be 'MIT License'
    }

    It 'stays the size of its native libraries (under 40 MB)' {
        # 34-35 MB: the SkiaSharp and HarfBuzz natives of six platforms are 58 MB of the 77 MB installed.
        $Package.Length | Should -BeLessThan 40MB
    }
}

Describe 'Install-PSResource from a folder repository' {
    BeforeAll {
        # CurrentUser scope on Linux and macOS is $HOME/.local/share/powershell/Modules for PSResourceGet and for pwsh:
        # a temporary HOME keeps the real one (and its repository list and caches) untouched.
        $script:TempHome = Join-Path $TestDrive 'home'
        # The folders must exist: .NET's GetFolderPath gives "" for a missing one, and PSResourceGet would then keep
        # its repository list in the current directory.
        foreach ($dir in '.local/share', '.cache', '.config') { $null = New-Item -ItemType Directory -Path (Join-Path $TempHome $dir) -Force }
        $script:ChildEnv = @{
            HOME = $TempHome; XDG_DATA_HOME = (Join-Path $TempHome '.local/share'); XDG_CACHE_HOME = (Join-Path $TempHome '.cache')
            XDG_CONFIG_HOME = (Join-Path $TempHome '.config'); PSModulePath = $null
            DOTNET_CLI_TELEMETRY_OPTOUT = '1'; DOTNET_NOLOGO = '1'; DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
        }
    }

    It 'installs with Register-PSResourceRepository and Install-PSResource -Scope CurrentUser, then imports by name in a fresh pwsh' -Skip:$IsWindows {
        $install = @'
param($Repository)
$ErrorActionPreference = 'Stop'
$store = Join-Path ([Environment]::GetFolderPath('LocalApplicationData')) 'PSResourceGet'
if (-not $store.StartsWith($env:HOME)) { throw "PSResourceGet would keep its repositories in $store, outside the temporary home" }
Register-PSResourceRepository -Name AutoGradTest -Uri $Repository -Trusted
Install-PSResource AutoGrad.PS -Repository AutoGradTest -Scope CurrentUser -TrustRepository
$r = Get-InstalledPSResource AutoGrad.PS -Scope CurrentUser
[ordered]@{ Version = "$($r.Version)"; Location = $r.InstalledLocation } | ConvertTo-Json -Compress
'@
        $run = Invoke-ChildPwsh -Script $install -Environment $ChildEnv -ArgumentList $PackageDir
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $installed = $run.Output[-1] | ConvertFrom-Json
        $installed.Version | Should -Be $Manifest.ModuleVersion
        $installed.Location | Should -BeLike "$TempHome*"

        $use = @'
param($Work)
$ErrorActionPreference = 'Stop'
Import-Module AutoGrad.PS
$m = Get-Module AutoGrad.PS
$x = New-Tensor 1.0, 2.0 -RequiresGrad
$y = $x * $x | Measure-Sum
$y | Invoke-Backward
$graph = Join-Path $Work 'graph.svg'
$plot = Join-Path $Work 'loss.png'
$y | Export-TensorGraph -Path $graph
1..5 | ForEach-Object { [pscustomobject]@{ Epoch = $_; Loss = 1.0 / $_ } } | Export-Plot -Path $plot -X Epoch -Y Loss
[ordered]@{
    ModuleBase = $m.ModuleBase
    Version = "$($m.Version)"
    Grad = "$($x.Grad)"
    Synopsis = (Get-Help Assert-TensorClose).Synopsis
    Commands = @($m.ExportedCmdlets.Keys | Sort-Object)
    Graph = (Test-Path $graph)
    Plot = (Test-Path $plot) -and (Get-Item $plot).Length -gt 1000
} | ConvertTo-Json -Compress
'@
        $run = Invoke-ChildPwsh -Script $use -Environment $ChildEnv -ArgumentList $TestDrive
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $r = $run.Output[-1] | ConvertFrom-Json
        $r.ModuleBase | Should -BeLike "$TempHome*"
        $r.Version | Should -Be $Manifest.ModuleVersion
        $r.Grad | Should -Be 'tensor([2., 4.])'
        $r.Synopsis | Should -BeLike 'Fails unless two tensors are close*'
        $r.Commands | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
        $r.Graph | Should -BeTrue -Because 'the SVG layout (MSAGL) loads from the installed Drawing folder'
        $r.Plot | Should -BeTrue -Because 'SkiaSharp''s native library loads from the installed Drawing folder'
    }
}
