<#
.SYNOPSIS
    Turns cmdlet help written as markdown in PlatyPS's schema (v0.14, "schema: 2.0.0") into one MAML file, the
    external help that Get-Help reads for a binary module (en-US/<Assembly>.dll-Help.xml).

.DESCRIPTION
    Dot-source this file, then:
        ConvertFrom-CmdletMarkdown -Path docs/New-Tensor.md        # the parsed help, as an object
        ConvertTo-MamlHelp -Path (Get-Item docs/*.md) -OutputPath out/AutoGrad.PS/en-US/AutoGrad.PS.dll-Help.xml

    Our own small implementation of the part of PlatyPS we use (PlatyPS is not installable here). The markdown:

        ---
        external help file: AutoGrad.PS.dll-Help.xml
        Module Name: AutoGrad.PS
        online version:
        schema: 2.0.0
        ---
        # Verb-Noun
        ## SYNOPSIS              one paragraph
        ## SYNTAX                ### SetName (Default) + a fenced block each (the MAML syntax is built from
                                 the parameters' metadata, as PlatyPS does; the set names come from here)
        ## DESCRIPTION           paragraphs (a list item is a paragraph; HTML comment lines are skipped)
        ## EXAMPLES              ### Example 1: title, intro text, ```powershell code```, remarks
        ## PARAMETERS            ### -Name, description, ```yaml Type/Parameter Sets/Aliases/Accepted values/
                                 Required/Position/Default value/Accept pipeline input/Accept wildcard characters```
                                 (### CommonParameters is skipped)
        ## INPUTS / ## OUTPUTS   ### TypeName + description
        ## NOTES                 paragraphs
        ## RELATED LINKS         [text](uri) lines
#>

# Strict mode is set inside the public functions, not here: dot-sourcing this file must not change the caller's.

$script:MamlNs = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

# Splits markdown lines into text paragraphs and fenced code blocks, in order.
function Split-MarkdownBlocks {
    param([AllowEmptyCollection()] [string[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $para = [System.Collections.Generic.List[string]]::new()
    $code = $null
    $lang = ''
    $flush = {
        if ($para.Count -gt 0) {
            $blocks.Add([pscustomobject]@{ Kind = 'Text'; Language = ''; Text = ($para -join ' ').Trim() })
            $para.Clear()
        }
    }
    foreach ($line in $Lines) {
        if ($null -ne $code) {
            if ($line -match '^\s*(```|~~~)\s*$') {
                $blocks.Add([pscustomobject]@{ Kind = 'Code'; Language = $lang; Text = ($code -join "`n") })
                $code = $null
            } else {
                $code.Add($line)
            }
        } elseif ($line -match '^\s*(```|~~~)\s*([\w+-]*)') {
            . $flush
            $lang = $Matches[2]
            $code = [System.Collections.Generic.List[string]]::new()
        } elseif ($line.Trim() -eq '' -or $line -match '^\s*<!--.*-->\s*$') {
            # A blank line ends a paragraph; so does an HTML comment (a generated list's markers), which is no text.
            . $flush
        } else {
            # A list item starts a paragraph of its own: Get-Help has no lists.
            if ($line -match '^\s*[-*]\s') { . $flush }
            $para.Add($line.Trim())
        }
    }
    . $flush
    if ($null -ne $code) {
        $blocks.Add([pscustomobject]@{ Kind = 'Code'; Language = $lang; Text = ($code -join "`n") })
    }
    , $blocks.ToArray()
}

function Get-TextParagraphs([object[]] $Blocks) {
    , @($Blocks | Where-Object Kind -eq 'Text' | ForEach-Object Text)
}

# 'key: value' lines (YAML front matter and the parameters' metadata blocks) as an ordered, case-insensitive table.
function ConvertFrom-SimpleYaml([string] $Text) {
    $map = [ordered]@{}
    foreach ($line in ($Text -split "`n")) {
        if ($line -match '^\s*([^:#][^:]*?)\s*:\s*(.*?)\s*$') { $map[$Matches[1]] = $Matches[2] }
    }
    $map
}

function ConvertFrom-CmdletMarkdown {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName)] [Alias('FullName')] [string] $Path)
    begin { Set-StrictMode -Version 3.0 }
    process {
        $text = [IO.File]::ReadAllText((Resolve-Path -LiteralPath $Path).ProviderPath) -replace "`r`n?", "`n"
        $lines = @($text -split "`n")
        $i = 0
        $metadata = [ordered]@{}
        if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') {
            $end = [Array]::FindIndex($lines, 1, [Predicate[string]] { param($l) $l.Trim() -eq '---' })
            if ($end -lt 0) { throw "${Path}: the YAML front matter has no closing '---'." }
            $metadata = ConvertFrom-SimpleYaml (($lines[1..($end - 1)]) -join "`n")
            $i = $end + 1
        }

        # Headings outside code fences make the tree: # name, ## SECTION, ### subsection.
        $name = $null
        $sections = [ordered]@{}
        $section = $null
        $sub = $null
        $inFence = $false
        for (; $i -lt $lines.Count; $i++) {
            $line = $lines[$i]
            if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
            if (-not $inFence -and $line -match '^(#{1,3})\s+(.+?)\s*#*\s*$') {
                $level = $Matches[1].Length
                $title = $Matches[2]
                if ($level -eq 1) {
                    if ($name) { throw "${Path}: more than one '# Command-Name' heading." }
                    $name = $title
                    continue
                }
                if ($level -eq 2) {
                    $section = [pscustomobject]@{ Lines = [System.Collections.Generic.List[string]]::new(); Subs = [System.Collections.Generic.List[object]]::new() }
                    $sections[$title.ToUpperInvariant()] = $section
                    $sub = $null
                    continue
                }
                if ($null -ne $section) {
                    $sub = [pscustomobject]@{ Title = $title; Lines = [System.Collections.Generic.List[string]]::new() }
                    $section.Subs.Add($sub)
                    continue
                }
            }
            if ($null -ne $sub) { $sub.Lines.Add($line) } elseif ($null -ne $section) { $section.Lines.Add($line) }
        }
        if (-not $name) { throw "${Path}: no '# Command-Name' heading." }
        if ($name -notmatch '^(\w+)-(\w+)$') { throw "${Path}: '$name' is not a Verb-Noun command name." }
        $verb = $Matches[1]; $noun = $Matches[2]

        $sectionBlocks = {
            param([string] $Key)
            if ($sections.Contains($Key)) { Split-MarkdownBlocks $sections[$Key].Lines } else { , @() }
        }
        $subsOf = {
            param([string] $Key)
            if ($sections.Contains($Key)) { , @($sections[$Key].Subs) } else { , @() }
        }

        $synopsis = (Get-TextParagraphs (& $sectionBlocks 'SYNOPSIS')) -join ' '
        if (-not $synopsis) { throw "${Path}: ## SYNOPSIS is empty." }

        $syntax = foreach ($s in (& $subsOf 'SYNTAX')) {
            $isDefault = $s.Title -match '\(Default\)\s*$'
            [pscustomobject]@{
                Name      = ($s.Title -replace '\s*\(Default\)\s*$', '').Trim()
                IsDefault = [bool] $isDefault
                Text      = (@((Split-MarkdownBlocks $s.Lines) | Where-Object Kind -eq 'Code' | ForEach-Object Text) -join "`n")
            }
        }

        $examples = foreach ($s in (& $subsOf 'EXAMPLES')) {
            $blocks = Split-MarkdownBlocks $s.Lines
            $firstCode = [Array]::FindIndex([object[]] $blocks, [Predicate[object]] { param($b) $b.Kind -eq 'Code' })
            $intro = @(); $remarks = @(); $code = @()
            for ($k = 0; $k -lt $blocks.Count; $k++) {
                $b = $blocks[$k]
                if ($b.Kind -eq 'Code') { $code += $b.Text }
                elseif ($firstCode -ge 0 -and $k -lt $firstCode) { $intro += $b.Text }
                else { $remarks += $b.Text }
            }
            [pscustomobject]@{ Title = $s.Title; Introduction = $intro; Code = ($code -join "`n`n"); Remarks = $remarks }
        }

        $parameters = foreach ($s in (& $subsOf 'PARAMETERS')) {
            if ($s.Title -notmatch '^-(\w+)$') { continue }   # ### CommonParameters and the like
            $pname = $Matches[1]
            $blocks = Split-MarkdownBlocks $s.Lines
            $sets = @(foreach ($b in $blocks) {
                    if ($b.Kind -ne 'Code' -or $b.Language -notin 'yaml', 'yml') { continue }
                    $y = ConvertFrom-SimpleYaml $b.Text
                    $get = { param($k, $d) if ($y.Contains($k) -and $y[$k] -ne '') { $y[$k] } else { $d } }
                    [pscustomobject]@{
                        Type           = & $get 'Type' 'Object'
                        ParameterSets  = @((& $get 'Parameter Sets' '(All)') -split '\s*,\s*' | Where-Object { $_ })
                        Aliases        = @((& $get 'Aliases' '') -split '\s*,\s*' | Where-Object { $_ })
                        AcceptedValues = @((& $get 'Accepted values' '') -split '\s*,\s*' | Where-Object { $_ })
                        Required       = (& $get 'Required' 'False') -match '^true$'
                        Position       = (& $get 'Position' 'Named')
                        DefaultValue   = & $get 'Default value' 'None'
                        PipelineInput  = & $get 'Accept pipeline input' 'False'
                        Globbing       = (& $get 'Accept wildcard characters' 'False') -match '^true$'
                    }
                })
            if ($sets.Count -eq 0) { throw "${Path}: parameter -$pname has no yaml metadata block." }
            [pscustomobject]@{
                Name        = $pname
                Description = Get-TextParagraphs $blocks
                Metadata    = $sets
            }
        }

        $typed = {
            param([string] $Key)
            foreach ($s in (& $subsOf $Key)) {
                [pscustomobject]@{ Type = $s.Title; Description = Get-TextParagraphs (Split-MarkdownBlocks $s.Lines) }
            }
        }

        $links = @()
        if ($metadata.Contains('online version') -and $metadata['online version']) {
            $links += [pscustomobject]@{ Text = 'Online Version:'; Uri = $metadata['online version'] }
        }
        if ($sections.Contains('RELATED LINKS')) {
            foreach ($line in $sections['RELATED LINKS'].Lines) {
                foreach ($m in [regex]::Matches($line, '\[([^\]]+)\]\(([^)]*)\)')) {
                    $links += [pscustomobject]@{ Text = $m.Groups[1].Value; Uri = $m.Groups[2].Value }
                }
            }
        }

        [pscustomobject]@{
            PSTypeName   = 'AutoGrad.Build.CmdletHelp'
            Name         = $name
            Verb         = $verb
            Noun         = $noun
            Metadata     = $metadata
            Synopsis     = $synopsis
            Syntax       = @($syntax)
            Description  = Get-TextParagraphs (& $sectionBlocks 'DESCRIPTION')
            Examples     = @($examples)
            Parameters   = @($parameters)
            Inputs       = @(& $typed 'INPUTS')
            Outputs      = @(& $typed 'OUTPUTS')
            Notes        = Get-TextParagraphs (& $sectionBlocks 'NOTES')
            RelatedLinks = $links
        }
    }
}

function Write-Paras([System.Xml.XmlWriter] $W, [string] $Prefix, [string] $Element, [object[]] $Paras) {
    $W.WriteStartElement($Prefix, $Element, $script:MamlNs[$Prefix])
    foreach ($p in @($Paras | Where-Object { $_ })) { $W.WriteElementString('maml', 'para', $script:MamlNs.maml, $p) }
    $W.WriteEndElement()
}

function Write-MamlParameter {
    param([System.Xml.XmlWriter] $W, [object] $Parameter, [object] $Meta, [switch] $InSyntax)
    $ns = $script:MamlNs
    $isSwitch = $Meta.Type -match '^(System\.Management\.Automation\.)?SwitchParameter$'
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', $Meta.Required.ToString().ToLowerInvariant())
    $W.WriteAttributeString('variableLength', 'true')
    $W.WriteAttributeString('globbing', $Meta.Globbing.ToString().ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Meta.PipelineInput)
    $W.WriteAttributeString('position', $Meta.Position.ToLowerInvariant())
    $W.WriteAttributeString('aliases', $(if ($Meta.Aliases.Count) { $Meta.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $ns.maml, $Parameter.Name)
    Write-Paras $W 'maml' 'description' $Parameter.Description
    if ($InSyntax -and $Meta.AcceptedValues.Count) {
        $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($v in $Meta.AcceptedValues) {
            $W.WriteStartElement('command', 'parameterValue', $ns.command)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $ns.command, 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    } elseif (-not ($InSyntax -and $isSwitch)) {
        # Get-Help shows "-Name <Type>" from this; a switch shows no value in the syntax.
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', $(if ($isSwitch) { 'false' } else { 'true' }))
        $W.WriteAttributeString('variableLength', 'false')
        $W.WriteString($Meta.Type)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $ns.dev)
    $W.WriteElementString('maml', 'name', $ns.maml, $Meta.Type)
    $W.WriteElementString('maml', 'uri', $ns.maml, '')
    $W.WriteEndElement()
    $W.WriteElementString('dev', 'defaultValue', $ns.dev, $Meta.DefaultValue)
    $W.WriteEndElement()
}

function Write-MamlCommand([System.Xml.XmlWriter] $W, [object] $Help) {
    $ns = $script:MamlNs
    $W.WriteStartElement('command', 'command', $ns.command)
    foreach ($p in 'maml', 'command', 'dev', 'MSHelp') { $W.WriteAttributeString('xmlns', $p, $null, $ns[$p]) }

    $W.WriteStartElement('command', 'details', $ns.command)
    $W.WriteElementString('command', 'name', $ns.command, $Help.Name)
    $W.WriteElementString('command', 'verb', $ns.command, $Help.Verb)
    $W.WriteElementString('command', 'noun', $ns.command, $Help.Noun)
    Write-Paras $W 'maml' 'description' @($Help.Synopsis)
    $W.WriteEndElement()

    Write-Paras $W 'maml' 'description' $Help.Description

    # One syntax item per parameter set (from ## SYNTAX), holding the parameters whose metadata names that set
    # or "(All)": positional ones by position first, then the named ones.
    $W.WriteStartElement('command', 'syntax', $ns.command)
    $setNames = @($Help.Syntax | ForEach-Object Name)
    if ($setNames.Count -eq 0) { $setNames = @('(All)') }
    foreach ($set in $setNames) {
        $items = foreach ($p in $Help.Parameters) {
            $meta = $p.Metadata | Where-Object { $_.ParameterSets -contains $set -or $_.ParameterSets -contains '(All)' } |
                Select-Object -First 1
            if ($meta) { [pscustomobject]@{ Parameter = $p; Meta = $meta } }
        }
        $positional = @($items | Where-Object { $_.Meta.Position -match '^\d+$' } | Sort-Object { [int] $_.Meta.Position })
        # Named: required ones first, those of the fewest sets (e.g. -Zeros) leading, then the optional ones.
        $named = @($items | Where-Object { $_.Meta.Position -notmatch '^\d+$' } |
                Sort-Object -Stable { -not $_.Meta.Required }, { if ($_.Meta.Required) { $_.Meta.ParameterSets.Count } else { 0 } })
        $W.WriteStartElement('command', 'syntaxItem', $ns.command)
        $W.WriteElementString('maml', 'name', $ns.maml, $Help.Name)
        foreach ($it in $positional + $named) { Write-MamlParameter $W $it.Parameter $it.Meta -InSyntax }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $Help.Parameters) {
        # A parameter required in some sets is shown as required if it is required in its first documented set.
        Write-MamlParameter $W $p $p.Metadata[0]
    }
    $W.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Help.Inputs), @('returnValues', 'returnValue', $Help.Outputs))) {
        $W.WriteStartElement('command', $kind[0], $ns.command)
        foreach ($t in $kind[2]) {
            $W.WriteStartElement('command', $kind[1], $ns.command)
            $W.WriteStartElement('dev', 'type', $ns.dev)
            $W.WriteElementString('maml', 'name', $ns.maml, $t.Type)
            $W.WriteEndElement()
            Write-Paras $W 'maml' 'description' $t.Description
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }

    $W.WriteStartElement('maml', 'alertSet', $ns.maml)
    $W.WriteStartElement('maml', 'alert', $ns.maml)
    foreach ($n in $Help.Notes) { $W.WriteElementString('maml', 'para', $ns.maml, $n) }
    $W.WriteEndElement()
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $ns.command)
    foreach ($e in $Help.Examples) {
        $W.WriteStartElement('command', 'example', $ns.command)
        $W.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $($e.Title) --------------------------")
        if ($e.Introduction.Count) { Write-Paras $W 'maml' 'introduction' $e.Introduction }
        $W.WriteElementString('dev', 'code', $ns.dev, $e.Code)
        Write-Paras $W 'dev' 'remarks' $e.Remarks
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($l in $Help.RelatedLinks) {
        $W.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $W.WriteElementString('maml', 'linkText', $ns.maml, $l.Text)
        # Get-Help rejects a relative uri (e.g. a link to a sibling .md): keep the text, leave the uri empty.
        $uri = if ([uri]::IsWellFormedUriString($l.Uri, [UriKind]::Absolute)) { $l.Uri } else { '' }
        $W.WriteElementString('maml', 'uri', $ns.maml, $uri)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

function ConvertTo-MamlHelp {
    <#
    .SYNOPSIS
        Converts PlatyPS-schema markdown files (one cmdlet each) into one MAML help file.
    .OUTPUTS
        The MAML as a string; with -OutputPath it is also written there (UTF-8, folders created).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName)] [Alias('FullName')] [string[]] $Path,
        [string] $OutputPath
    )
    begin {
        Set-StrictMode -Version 3.0
        $helps = [System.Collections.Generic.List[object]]::new()
    }
    process { foreach ($p in $Path) { $helps.Add((ConvertFrom-CmdletMarkdown -Path $p)) } }
    end {
        $dupes = @($helps | Group-Object Name | Where-Object Count -gt 1 | ForEach-Object Name)
        if ($dupes.Count) { throw "Help for $($dupes -join ', ') is given more than once." }

        $settings = [System.Xml.XmlWriterSettings]::new()
        $settings.Indent = $true
        $settings.IndentChars = '  '
        $settings.NewLineChars = "`n"
        $settings.OmitXmlDeclaration = $true
        $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
        $sb = [System.Text.StringBuilder]::new()
        $sw = [System.IO.StringWriter]::new($sb, [System.Globalization.CultureInfo]::InvariantCulture)
        $w = [System.Xml.XmlWriter]::Create($sw, $settings)
        $w.WriteStartElement('helpItems', 'http://msh')
        $w.WriteAttributeString('schema', 'maml')
        foreach ($h in ($helps | Sort-Object Name)) { Write-MamlCommand $w $h }
        $w.WriteEndElement()
        $w.Flush()
        $w.Dispose()
        # StringWriter reports UTF-16; the file is UTF-8, so say so in the declaration.
        $xml = '<?xml version="1.0" encoding="utf-8"?>' + "`n" + $sb.ToString() + "`n"
        if ($OutputPath) {
            $dir = Split-Path -Parent $OutputPath
            if ($dir -and -not (Test-Path $dir)) { New-Item -ItemType Directory -Path $dir -Force | Out-Null }
            [IO.File]::WriteAllText([IO.Path]::GetFullPath($OutputPath, (Get-Location).ProviderPath), $xml, $settings.Encoding)
        }
        $xml
    }
}
