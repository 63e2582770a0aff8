#Requires -Version 7.4
# The module as shipped: manifest, exported commands, OutputType, completers, format view, pipeline behaviour.

BeforeAll {
    $script:manifestPath = "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1"
    $script:module = Import-Module $manifestPath -Force -PassThru
    $script:cmdlets = 'New-Tensor', 'Invoke-Op', 'Measure-Sum', 'Measure-Mean', 'Invoke-Backward', 'Get-Grad',
        'Clear-Grad', 'Use-NoGrad', 'Test-Gradient', 'Join-Tensor', 'Split-Tensor',
        'Export-TensorGraph', 'Export-Plot',
        'New-Layer', 'Invoke-Layer', 'Set-RandomSeed', 'Get-RandomSeed', 'Get-RandomState', 'Set-RandomState',
        'New-Optimizer', 'Update-Parameter', 'New-LRScheduler', 'Update-LRScheduler',
        'ConvertTo-Tensor', 'ConvertFrom-Tensor', 'Export-Tensor', 'Import-Tensor',
        'Assert-TensorClose', 'Get-TensorOp',
        'Register-TensorHook', 'Unregister-TensorHook', 'Use-AnomalyDetection',
        'Invoke-Training', 'Get-Batch'

    function Get-Completion([string]$InputScript) {
        (TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches
    }
}

Describe 'module manifest' {
    BeforeAll {
        $script:manifest = Test-ModuleManifest $manifestPath -ErrorAction Stop
        $script:data = Import-PowerShellDataFile $manifestPath
    }

    It 'is valid with version 0.1.0 and a fixed GUID' {
        $manifest.Version | Should -Be ([version]'0.1.0')
        $manifest.Guid | Should -Be ([guid]'5d0c6f3e-8a41-4f7b-9c2e-1b7d3a9e6f42')
        $manifest.Description | Should -Not -BeNullOrEmpty
        $manifest.Author | Should -Not -BeNullOrEmpty
    }

    It 'is a binary module for PowerShell 7.4+ Core' {
        $data.RootModule | Should -Be 'AutoGrad.PS.dll'
        $data.CompatiblePSEditions | Should -Be @('Core')
        $data.PowerShellVersion | Should -Be '7.4'
        $data.FormatsToProcess | Should -Be @('AutoGrad.PS.format.ps1xml', 'AutoGrad.PS.Training.format.ps1xml')
        $data.TypesToProcess | Should -Be @('AutoGrad.PS.types.ps1xml')
        $data.PrivateData.PSData.Tags | Should -Contain 'autograd'
    }

    It 'lists its cmdlets explicitly and exports nothing else' {
        $data.CmdletsToExport | Sort-Object | Should -Be ($cmdlets | Sort-Object)
        $data.FunctionsToExport.Count | Should -Be 0
        $data.AliasesToExport.Count | Should -Be 0
        $data.VariablesToExport.Count | Should -Be 0
    }

    It 'exports exactly its cmdlets' {
        $module.ExportedCmdlets.Keys | Sort-Object | Should -Be ($cmdlets | Sort-Object)
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
    }

    It 'ships no System.Management.Automation.dll' {
        Join-Path (Split-Path $manifestPath) 'System.Management.Automation.dll' | Should -Not -Exist
    }
}

Describe 'cmdlet metadata' {
    It '<_> declares OutputType [AutoGrad.Tensor]' -ForEach @(
        'New-Tensor', 'Measure-Sum', 'Measure-Mean', 'Join-Tensor', 'Split-Tensor', 'Update-Parameter',
        'ConvertTo-Tensor'
    ) {
        (Get-Command $_).OutputType.Type | Should -Be ([AutoGrad.Tensor])
    }

    It '<Command> declares OutputType <Types>' -ForEach @(
        @{ Command = 'New-Layer'; Types = @('AutoGrad.NN.Module') }
        @{ Command = 'Invoke-Layer'; Types = @('AutoGrad.Tensor') }
        @{ Command = 'Get-RandomSeed'; Types = @('System.UInt64') }
        @{ Command = 'Get-RandomState'; Types = @('AutoGrad.Random.GeneratorState') }
        @{ Command = 'Clear-Grad'; Types = @('AutoGrad.Tensor', 'AutoGrad.Optim.Optimizer') }
        @{ Command = 'New-Optimizer'; Types = @('AutoGrad.Optim.Optimizer') }
        @{ Command = 'New-LRScheduler'; Types = @('AutoGrad.Optim.LRScheduler') }
        @{ Command = 'Update-LRScheduler'; Types = @('AutoGrad.Optim.LRScheduler') }
        @{ Command = 'Invoke-Backward'; Types = @('AutoGrad.Tensor', 'AutoGrad.Autograd.BackwardStep') }
        @{ Command = 'Get-Grad'; Types = @('AutoGrad.Tensor', 'AutoGrad.Autograd.BackwardStep') }
        @{ Command = 'Register-TensorHook'; Types = @('AutoGrad.Autograd.RemovableHandle') }
        @{ Command = 'Unregister-TensorHook'; Types = @('AutoGrad.Autograd.RemovableHandle') }
        @{ Command = 'Use-AnomalyDetection'; Types = @('System.Object') }
        @{ Command = 'Get-Batch'; Types = @('AutoGrad.Training.Batch') }
    ) {
        (Get-Command $Command).OutputType.Type.FullName | Should -Be $Types
    }

    It 'Import-Tensor declares a tensor or an ordered dictionary; Export-Tensor a FileInfo (-PassThru); ConvertFrom-Tensor rows or arrays' {
        (Get-Command Import-Tensor).OutputType.Type | Should -Be @([AutoGrad.Tensor], [System.Collections.Specialized.OrderedDictionary])
        (Get-Command Export-Tensor).OutputType.Type | Should -Be @([System.IO.FileInfo])
        (Get-Command ConvertFrom-Tensor).OutputType.Type | Should -Be @([psobject], [object[]])
    }

    It 'Export-Tensor supports -WhatIf and -Confirm' {
        (Get-Command Export-Tensor).Parameters.Keys | Should -Contain 'WhatIf'
        (Get-Command Export-Tensor).Parameters.Keys | Should -Contain 'Confirm'
    }

    It 'Test-Gradient declares OutputType [AutoGrad.Autograd.GradientCheckResult]' {
        (Get-Command Test-Gradient).OutputType.Type | Should -Be ([AutoGrad.Autograd.GradientCheckResult])
    }

    It 'Invoke-Op declares OutputType [AutoGrad.Tensor] and, for Max/Min -WithIndices, [AutoGrad.Ops.ValuesIndicesResult]' {
        (Get-Command Invoke-Op).OutputType.Type | Should -Be @([AutoGrad.Tensor], [AutoGrad.Ops.ValuesIndicesResult])
    }

    It 'New-Tensor has the parameter sets Data, Zeros, Ones, Fill, Rand, RandN (Data by default)' {
        $cmd = Get-Command New-Tensor
        $cmd.ParameterSets.Name | Sort-Object | Should -Be @('Data', 'Fill', 'Ones', 'Rand', 'RandN', 'Zeros')
        $cmd.DefaultParameterSet | Should -Be 'Data'
    }

    It '<Command> takes <Parameter> from the pipeline' -ForEach @(
        @{ Command = 'New-Tensor';      Parameter = 'Data' }
        @{ Command = 'Invoke-Op';       Parameter = 'InputObject' }
        @{ Command = 'Measure-Sum';     Parameter = 'InputObject' }
        @{ Command = 'Measure-Mean';    Parameter = 'InputObject' }
        @{ Command = 'Invoke-Backward'; Parameter = 'InputObject' }
        @{ Command = 'Get-Grad';        Parameter = 'InputObject' }
        @{ Command = 'Clear-Grad';      Parameter = 'InputObject' }
        @{ Command = 'Test-Gradient';   Parameter = 'InputObject' }
        @{ Command = 'Join-Tensor';     Parameter = 'InputObject' }
        @{ Command = 'Split-Tensor';    Parameter = 'InputObject' }
        @{ Command = 'Invoke-Layer';    Parameter = 'InputObject' }
        @{ Command = 'Set-RandomSeed';  Parameter = 'Seed' }
        @{ Command = 'Set-RandomState'; Parameter = 'State' }
        @{ Command = 'Clear-Grad';      Parameter = 'Optimizer' }
        @{ Command = 'New-Optimizer';   Parameter = 'Parameters' }
        @{ Command = 'Update-Parameter'; Parameter = 'Optimizer' }
        @{ Command = 'New-LRScheduler'; Parameter = 'Optimizer' }
        @{ Command = 'Update-LRScheduler'; Parameter = 'Scheduler' }
        @{ Command = 'ConvertTo-Tensor';   Parameter = 'InputObject' }
        @{ Command = 'ConvertFrom-Tensor'; Parameter = 'InputObject' }
        @{ Command = 'Export-Tensor';      Parameter = 'InputObject' }
        @{ Command = 'Import-Tensor';      Parameter = 'Path' }
        @{ Command = 'Register-TensorHook'; Parameter = 'InputObject' }
        @{ Command = 'Unregister-TensorHook'; Parameter = 'Handle' }
        @{ Command = 'Invoke-Training'; Parameter = 'InputObject' }
        @{ Command = 'Get-Batch';       Parameter = 'InputObject' }
    ) {
        $p = (Get-Command $Command).Parameters[$Parameter]
        $p.Attributes.Where({ $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipeline | Should -Contain $true
    }
}

Describe 'argument completion' {
    It 'completes op names for Invoke-Op <Word>' -ForEach @(
        @{ Word = 'Ma';  Expected = @('MatMul', 'Max', 'Maximum') }
        @{ Word = 'me';  Expected = @('Mean') }
        @{ Word = 'S';   Expected = @('Select', 'Sigmoid', 'Sign', 'Silu', 'Sin', 'Softmax', 'Softplus', 'Sqrt', 'Square', 'Squeeze', 'Std', 'Sub', 'Sum') }
        @{ Word = 'res'; Expected = @('Reshape') }
        @{ Word = "'T";  Expected = @('T', 'Tanh', 'To', 'Transpose') }
    ) {
        (Get-Completion "`$x | Invoke-Op $Word").CompletionText | Should -Be $Expected
    }

    It 'offers every op for an empty word' {
        $all = (Get-Completion '$x | Invoke-Op ').CompletionText
        foreach ($op in 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Neg', 'Exp', 'Log', 'Sqrt', 'Abs', 'Sin', 'Cos', 'Tanh',
            'Sigmoid', 'Relu', 'MatMul', 'T', 'Reshape', 'Sum', 'Mean') {
            $all | Should -Contain $op
        }
    }

    It 'completes dtypes for -DType <Word>' -ForEach @(
        @{ Word = 'F'; Expected = @('Float32', 'Float64') }
        @{ Word = 'i'; Expected = @('Int64') }
        @{ Word = 'b'; Expected = @('Bool') }
        @{ Word = '';  Expected = @('Bool', 'Float32', 'Float64', 'Int64') }
    ) {
        (Get-Completion "New-Tensor 1 -DType $Word").CompletionText | Sort-Object | Should -Be $Expected
    }

    It 'completes file formats for <Command> -Format' -ForEach @(@{ Command = 'Export-Tensor' }, @{ Command = 'Import-Tensor' }) {
        (Get-Completion "$Command x -Format ").CompletionText | Sort-Object | Should -Be @('Auto', 'Npy', 'Pt', 'Safetensors')
    }
}

Describe 'format view' {
    It 'shows a <Label> exactly as ToString(), with no header' -ForEach @(
        @{ Label = 'vector';      Make = { New-Tensor 1.5, 2, 3 } }
        @{ Label = 'matrix';      Make = { New-Tensor @(@(1, 2), @(3, 4)) -DType Float64 -RequiresGrad } }
        @{ Label = 'scalar';      Make = { New-Tensor 7 } }
        @{ Label = 'result';      Make = { (New-Tensor 1.0, 2.0 -RequiresGrad) * 2 } }
    ) {
        $t = & $Make
        $text = ($t | Out-String -Width 500).Trim("`r", "`n")
        $text | Should -BeExactly $t.ToString()
        $text | Should -Not -Match '^\s*-{3,}'
        $text | Should -Not -Match 'Shape\s*:'
    }

    It 'keeps a multi-line repr intact (independent of the printer)' {
        $fake = [pscustomobject]@{ Shape = 2, 2 }
        $fake.pstypenames.Insert(0, 'AutoGrad.Tensor')
        $repr = "tensor([[1.0000, 2.0000],`n        [3.0000, 4.0000]], dtype=torch.float64, requires_grad=True)"
        $fake | Add-Member -MemberType ScriptMethod -Name ToString -Value { $repr }.GetNewClosure() -Force
        ($fake | Out-String -Width 500).Trim("`r", "`n") -replace '\r\n', "`n" | Should -BeExactly $repr
    }

    It 'shows a grad_fn node as ToString()' {
        $y = (New-Tensor 1.0 -RequiresGrad) + 2
        ($y.GradFn | Out-String).Trim("`r", "`n") | Should -BeExactly $y.GradFn.ToString()
        $y.GradFn.ToString() | Should -Be '<AddBackward0 object>'
    }

    It 'shows a node after a tensor in the same output the same way' {
        $y = (New-Tensor 1.0 -RequiresGrad) + 2
        $lines = (& { $y; $y.GradFn } | Out-String -Width 500) -split '\r?\n' | Where-Object { $_ }
        $lines | Should -Be (@($y.ToString() -split '\r?\n') + @('<AddBackward0 object>'))
    }
}

Describe 'PyTorch attribute names (types file)' {
    It 'gives tensors grad_fn, requires_grad, is_leaf, retain_grad() and retains_grad' {
        $x = New-Tensor 1.0, 2.0
        $x.requires_grad | Should -BeFalse
        $x.requires_grad = $true
        $x.RequiresGrad | Should -BeTrue
        $x.is_leaf | Should -BeTrue
        $y = $x * 2
        $y.grad_fn.Name | Should -Be 'MulBackward0'
        $y.grad_fn.next_functions[0].Name | Should -Be 'AccumulateGrad'
        $y.retain_grad()
        $y.retains_grad | Should -BeTrue
        $y | Measure-Sum | Invoke-Backward
        $y.grad.ToDoubleArray() | Should -Be @(1, 1)
        $x.grad.ToDoubleArray() | Should -Be @(2, 2)
    }
}

Describe 'pipeline' {
    It 'never unrolls a tensor' {
        $t = New-Tensor (1..6) -Shape 2, 3
        @($t | ForEach-Object { $_ }).Count | Should -Be 1
        @(Write-Output $t).Count | Should -Be 1
        ($t | Measure-Object).Count | Should -Be 1
        @(New-Tensor (1..6)).Count | Should -Be 1
        $t -is [System.Collections.IEnumerable] | Should -BeFalse
    }

    It 'passes one tensor through a chain of cmdlets' {
        $out = @(New-Tensor (1..4) -Shape 2, 2 -DType Float64 -RequiresGrad | Invoke-Op Mul 2 | Measure-Sum -Dim 0 | Measure-Mean)
        $out.Count | Should -Be 1
        $out[0].Item() | Should -Be 10
    }
}

BeforeDiscovery {
    # The cases below come from the module's own commands, so it is imported for discovery too.
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    $script:tensorParameters = @(Get-Command -Module AutoGrad.PS -CommandType Cmdlet | ForEach-Object {
        $command = $_
        $command.Parameters.Values | Where-Object { $_.ParameterType -in [AutoGrad.Tensor], [AutoGrad.Tensor[]] } |
            ForEach-Object { @{ Command = $command.Name; Parameter = $_.Name; Type = $_.ParameterType.Name; Attributes = $_.Attributes } }
    })
    if ($script:tensorParameters.Count -lt 10) { throw "found only $($script:tensorParameters.Count) tensor parameters" }
}

Describe 'tensor parameters' {
    # A tensor bound by name arrives wrapped in a PSObject; PowerShell's own conversion of the wrapper formats the
    # result for a trace message whether tracing is on or not, i.e. prints the whole tensor on every call
    # (docs/performance.md). A transformation attribute hands the binder the tensor itself instead.
    It '<Command> -<Parameter> ([<Type>]) unwraps its argument before binding' -ForEach $tensorParameters {
        $Attributes.Where({ $_ -is [System.Management.Automation.ArgumentTransformationAttribute] }).Count | Should -BeGreaterThan 0
    }

    It 'binding a tensor by name hands the cmdlet the same tensor as piping it' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $named = Measure-Sum -InputObject $x
        $piped = $x | Measure-Sum
        $named.GradFn.NextFunctions[0].Variable | Should -Be $piped.GradFn.NextFunctions[0].Variable
        [object]::ReferenceEquals($named.GradFn.NextFunctions[0].Variable, $x) | Should -BeTrue
    }
}
