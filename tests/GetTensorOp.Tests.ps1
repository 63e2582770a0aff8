#Requires -Version 7.4
# Get-TensorOp: Invoke-Op's ops from the engine's op table, with their parameters and synopses, as pipeline objects.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force

    function Get-Completion([string]$InputScript) {
        (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches
    }
}

Describe 'Get-TensorOp' {
    It 'lists every op Invoke-Op runs, once, sorted by name' {
        $ops = @(Get-TensorOp)
        $ops.Name | Should -Be ([AutoGrad.Ops.OpTable]::All.Name)
        $ops.Count | Should -BeGreaterThan 60
        ($ops.Name | Sort-Object -Unique).Count | Should -Be $ops.Count
        $ops[0] | Should -BeOfType ([AutoGrad.Ops.OpSignature])
    }

    It 'describes <Name>: required <Required>, optional <Optional>' -ForEach @(
        @{ Name = 'Add'; Required = 'Other'; Optional = '' }
        @{ Name = 'Clamp'; Required = ''; Optional = 'Min,Max' }
        @{ Name = 'Narrow'; Required = 'Dim,Start,Length'; Optional = '' }
        @{ Name = 'CrossEntropy'; Required = 'Target'; Optional = 'Reduction,IgnoreIndex' }
        @{ Name = 'Exp'; Required = ''; Optional = '' }
    ) {
        $op = Get-TensorOp $Name
        $op.Required -join ',' | Should -Be $Required
        $op.Optional -join ',' | Should -Be $Optional
        $op.Synopsis | Should -Not -BeNullOrEmpty
        $op.Syntax | Should -BeLike "`$x | Invoke-Op $Name*"
    }

    It 'takes case-insensitive names and wildcards, several at once, without duplicates' {
        (Get-TensorOp softmax).Name | Should -Be 'Softmax'
        (Get-TensorOp *Loss).Name | Should -Be @('L1Loss', 'MseLoss', 'NllLoss')
        (Get-TensorOp Arg*, ArgMax).Name | Should -Be @('ArgMax', 'ArgMin')
        @(Get-TensorOp Zzz*).Count | Should -Be 0
    }

    It 'takes names from the pipeline, also by property name' {
        ('Exp', 'Log' | Get-TensorOp).Name | Should -Be @('Exp', 'Log')
        ([pscustomobject]@{ Name = 'Mean' } | Get-TensorOp).Name | Should -Be 'Mean'
    }

    It 'writes a non-terminating GetTensorOpNotFound error for an unknown name and goes on' {
        $out = Get-TensorOp Exp, Nope, Log -ErrorVariable errs -ErrorAction SilentlyContinue
        $out.Name | Should -Be @('Exp', 'Log')
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetTensorOpNotFound,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].Exception.Message | Should -BeLike "Invoke-Op has no op named 'Nope'. Valid ops: Abs, Add, *"
    }

    It 'filters in the pipeline: the ops that take -Dim' {
        $withDim = Get-TensorOp | Where-Object Parameters -Contains 'Dim'
        $withDim.Name | Should -Contain 'Softmax'
        $withDim.Name | Should -Contain 'Sum'
        $withDim.Name | Should -Not -Contain 'Exp'
    }

    It 'agrees with Invoke-Op: every listed op runs with its required parameters (Clamp: a bound, as its synopsis says)' {
        $x = New-Tensor @(@(1.0, 2.0), @(3.0, 4.0)) -DType Float64
        $values = @{
            Other = (New-Tensor @(@(1.0, 0.5), @(2.0, 1.0)) -DType Float64); Dim = 1; Shape = 2, 2; Dims = 1, 0; Dim0 = 0; Dim1 = 1
            Index = 1; Start = 0; Length = 1; Target = (New-Tensor 1, 0); Condition = (New-Tensor @(@($true, $false), @($false, $true)))
            DType = 'Float32'
        }
        foreach ($op in Get-TensorOp) {
            $splat = @{}
            foreach ($p in $op.Required) { if ($p -ne 'Other') { $splat[$p] = $values[$p] } }
            # Class-index losses take Int64 classes; the others a target shaped like the input.
            if ($op.Required -contains 'Target' -and $op.Name -notin 'CrossEntropy', 'NllLoss') { $splat.Target = $x }
            if ($op.Name -eq 'Clamp') { $splat.Min = 0 }
            $in = if ($op.Name -in 'Dot', 'Outer') { New-Tensor 1.0, 2.0 -DType Float64 } elseif ($op.Name -eq 'Bmm') { $x | Invoke-Op Unsqueeze -Dim 0 } else { $x }
            $other = if ($op.Name -in 'Dot', 'Outer') { New-Tensor 3.0, 4.0 -DType Float64 } elseif ($op.Name -eq 'Bmm') { $values.Other | Invoke-Op Unsqueeze -Dim 0 } else { $values.Other }
            if ($op.Required -contains 'Other') { $splat.Other = $other }
            { $in | Invoke-Op $op.Name @splat } | Should -Not -Throw -Because "$($op.Syntax)"
        }
    }

    It 'completes op names for Get-TensorOp <Word>' -ForEach @(
        @{ Word = 'Log'; Expected = @('Log', 'Log1p', 'LogSoftmax', 'LogSumExp') }
        @{ Word = '*Loss'; Expected = @('L1Loss', 'MseLoss', 'NllLoss') }
        @{ Word = "'cross"; Expected = @('CrossEntropy') }
    ) {
        (Get-Completion "Get-TensorOp $Word").CompletionText | Should -Be $Expected
    }

    It 'shows a table of names, parameters and synopses, a list with the syntax' {
        $table = Get-TensorOp Clamp, Exp | Format-Table | Out-String -Width 200
        $table | Should -Match '(?m)^Name\s+Parameters\s+Synopsis\s*$'
        $table | Should -Match '(?m)^Clamp\s+\[-Min\] \[-Max\]\s+x limited to'
        $list = Get-TensorOp Clamp | Format-List | Out-String -Width 200
        $list | Should -Match 'Syntax\s+: \$x \| Invoke-Op Clamp \[-Min <number or tensor>\] \[-Max <number or tensor>\]'
        $list | Should -Match 'Optional\s+: Min, Max'
        # The default output is the table (an op has no repr).
        (Get-TensorOp Clamp | Out-String -Width 200) | Should -Match '(?m)^Name\s+Parameters\s+Synopsis'
    }

    It 'declares its output type and a wildcard -Name' {
        $cmd = Get-Command Get-TensorOp
        $cmd.OutputType.Type | Should -Be ([AutoGrad.Ops.OpSignature])
        $cmd.Parameters['Name'].Attributes.GetType().Name | Should -Not -BeNullOrEmpty
        @($cmd.Parameters['Name'].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count | Should -Be 1
    }
}
