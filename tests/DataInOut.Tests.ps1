#Requires -Version 7.4
# Data in and out: ConvertTo-Tensor / ConvertFrom-Tensor (CSV rows, objects, categories), Python indexing and
# scalar conversions, PowerShell serialization (CLIXML, jobs, JSON), and Import-Tensor / Export-Tensor's path rules
# and bad-input errors. PyTorch's results for indexing come from tests/data/indexing.py (-> indexing.json); the
# file-format interop with real PyTorch is in TensorFilesInterop.Tests.ps1.

BeforeDiscovery {
    $script:indexCases = Get-Content "$PSScriptRoot/data/indexing.json" -Raw | ConvertFrom-Json -AsHashtable
}

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    $script:tmp = Join-Path ([IO.Path]::GetTempPath()) "autograd-data-$PID"
    Remove-Item $tmp -Recurse -Force -ErrorAction SilentlyContinue
    $null = New-Item -ItemType Directory $tmp
    function Get-ErrorOf([scriptblock]$Script) {
        $ErrorActionPreference = 'Stop'
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    Remove-Item $tmp -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'ConvertTo-Tensor' {
    It 'makes a vector of piped numbers, inferring the dtype as torch.tensor does' {
        $t = 1, 2, 3 | ConvertTo-Tensor
        $t.ToString() | Should -Be 'tensor([1, 2, 3])'
        (1, 2.5 | ConvertTo-Tensor).ToString() | Should -Be 'tensor([1.0000, 2.5000])'
        ('4.5', '1e-3' | ConvertTo-Tensor -DType Float64).ToDoubleArray() | Should -Be @(4.5, 0.001)
    }

    It 'stacks array rows into a matrix' {
        $t = @(1, 2), @(3, 4), @(5, 6) | ConvertTo-Tensor -DType Float32
        $t.Shape | Should -Be @(3, 2)
        $t.ToDoubleArray() | Should -Be @(1, 2, 3, 4, 5, 6)
    }

    It 'takes the numeric properties of custom objects and hashtables, in property order' {
        $rows = [pscustomobject]@{ name = 'a'; x = 1.5; y = '2' }, [pscustomobject]@{ name = 'b'; x = 3; y = '4.25' }
        $t = $rows | ConvertTo-Tensor
        $t.Shape | Should -Be @(2, 2)
        $t.Columns | Should -Be @('x', 'y')
        $t.ToDoubleArray() | Should -Be @(1.5, 2, 3, 4.25)
        $h = [ordered]@{ a = 1; b = 2 }, [ordered]@{ a = 3; b = 4 } | ConvertTo-Tensor
        $h.ToString() | Should -Be "tensor([[1, 2],`n        [3, 4]])"
    }

    It 'takes -Property columns in the given order; one property gives a vector' {
        $rows = [pscustomobject]@{ x = 1; y = 2 }, [pscustomobject]@{ x = 3; y = 4 }
        ($rows | ConvertTo-Tensor -Property y, x).ToDoubleArray() | Should -Be @(2, 1, 4, 3)
        $v = $rows | ConvertTo-Tensor -Property y
        $v.Shape | Should -Be @(2)
        $v.Columns | Should -Be @('y')
    }

    It 'reads numbers in text with the invariant culture in a de-DE session, and what de-DE Export-Csv wrote' {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = 'de-DE'
            ([pscustomobject]@{ x = '4.5' }, [pscustomobject]@{ x = '1,25' } | ConvertTo-Tensor -DType Float64).ToDoubleArray() | Should -Be @(4.5, 1.25)
        } finally { [cultureinfo]::CurrentCulture = $saved }
    }

    It 'turns text into class indices in order of first appearance, keeping the names (-AsCategory)' {
        $rows = 'b', 'a', 'b', 'c' | ForEach-Object { [pscustomobject]@{ label = $_; n = 1 } }
        $y = $rows | ConvertTo-Tensor -AsCategory
        $y.ToString() | Should -Be 'tensor([0, 1, 0, 2])'
        $y.DType | Should -Be 'Int64'
        $y.Categories['label'] | Should -Be @('b', 'a', 'c')
        ('x', 'y', 'x' | ConvertTo-Tensor -AsCategory).ToString() | Should -Be 'tensor([0, 1, 0])'
    }

    It 'uses given -Categories and names a value outside them' {
        $rows = 'a', 'c' | ForEach-Object { [pscustomobject]@{ label = $_ } }
        ($rows | ConvertTo-Tensor -Property label -AsCategory -Categories c, b, a).ToString() | Should -Be 'tensor([2, 0])'
        $err = Get-ErrorOf { $rows | ConvertTo-Tensor -Property label -AsCategory -Categories a, b }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConvertToTensorUnknownCategory*'
        $err.Exception.Message | Should -Be "Row 2 has 'c' for property 'label', which is not one of the categories a, b."
    }

    It 'names the row and the property of a <Label> value, or fills it with -MissingValue' -ForEach @(
        @{ Label = 'missing';     Value = '';    Id = 'ConvertToTensorMissingValue';    Message = "Row 2 has no value for property 'y'; pass -MissingValue (e.g. NaN) to fill such gaps." }
        @{ Label = 'non-numeric'; Value = 'n/a'; Id = 'ConvertToTensorNonNumericValue'; Message = "Row 2 has 'n/a' for property 'y', which is not a number; pass -MissingValue to replace such values, or -AsCategory for text." }
    ) {
        $rows = [pscustomobject]@{ x = '1'; y = '2' }, [pscustomobject]@{ x = '3'; y = $Value }
        $err = Get-ErrorOf { $rows | ConvertTo-Tensor }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.Exception.Message | Should -Be $Message
        $t = $rows | ConvertTo-Tensor -MissingValue NaN
        $t.ToString() | Should -Be "tensor([[1., 2.],`n        [3., nan]])"
    }

    It 'says which row lacks a property' {
        $err = Get-ErrorOf { [pscustomobject]@{ x = 1; y = 2 }, [pscustomobject]@{ x = 3 } | ConvertTo-Tensor -Property x, y }
        $err.Exception.Message | Should -Be "Row 2 has no property 'y'."
    }

    It 'gives back a tensor that went through ConvertTo-Json / ConvertFrom-Json, requires_grad included' {
        $t = New-Tensor @(@(1.5, 2), @(3, 4)) -DType Float64 -RequiresGrad
        $back = $t | ConvertTo-Json | ConvertFrom-Json | ConvertTo-Tensor
        $back.ToString() | Should -Be $t.ToString()
    }

    It 'makes a leaf requiring grad with -RequiresGrad' {
        (1.5, 2 | ConvertTo-Tensor -RequiresGrad).RequiresGrad | Should -BeTrue
    }
}

Describe 'ConvertFrom-Tensor' {
    It 'writes one object per row, with the column names ConvertTo-Tensor recorded' {
        $t = [pscustomobject]@{ a = 1.5; b = 2 }, [pscustomobject]@{ a = 3; b = 4 } | ConvertTo-Tensor
        $rows = $t | ConvertFrom-Tensor
        $rows.Count | Should -Be 2
        $rows[0].a | Should -Be 1.5
        $rows[0].a | Should -BeOfType [float]
        $rows[1].b | Should -Be 4
    }

    It 'names columns 0, 1, ... or by -Property, which must name every column' {
        $t = New-Tensor @(@(1, 2), @(3, 4))
        ($t | ConvertFrom-Tensor)[0].PSObject.Properties.Name | Should -Be @('0', '1')
        ($t | ConvertFrom-Tensor -Property p, q)[1].q | Should -Be 4
        $err = Get-ErrorOf { $t | ConvertFrom-Tensor -Property p }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConvertFromTensorPropertyCount*'
    }

    It 'writes nested arrays with -AsArray, as tolist(), each element in the tensor''s element type' {
        $t = New-Tensor (1..6) -Shape 2, 3
        $rows = @($t | ConvertFrom-Tensor -AsArray)
        $rows.Count | Should -Be 2
        $rows[1] | Should -Be @(4, 5, 6)
        $rows[1][0] | Should -BeOfType [long]
        $one = $t | ConvertFrom-Tensor -AsArray -NoEnumerate
        , $one | Should -HaveCount 1
        (New-Tensor 2.5 | ConvertFrom-Tensor -AsArray) | Should -Be 2.5
    }

    It 'turns class indices back into names, recorded or given' {
        $y = 'cat', 'dog', 'cat' | ForEach-Object { [pscustomobject]@{ animal = $_ } } | ConvertTo-Tensor -AsCategory
        ($y | ConvertFrom-Tensor).animal | Should -Be @('cat', 'dog', 'cat')
        (New-Tensor 1, 0 | ConvertFrom-Tensor -Categories no, yes -Property answer).answer | Should -Be @('yes', 'no')
        (New-Tensor 1, 0 | ConvertFrom-Tensor -AsArray -Categories no, yes) | Should -Be @('yes', 'no')
        $err = Get-ErrorOf { New-Tensor 2 | ConvertFrom-Tensor -Categories a, b }
        $err.FullyQualifiedErrorId | Should -BeLike 'ConvertFromTensorCategoryOutOfRange*'
    }

    It 'refuses rows of a 3-d tensor (use -AsArray)' {
        (Get-ErrorOf { New-Tensor -Zeros 1, 2, 3 | ConvertFrom-Tensor }).FullyQualifiedErrorId | Should -BeLike 'ConvertFromTensorRankTooHigh*'
    }

    It 'keeps every value of a CSV file through Import-Csv | ConvertTo-Tensor | ConvertFrom-Tensor | Export-Csv (<Culture>)' -ForEach @(
        @{ Culture = 'invariant'; Name = '' }
        @{ Culture = 'de-DE'; Name = 'de-DE' }
    ) {
        $source = Join-Path $PSScriptRoot '../examples/data/iris.csv'
        $out = Join-Path $tmp "roundtrip-$Culture.csv"
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = $Name
            Import-Csv $source | ConvertTo-Tensor | ConvertFrom-Tensor | Export-Csv $out
            $back = Import-Csv $out | ConvertTo-Tensor
        } finally { [cultureinfo]::CurrentCulture = $saved }
        $original = Import-Csv $source
        $back.Shape | Should -Be @(150, 4)
        $back.Columns | Should -Be @('sepal_length', 'sepal_width', 'petal_length', 'petal_width')
        $expected = $original | ForEach-Object { [double]$_.sepal_length, [double]$_.sepal_width, [double]$_.petal_length, [double]$_.petal_width }
        ($back | Invoke-Op To -DType Float64).ToDoubleArray() | ForEach-Object { [Math]::Round($_, 6) } | Should -Be $expected
        if ($Culture -eq 'invariant') {
            $text = @(Import-Csv $out | ForEach-Object { "$($_.sepal_length),$($_.sepal_width),$($_.petal_length),$($_.petal_width)" })
            $text | Should -Be @($original | ForEach-Object { "$([double]$_.sepal_length),$([double]$_.sepal_width),$([double]$_.petal_length),$([double]$_.petal_width)" })
        }
    }
}

Describe 'indexing ($t[...]) as PyTorch indexes' {
    BeforeAll {
        $script:x = New-Tensor (0..23) -Shape 2, 3, 4 -DType Float32 -RequiresGrad
    }

    It '<python> is <powershell>' -ForEach $indexCases {
        if ($_.ContainsKey('error')) {
            # Like an array's, an index that fails is $null in PowerShell unless strict mode is on.
            $err = Get-ErrorOf { Set-StrictMode -Version 3.0; Invoke-Expression $powershell }
            $err | Should -Not -BeNullOrEmpty
            $err.Exception.GetBaseException().Message | Should -Be $message
            return
        }
        $r = Invoke-Expression $powershell
        $r | Should -BeOfType AutoGrad.Tensor
        ($r.Shape -join ',') | Should -Be ($shape -join ',')
        $r.ToDoubleArray() | Should -Be ([double[]]$values)
        $r.GradFn.Name | Should -Be $grad_fn
    }

    It 'gives $null for a failing index outside strict mode, as arrays do; .Index() always throws' {
        $v = New-Tensor 1, 2, 3
        $v[5] | Should -BeNullOrEmpty
        (Get-ErrorOf { $v.Index(5) }).Exception.GetBaseException().Message | Should -Be 'index 5 is out of bounds for dimension 0 with size 3'
        $v.Index(':2').ToString() | Should -Be 'tensor([1, 2])'
    }

    It 'carries gradients back through an index' {
        $a = New-Tensor 1.0, 2.0, 3.0 -RequiresGrad
        $a[1] * 5 | Invoke-Backward
        $a.Grad.ToString() | Should -Be 'tensor([0., 5., 0.])'
    }

    It 'converts one-element tensors with [double], [float], [long], [int]; [bool]$t.Item() for a truth value' {
        $t = New-Tensor @(, @(2.75))
        [double]$t | Should -Be 2.75
        [float]$t | Should -BeOfType [float]
        [long]$t | Should -Be 2
        [int](New-Tensor -7) | Should -Be -7
        # [bool] of any object is PowerShell's truthiness (not null), a language rule no type can change.
        [bool](New-Tensor 0.0).Item() | Should -BeFalse
        [bool](New-Tensor $true).Item() | Should -BeTrue
    }

    It 'fails [<Type>] of <Count> elements with PyTorch''s message' -ForEach @(
        @{ Type = 'double'; Count = 2; Make = { New-Tensor 1.0, 2.0 }; Message = 'only one element tensors can be converted to Python scalars' }
        @{ Type = 'long';   Count = 0; Make = { New-Tensor -Zeros 0 };  Message = 'only one element tensors can be converted to Python scalars' }
        @{ Type = 'int';    Count = 3; Make = { New-Tensor 1, 2, 3 };   Message = 'only one element tensors can be converted to Python scalars' }
        @{ Type = 'float';  Count = 2; Make = { New-Tensor 1.0, 2.0 };  Message = 'only one element tensors can be converted to Python scalars' }
    ) {
        $t = & $Make
        $err = Get-ErrorOf { Invoke-Expression "[$Type]`$t" }
        $err.Exception.GetBaseException().Message | Should -Be $Message
    }

    It 'ToList() nests the elements as tolist() does' {
        $l = (New-Tensor (1..6) -Shape 3, 2).ToList()
        $l.Count | Should -Be 3
        $l[2] | Should -Be @(5, 6)
        (New-Tensor 4.5).ToList() | Should -Be 4.5
        (New-Tensor -Zeros 0).ToList().Count | Should -Be 0
    }
}

Describe 'PowerShell serialization' {
    BeforeAll {
        $script:samples = @(
            @{ Label = 'float32 with NaN, -0 and inf'; Make = { New-Tensor @(@(1.5, [float]::NaN), @(-0.0, [float]::PositiveInfinity)) -DType Float32 } }
            @{ Label = 'float64 requiring grad'; Make = { New-Tensor 0.1, 1e300 -DType Float64 -RequiresGrad } }
            @{ Label = 'int64'; Make = { New-Tensor ([long]::MaxValue), ([long]::MinValue) } }
            @{ Label = 'bool'; Make = { New-Tensor $true, $false } }
            @{ Label = '0-d'; Make = { New-Tensor 3.25 } }
            @{ Label = 'empty'; Make = { New-Tensor -Zeros 2, 0 -DType Float64 } }
        )
        function Assert-Same($Actual, $Expected) {
            $Actual | Should -BeOfType AutoGrad.Tensor
            $Actual.DType | Should -Be $Expected.DType
            ($Actual.Shape -join ',') | Should -Be ($Expected.Shape -join ',')
            $Actual.RequiresGrad | Should -Be $Expected.RequiresGrad
            $a = $Actual.ToArray(); $e = $Expected.ToArray()
            for ($i = 0; $i -lt $e.Length; $i++) {
                if ($e[$i] -is [double] -or $e[$i] -is [float]) { [BitConverter]::DoubleToInt64Bits($a[$i]) | Should -Be ([BitConverter]::DoubleToInt64Bits($e[$i])) }
                else { $a[$i] | Should -Be $e[$i] }
            }
        }
    }

    It 'round-trips through Export-Clixml / Import-Clixml: <Label>' -ForEach @(
        @{ Label = 'float32 with NaN, -0 and inf' }, @{ Label = 'float64 requiring grad' }, @{ Label = 'int64' },
        @{ Label = 'bool' }, @{ Label = '0-d' }, @{ Label = 'empty' }
    ) {
        $t = & ($samples | Where-Object Label -eq $Label).Make
        $path = Join-Path $tmp 'tensor.xml'
        $t | Export-Clixml $path
        $back = Import-Clixml $path
        Assert-Same $back $t
        $back.ToString() | Should -Be $t.ToString()
    }

    It 'keeps an imported tensor usable by every cmdlet' {
        $path = Join-Path $tmp 'w.xml'
        New-Tensor @(@(1.0, 2.0), @(3.0, 4.0)) -RequiresGrad | Export-Clixml $path
        $w = Import-Clixml $path
        ($w | Measure-Sum).ToString() | Should -Be 'tensor(10., grad_fn=<SumBackward0>)'
        ($w | Invoke-Op MatMul $w | Measure-Mean) | Invoke-Backward
        (Get-Grad $w).ToString() | Should -Be "tensor([[1.7500, 2.7500],`n        [2.2500, 3.2500]])"
    }

    It 'survives a round trip through PSSerializer (remoting''s format) and a job in another process' {
        $t = New-Tensor 1.5, 2.5 -DType Float64
        $back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($t))
        Assert-Same $back $t
        $manifest = Join-Path (Get-Module AutoGrad.PS).ModuleBase 'AutoGrad.PS.psd1'
        $r = Start-Job { param($t, $m) Import-Module $m; $t | Measure-Sum } -ArgumentList $t, $manifest | Receive-Job -Wait -AutoRemoveJob
        $r | Should -BeOfType AutoGrad.Tensor
        [double]$r | Should -Be 4
    }

    It 'passes tensors to ForEach-Object -Parallel and Start-ThreadJob through $using:' {
        $t = New-Tensor 1.0, 2.0
        $manifest = Join-Path (Get-Module AutoGrad.PS).ModuleBase 'AutoGrad.PS.psd1'
        $sums = 1..2 | ForEach-Object -Parallel { Import-Module $using:manifest; [double](($using:t * $_) | Measure-Sum) }
        $sums | Sort-Object | Should -Be @(3, 6)
        $job = Start-ThreadJob { Import-Module $using:manifest; $using:t | Measure-Mean }
        [double]($job | Receive-Job -Wait -AutoRemoveJob) | Should -Be 1.5
    }

    It 'writes DType, Shape and nested Values with ConvertTo-Json, which New-Tensor turns back' {
        $t = New-Tensor @(@(1.5, 2), @(3, 4))
        $json = $t | ConvertTo-Json -Compress
        $json | Should -Match '"DType":"Float32"'
        $json | Should -Match '"Shape":\[2,2\]'
        $json | Should -Match '"Values":\[\[1\.5,2\.0\],\[3\.0,4\.0\]\]'
        $obj = $json | ConvertFrom-Json
        (New-Tensor $obj).ToString() | Should -Be $t.ToString()
        ($obj | Measure-Sum).ToString() | Should -Be 'tensor(10.5000)'
        $z = New-Tensor 2 -DType Float64
        ($z | ConvertTo-Json | ConvertFrom-Json | ConvertTo-Tensor).ToString() | Should -Be 'tensor(2., dtype=torch.float64)'
    }
}

Describe 'Export-Tensor and Import-Tensor' {
    BeforeAll {
        $script:w = New-Tensor @(@(1.5, -2), @(0.25, 4)) -DType Float32
    }

    It 'round-trips a <Format> file: every dtype, 0-d and empty' -ForEach @(
        @{ Format = 'safetensors' }, @{ Format = 'pt' }, @{ Format = 'npy' }
    ) {
        foreach ($t in @((New-Tensor 1.5, 2.5 -DType Float32), (New-Tensor 0.1 -DType Float64), (New-Tensor 1, -2), (New-Tensor $true, $false), (New-Tensor -Zeros 3, 0))) {
            $path = Join-Path $tmp "rt.$Format"
            $t | Export-Tensor $path -Force
            $back = Import-Tensor $path
            $back.DType | Should -Be $t.DType
            ($back.Shape -join ',') | Should -Be ($t.Shape -join ',')
            $back.ToString() | Should -Be $t.ToString()
        }
    }

    It 'writes a dictionary and reads it back in order, indexable by name' {
        $d = [ordered]@{ 'layer.weight' = $w; 'layer.bias' = (New-Tensor 0.5, 0.5); step = (New-Tensor 3) }
        foreach ($ext in 'pt', 'safetensors') {
            $d | Export-Tensor (Join-Path $tmp "d.$ext") -Force
            $back = Import-Tensor (Join-Path $tmp "d.$ext")
            $back | Should -BeOfType System.Collections.Specialized.OrderedDictionary
            @($back.Keys) | Should -Be @('layer.weight', 'layer.bias', 'step')
            $back['layer.weight'].ToString() | Should -Be $w.ToString()
        }
    }

    It 'stores a lone tensor in safetensors under ''tensor'' and reads such a file as the tensor (or a dictionary with -AsDictionary)' {
        $path = Join-Path $tmp 'lone.safetensors'
        $w | Export-Tensor $path -Force
        (Import-Tensor $path) | Should -BeOfType AutoGrad.Tensor
        $d = Import-Tensor $path -AsDictionary
        @($d.Keys) | Should -Be @('tensor')
        (Import-Tensor (Join-Path $tmp 'rt.npy') -AsDictionary).Keys | Should -Be 'tensor'
    }

    It 'keeps safetensors metadata: -Metadata writes it, Import-Tensor gives it as .Metadata, re-export keeps it' {
        $a = Join-Path $tmp 'm1.safetensors'; $b = Join-Path $tmp 'm2.safetensors'
        [ordered]@{ w = $w } | Export-Tensor $a -Metadata @{ format = 'pt'; epoch = 3 } -Force
        $d = Import-Tensor $a
        $d.Metadata['format'] | Should -Be 'pt'
        $d.Metadata['epoch'] | Should -Be '3'
        $d | Export-Tensor $b -Force
        (Import-Tensor $b).Metadata['epoch'] | Should -Be '3'
        (Get-ErrorOf { $w | Export-Tensor (Join-Path $tmp 'm.pt') -Metadata @{ a = 1 } -Force }).FullyQualifiedErrorId | Should -BeLike 'ExportTensorMetadataNotSupported*'
    }

    It 'saves what an object''s StateDict() returns (a layer, an optimizer)' {
        $layer = [pscustomobject]@{ Name = 'Linear' }
        $layer | Add-Member -MemberType ScriptMethod -Name StateDict -Value { [ordered]@{ weight = $w; bias = (New-Tensor 1.0, 2.0) } }
        $layer | Export-Tensor (Join-Path $tmp 'layer.pt') -Force
        @((Import-Tensor (Join-Path $tmp 'layer.pt')).Keys) | Should -Be @('weight', 'bias')
    }

    It 'resolves -Path against the current location, expands wildcards on import, and takes -LiteralPath as written' {
        Push-Location $tmp
        try {
            $null = New-Item -ItemType Directory 'sub[1]' -Force
            $w | Export-Tensor -LiteralPath 'sub[1]/a.npy' -Force
            $w | Export-Tensor -LiteralPath 'sub[1]/b.npy' -Force
            Test-Path -LiteralPath (Join-Path $tmp 'sub[1]/a.npy') | Should -BeTrue
            @(Import-Tensor -LiteralPath 'sub[1]/a.npy').Count | Should -Be 1
            $null = New-Item -ItemType Directory 'plain' -Force
            $w | Export-Tensor 'plain/a.npy' -Force
            $w | Export-Tensor 'plain/b.npy' -Force
            @(Import-Tensor 'plain/*.npy').Count | Should -Be 2
            @(Get-ChildItem 'plain/*.npy' | Import-Tensor).Count | Should -Be 2
        } finally { Pop-Location }
    }

    It 'does not overwrite without -Force, writes nothing with -WhatIf, and gives the file with -PassThru' {
        $path = Join-Path $tmp 'keep.npy'
        $w | Export-Tensor $path -Force
        $before = [IO.File]::ReadAllBytes($path)
        $err = Get-ErrorOf { New-Tensor 1 | Export-Tensor $path }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExportTensorFileExists*'
        $err.CategoryInfo.Category | Should -Be 'ResourceExists'
        New-Tensor 1 | Export-Tensor $path -Force -WhatIf
        [IO.File]::ReadAllBytes($path) | Should -Be $before
        Join-Path $tmp 'new.npy' | Should -Not -Exist
        New-Tensor 1 | Export-Tensor (Join-Path $tmp 'new.npy') -WhatIf
        Join-Path $tmp 'new.npy' | Should -Not -Exist
        (New-Tensor 1 | Export-Tensor (Join-Path $tmp 'new.npy') -PassThru).Name | Should -Be 'new.npy'
    }

    It 'leaves the old file and no temporary file when an export fails midway' {
        $path = Join-Path $tmp 'atomic.pt'
        $w | Export-Tensor $path -Force
        $before = [IO.File]::ReadAllBytes($path)
        $gone = New-Tensor -Zeros 1000
        $gone.Dispose()
        $err = Get-ErrorOf { [ordered]@{ a = $w; b = $gone } | Export-Tensor $path -Force }
        $err.FullyQualifiedErrorId | Should -BeLike 'ExportTensorTensorDisposed*'
        [IO.File]::ReadAllBytes($path) | Should -Be $before
        @(Get-ChildItem $tmp -Force -Filter '*.tmp') | Should -HaveCount 0
    }

    It 'refuses <Label> with ExportTensor<Id>' -ForEach @(
        @{ Label = 'an unknown extension';           Id = 'UnsupportedFormat'; Run = { $w | Export-Tensor (Join-Path $tmp 'w.dat') } }
        @{ Label = 'a dictionary in .npy';           Id = 'UnsupportedValue';  Run = { [ordered]@{ a = $w } | Export-Tensor (Join-Path $tmp 'd.npy') -Force } }
        @{ Label = 'a number in safetensors';        Id = 'UnsupportedValue';  Run = { [ordered]@{ a = 1 } | Export-Tensor (Join-Path $tmp 'n.safetensors') -Force } }
        @{ Label = 'two objects for one file';       Id = 'TooManyInputs';     Run = { $w, $w | Export-Tensor (Join-Path $tmp 'two.pt') -Force } }
        @{ Label = 'an object that is no tensor';    Id = 'UnsupportedInput';  Run = { Get-Date | Export-Tensor (Join-Path $tmp 'date.pt') -Force } }
    ) {
        (Get-ErrorOf $Run).FullyQualifiedErrorId | Should -BeLike "ExportTensor$Id,*"
    }

    Context 'bad files' {
        BeforeAll {
            $script:good = Join-Path $tmp 'good.safetensors'
            [ordered]@{ a = (New-Tensor 1.0, 2.0) } | Export-Tensor $good -Force
            $bytes = [IO.File]::ReadAllBytes($good)
            $headerLength = [BitConverter]::ToUInt64($bytes, 0)
            $header = [Text.Encoding]::UTF8.GetString($bytes, 8, $headerLength)
            function New-Bad([string]$Name, [byte[]]$Content) { $p = Join-Path $tmp $Name; [IO.File]::WriteAllBytes($p, $Content); $p }
            function New-Safetensors([string]$Name, [string]$Json, [int]$DataBytes) {
                $h = [Text.Encoding]::UTF8.GetBytes($Json)
                New-Bad $Name ([BitConverter]::GetBytes([uint64]$h.Length) + $h + [byte[]]::new($DataBytes))
            }
            $script:badFiles = @{
                empty       = New-Bad 'empty.safetensors' ([byte[]]@())
                short       = New-Bad 'short.safetensors' ([byte[]](1, 2, 3))
                huge        = New-Bad 'huge.safetensors' ([BitConverter]::GetBytes([uint64]1e12) + [byte[]]::new(8))
                truncated   = New-Bad 'truncated.safetensors' ($bytes[0..($bytes.Length - 3)])
                lying       = New-Safetensors 'lying.safetensors' '{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}' 8
                gap         = New-Safetensors 'gap.safetensors' '{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}' 8
                c64         = New-Safetensors 'c64.safetensors' '{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}' 8
                notjson     = New-Safetensors 'notjson.safetensors' '{"a": [' 0
                npyMagic    = New-Bad 'wrong.npy' ([Text.Encoding]::ASCII.GetBytes('NUMPY not really'))
                npyDescr    = New-Bad 'c.npy' ([byte[]](0x93) + [Text.Encoding]::ASCII.GetBytes("NUMPY") + [byte[]](1, 0, 70, 0) + [Text.Encoding]::ASCII.GetBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }".PadRight(69) + "`n") + [byte[]]::new(8))
                npyShort    = New-Bad 'short.npy' ([byte[]](0x93) + [Text.Encoding]::ASCII.GetBytes("NUMPY") + [byte[]](1, 0, 70, 0) + [Text.Encoding]::ASCII.GetBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }".PadRight(69) + "`n") + [byte[]]::new(8))
                ptNotZip    = New-Bad 'notzip.pt' ([Text.Encoding]::ASCII.GetBytes('PK not a zip at all'))
                legacy      = New-Bad 'legacy.pt' ([byte[]](0x80, 0x02, 0x8a, 0x0a))
            }
            $ptBytes = [IO.File]::ReadAllBytes((Join-Path $tmp 'd.pt'))
            $badFiles.ptTruncated = New-Bad 'truncated.pt' ($ptBytes[0..([int]($ptBytes.Length / 2))])
        }

        It 'names the file and the problem: <Key>' -ForEach @(
            @{ Key = 'empty';       Id = 'InvalidData';       Message = 'is empty' }
            @{ Key = 'short';       Id = 'InvalidData';       Message = 'starts with an 8-byte header length' }
            @{ Key = 'huge';        Id = 'InvalidData';       Message = 'header length 1000000000000 exceeds' }
            @{ Key = 'truncated';   Id = 'InvalidData';       Message = 'is truncated' }
            @{ Key = 'lying';       Id = 'InvalidData';       Message = "tensor 'a' claims 8 bytes" }
            @{ Key = 'gap';         Id = 'InvalidData';       Message = "tensor 'a' starts at byte 4" }
            @{ Key = 'c64';         Id = 'UnsupportedDType';  Message = "tensor 'a' has dtype C64" }
            @{ Key = 'notjson';     Id = 'InvalidData';       Message = 'header is not valid JSON' }
            @{ Key = 'npyMagic';    Id = 'InvalidData';       Message = 'not a .npy file' }
            @{ Key = 'npyDescr';    Id = 'UnsupportedDType';  Message = "NumPy dtype '<c8'" }
            @{ Key = 'npyShort';    Id = 'InvalidData';       Message = 'is truncated' }
            @{ Key = 'ptNotZip';    Id = 'InvalidData';       Message = 'does not start with a zip header' }
            @{ Key = 'ptTruncated'; Id = 'InvalidData';       Message = 'zip' }
            @{ Key = 'legacy';      Id = 'UnsupportedFormat'; Message = 'legacy format' }
        ) {
            $file = $badFiles[$Key]
            $errs = $null
            $value = Import-Tensor -LiteralPath $file -ErrorVariable errs -ErrorAction SilentlyContinue
            $value | Should -BeNullOrEmpty
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike "ImportTensor$Id,*"
            $errs[0].TargetObject | Should -Be $file
            $errs[0].Exception.Message | Should -BeLike "*'$file'*"
            $errs[0].Exception.Message | Should -BeLike "*$Message*"
        }

        It 'goes on with the next file after a bad one (non-terminating), and reports a missing file' {
            $errs = $null
            $out = Import-Tensor -LiteralPath $badFiles.lying, $good, (Join-Path $tmp 'missing.pt') -ErrorVariable errs -ErrorAction SilentlyContinue
            @($out).Count | Should -Be 1
            $errs.Count | Should -Be 2
            $errs[1].FullyQualifiedErrorId | Should -BeLike 'ImportTensorFileNotFound*'
            $errs[1].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        }
    }
}
