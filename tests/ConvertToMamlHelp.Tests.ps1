# build/ConvertTo-MamlHelp.ps1 (PlatyPS-schema markdown -> MAML) on small fixtures, the repository's docs/, and the
# help of the assembled module (out/AutoGrad.PS, made by ./build.ps1 Build) as Get-Help shows it in a fresh pwsh.

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot
    . (Join-Path $Root 'build/ConvertTo-MamlHelp.ps1')

    $script:Ns = @{
        msh     = 'http://msh'
        maml    = 'http://schemas.microsoft.com/maml/2004/10'
        command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
        dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    }
    function Select-Maml([xml] $Xml, [string] $XPath) {
        @(Select-Xml -Xml $Xml -XPath $XPath -Namespace $Ns | ForEach-Object Node)
    }

    # The documented cmdlets: one docs/<Verb>-<Noun>.md each (other docs/*.md are guides).
    $script:Documented = @(Get-ChildItem (Join-Path $Root 'docs') -Filter '*-*.md' | ForEach-Object BaseName | Sort-Object)

    $script:Fixture = @'
---
external help file: Fixture.dll-Help.xml
Module Name: Fixture
online version: https://example.org/Get-Thing
schema: 2.0.0
---

# Get-Thing

## SYNOPSIS
Gets a thing.

## SYNTAX

### ByName (Default)
```
Get-Thing [-Name] <String> [-Force] [<CommonParameters>]
```

### ById
```
Get-Thing -Id <Int32> [-Name <String>] [<CommonParameters>]
```

## DESCRIPTION
First paragraph
continues here.

Second paragraph.

## EXAMPLES

### Example 1: Get one
```powershell
PS> Get-Thing apple
# a comment in code, not a heading
```

It gets the apple.

## PARAMETERS

### -Name
The name.

```yaml
Type: String
Parameter Sets: ByName
Aliases: N
Accepted values: apple, pear

Required: True
Position: 0
Default value: None
Accept pipeline input: True (ByValue)
Accept wildcard characters: True
```

```yaml
Type: String
Parameter Sets: ById
Aliases: N

Required: False
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Id
The id.

```yaml
Type: Int32
Parameter Sets: ById
Aliases:

Required: True
Position: Named
Default value: None
Accept pipeline input: False
Accept wildcard characters: False
```

### -Force
Forces it.

```yaml
Type: SwitchParameter
Parameter Sets: ByName
Aliases:

Required: False
Position: Named
Default value: False
Accept pipeline input: False
Accept wildcard characters: False
```

### CommonParameters
This cmdlet supports the common parameters.

## INPUTS

### System.String
A name.

## OUTPUTS

### Thing
The thing.

## NOTES
A note.

## RELATED LINKS

[Set-Thing](Set-Thing.md)

[Docs](https://example.org/docs)
'@
}

Describe 'ConvertFrom-CmdletMarkdown' {
    BeforeAll {
        $path = Join-Path $TestDrive 'Get-Thing.md'
        Set-Content -LiteralPath $path -Value $Fixture -Encoding utf8
        $script:Help = ConvertFrom-CmdletMarkdown -Path $path
    }

    It 'reads the front matter, name, verb, noun and synopsis' {
        $Help.Metadata['external help file'] | Should -Be 'Fixture.dll-Help.xml'
        $Help.Metadata['schema'] | Should -Be '2.0.0'
        $Help.Name | Should -Be 'Get-Thing'
        $Help.Verb | Should -Be 'Get'
        $Help.Noun | Should -Be 'Thing'
        $Help.Synopsis | Should -Be 'Gets a thing.'
    }

    It 'joins paragraph lines and keeps paragraphs apart' {
        $Help.Description | Should -Be @('First paragraph continues here.', 'Second paragraph.')
    }

    It 'gives each list item a paragraph of its own and skips HTML comment lines' {
        $blocks = Split-MarkdownBlocks @('Intro line', '<!-- a marker -->', '- first item', '  continued', '* second item', '', 'After.')
        $blocks.Text | Should -Be @('Intro line', '- first item continued', '* second item', 'After.')
    }

    It 'reads the parameter sets from SYNTAX, the default one marked' {
        $Help.Syntax.Name | Should -Be @('ByName', 'ById')
        $Help.Syntax.IsDefault | Should -Be @($true, $false)
    }

    It 'reads each parameter with its yaml metadata, skipping CommonParameters' {
        $Help.Parameters.Name | Should -Be @('Name', 'Id', 'Force')
        $name = $Help.Parameters[0]
        $name.Description | Should -Be @('The name.')
        $name.Metadata | Should -HaveCount 2
        $m = $name.Metadata[0]
        $m.Type | Should -Be 'String'
        $m.ParameterSets | Should -Be @('ByName')
        $m.Aliases | Should -Be @('N')
        $m.AcceptedValues | Should -Be @('apple', 'pear')
        $m.Required | Should -BeTrue
        $m.Position | Should -Be '0'
        $m.PipelineInput | Should -Be 'True (ByValue)'
        $m.Globbing | Should -BeTrue
        $name.Metadata[1].Required | Should -BeFalse
        $name.Metadata[1].Position | Should -Be 'Named'
    }

    It 'reads examples: title, code (a # line in code is no heading) and remarks' {
        $Help.Examples | Should -HaveCount 1
        $Help.Examples[0].Title | Should -Be 'Example 1: Get one'
        $Help.Examples[0].Code | Should -Be "PS> Get-Thing apple`n# a comment in code, not a heading"
        $Help.Examples[0].Remarks | Should -Be @('It gets the apple.')
    }

    It 'reads inputs, outputs, notes and links (the online version first)' {
        $Help.Inputs.Type | Should -Be 'System.String'
        $Help.Outputs.Type | Should -Be 'Thing'
        $Help.Notes | Should -Be @('A note.')
        $Help.RelatedLinks.Text | Should -Be @('Online Version:', 'Set-Thing', 'Docs')
    }

    It 'rejects markdown without a command heading' {
        $bad = Join-Path $TestDrive 'bad.md'
        Set-Content -LiteralPath $bad -Value "## SYNOPSIS`nNothing." -Encoding utf8
        { ConvertFrom-CmdletMarkdown -Path $bad } | Should -Throw '*no ''# Command-Name'' heading*'
    }

    It 'rejects a parameter without a yaml block' {
        $bad = Join-Path $TestDrive 'Get-Bad.md'
        Set-Content -LiteralPath $bad -Value "# Get-Bad`n## SYNOPSIS`nBad.`n## PARAMETERS`n### -X`nNo metadata." -Encoding utf8
        { ConvertFrom-CmdletMarkdown -Path $bad } | Should -Throw '*-X has no yaml metadata*'
    }
}

Describe 'ConvertTo-MamlHelp' {
    BeforeAll {
        $path = Join-Path $TestDrive 'Get-Thing.md'
        Set-Content -LiteralPath $path -Value $Fixture -Encoding utf8
        $script:OutFile = Join-Path $TestDrive 'en-US/Fixture.dll-Help.xml'
        $script:Text = ConvertTo-MamlHelp -Path $path -OutputPath $OutFile
        $script:Maml = [xml] (Get-Content -LiteralPath $OutFile -Raw)
    }

    It 'writes the file it returns, as UTF-8 MAML' {
        (Get-Content -LiteralPath $OutFile -Raw) | Should -BeExactly $Text
        $Text | Should -Match '^<\?xml version="1.0" encoding="utf-8"\?>'
        $Maml.DocumentElement.LocalName | Should -Be 'helpItems'
        $Maml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $Maml.DocumentElement.schema | Should -Be 'maml'
    }

    It 'writes the details: name, verb, noun, synopsis' {
        $d = Select-Maml $Maml '/msh:helpItems/command:command/command:details'
        $d | Should -HaveCount 1
        (Select-Maml $Maml '//command:details/command:name').InnerText | Should -Be 'Get-Thing'
        (Select-Maml $Maml '//command:details/command:verb').InnerText | Should -Be 'Get'
        (Select-Maml $Maml '//command:details/command:noun').InnerText | Should -Be 'Thing'
        (Select-Maml $Maml '//command:details/maml:description/maml:para').InnerText | Should -Be 'Gets a thing.'
        (Select-Maml $Maml '/msh:helpItems/command:command/maml:description/maml:para').InnerText |
            Should -Be @('First paragraph continues here.', 'Second paragraph.')
    }

    It 'writes one syntax item per parameter set with that set''s parameters, positional first' {
        $items = Select-Maml $Maml '//command:syntax/command:syntaxItem'
        $items | Should -HaveCount 2
        @(Select-Xml -Xml $items[0] -XPath 'command:parameter/maml:name' -Namespace $Ns).Node.InnerText | Should -Be @('Name', 'Force')
        @(Select-Xml -Xml $items[1] -XPath 'command:parameter/maml:name' -Namespace $Ns).Node.InnerText | Should -Be @('Id', 'Name')
        # -Name: required and positional in ByName, optional and named in ById.
        $byName = @(Select-Xml -Xml $items[0] -XPath 'command:parameter' -Namespace $Ns).Node[0]
        $byName.required | Should -Be 'true'
        $byName.position | Should -Be '0'
        $byId = @(Select-Xml -Xml $items[1] -XPath 'command:parameter' -Namespace $Ns).Node[1]
        $byId.required | Should -Be 'false'
        $byId.position | Should -Be 'named'
    }

    It 'writes accepted values as a value group, and no value for a switch, in the syntax' {
        $items = Select-Maml $Maml '//command:syntax/command:syntaxItem'
        @(Select-Xml -Xml $items[0] -XPath 'command:parameter[maml:name="Name"]/command:parameterValueGroup/command:parameterValue' -Namespace $Ns).Node.InnerText |
            Should -Be @('apple', 'pear')
        @(Select-Xml -Xml $items[0] -XPath 'command:parameter[maml:name="Force"]/command:parameterValue' -Namespace $Ns) | Should -HaveCount 0
    }

    It 'writes the parameters with required, position, pipelineInput, globbing, aliases and type' {
        $p = Select-Maml $Maml '//command:parameters/command:parameter'
        $p | Should -HaveCount 3
        $p[0].required | Should -Be 'true'
        $p[0].position | Should -Be '0'
        $p[0].pipelineInput | Should -Be 'True (ByValue)'
        $p[0].globbing | Should -Be 'true'
        $p[0].aliases | Should -Be 'N'
        $p[1].aliases | Should -Be 'none'
        (Select-Xml -Xml $p[0] -XPath 'dev:type/maml:name' -Namespace $Ns).Node.InnerText | Should -Be 'String'
        (Select-Xml -Xml $p[0] -XPath 'command:parameterValue' -Namespace $Ns).Node.InnerText | Should -Be 'String'
        (Select-Xml -Xml $p[2] -XPath 'dev:defaultValue' -Namespace $Ns).Node.InnerText | Should -Be 'False'
    }

    It 'writes inputs, outputs, notes, examples and links' {
        (Select-Maml $Maml '//command:inputTypes/command:inputType/dev:type/maml:name').InnerText | Should -Be 'System.String'
        (Select-Maml $Maml '//command:returnValues/command:returnValue/dev:type/maml:name').InnerText | Should -Be 'Thing'
        (Select-Maml $Maml '//maml:alertSet/maml:alert/maml:para').InnerText | Should -Be 'A note.'
        (Select-Maml $Maml '//command:example/maml:title').InnerText | Should -BeLike '*Example 1: Get one*'
        (Select-Maml $Maml '//command:example/dev:code').InnerText | Should -Be "PS> Get-Thing apple`n# a comment in code, not a heading"
        (Select-Maml $Maml '//command:example/dev:remarks/maml:para').InnerText | Should -Be 'It gets the apple.'
        $links = Select-Maml $Maml '//command:relatedLinks/maml:navigationLink'
        $links | Should -HaveCount 3
        # Get-Help rejects relative uris: a link to a sibling .md keeps its text only.
        @($links | ForEach-Object { $_.uri }) | Should -Be @('https://example.org/Get-Thing', '', 'https://example.org/docs')
    }

    It 'rejects two files for one command' {
        $copy = Join-Path $TestDrive 'copy/Get-Thing.md'
        New-Item -ItemType Directory (Split-Path $copy) -Force | Out-Null
        Set-Content -LiteralPath $copy -Value $Fixture -Encoding utf8
        { ConvertTo-MamlHelp -Path (Join-Path $TestDrive 'Get-Thing.md'), $copy } | Should -Throw '*more than once*'
    }

    It 'is read by Get-Help (a function pointing at the file with .ExternalHelp)' {
        $fn = "function global:Get-Thing {`n# .ExternalHelp $OutFile`n" +
            '[CmdletBinding(DefaultParameterSetName = "ByName")] param(' +
            '[Parameter(ParameterSetName = "ByName", Mandatory, Position = 0)] [Parameter(ParameterSetName = "ById")] [string] $Name,' +
            '[Parameter(ParameterSetName = "ById", Mandatory)] [int] $Id, [Parameter(ParameterSetName = "ByName")] [switch] $Force) }'
        try {
            . ([scriptblock]::Create($fn))
            $h = Get-Help Get-Thing -Full
            $h.Synopsis | Should -Be 'Gets a thing.'
            @($h.parameters.parameter.name) | Should -Be @('Name', 'Id', 'Force')
            $text = $h | Out-String -Width 200
            $text | Should -Match 'Get-Thing \[-Name\] \{apple \| pear\}'
            $text | Should -Match 'It gets the apple\.'
        } finally {
            Remove-Item function:Get-Thing -ErrorAction SilentlyContinue
        }
    }
}

Describe 'docs/*.md (the cmdlet help)' {
    It 'documents the module''s cmdlets' {
        $Documented | Should -Be (@('New-Tensor', 'Invoke-Op', 'Measure-Mean', 'Measure-Sum', 'Invoke-Backward', 'Get-Grad',
            'Clear-Grad', 'Use-NoGrad', 'Test-Gradient', 'Join-Tensor', 'Split-Tensor', 'Export-TensorGraph', 'Export-Plot',
            'New-Layer', 'Invoke-Layer', 'Set-RandomSeed', 'Get-RandomSeed', 'Get-RandomState', 'Set-RandomState',
            'New-Optimizer', 'Update-Parameter', 'New-LRScheduler', 'Update-LRScheduler',
            'ConvertTo-Tensor', 'ConvertFrom-Tensor', 'Export-Tensor', 'Import-Tensor',
            'Assert-TensorClose', 'Get-TensorOp',
            'Register-TensorHook', 'Unregister-TensorHook', 'Use-AnomalyDetection',
            'Invoke-Training', 'Get-Batch') | Sort-Object)
    }

    It '<_>.md follows the PlatyPS schema for AutoGrad.PS' -ForEach @(Get-ChildItem (Join-Path (Split-Path -Parent $PSScriptRoot) 'docs') -Filter '*-*.md' | ForEach-Object BaseName) {
        $h = ConvertFrom-CmdletMarkdown -Path (Join-Path $Root "docs/$_.md")
        $h.Name | Should -BeExactly $_
        $h.Metadata['external help file'] | Should -Be 'AutoGrad.PS.dll-Help.xml'
        $h.Metadata['Module Name'] | Should -Be 'AutoGrad.PS'
        $h.Metadata['schema'] | Should -Be '2.0.0'
        $h.Metadata.Contains('online version') | Should -BeTrue
        $h.Synopsis | Should -Not -BeNullOrEmpty
        $h.Description | Should -Not -BeNullOrEmpty
        $h.Syntax | Should -Not -BeNullOrEmpty
        $h.Examples | Should -Not -BeNullOrEmpty
        $h.Outputs | Should -Not -BeNullOrEmpty
        foreach ($p in $h.Parameters) {
            foreach ($m in $p.Metadata) {
                foreach ($set in $m.ParameterSets) {
                    if ($set -ne '(All)') { $h.Syntax.Name | Should -Contain $set -Because "-$($p.Name) names set $set" }
                }
            }
        }
    }
}

Describe 'The assembled module (out/AutoGrad.PS) and its help' {
    BeforeAll {
        $script:ModuleDir = Join-Path $Root 'out/AutoGrad.PS'
        $script:Manifest = Join-Path $ModuleDir 'AutoGrad.PS.psd1'

        # A fresh pwsh (the one running this), started in a temporary folder: imports the module by path, then reports
        # its cmdlets with their parameters, and Get-Help New-Tensor -Full as text.
        $exe = [Environment]::ProcessPath
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
        $probeScript = Join-Path $TestDrive 'probe.ps1'
        Set-Content -LiteralPath $probeScript -Encoding utf8 -Value @'
param([string] $Manifest)
$ErrorActionPreference = 'Stop'
$PSStyle.OutputRendering = 'PlainText'
Import-Module $Manifest
$common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
[ordered]@{
    Commands = @(Get-Command -Module AutoGrad.PS -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
        [ordered]@{ Name = $_.Name; Parameters = @($_.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object) }
    })
    Help = (Get-Help New-Tensor -Full | Out-String -Width 250)
    About = (Get-Help about_AutoGrad.PS | Out-String -Width 250)
    Synopses = [ordered]@{}
} | ForEach-Object {
    foreach ($c in $_.Commands) { $_.Synopses[$c.Name] = (Get-Help $c.Name).Synopsis }
    $_ | ConvertTo-Json -Depth 5
}
'@
        $script:Probe = $null
        $script:ProbeError = $null
        Push-Location $TestDrive
        try {
            $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $probeScript -Manifest $Manifest 2>&1
            if ($LASTEXITCODE -eq 0) { $script:Probe = ($out | Where-Object { $_ -is [string] }) -join "`n" | ConvertFrom-Json }
            else { $script:ProbeError = "pwsh exited with $LASTEXITCODE`: $($out -join "`n")" }
        } finally {
            Pop-Location
        }
    }

    It 'has the MAML help generated from docs/ (en-US/AutoGrad.PS.dll-Help.xml), one command per docs file' {
        $file = Join-Path $ModuleDir 'en-US/AutoGrad.PS.dll-Help.xml'
        $file | Should -Exist
        $maml = [xml] (Get-Content -LiteralPath $file -Raw)
        (Select-Maml $maml '//command:command/command:details/command:name').InnerText | Sort-Object | Should -Be $Documented
    }

    It 'imports from another folder' {
        $ProbeError | Should -BeNullOrEmpty
        $Probe | Should -Not -BeNullOrEmpty
    }

    It 'documents every cmdlet it exports, and exports every documented cmdlet' {
        $ProbeError | Should -BeNullOrEmpty
        @($Probe.Commands.Name | Sort-Object) | Should -Be $Documented
    }

    It 'documents exactly the parameters of each cmdlet' {
        $ProbeError | Should -BeNullOrEmpty
        foreach ($c in $Probe.Commands) {
            $doc = Join-Path $Root "docs/$($c.Name).md"
            if (-not (Test-Path $doc)) { continue }   # reported by the test above
            $documented = @((ConvertFrom-CmdletMarkdown -Path $doc).Parameters.Name | Sort-Object)
            @($c.Parameters) | Should -Be $documented -Because "docs/$($c.Name).md documents $($documented -join ', ')"
        }
    }

    It 'Get-Help shows each cmdlet''s synopsis from docs/' {
        $ProbeError | Should -BeNullOrEmpty
        foreach ($c in $Probe.Commands) {
            $doc = Join-Path $Root "docs/$($c.Name).md"
            if (-not (Test-Path $doc)) { continue }
            $Probe.Synopses.($c.Name) | Should -BeExactly (ConvertFrom-CmdletMarkdown -Path $doc).Synopsis
        }
    }

    It 'Get-Help New-Tensor -Full shows the synopsis, parameters and examples from docs/New-Tensor.md' {
        $ProbeError | Should -BeNullOrEmpty
        $doc = ConvertFrom-CmdletMarkdown -Path (Join-Path $Root 'docs/New-Tensor.md')
        $Probe.Help | Should -Match ([regex]::Escape($doc.Synopsis))
        foreach ($p in $doc.Parameters) {
            $Probe.Help | Should -Match ("(?m)^\s+-$($p.Name)\b") -Because "-$($p.Name) is documented"
        }
        $Probe.Help | Should -Match ([regex]::Escape($doc.Parameters[0].Description[0]))
        $Probe.Help | Should -Match ([regex]::Escape($doc.Examples[0].Title))
    }

    It 'Get-Help about_AutoGrad.PS shows the module''s about topic' {
        $ProbeError | Should -BeNullOrEmpty
        $Probe.About | Should -Match 'PyTorch-style tensors and automatic differentiation for PowerShell'
    }
}
