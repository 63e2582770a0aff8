#Requires -Version 7.4
# Interop with real PyTorch. tests/interop/torch_writes.py writes files with torch.save, numpy.save and the
# safetensors format (tests/interop/safetensors_ref.py: the package is not installable here) and Import-Tensor must
# read each as expected.json says; Export-Tensor writes files that tests/interop/torch_reads.py loads with
# torch.load(weights_only=True), numpy.load and the safetensors format, and a state dict exported here must drive
# torch.nn.Sequential(Linear(3, 4), Tanh, Linear(4, 2)) to the output computed here. Needs a python3 that imports
# torch (preferring /usr/bin/python3, Debian's python3-torch); skipped, with the reason printed, without one.

BeforeDiscovery {
    $script:python = & "$PSScriptRoot/interop/Find-TorchPython.ps1"
    $script:cases = @()
    if (-not $python) {
        Write-Host 'SKIPPED: PyTorch interop tests: no python3 that can import torch and numpy (apt-get install python3-torch).' -ForegroundColor Yellow
    } else {
        $script:fromTorch = Join-Path ([IO.Path]::GetTempPath()) "autograd-interop-$PID-from-torch"
        Remove-Item $fromTorch -Recurse -Force -ErrorAction SilentlyContinue
        $null = New-Item -ItemType Directory $fromTorch
        Push-Location "$PSScriptRoot/interop"
        try { & $python torch_writes.py $fromTorch | Out-Null } finally { Pop-Location }
        $expected = Get-Content (Join-Path $fromTorch 'expected.json') -Raw | ConvertFrom-Json -AsHashtable
        $script:cases = foreach ($name in $expected.Keys | Where-Object { $_ -match '\.' } | Sort-Object) {
            @{ File = $name; Spec = $expected[$name]; Dir = $fromTorch }
        }
    }
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    $script:python = & "$PSScriptRoot/interop/Find-TorchPython.ps1"
    $script:fromTorch = Join-Path ([IO.Path]::GetTempPath()) "autograd-interop-$PID-from-torch"

    # PyTorch's dtype name -> the dtype Import-Tensor reads it as (exact widening for the ones AutoGrad lacks).
    $script:readAs = @{
        'torch.float32' = 'Float32'; 'torch.float64' = 'Float64'; 'torch.int64' = 'Int64'; 'torch.bool' = 'Bool'
        'torch.float16' = 'Float32'; 'torch.bfloat16' = 'Float32'; 'torch.int32' = 'Int64'; 'torch.int16' = 'Int64'
        'torch.int8' = 'Int64'; 'torch.uint8' = 'Int64'
    }
    function Assert-TensorLike($Tensor, $Spec, [string]$What) {
        $Tensor | Should -BeOfType AutoGrad.Tensor -Because $What
        $Tensor.DType.ToString() | Should -Be $readAs[$Spec.dtype] -Because "$What dtype"
        ($Tensor.Shape -join ',') | Should -Be ($Spec.shape -join ',') -Because "$What shape"
        $actual = $Tensor.ToDoubleArray()
        $actual.Count | Should -Be $Spec.values.Count -Because "$What element count"
        for ($i = 0; $i -lt $actual.Count; $i++) { $actual[$i] | Should -Be ([double]$Spec.values[$i]) -Because "$What element $i" }
        $Tensor.RequiresGrad | Should -Be ([bool]$Spec.requires_grad) -Because "$What requires_grad"
    }
}

AfterAll {
    Remove-Item (Join-Path ([IO.Path]::GetTempPath()) "autograd-interop-$PID-*") -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Import-Tensor reads what PyTorch, NumPy and safetensors wrote' -Skip:(-not $python) {
    It 'reads <File>' -ForEach $cases {
        $value = Import-Tensor -LiteralPath (Join-Path $Dir $File) -ErrorAction Stop
        if ($Spec.kind -eq 'tensor') {
            Assert-TensorLike $value $Spec $File
        } else {
            $value | Should -BeOfType System.Collections.Specialized.OrderedDictionary
            @($value.Keys) | Should -Be @($Spec.entries.Keys) -Because 'the file keeps the order of the state dict'
            foreach ($key in $Spec.entries.Keys) { Assert-TensorLike $value[$key] $Spec.entries[$key] "$File['$key']" }
        }
    }

    It 'keeps a safetensors file''s __metadata__' {
        $d = Import-Tensor -LiteralPath (Join-Path $fromTorch 'meta.safetensors')
        $d.Metadata['format'] | Should -Be 'pt'
        $d.Metadata['note'] | Should -Be 'hi'
    }

    It 'computes Sequential(Linear, Tanh, Linear) from the imported state dict as PyTorch did' {
        $expected = (Get-Content (Join-Path $fromTorch 'expected.json') -Raw | ConvertFrom-Json -AsHashtable)['model_y']
        foreach ($file in 'model.pt', 'model.safetensors') {
            $sd = Import-Tensor -LiteralPath (Join-Path $fromTorch $file)
            $x = Import-Tensor -LiteralPath (Join-Path $fromTorch 'model_x.pt')
            $h = ($x | Invoke-Op MatMul ($sd['0.weight'] | Invoke-Op T)) + $sd['0.bias'] | Invoke-Op Tanh
            $y = ($h | Invoke-Op MatMul ($sd['2.weight'] | Invoke-Op T)) + $sd['2.bias']
            ($y.Shape -join ',') | Should -Be ($expected.shape -join ',')
            $actual = $y.ToDoubleArray()
            for ($i = 0; $i -lt $actual.Count; $i++) { [math]::Abs($actual[$i] - $expected.values[$i]) | Should -BeLessThan 1e-6 -Because "$file output $i" }
        }
    }

    It 'reads an optimizer''s state dict: nested dicts, lists, int keys and floats' {
        $opt = Import-Tensor -LiteralPath (Join-Path $fromTorch 'optimizer.pt')
        @($opt.Keys) | Should -Be @('state', 'param_groups')
        $opt['param_groups'][0]['lr'] | Should -Be 0.1
        $opt['param_groups'][0]['momentum'] | Should -Be 0.9
        $opt['param_groups'][0]['params'] | Should -Be @(0, 1, 2, 3)
        $opt['state'][[long]0]['momentum_buffer'].Shape | Should -Be @(4, 3)
    }

    It 'refuses a pickle that would run a command, names the global, and runs nothing' {
        $file = Join-Path $fromTorch 'evil.pt'
        $err = $null
        $value = Import-Tensor -LiteralPath $file -ErrorVariable err -ErrorAction SilentlyContinue
        $value | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ImportTensorForbiddenGlobal*'
        $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $err[0].Exception.Message | Should -Match ([regex]::Escape($file))
        $err[0].Exception.Message | Should -Match "'(posix|os)\.system'"
        Join-Path $fromTorch 'PWNED' | Should -Not -Exist
    }
}

Describe 'PyTorch reads what Export-Tensor wrote' -Skip:(-not $python) {
    BeforeAll {
        $script:dir = Join-Path ([IO.Path]::GetTempPath()) "autograd-interop-$PID-to-torch"
        Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
        $null = New-Item -ItemType Directory $dir
        $torchName = @{ Float32 = 'torch.float32'; Float64 = 'torch.float64'; Int64 = 'torch.int64'; Bool = 'torch.bool' }
        function Get-Spec($t) {
            @{ dtype = $torchName[$t.DType.ToString()]; shape = @($t.Shape); values = @($t.ToDoubleArray() | ForEach-Object { if ([double]::IsNaN($_)) { 'NaN' } else { $_ } }); requires_grad = $t.RequiresGrad }
        }
        $samples = [ordered]@{
            float32    = New-Tensor @(@(1.5, -2.25, [float]::MaxValue), @(1e-30, 0, -0.0)) -DType Float32
            float64    = New-Tensor @(0.1, 1e300, -3.5, [double]::Epsilon) -DType Float64
            int64      = New-Tensor @([long]::MaxValue, [long]::MinValue, 0, -7)
            bool       = New-Tensor $true, $false, $true
            scalar     = New-Tensor 2.5 -DType Float64
            scalar_int = New-Tensor 7
            empty      = New-Tensor -Zeros 2, 0
            empty_bool = New-Tensor -Zeros 0 -DType Bool
            matrix3d   = New-Tensor (1..24) -Shape 2, 3, 4 -DType Float32
        }
        $written = [ordered]@{}
        foreach ($name in $samples.Keys) {
            $t = $samples[$name]
            foreach ($ext in 'pt', 'npy', 'safetensors') {
                $t | Export-Tensor -LiteralPath (Join-Path $dir "t_$name.$ext")
                $written["t_$name.$ext"] = @{ kind = 'tensor' } + (Get-Spec $t)
            }
        }
        $grad = New-Tensor 1.0, 2.0 -RequiresGrad
        $grad | Export-Tensor (Join-Path $dir 'requires_grad.pt')
        $written['requires_grad.pt'] = @{ kind = 'tensor' } + (Get-Spec $grad)
        $entries = [ordered]@{}; foreach ($name in $samples.Keys) { $entries[$name] = Get-Spec $samples[$name] }
        $samples | Export-Tensor (Join-Path $dir 'all.pt')
        $written['all.pt'] = @{ kind = 'dict'; entries = $entries }
        $samples | Export-Tensor (Join-Path $dir 'all.safetensors') -Metadata @{ source = 'AutoGrad.PS'; format = 'pt' }
        $written['all.safetensors'] = @{ kind = 'dict'; entries = $entries; metadata = @{ source = 'AutoGrad.PS'; format = 'pt' } }

        # A state dict made here (PyTorch's, changed), for load_state_dict, and the output computed here.
        $sd = Import-Tensor -LiteralPath (Join-Path $fromTorch 'model.pt')
        $mine = [ordered]@{}
        foreach ($k in $sd.Keys) { $mine[$k] = $sd[$k] * 0.5 + 0.25 }
        $mine | Export-Tensor (Join-Path $dir 'model_ps.pt')
        $mine | Export-Tensor (Join-Path $dir 'model_ps.safetensors')
        Copy-Item (Join-Path $fromTorch 'model_x.pt') (Join-Path $dir 'model_x.pt')
        $x = Import-Tensor (Join-Path $dir 'model_x.pt')
        $h = ($x | Invoke-Op MatMul ($mine['0.weight'] | Invoke-Op T)) + $mine['0.bias'] | Invoke-Op Tanh
        $script:myY = (($h | Invoke-Op MatMul ($mine['2.weight'] | Invoke-Op T)) + $mine['2.bias']).ToDoubleArray()

        $written | ConvertTo-Json -Depth 10 | Set-Content (Join-Path $dir 'written.json')
        $script:writtenNames = @($written.Keys)
        Push-Location "$PSScriptRoot/interop"
        try { $script:report = & $python torch_reads.py $dir | ConvertFrom-Json -AsHashtable } finally { Pop-Location }
    }

    It 'PyTorch/NumPy/safetensors read every file as written' {
        $report.results.Keys.Count | Should -Be $writtenNames.Count
        foreach ($name in $writtenNames) { $report.results[$name] | Should -Be 'ok' -Because $name }
    }

    It 'load_state_dict takes the exported state dict (<_>) and gives the output computed here' -ForEach 'model_ps.pt', 'model_ps.safetensors' {
        $theirs = $report.model_y[$_]
        $theirs.Count | Should -Be $myY.Count
        for ($i = 0; $i -lt $myY.Count; $i++) { [math]::Abs($theirs[$i] - $myY[$i]) | Should -BeLessThan 1e-6 -Because "output $i" }
    }
}
