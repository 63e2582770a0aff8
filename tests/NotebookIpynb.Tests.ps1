#Requires -Version 7.4
# examples/autograd.ipynb, the seed notebook as a PowerShell (Polyglot / .NET Interactive) notebook: its cells are
# examples/notebook.ps1's, its saved outputs are what those cells print (which tests/Notebook.Tests.ps1 compares
# with the PyTorch notebook's), and run headless by dotnet-repl (build/Invoke-Notebook.ps1, as ./build.ps1 Notebook
# runs it) every code cell prints its saved output again.

BeforeAll {
    $script:Root = Split-Path -Parent $PSScriptRoot
    $script:NotebookPath = Join-Path $Root 'examples/autograd.ipynb'
    $script:Notebook = Get-Content -LiteralPath $NotebookPath -Raw | ConvertFrom-Json
    $script:CodeCells = @($Notebook.cells | Where-Object cell_type -eq 'code')

    function Get-CellText($Lines) { (@($Lines) -join '') -replace "`r`n", "`n" }

    # A cell's printed text: its stream and text/plain outputs, without the blank lines PowerShell's formatter
    # writes around each formatted object (a tensor's view); ANSI colour codes would fail the comparison.
    function Get-OutputLines($Cell) {
        $text = foreach ($o in @($Cell.outputs)) {
            switch ($o.output_type) {
                'stream' { Get-CellText $o.text }
                { $_ -in 'execute_result', 'display_data' } { Get-CellText $o.data.'text/plain' }
            }
        }
        @(($text -join '') -split "`n" | Where-Object { $_.Trim() -ne '' })
    }

    # What examples/notebook.ps1 prints for each cell when run as the demo: 'In [n]:' then the cell's text. An aside
    # the demo adds after a cell ('How autograd computed In [8] ...:', the backward trace) is kept under that heading.
    function Get-ScriptOutput {
        $exe = [Environment]::ProcessPath
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
        $lines = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File (Join-Path $Root 'examples/notebook.ps1')
        if ($LASTEXITCODE -ne 0) { throw "examples/notebook.ps1 failed: $($lines -join "`n")" }
        $cells = [ordered]@{}; $current = $null
        foreach ($line in $lines) {
            if ($line -match '^(In \[\d+\]):$' -or $line -match '^(How autograd computed In \[\d+\]) .*:$') {
                $current = $Matches[1]; $cells[$current] = [Collections.Generic.List[string]]::new(); continue
            }
            if ($current -and $line.Trim() -ne '') { $cells[$current].Add($line) }
        }
        $cells
    }
}

Describe 'examples/autograd.ipynb' {
    It 'is an nbformat 4 notebook for the .NET Interactive PowerShell kernel' {
        $Notebook.nbformat | Should -Be 4
        $Notebook.metadata.kernelspec.name | Should -Be '.net-pwsh'
        $Notebook.metadata.kernelspec.language | Should -Be 'PowerShell'
        $Notebook.metadata.polyglot_notebook.kernelInfo.defaultKernelName | Should -Be 'pwsh'
    }

    It 'has the seed''s twelve code cells, each a pwsh cell numbered In [1] .. In [12]' {
        $CodeCells.Count | Should -Be 12
        $CodeCells.execution_count | Should -Be (1..12)
        foreach ($c in $CodeCells) { $c.metadata.polyglot_notebook.kernelName | Should -Be 'pwsh' }
    }

    It 'has the seed''s markdown: its title and sections 1 to 6' {
        $markdown = ($Notebook.cells | Where-Object cell_type -eq 'markdown' | ForEach-Object { Get-CellText $_.source }) -join "`n"
        $markdown | Should -Match '(?m)^# 自动微分$'
        foreach ($heading in '## 1. 不用mean，不能求导', '## 2. 使用mean，就可以求导了', '## 3. 求导的计算过程', '## 4. sum求导',
            '## 5. 常数和tensor的求导分析', '## 6. 两个tensor的求导分析') {
            $markdown | Should -Match ('(?m)^' + [regex]::Escape($heading) + '$')
        }
        $markdown | Should -Match ([regex]::Escape('为啥是0.25，因为平均值的公式为mean=a1/4+a2/4+a3/4+a4/4'))
    }

    It 'holds the same code as examples/notebook.ps1, cell for cell (In [1] imports the module by its path from examples/)' {
        . (Join-Path $Root 'examples/notebook.ps1') -AsCells
        for ($i = 2; $i -le 12; $i++) {
            $block = $Cells["In [$i]"].ToString().Trim("`r", "`n") -replace "`r`n", "`n"
            $script = (($block -split "`n") | ForEach-Object { $_ -replace '^    ', '' }) -join "`n"
            Get-CellText $CodeCells[$i - 1].source | Should -BeExactly $script -Because "In [$i]"
        }
        Get-CellText $CodeCells[0].source | Should -Match '(?m)^Import-Module \.\./out/AutoGrad\.PS/AutoGrad\.PS\.psd1'
    }

    It 'explains after the 4.5 how autograd computed it, with the trace examples/notebook.ps1 prints' {
        $markdown = @($Notebook.cells | Where-Object cell_type -eq 'markdown' | ForEach-Object { Get-CellText $_.source })
        $at = [array]::FindIndex([string[]] $markdown, [Predicate[string]] { param($m) $m -match '(?m)^### How autograd computed this$' })
        $at | Should -BeGreaterThan 0
        $markdown[$at - 1] | Should -Match ([regex]::Escape('平均值的导数为18/4=4.5'))
        $block = [regex]::Match($markdown[$at], '(?s)```\n(Node .*?)\n```').Groups[1].Value
        $shown = @(($block -split "`n") | Where-Object { $_.Trim() -ne '' })
        $shown | Should -BeExactly @((Get-ScriptOutput)['How autograd computed In [8]'])
    }

    It 'saves as each cell''s output what examples/notebook.ps1 prints for it' {
        $printed = Get-ScriptOutput
        $printed.Count | Should -Be 13
        for ($i = 1; $i -le 12; $i++) {
            Get-OutputLines $CodeCells[$i - 1] | Should -BeExactly @($printed["In [$i]"]) -Because "In [$i]"
        }
    }
}

Describe 'The notebook run headless (dotnet-repl)' {
    BeforeAll {
        $script:Executed = Join-Path $TestDrive 'notebook/autograd.ipynb'
        $null = & (Join-Path $Root 'build/Invoke-Notebook.ps1') -Path $NotebookPath -OutputPath $Executed
        $script:Run = Get-Content -LiteralPath $Executed -Raw | ConvertFrom-Json
        $script:RunCells = @($Run.cells | Where-Object cell_type -eq 'code')
    }

    It 'writes every cell, numbered in the order it ran' {
        $Run.cells.Count | Should -Be $Notebook.cells.Count
        $RunCells.execution_count | Should -Be (1..12)
    }

    It 'In [<N>] prints the notebook''s saved output, as stream text or text/plain and no error' -ForEach (1..12 | ForEach-Object { @{ N = $_ } }) {
        $cell = $RunCells[$N - 1]
        foreach ($o in @($cell.outputs)) { $o.output_type | Should -BeIn 'stream', 'execute_result', 'display_data' }
        Get-OutputLines $cell | Should -BeExactly @(Get-OutputLines $CodeCells[$N - 1])
    }
}
