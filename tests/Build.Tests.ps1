# What ./build.ps1 Build assembles in out/AutoGrad.PS, and the front door's own contract.

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot
    $script:ModuleDir = Join-Path $Root 'out/AutoGrad.PS'
}

Describe 'out/AutoGrad.PS (assembled by ./build.ps1 Build)' {
    It 'holds the cmdlet assembly and what it loads' {
        foreach ($dll in 'AutoGrad.PS.dll', 'AutoGrad.Engine.dll', 'System.Numerics.Tensors.dll') {
            Join-Path $ModuleDir $dll | Should -Exist
        }
    }

    It 'holds the picture renderers in Drawing/, with native SkiaSharp for each supported platform, and no second engine' {
        $drawing = Join-Path $ModuleDir 'Drawing'
        foreach ($f in 'AutoGrad.Drawing.dll', 'AutoGrad.Drawing.deps.json', 'AutomaticGraphLayout.dll', 'ScottPlot.dll', 'SkiaSharp.dll') {
            Join-Path $drawing $f | Should -Exist
        }
        foreach ($native in 'linux-x64/native/libSkiaSharp.so', 'linux-arm64/native/libSkiaSharp.so', 'linux-musl-x64/native/libSkiaSharp.so',
            'osx/native/libSkiaSharp.dylib', 'win-x64/native/libSkiaSharp.dll', 'win-arm64/native/libSkiaSharp.dll') {
            Join-Path $drawing "runtimes/$native" | Should -Exist
        }
        Join-Path $drawing 'AutoGrad.Engine.dll' | Should -Not -Exist
    }

    It 'does not ship System.Management.Automation.dll (PowerShell brings its own)' {
        Join-Path $ModuleDir 'System.Management.Automation.dll' | Should -Not -Exist
    }

    It 'holds every file of module/, in the same folders' {
        $src = Join-Path $Root 'module'
        $files = @(Get-ChildItem -LiteralPath $src -Recurse -File)
        $files | Should -Not -BeNullOrEmpty
        foreach ($f in $files) {
            $rel = [IO.Path]::GetRelativePath($src, $f.FullName)
            Join-Path $ModuleDir $rel | Should -Exist
            (Get-FileHash (Join-Path $ModuleDir $rel)).Hash | Should -Be (Get-FileHash $f.FullName).Hash
        }
    }

    It 'carries the license, third-party notices and changelog a gallery package needs' {
        foreach ($file in 'LICENSE', 'THIRD-PARTY-NOTICES.md', 'CHANGELOG.md') {
            (Get-FileHash (Join-Path $ModuleDir $file)).Hash | Should -Be (Get-FileHash (Join-Path $Root $file)).Hash
        }
    }

    It 'has the about_AutoGrad.PS help topic' {
        Join-Path $ModuleDir 'en-US/about_AutoGrad.PS.help.txt' | Should -Exist
    }

    It 'has the module manifest (module/AutoGrad.PS.psd1)' {
        Join-Path $ModuleDir 'AutoGrad.PS.psd1' | Should -Exist
    }
}

Describe 'build.ps1' {
    It 'takes the task by position and knows only Build, Test, Demo, Clean, Docs, Bench, Notebook, OpReference, Package, Fuzz and Soak' {
        $p = (Get-Command (Join-Path $Root 'build.ps1')).Parameters['Task']
        $p.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] })[0].Position | Should -Be 0
        $p.Attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] })[0].ValidValues |
            Should -Be @('Build', 'Test', 'Demo', 'Clean', 'Docs', 'Bench', 'Notebook', 'OpReference', 'Package', 'Fuzz', 'Soak')
    }

    It '.ci/run runs the README''s test command' {
        $ci = Get-Content -LiteralPath (Join-Path $Root '.ci/run') -Raw
        $ci | Should -Match ([regex]::Escape('dotnet tool restore && dotnet pwsh -NoProfile -File ./build.ps1 Test'))
        Get-Content -LiteralPath (Join-Path $Root 'README.md') -Raw |
            Should -Match ([regex]::Escape('dotnet tool restore && dotnet pwsh ./build.ps1 Test'))
    }
}
