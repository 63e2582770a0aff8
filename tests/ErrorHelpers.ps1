# Dot-sourced by the Pester files that check errors. The module reports a problem with one pipeline item (or with
# the input a cmdlet collected) as a non-terminating error, as PowerShell's own cmdlets do: the statement goes on,
# and -ErrorAction, -ErrorVariable and 2>$null apply. Problems with the parameters stop the statement.

# Runs the block and returns what it wrote: Output (the objects), Errors (the non-terminating error records) and
# Terminating (the error record that stopped it, or $null).
function Invoke-WithErrors {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $output = [System.Collections.Generic.List[object]]::new()
    $errors = [System.Collections.Generic.List[System.Management.Automation.ErrorRecord]]::new()
    $terminating = $null
    try {
        & $ScriptBlock 2>&1 | ForEach-Object {
            if ($_ -is [System.Management.Automation.ErrorRecord]) { $errors.Add($_) } else { $output.Add($_) }
        }
    } catch {
        $terminating = $_
    }
    [pscustomobject]@{ Output = $output.ToArray(); Errors = $errors.ToArray(); Terminating = $terminating }
}

# The one error the block wrote as a non-terminating error; the test fails if it wrote none or several, or threw.
function Get-WrittenError {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $r = Invoke-WithErrors $ScriptBlock
    $r.Terminating | Should -BeNullOrEmpty -Because 'the error should be non-terminating'
    $r.Errors | Should -HaveCount 1 -Because 'the block should write exactly one error'
    $r.Errors[0]
}

# The error that stopped the block (a parameter-level problem); the test fails if the block did not throw.
function Get-TerminatingError {
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $r = Invoke-WithErrors $ScriptBlock
    $r.Terminating | Should -Not -BeNullOrEmpty -Because 'the error should be terminating'
    $r.Terminating
}
