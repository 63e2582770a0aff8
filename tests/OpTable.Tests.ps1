#Requires -Version 7.4
# Generated from the engine's op table: every sample call of every op (AutoGrad.Ops.OpTable, both floating
# dtypes) runs through Invoke-Op with the call's arguments splatted (OpCall's property names are Invoke-Op's
# parameter names) and must give what the engine gives for the same call: values, dtype, shape, strides and
# grad_fn, or the same error. The engine's results are checked against PyTorch in OpTableTests (xUnit). Completion
# and the docs' op list are the table too.

BeforeDiscovery {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    $ops = foreach ($op in [AutoGrad.Ops.OpTable]::All) { @{ Op = $op.Name } }
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force

    # The call's arguments the op takes, by Invoke-Op parameter name (arguments left at null are not given).
    $script:opArgs = [enum]::GetNames([AutoGrad.Ops.OpArgs]) | Where-Object { $_ -ne 'None' }
    function Get-OpSplat([AutoGrad.Ops.OpInfo] $Op, [AutoGrad.Ops.OpCall] $Call) {
        $splat = @{}
        foreach ($arg in $script:opArgs) {
            if (-not $Op.Accepts($arg)) { continue }
            $value = $Call.$arg
            if ($null -ne $value) { $splat[$arg] = $value }
        }
        $splat
    }

    # dtype, shape, strides (Invoke-Op keeps the engine's layout), grad_fn and values, in one line.
    function Get-TensorFacts([AutoGrad.Tensor] $Tensor) {
        $values = foreach ($v in $Tensor.ToDoubleArray()) { $v.ToString('R', [cultureinfo]::InvariantCulture) }
        "$($Tensor.DType) [$($Tensor.Shape -join ',')] strides [$($Tensor.Strides -join ',')] $($Tensor.GradFn.Name) $values"
    }
}

Describe 'Invoke-Op runs every op of the table as the engine does' {
    It '<Op>: every sample, Float32 and Float64' -ForEach $ops {
        $info = $null
        $null = [AutoGrad.Ops.OpTable]::TryGet($Op, [ref] $info)
        # Differences are collected and asserted once: Should in the loop would cost more than the ops.
        $differences = [System.Collections.Generic.List[string]]::new()
        foreach ($dtype in 'Float32', 'Float64') {
            foreach ($sample in $info.SamplesFor($dtype)) {
                $case = "sample '$($sample.Label)' ($dtype)"
                $splat = Get-OpSplat $info $sample.Call
                $expected = $null; $engineError = $null
                try { $expected = $info.Apply.Invoke($sample.Call) } catch { $engineError = $_.Exception.InnerException ?? $_.Exception }

                $err = $null
                $actual = try { $sample.Call.Input | Invoke-Op $Op @splat -ErrorAction Stop } catch { $err = $_ }
                if ($engineError) {
                    $want = "error InvokeOp$($engineError.Id): $($engineError.Message)"
                    $got = if ($err) { "error $($err.FullyQualifiedErrorId -replace ',.*'): $($err.Exception.Message)" } else { "no error: $actual" }
                } elseif ($err) {
                    $want = 'a result'; $got = "error $($err.FullyQualifiedErrorId): $($err.Exception.Message)"
                } elseif ($expected -is [AutoGrad.Ops.ValuesIndicesResult]) {
                    $want = "values $(Get-TensorFacts $expected.Values) indices $(Get-TensorFacts $expected.Indices)"
                    $got = if ($actual -is [AutoGrad.Ops.ValuesIndicesResult]) { "values $(Get-TensorFacts $actual.Values) indices $(Get-TensorFacts $actual.Indices)" } else { "$actual" }
                } else {
                    $want = Get-TensorFacts $expected
                    $got = if ($actual -is [AutoGrad.Tensor]) { Get-TensorFacts $actual } else { "$actual" }
                }
                if ($got -cne $want) { $differences.Add("${case}: Invoke-Op gives $got; the engine $want") }
            }
        }
        $differences | Should -BeNullOrEmpty
    }
}

Describe 'The op table behind Invoke-Op' {
    It 'completes every op of the table, and nothing else' {
        $completed = (TabExpansion2 -inputScript '$x | Invoke-Op ' -cursorColumn 15).CompletionMatches.CompletionText
        $completed | Should -Be @([AutoGrad.Ops.OpTable]::All.Name)
    }

    It 'is listed in docs/Invoke-Op.md as the table has it, in any culture (build.ps1 Docs regenerates the list)' {
        . "$PSScriptRoot/../build/Update-OpList.ps1"
        $doc = [IO.File]::ReadAllText("$PSScriptRoot/../docs/Invoke-Op.md") -replace "`r`n", "`n"
        $culture = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            $generated = Get-OpListMarkdown
        } finally {
            [cultureinfo]::CurrentCulture = $culture
        }
        (Get-OpListSection $doc).Text | Should -BeExactly $generated -Because 'the op list in docs/Invoke-Op.md is generated from the op table: run build.ps1 Docs'
    }

    It 'has an Invoke-Op parameter for every op argument' {
        $parameters = (Get-Command Invoke-Op).Parameters.Keys
        foreach ($name in [enum]::GetNames([AutoGrad.Ops.OpArgs]) | Where-Object { $_ -ne 'None' }) {
            $parameters | Should -Contain $name
        }
    }
}
