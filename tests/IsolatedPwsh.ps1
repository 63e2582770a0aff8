# Dot-sourced by Pester files whose cases could take their process down (a stack overflow, running out of memory,
# a hang): such a case runs in a child pwsh, so the test run survives it and reports it as a failure.

# Runs $Script in a new pwsh (the module from out/AutoGrad.PS imported first) and returns ExitCode, Output (stdout
# and stderr lines) and TimedOut. $Environment adds variables (e.g. DOTNET_GCHeapHardLimit) for the child only.
function Invoke-IsolatedPwsh {
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 120
    )
    $module = Join-Path $PSScriptRoot '../out/AutoGrad.PS/AutoGrad.PS.psd1'
    $file = Join-Path ([IO.Path]::GetTempPath()) ("autograd-child-{0}.ps1" -f [guid]::NewGuid())
    Set-Content -LiteralPath $file -Encoding utf8 -Value @"
`$ErrorActionPreference = 'Continue'
`$PSStyle.OutputRendering = 'PlainText'
Import-Module '$module'
$Script
"@
    $exe = [Environment]::ProcessPath
    $info = [System.Diagnostics.ProcessStartInfo]::new($exe)
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $info.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $info.Environment['NO_COLOR'] = '1'
    foreach ($k in $Environment.Keys) { $info.Environment[$k] = [string]$Environment[$k] }
    try {
        $p = [System.Diagnostics.Process]::Start($info)
        $stdout = $p.StandardOutput.ReadToEndAsync()
        $stderr = $p.StandardError.ReadToEndAsync()
        $timedOut = -not $p.WaitForExit($TimeoutSeconds * 1000)
        if ($timedOut) { $p.Kill($true); $p.WaitForExit() }
        [pscustomobject]@{
            ExitCode = $p.ExitCode
            TimedOut = $timedOut
            Output   = @(($stdout.Result + $stderr.Result) -split '\r?\n' | Where-Object { $_ -ne '' })
        }
    } finally {
        Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    }
}
