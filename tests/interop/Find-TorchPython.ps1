# The python3 that can import torch, preferring Debian's /usr/bin/python3 (python3-torch); $null when there is none.
foreach ($candidate in '/usr/bin/python3', 'python3', 'python') {
    $cmd = Get-Command $candidate -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $cmd) { continue }
    & $cmd.Source -c 'import torch, numpy' 2>$null | Out-Null
    if ($LASTEXITCODE -eq 0) { return $cmd.Source }
}
return $null
