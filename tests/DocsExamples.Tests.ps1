# The examples in docs/*.md and README.md are run against the assembled module (out/AutoGrad.PS) and must print what
# they show: in a ```powershell block, each "PS> " line is a command and the lines after it, up to the next "PS> ",
# are its output (objects as the console shows them; an error as "Cmdlet-Name: message", PowerShell's concise view).
# Each block runs in a fresh runspace, its commands in order, sharing variables.

BeforeDiscovery {
    $root = Split-Path -Parent $PSScriptRoot
    . (Join-Path $root 'build/ConvertTo-MamlHelp.ps1')
    $files = @(Get-ChildItem (Join-Path $root 'docs') -Filter '*.md') + @(Get-Item (Join-Path $root 'README.md'))
    $examples = foreach ($f in $files) {
        $lines = @(([IO.File]::ReadAllText($f.FullName) -replace "`r`n", "`n") -split "`n")
        $n = 0
        foreach ($block in (Split-MarkdownBlocks $lines)) {
            if ($block.Kind -ne 'Code' -or $block.Language -ne 'powershell' -or $block.Text -notmatch '(?m)^PS> ') { continue }
            $n++
            $steps = [System.Collections.Generic.List[object]]::new()
            foreach ($line in ($block.Text -split "`n")) {
                if ($line -match '^PS> (.*)$') { $steps.Add([pscustomobject]@{ Command = $Matches[1]; Output = [System.Collections.Generic.List[string]]::new() }) }
                elseif ($steps.Count) { $steps[-1].Output.Add($line) }
            }
            @{ File = $f.Name; Number = $n; Steps = @($steps) }
        }
    }
}

Describe 'Examples in <File>' -ForEach ($examples | Group-Object { $_.File } | ForEach-Object { @{ File = $_.Name; Examples = @($_.Group) } }) {
    BeforeAll {
        $script:Manifest = Join-Path (Split-Path -Parent $PSScriptRoot) 'out/AutoGrad.PS/AutoGrad.PS.psd1'
    }

    It 'example <Number> prints what it shows' -ForEach $Examples {
        $ps = [powershell]::Create([runspacefactory]::CreateRunspace([initialsessionstate]::CreateDefault()))
        try {
            $ps.Runspace.Open()
            $null = $ps.AddScript("Import-Module '$($Manifest.Replace("'", "''"))'").Invoke()
            foreach ($step in $Steps) {
                $ps.Commands.Clear()
                $ps.Streams.ClearStreams()
                $out = $ps.AddScript($step.Command).AddCommand('Out-String').AddParameter('Stream').AddParameter('Width', 4096).Invoke()
                $text = @($out | ForEach-Object { "$_".TrimEnd() })
                $errors = @($ps.Streams.Error | ForEach-Object { "$($_.InvocationInfo.MyCommand.Name): $($_.Exception.Message)" })
                $actual = ((@($text) + $errors) -join "`n").Trim("`n")
                $expected = ($step.Output -join "`n").Trim("`n")
                $actual | Should -BeExactly $expected -Because "PS> $($step.Command)"
            }
        } finally {
            $ps.Runspace.Dispose()
            $ps.Dispose()
        }
    }
}
