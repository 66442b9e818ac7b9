# Scheduled snapshot refresh for a Windows ward PC (Task Scheduler). Needs no PIN: the new snapshot is
# sealed to this PC's public key, and the old one stays in use until the new one is complete.
# Register it once, as an administrator:
#   schtasks /Create /TN "Downtime snapshot refresh" /SC MINUTE /MO 15 /RU SYSTEM `
#     /TR "powershell -NoProfile -ExecutionPolicy Bypass -File C:\Program Files\Downtime\refresh-snapshot.ps1 -DowntimeHome C:\DowntimeData -Exports \\hmis\exports"
param(
    [Parameter(Mandatory = $true)][string]$DowntimeHome,
    [Parameter(Mandatory = $true)][string]$Exports,
    [string]$Downtime = "C:\Program Files\Downtime\downtime.exe"
)
$ErrorActionPreference = "Stop"
$logDir = Join-Path $DowntimeHome "logs"
New-Item -ItemType Directory -Force -Path $logDir | Out-Null
$log = Join-Path $logDir "refresh.log"
function Log($text) { Add-Content -Path $log -Value ("{0:s} {1}" -f (Get-Date), $text) }

# Newest complete export: the HMIS writes COMPLETE (or the Bulk manifest/log) last.
$newest = Get-ChildItem -Path $Exports -Directory | Sort-Object LastWriteTime -Descending |
    Where-Object { (Test-Path "$($_.FullName)\COMPLETE") -or (Test-Path "$($_.FullName)\manifest.json") -or
                   (Test-Path "$($_.FullName)\log.ndjson") } | Select-Object -First 1
if (-not $newest) { Log "no complete export found in $Exports"; exit 1 }
$stamp = Join-Path $logDir "last-export"
if ((Test-Path $stamp) -and ((Get-Content $stamp) -eq $newest.FullName)) { exit 0 }

# Copy locally first: a network drop halfway through the copy must never reach the import.
$work = Join-Path $env:TEMP ("downtime-export-" + [guid]::NewGuid())
Copy-Item -Path $newest.FullName -Destination $work -Recurse
try {
    & $Downtime --home $DowntimeHome snapshot import $work *>> $log
    if ($LASTEXITCODE -ne 0) { throw "import exited with $LASTEXITCODE" }
    Set-Content -Path $stamp -Value $newest.FullName
    Log "imported $($newest.FullName)"
} catch {
    Log "FAILED to import $($newest.FullName) (the previous snapshot is still in use): $_"
    exit 1
} finally {
    Remove-Item -Recurse -Force $work
}
