# Test helper (dot-source it): runs a script in a fresh pwsh - the same PowerShell that runs the tests, no profile -
# with extra environment variables, and returns its output lines. Tests that must not share this session's modules
# (import order, a module installed into a temporary module path) use it.

function Invoke-ChildPwsh {
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [string[]] $ArgumentList = @()
    )
    $exe = [Environment]::ProcessPath
    $pwsh = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @($exe, (Join-Path $PSHOME 'pwsh.dll')) } else { @($exe) }
    $file = Join-Path ([IO.Path]::GetTempPath()) "agps-child-$([guid]::NewGuid().ToString('n')).ps1"
    $saved = @{}
    try {
        Set-Content -LiteralPath $file -Value $Script -Encoding utf8
        foreach ($name in $Environment.Keys) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $Environment[$name])
        }
        $out = & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -File $file @ArgumentList 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($out | ForEach-Object { "$_" }) }
    } finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
    }
}
