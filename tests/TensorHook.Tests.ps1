#Requires -Version 7.4
# Register-TensorHook / Unregister-TensorHook: tensor.register_hook from PowerShell. The block sees the gradient
# ($grad and $_), may return a replacement, runs in the runspace that registered it, and an error inside it is the
# backward's error with the hook named. (Hooked traces are compared with PyTorch in BackwardTrace.Tests.ps1.)

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force
    . "$PSScriptRoot/ErrorHelpers.ps1"
    $script:ModulePath = (Resolve-Path "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1").Path
}

Describe 'Register-TensorHook' {
    It 'on a leaf: the block sees the gradient before accumulation and its result is accumulated' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $seen = [Collections.Generic.List[object]]::new()
        $handle = Register-TensorHook -InputObject $x -ScriptBlock { param($grad) $seen.Add($grad.ToString()); $grad * 10 }
        $x * 3 | Measure-Sum | Invoke-Backward
        $seen | Should -Be 'tensor([3., 3.])'
        (Get-Grad $x).ToString() | Should -BeExactly 'tensor([30., 30.])'
        $handle | Should -BeOfType AutoGrad.Autograd.RemovableHandle
        $handle.Name | Should -BeExactly '{ param($grad) $seen.Add($grad.ToString()); $grad * 10 }'
        $handle.IsRemoved | Should -BeFalse
    }

    It 'on a non-leaf, from the pipeline, with $_: it changes what flows on to the inputs' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $y = $x * $x
        $null = $y | Register-TensorHook { $_ * 2 }
        $y | Measure-Sum | Invoke-Backward
        (Get-Grad $x).ToDoubleArray() | Should -Be 4, 8
    }

    It 'a block that writes nothing (or $null) keeps the gradient; Write-Host is not output' {
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook { param($g) Write-Host "grad: $g" 6>$null } $x
        $null = Register-TensorHook { param($g) $null } $x
        $x * 5 | Invoke-Backward
        (Get-Grad $x).Item() | Should -Be 5
    }

    It 'hooks run in registration order, each on the previous result, also under Get-Grad -Of' {
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook { param($g) $g + 1 } $x -Name 'plus one'
        $null = Register-TensorHook { param($g) $g * 10 } $x -Name 'times ten'
        (Get-Grad -Of ($x * 5) -WithRespectTo $x).Item() | Should -Be 60
        $x.Grad | Should -BeNullOrEmpty
    }

    It '.Remove() and Unregister-TensorHook take hooks off; removing twice does nothing' {
        $x = New-Tensor 1.0 -RequiresGrad
        $a = Register-TensorHook { param($g) $g * 10 } $x
        $b = Register-TensorHook { param($g) $g * 100 } $x
        $a.Remove(); $a.Remove()
        $x * 1 | Invoke-Backward
        (Get-Grad $x).Item() | Should -Be 100
        $removed = $b | Unregister-TensorHook -PassThru
        $removed.IsRemoved | Should -BeTrue
        $a, $b | Unregister-TensorHook
        $x * 1 | Invoke-Backward
        (Get-Grad $x).Item() | Should -Be 101
    }

    It 'registers on each piped tensor, and reports one that does not require grad without stopping (RegisterTensorHookNoGrad)' {
        $a = New-Tensor 1.0 -RequiresGrad
        $b = New-Tensor 1.0
        $c = New-Tensor 1.0 -RequiresGrad
        $handles = $a, $b, $c | Register-TensorHook { param($g) $g } -ErrorAction SilentlyContinue -ErrorVariable err
        $handles | Should -HaveCount 2
        $err | Should -HaveCount 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'RegisterTensorHookNoGrad,*'
        $err[0].Exception.Message | Should -BeExactly "cannot register a hook on a tensor that doesn't require gradient"
        $err[0].TargetObject | Should -Be $b
    }

    It 'uses the caller''s variables when backward runs' {
        $scale = 3
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook { param($g) $g * $scale } $x
        $scale = 7
        $x * 1 | Invoke-Backward
        (Get-Grad $x).Item() | Should -Be 7
    }
}

Describe 'Errors in hooks are the backward''s errors, naming the hook' {
    It 'a throw inside the block: <Cmdlet>HookFailed, the block''s error inside' -ForEach @(
        @{ Cmdlet = 'InvokeBackward'; Run = { param($x) $x * 2 | Invoke-Backward } }
        @{ Cmdlet = 'GetGrad'; Run = { param($x) Get-Grad -Of ($x * 2) -WithRespectTo $x } }
    ) {
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook { param($g) throw 'boom' } $x
        # An error of the backward pass on the tensor in hand: non-terminating, as any per-item error.
        $err = Get-WrittenError { & $Run $x }
        $err.FullyQualifiedErrorId | Should -BeLike "$($Cmdlet)HookFailed,*"
        $err.Exception.Message | Should -BeExactly "hook '{ param(`$g) throw 'boom' }' failed: boom"
        $err.Exception.InnerException.ErrorRecord.Exception.Message | Should -BeExactly 'boom'
        $x.Grad | Should -BeNullOrEmpty
    }

    It 'a hook named with -Name is named so' {
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook { param($g) 1 / 0 } $x -Name 'divide'
        { $x * 2 | Invoke-Backward -ErrorAction Stop } | Should -Throw "hook 'divide' failed: *"
    }

    It '<Label>: <Id> with PyTorch''s message' -ForEach @(
        @{ Label = 'a replacement of another size'; Block = { param($g) New-Tensor 1.0, 2.0 }; Id = 'InvokeBackwardHookChangedSize'
           Message = "hook 'bad' has changed the size of value" }
        @{ Label = 'a replacement of another dtype'; Block = { param($g) $g | Invoke-Op To -DType Float64 }; Id = 'InvokeBackwardHookChangedType'
           Message = "hook 'bad' has changed the type of value (was torch.FloatTensor got torch.DoubleTensor)" }
        @{ Label = 'output that is not a tensor'; Block = { param($g) "grad is $g" }; Id = 'InvokeBackwardHookResultNotTensor'
           Message = "expected Variable, but hook 'bad' returned 'System.String': *" }
        @{ Label = 'two tensors'; Block = { param($g) $g; $g }; Id = 'InvokeBackwardHookResultNotTensor'
           Message = "expected Variable, but hook 'bad' returned 2 objects: *" }
    ) {
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook $Block $x -Name bad
        $err = Get-WrittenError { $x * 2 | Invoke-Backward }
        $err.FullyQualifiedErrorId | Should -BeLike "$Id,*"
        $err.Exception.Message | Should -BeLike $Message
    }
}

Describe 'Hooks and runspaces' {
    It 'a hook registered in another runspace that is idle runs there' {
        $other = [runspacefactory]::CreateRunspace()
        $other.Open()
        try {
            $ps = [powershell]::Create($other)
            $x = $ps.AddScript("Import-Module '$ModulePath'; `$global:ran = `$null; `$x = New-Tensor 1.0 -RequiresGrad; " +
                '$null = Register-TensorHook { param($g) $global:ran = [runspace]::DefaultRunspace.Id; $g * 2 } $x; $x').Invoke()[0]
            $ps.Dispose()
            $x * 3 | Invoke-Backward
            (Get-Grad $x).Item() | Should -Be 6
            $ps = [powershell]::Create($other)
            $ps.AddScript('$global:ran').Invoke()[0] | Should -Be $other.Id
            $ps.Dispose()
        } finally {
            $other.Dispose()
        }
    }

    It 'a hook whose runspace is busy (waiting for the runspace that runs backward) fails with HookRunspaceBusy' {
        $x = New-Tensor 1.0 -RequiresGrad
        $null = Register-TensorHook { param($g) $g * 2 } $x
        $other = [runspacefactory]::CreateRunspace()
        $other.Open()
        try {
            $ps = [powershell]::Create($other)
            # This runspace waits in Invoke() while the other one runs backward.
            $result = $ps.AddScript("Import-Module '$ModulePath'; try { `$args[0] * 3 | Invoke-Backward -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }").AddArgument($x).Invoke()
            $result[0] | Should -BeLike 'InvokeBackwardHookRunspaceBusy,*'
            $result[1] | Should -BeLike "hook '{ param(`$g) `$g * 2 }' cannot run: it belongs to runspace $([runspace]::DefaultRunspace.Id) (*), which is busy or closed.*"
            $x.Grad | Should -BeNullOrEmpty
            $ps.Dispose()
        } finally {
            $other.Dispose()
        }
    }
}
