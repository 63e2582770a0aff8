<#
.SYNOPSIS
    The op list of docs/Invoke-Op.md, generated from the engine's op table (AutoGrad.Ops.OpTable).

.DESCRIPTION
    Dot-source this file (with the module imported) for Get-OpListMarkdown, the list as markdown, which
    tests/OpTable.Tests.ps1 compares with the checked-in docs; run it with -Path and -ModulePath to rewrite the list
    between the markers in that file (build.ps1 Docs does, in a child pwsh that imports out/AutoGrad.PS).
    Each op is one line: its usage (InvokeOpCommand.Signature, the same as in Invoke-Op's error messages) and
    its synopsis, grouped by family in the table's order. The text is the same in every culture.

.EXAMPLE
    pwsh -File build/Update-OpList.ps1 -Path docs/Invoke-Op.md -ModulePath out/AutoGrad.PS/AutoGrad.PS.psd1
#>
[CmdletBinding()]
param(
    [string] $Path,
    [string] $ModulePath
)

$script:OpListBegin = '<!-- op-list: generated from the op table (AutoGrad.Ops.OpTable) by build.ps1 Docs; edit the table, not this list -->'
$script:OpListEnd = '<!-- /op-list -->'

# What each family's ops have in common, as the paragraph above them.
$script:OpFamilyIntro = [ordered]@{
    Arithmetic    = 'Arithmetic, elementwise: the input and -Other (position 1) broadcast against each other.'
    Comparison    = 'Comparisons, elementwise: the result is Bool and records no gradient.'
    Elementwise   = 'Elementwise functions of the input (Floor, Ceil, Round and Sign pass a zero gradient).'
    Reduction     = 'Reductions: -Dim <int[]> reduces those dimensions (all when omitted), -Dim <int> one; -KeepDim keeps them with size 1.'
    Shape         = 'Views, shapes and indexing (views share the input''s storage, as in PyTorch).'
    LinearAlgebra = 'Matrix and vector products (PyTorch''s 1-d, 2-d and batched rules for MatMul).'
    NeuralNetwork = 'Softmax and the losses; -Reduction is Mean (default), Sum or None.'
    Conversion    = 'dtype and graph.'
}

# The list, one line per op under its family's paragraph, with the markers around it.
function Get-OpListMarkdown {
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add($script:OpListBegin)
    $ops = [AutoGrad.Ops.OpTable]::All
    foreach ($family in $script:OpFamilyIntro.Keys) {
        $members = @($ops | Where-Object { "$($_.Family)" -eq $family })
        if ($members.Count -eq 0) { continue }
        $lines.Add($script:OpFamilyIntro[$family])
        $lines.Add('')
        foreach ($op in $members) {
            $lines.Add("- ``$([AutoGrad.PowerShell.Commands.InvokeOpCommand]::Signature($op))``: $($op.Synopsis)")
        }
        $lines.Add('')
    }
    $lines.RemoveAt($lines.Count - 1)
    $lines.Add($script:OpListEnd)
    $lines -join "`n"
}

# The list between the markers in a markdown file (for the test and for rewriting it).
function Get-OpListSection([string] $Text) {
    $begin = $Text.IndexOf($script:OpListBegin, [StringComparison]::Ordinal)
    $end = $Text.IndexOf($script:OpListEnd, [StringComparison]::Ordinal)
    if ($begin -lt 0 -or $end -lt $begin) { throw "No op list markers ($script:OpListBegin ... $script:OpListEnd) found." }
    [pscustomobject]@{ Start = $begin; Length = $end + $script:OpListEnd.Length - $begin; Text = $Text.Substring($begin, $end + $script:OpListEnd.Length - $begin) }
}

function Update-OpList([string] $Path) {
    $text = [IO.File]::ReadAllText($Path) -replace "`r`n", "`n"
    $section = Get-OpListSection $text
    $updated = $text.Remove($section.Start, $section.Length).Insert($section.Start, (Get-OpListMarkdown))
    if ($updated -cne $text) {
        [IO.File]::WriteAllText($Path, $updated, [Text.UTF8Encoding]::new($false))
        Write-Host "    $Path`: op list updated from the op table"
    } else {
        Write-Host "    $Path`: op list already matches the op table"
    }
}

if ($Path) {
    $ErrorActionPreference = 'Stop'
    [System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::InvariantCulture
    Import-Module $ModulePath -Force
    Update-OpList (Resolve-Path -LiteralPath $Path).ProviderPath
}
