#Requires -Version 7.4
# Export-Plot: per-epoch objects (or any objects with numeric properties) drawn as lines by ScottPlot, to PNG and SVG,
# with SkiaSharp's native library loaded from the module's own Drawing/runtimes folder.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
    $script:History = 1..20 | ForEach-Object {
        [pscustomobject]@{ Epoch = $_; Loss = 2.0 / $_; LR = 0.1; Accuracy = 1 - 1.0 / ($_ + 1); Note = "epoch $_" }
    }

    # Width and height from a PNG's IHDR chunk (big-endian, at bytes 16..23).
    function Get-PngSize([string] $Path) {
        $b = [IO.File]::ReadAllBytes($Path)
        $b[0..7] | Should -Be @(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) -Because 'a PNG starts with its signature'
        [pscustomobject]@{
            Width = [int] ($b[16] * 16777216 + $b[17] * 65536 + $b[18] * 256 + $b[19])
            Height = [int] ($b[20] * 16777216 + $b[21] * 65536 + $b[22] * 256 + $b[23])
        }
    }

    # The texts an SVG shows (title, labels, tick labels, legend).
    function Get-SvgText([string] $Path) {
        $xml = [xml] [IO.File]::ReadAllText($Path)
        @($xml.SelectNodes('//*[local-name()="text"]') | ForEach-Object { $_.InnerText.Trim() })
    }
}

Describe 'Export-Plot' {
    It 'writes a PNG of the requested size' {
        $path = Join-Path $TestDrive 'loss.png'
        $History | Export-Plot -Path $path -X Epoch -Y Loss, Accuracy -Width 640 -Height 400
        $size = Get-PngSize $path
        $size.Width | Should -Be 640
        $size.Height | Should -Be 400
    }

    It 'writes an SVG with the title, axis labels and a legend entry per line' {
        $path = Join-Path $TestDrive 'loss.svg'
        $History | Export-Plot $path -X Epoch -Y Loss, Accuracy -Title 'Training run'
        $xml = [xml] [IO.File]::ReadAllText($path)
        $xml.DocumentElement.LocalName | Should -Be 'svg'
        $text = Get-SvgText $path
        $text | Should -Contain 'Training run'
        $text | Should -Contain 'Epoch'
        $text | Should -Contain 'Loss'
        $text | Should -Contain 'Accuracy'
    }

    It 'plots every numeric property but -X when -Y is not given (text is skipped)' {
        $path = Join-Path $TestDrive 'all.svg'
        $History | Export-Plot $path -X Epoch
        $text = Get-SvgText $path
        foreach ($name in 'Loss', 'LR', 'Accuracy') { $text | Should -Contain $name }
        $text | Should -Not -Contain 'Note'
        $text | Should -Not -Contain 'epoch 1'
    }

    It 'puts -RightY on a second axis with its own label' {
        $path = Join-Path $TestDrive 'right.svg'
        $History | Export-Plot $path -X Epoch -Y Loss -RightY Accuracy
        $text = Get-SvgText $path
        $text | Should -Contain 'Loss'      # the left axis' label
        $text | Should -Contain 'Accuracy'  # the right axis' label
    }

    It 'uses the objects'' positions for x without -X' {
        $path = Join-Path $TestDrive 'index.svg'
        $History | Export-Plot $path -Y Loss
        Get-SvgText $path | Should -Contain 'Index'
    }

    It 'takes hashtables, bare numbers and one-element tensors (a loss) as rows' {
        $h = Join-Path $TestDrive 'hash.png'
        @{ Step = 1; Loss = 0.5 }, @{ Step = 2; Loss = 0.25 } | Export-Plot $h -X Step -Y Loss
        $h | Should -Exist
        $n = Join-Path $TestDrive 'numbers.svg'
        3.0, 2.0, 1.5, 1.2 | Export-Plot $n
        Get-SvgText $n | Should -Contain 'Value'
        $t = Join-Path $TestDrive 'tensors.png'
        $w = New-Tensor 1.0, -2.0 -RequiresGrad
        $losses = foreach ($i in 1..3) { $w * $i | Invoke-Op Pow 2 | Measure-Mean }
        $losses | Export-Plot $t -PassThru | Should -BeOfType ([IO.FileInfo])
    }

    It 'reads numbers written as text (Import-Csv) in the invariant culture, also in a de-DE session' {
        $csv = Join-Path $TestDrive 'history.csv'
        "Epoch,Loss`n1,0.5`n2,0.25`n3,0.125" | Set-Content -LiteralPath $csv
        $culture = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            $path = Join-Path $TestDrive 'csv.svg'
            Import-Csv $csv | Export-Plot $path -X Epoch -Y Loss -ErrorAction Stop
        } finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $culture
        }
        # The y ticks run from 0.1 to 0.5: written with a point, not a comma.
        $ticks = Get-SvgText $path
        $ticks | Should -Contain '0.5'
        $ticks | Should -Not -Contain '0,5'
    }

    It 'reports a value that is not a number as a non-terminating error and still draws the rest' {
        $rows = [pscustomobject]@{ X = 1; Y = 1.0 }, [pscustomobject]@{ X = 2; Y = 'n/a' }, [pscustomobject]@{ X = 3; Y = 2.0 }
        $path = Join-Path $TestDrive 'gap.png'
        $rows | Export-Plot $path -X X -Y Y -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ExportPlotNotNumeric,*'
        $errs[0].Exception.Message | Should -BeExactly "Object 1's 'Y' is not a number ('n/a'); it is left out of the plot."
        $path | Should -Exist
    }

    # Problems with the piped objects are non-terminating (the statement goes on); problems with -Path stop it
    # before any object is read.
    It 'fails with <Id> for <Case>' -ForEach @(
        @{ Case = 'no input'; Id = 'ExportPlotNoData'; Rows = @(); Extra = @{}; Terminating = $false }
        @{ Case = 'a property no object has'; Id = 'ExportPlotPropertyNotFound'; Rows = @([pscustomobject]@{ A = 1 }); Extra = @{ Y = 'Loss' }; Terminating = $false }
        @{ Case = 'objects without numbers'; Id = 'ExportPlotNoNumericProperty'; Rows = @([pscustomobject]@{ A = 'x' }); Extra = @{}; Terminating = $false }
        @{ Case = 'an unknown extension'; Id = 'ExportPlotUnknownFormat'; Rows = @(1, 2); Extra = @{ Path = 'plot.gif' }; Terminating = $true }
        @{ Case = 'a missing folder'; Id = 'ExportPlotFolderNotFound'; Rows = @(1, 2); Extra = @{ Path = 'no/such/plot.png' }; Terminating = $true }
    ) {
        $params = @{ Path = 'plot.png' }
        foreach ($k in $Extra.Keys) { $params[$k] = $Extra[$k] }
        $params.Path = Join-Path $TestDrive $params.Path
        $err = if ($Terminating) { Get-TerminatingError { $Rows | Export-Plot @params } } else { Get-WrittenError { $Rows | Export-Plot @params } }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $params.Path | Should -Not -Exist
    }

    It 'keeps an existing file with -NoClobber' {
        $path = Join-Path $TestDrive 'kept.png'
        Set-Content -LiteralPath $path -Value 'keep'
        { 1, 2 | Export-Plot $path -NoClobber } | Should -Throw -ErrorId 'ExportPlotFileExists,*'
        Get-Content -LiteralPath $path | Should -Be 'keep'
    }

    It 'lets -Format override the extension' {
        $path = Join-Path $TestDrive 'plot.out'
        1, 2, 3 | Export-Plot $path -Format Svg
        ([xml] [IO.File]::ReadAllText($path)).DocumentElement.LocalName | Should -Be 'svg'
    }
}

Describe 'ScottPlot and SkiaSharp inside pwsh' {
    BeforeAll {
        1, 2, 3 | Export-Plot (Join-Path $TestDrive 'load.png')
        $script:Drawing = [AppDomain]::CurrentDomain.GetAssemblies() |
            Where-Object { $_.GetName().Name -in 'ScottPlot', 'SkiaSharp', 'HarfBuzzSharp', 'AutoGrad.Drawing' }
    }

    It 'loads them in the module''s own load context, from its Drawing folder' {
        $drawingDir = (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/Drawing").Path
        @($Drawing.GetName().Name | Sort-Object -Unique) | Should -Contain 'SkiaSharp'
        foreach ($a in $Drawing) {
            [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name | Should -Be 'AutoGrad.Drawing'
            Split-Path $a.Location | Should -Be $drawingDir
        }
    }

    It 'loads libSkiaSharp from Drawing/runtimes/(this platform)/native' {
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'reads /proc/self/maps, which only Linux has'; return }
        $maps = Get-Content '/proc/self/maps' | Where-Object { $_ -match 'libSkiaSharp' } | ForEach-Object { ($_ -split '\s+')[-1] } | Sort-Object -Unique
        $rid = if ([Runtime.InteropServices.RuntimeInformation]::OSArchitecture -eq 'Arm64') { 'linux-arm64' } else { 'linux-x64' }
        $expected = Join-Path (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/Drawing").Path "runtimes/$rid/native/libSkiaSharp.so"
        $maps | Should -Be $expected
    }
}

Describe 'docs/images/Update-Images.ps1 (the README''s pictures)' {
    It 'draws the graph as SVG and the training run as PNG with the module' {
        $script = Join-Path (Split-Path -Parent $PSScriptRoot) 'docs/images/Update-Images.ps1'
        $files = & $script -OutputFolder $TestDrive
        $files.Name | Should -Be 'graph.svg', 'training.png'
        ([xml] [IO.File]::ReadAllText((Join-Path $TestDrive 'graph.svg'))).OuterXml | Should -Match 'NllLossBackward0'
        (Get-PngSize (Join-Path $TestDrive 'training.png')).Width | Should -Be 800
    }
}
