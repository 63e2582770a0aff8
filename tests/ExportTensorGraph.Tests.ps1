#Requires -Version 7.4
# Export-TensorGraph: the backward graph as torchviz's make_dot draws it, in DOT (compared with make_dot's own output
# on real PyTorch, tests/data/torchviz_graphs.json, written by tests/data/torchviz_graphs.py), accepted by Graphviz's
# dot; as a Mermaid flowchart; and as an SVG laid out by MSAGL in the module's own load context.

BeforeDiscovery {
    # Each scenario of tests/data/torchviz_graphs.py, in PowerShell: a script block that returns the tensor(s) to
    # draw and the cmdlet's extra parameters.
    $script:Scenarios = @(
        @{ Name = 'notebook'; Build = {
                $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
                $y = $x + 2
                $z = $y * $y * 3
                @{ Tensors = @($z | Measure-Mean) }
            }
        }
        @{ Name = 'scalar_and_matrix'; Build = {
                $x = New-Tensor 3.0 -RequiresGrad
                $y = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
                $t = $x * $x
                $z = 2 * $t + 2 * $y * $y
                @{ Tensors = @($z | Measure-Mean) }
            }
        }
        @{ Name = 'linear_relu_named'; Build = {
                $inp = New-Tensor -RandN -Shape 4, 3
                $w = New-Tensor -RandN -Shape 3, 2 -RequiresGrad
                $b = New-Tensor -RandN -Shape 2 -RequiresGrad
                $loss = ($inp | Invoke-Op MatMul $w) + $b | Invoke-Op Relu | Measure-Sum
                @{ Tensors = @($loss); Parameters = @{ Name = @{ w = $w; b = $b } } }
            }
        }
        @{ Name = 'two_outputs'; Build = {
                $a = New-Tensor -RandN -Shape 3 -RequiresGrad
                $p = $a * 2 | Measure-Sum
                $q = $a | Invoke-Op Exp | Measure-Mean
                @{ Tensors = @($p, $q) }
            }
        }
        @{ Name = 'saved_tensors'; Build = {
                $a = New-Tensor -RandN -Shape 3 -RequiresGrad
                $b = New-Tensor -RandN -Shape 3 -RequiresGrad
                @{ Tensors = @($a * $b | Invoke-Op Exp | Measure-Sum); Parameters = @{ ShowSaved = $true } }
            }
        }
    )
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    $script:Reference = Get-Content -LiteralPath "$PSScriptRoot/data/torchviz_graphs.json" -Raw | ConvertFrom-Json

    # Boxes numbered by their first node statement, each with the label and colour of its last one (Graphviz's
    # rule), and the edges in order: the normalization tests/data/torchviz_graphs.py applies to make_dot's output.
    function ConvertFrom-Dot([string] $Dot) {
        $ids = [ordered]@{}; $nodes = @{}; $edges = [Collections.Generic.List[object]]::new()
        foreach ($line in $Dot -split "`n") {
            if ($line -match '^\t(\w+) \[label="((?:[^"\\]|\\.)*)"(?: fillcolor=(\S+))?\]$') {
                if (-not $ids.Contains($Matches[1])) { $ids[$Matches[1]] = "node$($ids.Count)" }
                $label = $Matches[2] -replace '\\n', "`n" -replace '\\"', '"' -replace '\\\\', '\'
                $nodes[$ids[$Matches[1]]] = @($label, "$($Matches[3])")
            } elseif ($line -match '^\t(\w+) -> (\w+)( \[dir=none\])?$') {
                $edges.Add(@($Matches[1], $Matches[2], $(if ($Matches[3]) { 'none' } else { '' })))
            }
        }
        @{
            Nodes = @(for ($i = 0; $i -lt $ids.Count; $i++) { , $nodes["node$i"] })
            Edges = @(foreach ($e in $edges) { , @($ids[$e[0]], $ids[$e[1]], $e[2]) })
        }
    }

    function Format-Graph($Nodes, $Edges) {
        (@($Nodes | ForEach-Object { "box [$($_[1])] $($_[0] -replace "`n", '|')" }) +
            @($Edges | ForEach-Object { "$($_[0]) -> $($_[1]) $($_[2])".TrimEnd() })) -join "`n"
    }

    $script:Dot = Get-Command dot -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
}

Describe 'Export-TensorGraph draws what torchviz''s make_dot draws' {
    It '<Name>: the same boxes, labels, colours and edges, in the same order' -ForEach $Scenarios {
        $case = & $Build
        $params = if ($case.Parameters) { $case.Parameters } else { @{} }
        $dot = $case.Tensors | Export-TensorGraph @params
        $dot | Should -BeOfType ([string])
        $ours = ConvertFrom-Dot $dot
        $theirs = $Reference.$Name
        Format-Graph $ours.Nodes $ours.Edges | Should -BeExactly (Format-Graph $theirs.nodes $theirs.edges)
    }

    It 'writes make_dot''s graph and node attributes' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $dot = ($x * $x | Measure-Sum) | Export-TensorGraph
        $lines = $dot -split "`n"
        $lines[0] | Should -BeExactly 'digraph {'
        $lines[1] | Should -BeExactly "`tgraph [size=`"12,12`"]"
        $lines[2] | Should -BeExactly "`tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box style=filled]"
        $lines[-2] | Should -BeExactly '}'
    }

    It 'grows the picture size with the graph, as resize_graph does (0.15 per statement, at least 12)' {
        $x = New-Tensor 1.0 -RequiresGrad
        $y = $x
        foreach ($i in 1..60) { $y = $y * 1.5 }
        # 1 output + 60 MulBackward0 + AccumulateGrad + leaf = 63 boxes; 62 edges: 125 statements * 0.15 = 18.75
        $y | Export-TensorGraph | Should -Match 'graph \[size="18\.75,18\.75"\]'
    }

    It 'draws a leaf alone as one green box, as make_dot does for a tensor without grad_fn' {
        $g = New-Tensor 1.0, 2.0, 3.0 -RequiresGrad | Export-TensorGraph
        $parsed = ConvertFrom-Dot $g
        $parsed.Nodes.Count | Should -Be 1
        $parsed.Nodes[0] | Should -Be @("`n (3)", 'darkolivegreen1')
        $parsed.Edges.Count | Should -Be 0
    }

    It 'walks a graph thousands of ops deep without overflowing the stack' {
        $x = New-Tensor 1.0 -RequiresGrad
        $y = $x
        foreach ($i in 1..5000) { $y = $y + 1 }
        $parsed = ConvertFrom-Dot ($y | Export-TensorGraph)
        $parsed.Nodes.Count | Should -Be 5003
        $parsed.Edges.Count | Should -Be 5002
    }
}

Describe 'Export-TensorGraph -ShowAttributes (make_dot''s show_attrs)' {
    It 'lists saved tensors under the name with torchviz''s rule and column widths' {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $b = New-Tensor 3.0, 4.0 -RequiresGrad
        $dot = ($a * $b) | Export-TensorGraph -ShowAttributes
        # make_dot(a * b, show_attrs=True) on PyTorch labels MulBackward0 exactly so.
        $dot | Should -Match ([regex]::Escape('[label="MulBackward0\n---------------------\nother: [saved tensor]\nself : [saved tensor]"]'))
    }

    It 'lists an op''s non-tensor arguments, Python-style' {
        $x = New-Tensor -Ones -Shape 2, 3 -RequiresGrad
        $dot = $x | Measure-Sum | Export-TensorGraph -ShowAttributes
        $dot | Should -Match ([regex]::Escape('[label="SumBackward0\n------------\narg: (2, 3)"]'))
    }

    It 'cuts values longer than -MaxAttributeChars with "..." as max_attr_chars does' {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $dot = ($a * $a) | Export-TensorGraph -ShowAttributes -MaxAttributeChars 5
        $dot | Should -Match ([regex]::Escape('[label="MulBackward0\n------------\nother: [s...\nself : [s..."]'))
    }

    It 'leaves AccumulateGrad and nodes without saved values as their bare name' {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $dot = ($a + $a) | Export-TensorGraph -ShowAttributes
        $dot | Should -Match '\[label="AddBackward0"\]'
        $dot | Should -Match '\[label="AccumulateGrad"\]'
    }
}

Describe 'Export-TensorGraph -ShowSaved (make_dot''s show_saved)' {
    It 'draws a saved intermediate as an orange box joined without an arrow head' {
        $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
        $y = $x + 2
        $parsed = ConvertFrom-Dot ($y * 3 | Export-TensorGraph -ShowSaved)
        $saved = @($parsed.Nodes | Where-Object { $_[1] -eq 'orange' })
        $saved.Count | Should -Be 2
        # In dir()'s order: other (the 3, a 0-d tensor as in PyTorch), then self (y).
        $saved[0][0] | Should -BeExactly "other`n ()"
        $saved[1][0] | Should -BeExactly "self`n (2, 2)"
        @($parsed.Edges | Where-Object { $_[2] -eq 'none' }).Count | Should -Be 2
    }

    It 'draws nothing for saved tensors a backward pass has freed' {
        $a = New-Tensor 1.0, 2.0 -RequiresGrad
        $out = ($a * $a) | Measure-Sum
        $out | Invoke-Backward
        $parsed = ConvertFrom-Dot ($out | Export-TensorGraph -ShowSaved)
        @($parsed.Nodes | Where-Object { $_[1] -eq 'orange' }).Count | Should -Be 0
    }
}

Describe 'Graphviz accepts the DOT' {
    It '<Name>: dot -Tsvg renders it' -ForEach $Scenarios {
        if (-not $Dot) {
            Set-ItResult -Skipped -Because 'Graphviz''s dot is not on PATH (apt-get install graphviz)'
            return
        }
        $case = & $Build
        $params = if ($case.Parameters) { $case.Parameters } else { @{} }
        $text = $case.Tensors | Export-TensorGraph @params -ShowSaved -ShowAttributes
        $svg = $text | & $Dot.Source -Tsvg 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($svg -join "`n")
        ([xml] ($svg -join "`n")).svg | Should -Not -BeNullOrEmpty
    }

    It 'renders quotes and backslashes in names' {
        if (-not $Dot) { Set-ItResult -Skipped -Because 'Graphviz''s dot is not on PATH (apt-get install graphviz)'; return }
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $text = ($w * 2) | Export-TensorGraph -Name @{ 'say "hi" \ <b>' = $w }
        $svg = ($text | & $Dot.Source -Tsvg) -join "`n"
        $LASTEXITCODE | Should -Be 0
        ([xml] $svg).OuterXml | Should -Match ([regex]::Escape('>say "hi" \ &lt;b&gt;<'))
    }
}

Describe 'Export-TensorGraph -Format Mermaid' {
    BeforeAll {
        $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
        $y = $x + 2
        $script:Mermaid = ($y * $y * 3 | Measure-Mean) | Export-TensorGraph -Format Mermaid -ShowSaved -ShowAttributes
        $script:MermaidLines = @($Mermaid -split "`n" | Where-Object { $_ })
    }

    It 'is a top-to-bottom flowchart, with labels allowed wider than Mermaid''s 200 pixels' {
        $MermaidLines[0] | Should -BeExactly '%%{init: {"flowchart": {"wrappingWidth": 1000}}}%%'
        $MermaidLines[1] | Should -BeExactly 'flowchart TB'
    }

    It 'declares every box once, with a quoted label and a class' {
        $boxes = @($MermaidLines | Where-Object { $_ -match '^    node\d+\[' })
        $boxes.Count | Should -Be 10
        foreach ($b in $boxes) { $b | Should -Match '^    node\d+\["[^"]*"\]:::(output|function|leaf|saved)$' }
        $MermaidLines | Should -Contain '    node0["()"]:::output'
        $MermaidLines | Should -Contain '    node8["(2, 2)"]:::leaf'
    }

    It 'keeps an attribute table''s alignment with no-break spaces and breaks its lines with br tags' {
        $MermaidLines | Should -Contain '    node4["MulBackward0<br/>---------------------<br/>other: [saved tensor]<br/>self : [saved tensor]"]:::function'
        # Values are right-aligned: the padding is a run of spaces, which HTML would collapse to one.
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $clamp = $x | Invoke-Op Clamp -Min 0 -Max 1 | Export-TensorGraph -Format Mermaid -ShowAttributes
        $clamp | Should -Match ([regex]::Escape('["ClampBackward1<br/>--------------------<br/>arg0:' + ([string][char]0xA0 * 12) + '0.0<br/>'))
    }

    It 'draws gradient edges as arrows and saved tensors as plain links' {
        @($MermaidLines | Where-Object { $_ -match '^    node\d+ --> node\d+$' }).Count | Should -Be 7
        @($MermaidLines | Where-Object { $_ -match '^    node\d+ --- node\d+$' }).Count | Should -Be 4
    }

    It 'gives each kind torchviz''s colour' {
        $MermaidLines | Should -Contain '    classDef leaf fill:#add8e6,stroke:#000000,color:#000000,font-family:monospace'
        $MermaidLines | Should -Contain '    classDef output fill:#caff70,stroke:#000000,color:#000000,font-family:monospace'
        $MermaidLines | Should -Contain '    classDef saved fill:#ffa500,stroke:#000000,color:#000000,font-family:monospace'
    }

    It 'writes characters that would end or change a label as HTML entities, brackets as they are' {
        $w = New-Tensor 1.0 -RequiresGrad
        $m = ($w * 2) | Export-TensorGraph -Format Mermaid -Name @{ 'a "b" <c> #d & e [f] (g)' = $w }
        $m | Should -Match ([regex]::Escape('["a &quot;b&quot; &lt;c&gt; #d &amp; e [f] (g)<br/>()"]:::leaf'))
    }

    It 'keeps a # apart from what Mermaid would read as an entity code (#quot;)' {
        $w = New-Tensor 1.0 -RequiresGrad
        $m = ($w * 2) | Export-TensorGraph -Format Mermaid -Name @{ 'x#quot;y' = $w }
        $m | Should -Match ([regex]::Escape('["x#' + [char]0x200B + 'quot;y<br/>()"]:::leaf'))
    }
}

Describe 'Export-TensorGraph -Format Svg (laid out in .NET by MSAGL)' {
    BeforeAll {
        $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
        $y = $x + 2
        $script:SvgText = ($y * $y * 3 | Measure-Mean) | Export-TensorGraph -Format Svg -ShowSaved
        $script:Svg = [xml] $SvgText
        $ns = [Xml.XmlNamespaceManager]::new($Svg.NameTable)
        $ns.AddNamespace('s', 'http://www.w3.org/2000/svg')
        $script:Ns = $ns
        $script:Boxes = @($Svg.SelectNodes('//s:g[starts-with(@class, "node ")]', $ns) | ForEach-Object {
                $r = $_.SelectSingleNode('s:rect', $ns)
                [pscustomobject]@{
                    Kind = ($_.class -split ' ')[1]
                    Text = @($_.SelectNodes('s:text', $ns) | ForEach-Object InnerText) -join '|'
                    Fill = $r.fill
                    X = [double] $r.x; Y = [double] $r.y; W = [double] $r.width; H = [double] $r.height
                }
            })
    }

    It 'is a standalone SVG document with a size' {
        $Svg.svg.xmlns | Should -Be 'http://www.w3.org/2000/svg'
        [double] $Svg.svg.width | Should -BeGreaterThan 50
        [double] $Svg.svg.height | Should -BeGreaterThan 50
    }

    It 'has a box per node, labelled and coloured as torchviz''s' {
        # output, MeanBackward0, 2 x MulBackward0, AddBackward0, AccumulateGrad, leaf, and three saved: the 3,
        # y * y (saved by the second product) and y (saved twice by the first, one box).
        $Boxes.Count | Should -Be 10
        ($Boxes | Where-Object Kind -eq 'output').Text | Should -Be '()'
        ($Boxes | Where-Object Kind -eq 'leaf').Text | Should -Be '(2, 2)'
        ($Boxes | Where-Object Kind -eq 'leaf').Fill | Should -Be '#add8e6'
        @($Boxes | Where-Object Text -eq 'MulBackward0').Count | Should -Be 2
        @($Boxes | Where-Object Kind -eq 'saved').Fill | Sort-Object -Unique | Should -Be '#ffa500'
    }

    It 'draws an edge per use (y * y: two) and arrow heads only on gradient edges' {
        @($Svg.SelectNodes('//s:path[contains(@class, "flow")]', $Ns)).Count | Should -Be 7
        @($Svg.SelectNodes('//s:path[contains(@class, "saved")]', $Ns)).Count | Should -Be 4
        @($Svg.SelectNodes('//s:polygon', $Ns)).Count | Should -Be 7
    }

    It 'lays boxes out without overlap, inside the picture, the leaf above and the output below' {
        $width = [double] $Svg.svg.width; $height = [double] $Svg.svg.height
        foreach ($b in $Boxes) {
            $b.X | Should -BeGreaterOrEqual 0
            $b.Y | Should -BeGreaterOrEqual 0
            ($b.X + $b.W) | Should -BeLessOrEqual $width
            ($b.Y + $b.H) | Should -BeLessOrEqual $height
        }
        for ($i = 0; $i -lt $Boxes.Count; $i++) {
            for ($j = $i + 1; $j -lt $Boxes.Count; $j++) {
                $a = $Boxes[$i]; $b = $Boxes[$j]
                $overlap = $a.X -lt $b.X + $b.W -and $b.X -lt $a.X + $a.W -and $a.Y -lt $b.Y + $b.H -and $b.Y -lt $a.Y + $a.H
                $overlap | Should -BeFalse -Because "'$($a.Text)' and '$($b.Text)' must not overlap"
            }
        }
        ($Boxes | Where-Object Kind -eq 'leaf').Y | Should -BeLessThan ($Boxes | Where-Object Kind -eq 'output').Y
    }

    It 'makes each box wide enough for its longest line in a monospace font' {
        foreach ($b in $Boxes) {
            $longest = ($b.Text -split '\|' | Measure-Object -Property Length -Maximum).Maximum
            $b.W | Should -BeGreaterOrEqual ($longest * 13 * 0.6)
        }
    }

    It 'writes numbers with a decimal point in a de-DE session' {
        $culture = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            $w = New-Tensor 1.0, 2.0 -RequiresGrad
            $text = ($w * 2.5 | Measure-Sum) | Export-TensorGraph -Format Svg
        } finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $culture
        }
        $text | Should -Not -Match '="\d+,\d+"'
        ([xml] $text).svg | Should -Not -BeNullOrEmpty
    }

    It 'loads MSAGL in the module''s own load context, not in the default one' {
        $msagl = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AutomaticGraphLayout' }
        $msagl | Should -Not -BeNullOrEmpty
        foreach ($a in $msagl) { [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name | Should -Be 'AutoGrad.Drawing' }
    }
}

Describe 'Export-TensorGraph -Path' {
    BeforeAll {
        $w = New-Tensor 1.0, 2.0 -RequiresGrad
        $script:Out = $w * 3 | Measure-Sum
    }

    It 'takes the format from the extension: <Extension> is <Expected>' -ForEach @(
        @{ Extension = 'dot'; Expected = '^digraph \{' }
        @{ Extension = 'gv'; Expected = '^digraph \{' }
        @{ Extension = 'mmd'; Expected = '^%%\{init: .*\n?flowchart TB' }
        @{ Extension = 'mermaid'; Expected = '^%%\{init: .*\n?flowchart TB' }
        @{ Extension = 'md'; Expected = '^```mermaid\n%%\{init: .*\nflowchart TB\n(.|\n)*```\n$' }
        @{ Extension = 'SVG'; Expected = '^<\?xml (.|\n)*<svg ' }
    ) {
        $path = Join-Path $TestDrive "graph.$Extension"
        $Out | Export-TensorGraph -Path $path | Should -BeNullOrEmpty
        [IO.File]::ReadAllText($path) | Should -Match $Expected
    }

    It 'writes UTF-8 without a byte-order mark' {
        $path = Join-Path $TestDrive 'bom.dot'
        $Out | Export-TensorGraph $path
        [IO.File]::ReadAllBytes($path)[0] | Should -Be ([byte][char]'d')
    }

    It 'lets -Format override the extension' {
        $path = Join-Path $TestDrive 'graph.txt'
        $Out | Export-TensorGraph -Path $path -Format Mermaid
        (Get-Content $path -TotalCount 2)[1] | Should -BeExactly 'flowchart TB'
    }

    It 'writes the file''s FileInfo with -PassThru, as Get-Item shows it' {
        $file = $Out | Export-TensorGraph -Path (Join-Path $TestDrive 'p.svg') -PassThru
        $file | Should -BeOfType ([IO.FileInfo])
        $file.Name | Should -Be 'p.svg'
        $file.Length | Should -BeGreaterThan 0
        $file.PSPath | Should -Match 'FileSystem::'
    }

    It 'resolves a path relative to the current location' {
        Push-Location $TestDrive
        try { $Out | Export-TensorGraph -Path 'rel.dot' } finally { Pop-Location }
        Join-Path $TestDrive 'rel.dot' | Should -Exist
    }

    It 'fails with <Id> for <Case>' -ForEach @(
        @{ Case = 'an unknown extension'; Id = 'ExportTensorGraphUnknownFormat'; Path = 'graph.png'; Extra = @{} }
        @{ Case = 'a missing folder'; Id = 'ExportTensorGraphFolderNotFound'; Path = 'no/such/folder/g.dot'; Extra = @{} }
        @{ Case = 'an existing file with -NoClobber'; Id = 'ExportTensorGraphFileExists'; Path = 'exists.dot'; Extra = @{ NoClobber = $true } }
        @{ Case = 'a path of another provider'; Id = 'ExportTensorGraphNotFileSystem'; Path = 'variable:graph'; Extra = @{ Format = 'Dot' } }
    ) {
        Set-Content -LiteralPath (Join-Path $TestDrive 'exists.dot') -Value 'keep'
        $target = if ($Path -like '*:*') { $Path } else { Join-Path $TestDrive $Path }
        $err = { $Out | Export-TensorGraph -Path $target @Extra } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        Get-Content -LiteralPath (Join-Path $TestDrive 'exists.dot') | Should -Be 'keep'
    }

    It 'fails with ExportTensorGraphNameNotTensor when -Name maps a name to something else' {
        { $Out | Export-TensorGraph -Name @{ w = 3 } } | Should -Throw -ErrorId 'ExportTensorGraphNameNotTensor,*'
    }
}

Describe 'The drawing libraries load lazily' {
    It 'Import-Module loads none of AutoGrad.Drawing, MSAGL, ScottPlot or SkiaSharp' {
        $exe = [Environment]::ProcessPath
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
        $manifest = (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1").Path
        $script = "Import-Module '$manifest'; `$x = New-Tensor 1.0 -RequiresGrad; `$null = (`$x * 2) | Export-TensorGraph; " +
            "[AppDomain]::CurrentDomain.GetAssemblies().GetName().Name -join ','"
        $loaded = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script
        $LASTEXITCODE | Should -Be 0
        $names = "$loaded" -split ','
        $names | Should -Contain 'AutoGrad.Engine'
        foreach ($n in 'AutoGrad.Drawing', 'AutomaticGraphLayout', 'ScottPlot', 'SkiaSharp') { $names | Should -Not -Contain $n }
    }
}
