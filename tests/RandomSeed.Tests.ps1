#Requires -Version 7.4
# Set-RandomSeed / Get-RandomSeed / Get-RandomState / Set-RandomState against PyTorch: the expected numbers are in
# tests/data/nn_layers.json, written by tests/data/nn_layers.py with real PyTorch (torch.manual_seed, nn.Linear, ...).

BeforeDiscovery {
    $script:ref = Get-Content -Raw "$PSScriptRoot/data/nn_layers.json" | ConvertFrom-Json
    $script:initCases = @($ref.init | ForEach-Object { @{ Case = $_; Seed = $_.seed; DType = $_.dtype } })
    $script:streamCases = @($ref.sampling.stream | ForEach-Object { @{ Case = $_; Seed = $_.seed } })
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force

    # Bit-exact: float32 values were written as the doubles they widen to.
    function Assert-Exact($Expected, $Actual, [string]$What) {
        ($Actual.Shape -join ',') | Should -Be ($Expected.shape -join ',') -Because "$What shape"
        $got = $Actual.ToDoubleArray()
        for ($i = 0; $i -lt $Expected.values.Count; $i++) {
            $got[$i] | Should -Be ([double]$Expected.values[$i]) -Because "$What[$i]"
        }
    }
}

Describe 'Set-RandomSeed' {
    It 'seed <Seed> (<DType>): New-Layer draws what torch.manual_seed + nn.Linear / nn.Embedding draw' -ForEach $initCases {
        Set-RandomSeed $Seed
        $l1 = New-Layer Linear -InFeatures 4 -OutFeatures 8 -DType $DType
        $l2 = New-Layer Linear -InFeatures 8 -OutFeatures 3 -DType $DType
        $l3 = New-Layer Linear -InFeatures 5 -OutFeatures 2 -Bias:$false -DType $DType
        $e1 = New-Layer Embedding -NumEmbeddings 10 -EmbeddingDim 3 -DType $DType
        $e2 = New-Layer Embedding -NumEmbeddings 3 -EmbeddingDim 4 -PaddingIdx -2 -DType $DType
        Assert-Exact $Case.tensors.'l1.weight' $l1.Weight 'l1.weight'
        Assert-Exact $Case.tensors.'l1.bias' $l1.Bias 'l1.bias'
        Assert-Exact $Case.tensors.'l2.weight' $l2.Weight 'l2.weight'
        Assert-Exact $Case.tensors.'l2.bias' $l2.Bias 'l2.bias'
        Assert-Exact $Case.tensors.'l3.weight' $l3.Weight 'l3.weight'
        $l3.Bias | Should -BeNullOrEmpty
        Assert-Exact $Case.tensors.'e1.weight' $e1.Weight 'e1.weight'
        Assert-Exact $Case.tensors.'e2.weight' $e2.Weight 'e2.weight'
        Assert-Exact $Case.after (New-Tensor -Rand 5 -DType $DType) 'rand after the layers'
    }

    It 'seed <Seed>: New-Tensor -Rand / -RandN without -Seed continue one stream as torch.rand / torch.randn do' -ForEach $streamCases {
        Set-RandomSeed $Seed
        foreach ($draw in $Case.draws) {
            $t = if ($draw.kind -eq 'rand') { New-Tensor -Rand $draw.shape -DType $draw.dtype } else { New-Tensor -RandN $draw.shape -DType $draw.dtype }
            Assert-Exact $draw.values $t "$($draw.kind) $($draw.shape -join 'x') $($draw.dtype)"
        }
    }

    It 'leaves -Seed its per-call meaning: a seeded call neither uses nor moves the global stream' {
        Set-RandomSeed 5
        $a = New-Tensor -Rand 3
        Set-RandomSeed 5
        $s = New-Tensor -Rand 3 -Seed 9
        $b = New-Tensor -Rand 3
        $b.ToDoubleArray() | Should -Be $a.ToDoubleArray()
        $s.ToDoubleArray() | Should -Be (New-Tensor -Rand 3 -Seed 9).ToDoubleArray()
    }

    It 'takes the seed from the pipeline and writes nothing' {
        $out = 7 | Set-RandomSeed
        $out | Should -BeNullOrEmpty
        Get-RandomSeed | Should -Be 7
    }
}

Describe 'Get-RandomSeed' {
    It 'is torch.initial_seed: a negative seed reads back modulo 2^64, as in PyTorch' {
        Set-RandomSeed -1
        Get-RandomSeed | Should -Be ([uint64]18446744073709551615)
        (Get-RandomSeed).GetType() | Should -Be ([uint64])
    }

    It 'is PyTorch''s default seed, 67280421310721, in a fresh process, and New-Tensor -Rand draws from it' {
        # The generator is process-wide, as torch's is: only a new process shows the default.
        $exe = [Environment]::ProcessPath
        $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
        $manifest = (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1").Path
        $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command "Import-Module '$manifest'; Get-RandomSeed; (New-Tensor -Rand 2).ToDoubleArray(); Set-RandomSeed 67280421310721; (New-Tensor -Rand 2).ToDoubleArray()"
        $LASTEXITCODE | Should -Be 0
        $out[0] | Should -Be '67280421310721'
        $out[1..2] | Should -Be $out[3..4]
    }
}

Describe 'Get-RandomState / Set-RandomState' {
    It 'replays the numbers that followed the snapshot, including a cached normal' {
        Set-RandomSeed 8
        $null = New-Tensor -RandN 3          # leaves the second Box-Muller value cached
        $state = Get-RandomState
        $first = @((New-Tensor -RandN 5).ToDoubleArray()) + @((New-Tensor -Rand 4).ToDoubleArray())
        $state | Set-RandomState
        $again = @((New-Tensor -RandN 5).ToDoubleArray()) + @((New-Tensor -Rand 4).ToDoubleArray())
        $again | Should -Be $first
        $ref = (Get-Content -Raw "$PSScriptRoot/data/nn_layers.json" | ConvertFrom-Json).sampling.state[0]
        $first | Should -Be ([double[]]$ref.values.values)
    }

    It 'replays a Dropout mask' {
        $d = New-Layer Dropout -P 0.5
        $x = New-Tensor -Ones 4, 6
        $state = Get-RandomState
        $a = $x | Invoke-Layer $d
        Set-RandomState -State $state
        $b = $x | Invoke-Layer $d
        $b.ToDoubleArray() | Should -Be $a.ToDoubleArray()
    }

    It 'prints the state as GeneratorState(seed=...)' {
        Set-RandomSeed 12
        (Get-RandomState | Out-String).Trim() | Should -Be 'GeneratorState(seed=12)'
    }

    It 'rejects what is not a state with a binding error' {
        { Set-RandomState -State 5 -ErrorAction Stop } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,AutoGrad.PowerShell.Commands.SetRandomStateCommand'
    }
}
