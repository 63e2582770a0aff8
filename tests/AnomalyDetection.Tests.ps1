#Requires -Version 7.4
# Use-AnomalyDetection: torch.autograd.detect_anomaly from PowerShell. A NaN gradient is PyTorch's error, after a
# warning that names where the failing node's forward op was called: the script, line and command (a cmdlet's own
# position, or the statement of an operator or method), then the script call stack.

BeforeAll {
    Import-Module "$PSScriptRoot/../out/AutoGrad.PS/AutoGrad.PS.psd1" -Force

    # The line of this file that ends with the marker comment: where a forward op of a test is.
    function Get-MarkedLine([string] $Marker) {
        (Select-String -LiteralPath $PSCommandPath -Pattern ([regex]::Escape("# $Marker") + '$')).LineNumber
    }
}

Describe 'Use-AnomalyDetection' {
    It 'warns that it is on, runs the block in the caller''s scope and writes its output' {
        $x = New-Tensor 1.0, 2.0 -RequiresGrad
        $all = @(Use-AnomalyDetection { $y = $x * 2; $y | Measure-Sum } 3>&1)
        $all[0] | Should -BeOfType System.Management.Automation.WarningRecord
        $all[0].Message | Should -BeExactly 'Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.'
        $all[1].Item() | Should -Be 6
        $y.ToDoubleArray() | Should -Be 2, 4
        [AutoGrad.Autograd.AnomalyMode]::IsEnabled | Should -BeFalse
    }

    It 'a NaN from a cmdlet''s op: PyTorch''s error, after a warning naming the cmdlet''s script, line and command' {
        $a = New-Tensor -1.0, 4.0 -RequiresGrad
        $err = $null
        $all = @(Use-AnomalyDetection {
            $b = $a | Invoke-Op Sqrt   # forward-sqrt
            try { $b * 2 | Measure-Sum | Invoke-Backward -ErrorAction Stop } catch { $err = $_ }
        } 3>&1)
        $err.FullyQualifiedErrorId | Should -BeLike 'InvokeBackwardNanGradient,*'
        $err.Exception.Message | Should -BeExactly "Function 'SqrtBackward0' returned nan values in its 0th output."
        $warning = $all[1].Message -split "`n"
        $warning[0] | Should -BeExactly 'Error detected in SqrtBackward0. Traceback of forward call that caused the error:'
        $line = Get-MarkedLine 'forward-sqrt'
        $warning[1] | Should -BeExactly "At $($PSCommandPath):$line char:23"
        $warning[2] | Should -BeExactly '+             $b = $a | Invoke-Op Sqrt   # forward-sqrt'
        $warning[3] | Should -BeExactly '+                       ~~~~~~~~~~~~~~'
        $warning[4] | Should -BeExactly "at <ScriptBlock>, $($PSCommandPath): line $line"
        # No frame of the script the cmdlet runs its block through: the stack is the user's.
        $warning | Should -Not -Contain 'at <ScriptBlock>, <No file>: line 1'
        $a.Grad | Should -BeNullOrEmpty
    }

    It 'a NaN from an operator or a method: the warning names the statement that called it' {
        $a = New-Tensor -1.0 -RequiresGrad
        $messages = Use-AnomalyDetection {
            $p = $a.Sqrt() * 3   # forward-method
            try { $p | Invoke-Backward -ErrorAction Stop } catch { }
        } 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message
        $line = Get-MarkedLine 'forward-method'
        $messages[1] | Should -BeLike "Error detected in SqrtBackward0. Traceback of forward call that caused the error:`nAt $($PSCommandPath):$line char:13`n+             `$p = `$a.Sqrt() * 3   # forward-method`n+             ~~~~~~~~~~~~~~~~~~`n*"
    }

    It 'names the function the op was called in, as the script stack trace does' {
        function Get-Root($t) { $t | Invoke-Op Sqrt }   # forward-function
        $a = New-Tensor -4.0 -RequiresGrad
        $messages = Use-AnomalyDetection {
            $r = Get-Root $a
            try { $r | Invoke-Backward -ErrorAction Stop } catch { }
        } 3>&1 | ForEach-Object Message
        $messages[1] | Should -Match ([regex]::Escape("at Get-Root, $($PSCommandPath): line $(Get-MarkedLine 'forward-function')"))
    }

    It '-SkipNanCheck records positions but lets NaN gradients through' {
        $a = New-Tensor -1.0 -RequiresGrad
        Use-AnomalyDetection -SkipNanCheck { $a | Invoke-Op Sqrt | Invoke-Backward } 3>$null
        [double]::IsNaN((Get-Grad $a).Item()) | Should -BeTrue
    }

    It 'off outside the block, also after an error inside it; nodes made outside have no forward information' {
        $a = New-Tensor -1.0 -RequiresGrad
        $b = $a | Invoke-Op Sqrt
        $b.GradFn.ForwardTraceback | Should -BeNullOrEmpty
        $messages = Use-AnomalyDetection { try { $b | Invoke-Backward -ErrorAction Stop } catch { } } 3>&1 | ForEach-Object Message
        $messages[1] | Should -BeExactly 'Error detected in SqrtBackward0. No forward pass information available. Enable detect anomaly during forward pass for more information.'
        { Use-AnomalyDetection { throw 'inside' } 3>$null } | Should -Throw 'inside'
        [AutoGrad.Autograd.AnomalyMode]::IsEnabled | Should -BeFalse
        ($a | Invoke-Op Sqrt).GradFn.ForwardTraceback | Should -BeNullOrEmpty
    }

    It 'an in-place change of a saved tensor: the warning names the forward op and the error''s hint points at it' {
        $err = $null
        $messages = Use-AnomalyDetection {
            $w = New-Tensor 1.0, 2.0 -RequiresGrad
            $s = $w | Invoke-Op Sigmoid
            $null = $s.Mul_(2)
            try { $s | Measure-Sum | Invoke-Backward -ErrorAction Stop } catch { $err = $_ }
        } 3>&1 | ForEach-Object Message
        $messages[1] | Should -BeLike 'Error detected in SigmoidBackward0. Traceback of forward call that caused the error:*Invoke-Op Sigmoid*'
        $err.FullyQualifiedErrorId | Should -BeLike 'InvokeBackwardSavedTensorModified,*'
        $err.Exception.Message | Should -BeLike '*Hint: the backtrace further above shows the operation that failed to compute its gradient. The variable in question was changed in there or anywhere later. Good luck!'
    }

    It 'a node''s ForwardTraceback keeps the position while the mode was on' {
        $x = New-Tensor 1.0 -RequiresGrad
        Use-AnomalyDetection { $y = $x * 2 } 3>$null   # forward-mul
        $y.GradFn.ForwardTraceback | Should -BeLike "At $($PSCommandPath):$(Get-MarkedLine 'forward-mul') char:*"
    }
}
