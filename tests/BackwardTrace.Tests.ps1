#Requires -Version 7.4
# Invoke-Backward -Trace and Get-Grad -Trace: one object per node the backward pass runs, in PyTorch's order, with the
# gradients PyTorch's node hooks see. Expected traces: tests/data/backward_trace.json, written by
# tests/data/backward_trace.py from real PyTorch (grad_fn.register_hook on every node); each case's program is
# replayed here through Invoke-Op, Register-TensorHook and Invoke-Backward / Get-Grad -Of.

BeforeDiscovery {
    $script:Cases = @((Get-Content -LiteralPath "$PSScriptRoot/data/backward_trace.json" -Raw | ConvertFrom-Json).cases |
        ForEach-Object { @{ Name = $_.name; Case = $_ } })
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force

    # The case's tensors: leaves, then each op's result through Invoke-Op; tensor hooks through Register-TensorHook.
    function Build-Program($Case) {
        $tensors = [Collections.Generic.List[object]]::new()
        foreach ($leaf in $Case.leaves) {
            $dtype = if ($leaf.dtype -eq 'float64') { 'Float64' } else { 'Float32' }
            $tensors.Add([AutoGrad.Tensor]::FromDoubles([double[]] @($leaf.values), [int[]] @($leaf.shape), $dtype, [bool] $leaf.requires_grad))
        }
        foreach ($op in $Case.ops) {
            $inputs = @($op.inputs | ForEach-Object { if ($_ -is [long]) { $tensors[[int] $_] } else { $_.scalar } })
            $options = @{}
            if ($inputs.Count -gt 1) { $options.Other = $inputs[1] }
            if ($op.PSObject.Properties['dim']) { $options.Dim = [int[]] @($op.dim); $options.KeepDim = [bool] $op.keepdim }
            $tensors.Add(($inputs[0] | Invoke-Op $op.op @options))
        }
        if ($Case.PSObject.Properties['hooks']) {
            foreach ($hook in $Case.hooks) {
                $k = $hook.value
                $block = if ($hook.kind -eq 'scale') { { param($g) $g * $k }.GetNewClosure() } else { { param($g) $g + $k }.GetNewClosure() }
                $null = $tensors[[int] $hook.tensor] | Register-TensorHook $block
            }
        }
        , $tensors
    }

    # Runs the case's backward pass with -Trace: the steps, and the gradients (leaves' .grad, or Get-Grad's result).
    function Invoke-Traced($Case, $Tensors) {
        $outputs = @($Case.backward.outputs | ForEach-Object { $Tensors[[int] $_] })
        if ($Case.backward.kind -eq 'backward') {
            # Several outputs: torch.autograd.backward(outputs) is one pass with a gradient of 1 per scalar output.
            $steps = if ($outputs.Count -eq 1) {
                @($outputs[0] | Invoke-Backward -Trace)
            } else {
                $list = [Collections.Generic.List[AutoGrad.Autograd.BackwardStep]]::new()
                [AutoGrad.Autograd.BackwardEngine]::Backward([AutoGrad.Tensor[]] $outputs, $null, $null, $false,
                    [Action[AutoGrad.Autograd.BackwardStep]] { param($s) $list.Add($s) })
                @($list)
            }
            return @{ Steps = $steps; Grads = $null }
        }
        $inputs = @($Case.backward.inputs | ForEach-Object { $Tensors[[int] $_] })
        $all = @(Get-Grad -Of $outputs -WithRespectTo $inputs -Trace)
        @{ Steps = @($all | Where-Object { $_ -is [AutoGrad.Autograd.BackwardStep] }); Grads = @($all | Where-Object { $_ -is [AutoGrad.Tensor] }) }
    }

    function Assert-Value($Expected, $Actual, [string] $What) {
        if ($null -eq $Expected) {
            $Actual | Should -BeNullOrEmpty -Because "$What is None in PyTorch"
            return
        }
        $Actual | Should -Not -BeNullOrEmpty -Because "$What is a tensor in PyTorch"
        $Actual.Shape | Should -Be @($Expected.shape) -Because "$What's shape"
        $tolerance = if ($Actual.DType -eq 'Float32') { 1e-5 } else { 1e-12 }
        $got = $Actual.ToDoubleArray()
        for ($i = 0; $i -lt $Expected.values.Count; $i++) {
            $want = [double] $Expected.values[$i]
            [Math]::Abs($got[$i] - $want) | Should -BeLessOrEqual ($tolerance * [Math]::Max(1, [Math]::Abs($want))) -Because "$What[$i] is $want"
        }
    }
}

Describe 'Invoke-Backward -Trace / Get-Grad -Trace against PyTorch''s node hooks' {
    It '<Name>: the same nodes in the same order, with the same gradients in and out' -ForEach $Cases {
        $tensors = Build-Program $Case
        $run = Invoke-Traced $Case $tensors
        $expected = @($Case.trace)
        @($run.Steps.Node) | Should -Be @($expected.node)
        for ($k = 0; $k -lt $expected.Count; $k++) {
            $want = $expected[$k]; $step = $run.Steps[$k]
            $step.Step | Should -Be ($k + 1)
            $step.GradOutputs.Count | Should -Be @($want.grad_outputs).Count
            $step.GradInputs.Count | Should -Be @($want.grad_inputs).Count
            for ($i = 0; $i -lt @($want.grad_outputs).Count; $i++) { Assert-Value $want.grad_outputs[$i] $step.GradOutputs[$i] "step $($k + 1) ($($step.Node)) GradOutputs[$i]" }
            for ($i = 0; $i -lt @($want.grad_inputs).Count; $i++) { Assert-Value $want.grad_inputs[$i] $step.GradInputs[$i] "step $($k + 1) ($($step.Node)) GradInputs[$i]" }
            if ($null -eq $want.leaf) { $step.Leaf | Should -BeNullOrEmpty }
            else { [object]::ReferenceEquals($step.Leaf, $tensors[[int] $want.leaf]) | Should -BeTrue -Because "step $($k + 1) fills leaf $($want.leaf)" }
        }
        if ($Case.backward.kind -eq 'backward') {
            foreach ($p in $Case.grads.PSObject.Properties) { Assert-Value $p.Value $tensors[[int] $p.Name].Grad "leaf $($p.Name).grad" }
        } else {
            $run.Grads.Count | Should -Be @($Case.grads).Count
            for ($i = 0; $i -lt $run.Grads.Count; $i++) { Assert-Value $Case.grads[$i] $run.Grads[$i] "gradient $i" }
        }
    }
}

Describe 'A trace prints as a table' {
    BeforeAll {
        # The table of the notebook's In [4]-[8], as about_AutoGrad.PS_Trace shows it (Notebook.Tests.ps1 checks the
        # same text where examples/notebook.ps1 prints it).
        $about = (Get-Content -LiteralPath "$PSScriptRoot/../module/en-US/about_AutoGrad.PS_Trace.help.txt" -Raw) -replace "`r`n", "`n"
        $table = [regex]::Match($about, '(?s)PS> \$out \| Invoke-Backward -Trace\n\n(.*?)\n\n    Read it').Groups[1].Value
        $script:Expected48 = (($table -split "`n") | ForEach-Object { $_ -replace '^        ', '' }) -join "`n"
        function Format-Trace { ((@($input) | Out-String -Width 200) -replace "`r`n", "`n").Trim("`n") }
    }

    It 'the notebook''s In [4]-[8]: one row per node, gradients as their reprs lay them out, the leaf by its variable (as about_AutoGrad.PS_Trace shows)' {
        $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
        $y = $x + 2
        $z = $y * $y * 3
        $out = $z | Measure-Mean
        $out | Invoke-Backward -Trace | Format-Trace | Should -BeExactly $Expected48
        (Get-Grad $x).ToString() | Should -BeExactly "tensor([[4.5000, 4.5000],`n        [4.5000, 4.5000]])"
    }

    It 'prints numbers with a dot in a de-DE session' {
        $culture = [Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [Threading.Thread]::CurrentThread.CurrentCulture = 'de-DE'
            $x = New-Tensor -Ones -Shape 2, 2 -RequiresGrad
            $y = $x + 2
            $z = $y * $y * 3
            $z | Measure-Mean | Invoke-Backward -Trace | Format-Trace | Should -BeExactly $Expected48
        } finally {
            [Threading.Thread]::CurrentThread.CurrentCulture = $culture
        }
    }

    It 'shows a leaf no variable holds by its values, and each pass under its own header' {
        $text = & { (New-Tensor 1.0, 2.0 -RequiresGrad) * 3 | Measure-Sum | Invoke-Backward -Trace
            $w = New-Tensor 1.0 -RequiresGrad; $w * $w | Invoke-Backward -Trace } | Format-Trace
        $text | Should -BeExactly (@'
Node           GradOutputs GradInputs Leaf
----           ----------- ---------- ----

SumBackward0   1.          [1., 1.]
MulBackward0   [1., 1.]    [3., 3.]
                           None
AccumulateGrad [3., 3.]               [1., 2.]

Node           GradOutputs GradInputs Leaf
----           ----------- ---------- ----

MulBackward0   1.          1.
                           1.
AccumulateGrad 2.                     $w
'@ -replace "`r`n", "`n")
    }

    It 'Get-Help finds about_AutoGrad.PS_Trace, whose table the tests here compare with the real output' {
        ($Expected48 -split "`n").Count | Should -Be 17
        $Expected48 | Should -Match '(?m)^AccumulateGrad \[\[4\.5000, 4\.5000\],\s+\$x$'
        (Get-Help about_AutoGrad.PS_Trace | Out-String) | Should -Match 'HOW AUTOGRAD COMPUTED THIS'
    }

    It 'Format-Table shows the trace''s table (an out-of-band view wins), and ToString() one line per step' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $steps = $x * $x | Measure-Sum | Invoke-Backward -Trace
        ($steps | Format-Table | Out-String -Width 200) | Should -BeExactly ($steps | Out-String -Width 200)
        ($steps | Out-String -Width 200) -replace "`r`n", "`n" | Should -Match '(?m)^MulBackward0\s+\[1\., 1\.\]\s+\[1\., 2\.\]$'
        "$($steps[2])" | Should -BeExactly 'AccumulateGrad: [2., 4.] -> '
        $steps[2].LeafLabel | Should -BeExactly '$x'
    }
}

Describe 'Invoke-Backward -Trace and Get-Grad -Trace as cmdlets' {
    It 'writes the steps, then -PassThru''s tensor; without -Trace nothing' {
        $x = New-Tensor 2.0 -RequiresGrad
        $y = $x * $x
        $out = @($y | Invoke-Backward -Trace -PassThru -RetainGraph)
        $out.Count | Should -Be 3
        $out[0] | Should -BeOfType AutoGrad.Autograd.BackwardStep
        [object]::ReferenceEquals($out[2], $y) | Should -BeTrue
        @($y | Invoke-Backward) | Should -HaveCount 0
        (Get-Grad $x).Item() | Should -Be 8
    }

    It 'Get-Grad -Trace writes the steps, then the gradients ($null for an unused input with -AllowUnused)' {
        $x = New-Tensor 3.0 -RequiresGrad
        $unused = New-Tensor 1.0 -RequiresGrad
        $all = @(Get-Grad -Of ($x * $x) -WithRespectTo $x, $unused -AllowUnused -Trace)
        $all.Count | Should -Be 3
        $all[0].Node | Should -Be 'MulBackward0'
        $all[1].Item() | Should -Be 6
        $all[2] | Should -BeNullOrEmpty
        $x.Grad | Should -BeNullOrEmpty
    }

    It 'the steps of a pass share its Pass number, and a later pass has another' {
        $x = New-Tensor 2.0 -RequiresGrad
        $first = @($x * $x | Invoke-Backward -Trace)
        $second = @($x * $x | Invoke-Backward -Trace)
        @($first.Pass | Select-Object -Unique).Count | Should -Be 1
        $second[0].Pass | Should -Not -Be $first[0].Pass
        $first[0].GradFn.Name | Should -Be 'MulBackward0'
    }

    It 'a pass that fails still writes the steps that ran before the failing node' {
        $a = New-Tensor -1.0, 4.0 -RequiresGrad
        $steps = [Collections.Generic.List[object]]::new()
        $err = $null
        Use-AnomalyDetection {
            $b = $a | Invoke-Op Sqrt
            $c = $b * 2
            try { $c | Measure-Sum | Invoke-Backward -Trace -ErrorAction Stop | ForEach-Object { $steps.Add($_) } }
            catch { $err = $_ }
        } 3>$null
        @($steps.Node) | Should -Be 'SumBackward0', 'MulBackward0', 'SqrtBackward0'
        $err.FullyQualifiedErrorId | Should -BeLike 'InvokeBackwardNanGradient,*'
        $a.Grad | Should -BeNullOrEmpty
    }
}
