<#
.SYNOPSIS
    Prints Haniwers' performance figures. Nothing here asserts: a shared machine is noisy, so the
    figures are for reading (and for the closing notes of issues), not for failing a build.
.DESCRIPTION
    - event parser throughput (single thread)
    - three-channel threshold write round trip over a socat pty pair (text firmware)
    - per-step overhead of a parallel scan over the pty (wall time minus window, settle 0)
    - wall-time ratio parallel / serial for the same ranges over the pty
    - peak working set after 500 and after 2000 steps of short windows (in-process simulator)
    - S-curve fit time for three channels of 200 points
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [Parameter(Mandatory)] [string] $BenchPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force

function Get-Percentile([double[]] $Values, [double] $P) {
    $sorted = $Values | Sort-Object
    $sorted[[math]::Min($sorted.Count - 1, [int][math]::Floor($sorted.Count * $P))]
}

function Wait-ForFile([string] $Path, [string] $Pattern) {
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while (-not ((Test-Path $Path) -and ($Pattern -eq '' -or (Get-Content $Path -Raw) -match $Pattern))) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $Path" }
        Start-Sleep -Milliseconds 20
    }
}

Write-Host "Haniwers benchmark ($(Get-Date -Format s), $([Environment]::ProcessorCount) cores)" -ForegroundColor Cyan
& dotnet $BenchPath parser

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$socat = Start-Process socat -ArgumentList "pty,raw,echo=0,link=$work/host", "pty,raw,echo=0,link=$work/device" -PassThru
$simulator = $null
try {
    Wait-ForFile "$work/device" ''
    $simulator = Start-Process dotnet -ArgumentList $SimulatorPath, '--serial', "$work/device", '--options', 'seed=1', '--log', "$work/sim.log" -PassThru
    Wait-ForFile "$work/sim.log" 'READY'
    & dotnet $BenchPath write-rtt "$work/host" 300

    # per-step overhead: consecutive window openings minus the window, settle 0, text firmware
    $duration = 0.05
    $rows = Invoke-HaniwersParallelScan -PortName "$work/host" -Center 280, 300, 260 -NSteps 50 -StepSize 1 -Duration $duration -SettleTime 0 -OutputDirectory "$work/overhead"
    $opens = $rows | Where-Object Channel -eq 1 | Sort-Object Step | ForEach-Object { $_.Timestamp }
    $overheads = for ($i = 1; $i -lt $opens.Count; $i++) { ($opens[$i] - $opens[$i - 1]).TotalMilliseconds - $duration * 1000 }
    $median = Get-Percentile $overheads 0.5
    "parallel scan per-step overhead over the pty (wall time minus window, settle 0): median {0:0.0} ms, p95 {1:0.0} ms ({2} steps; target median <= 15 ms)" -f $median, (Get-Percentile $overheads 0.95), $overheads.Count
    "  haniwers (Python) sleeps at least 0.3 s per channel write, about 1 s per parallel step: {0:0}x the overhead measured here" -f (1000 / $median)

    # parallel vs serial, same ranges
    $range = @{ PortName = "$work/host"; Center = 280, 300, 260; NSteps = 5; StepSize = 4; Duration = 0.2; SettleTime = 0 }
    $parallel = Measure-Command { Invoke-HaniwersParallelScan @range -OutputDirectory "$work/parallel" | Out-Null }
    $serial = Measure-Command { Invoke-HaniwersSerialScan @range -OutputDirectory "$work/serial" | Out-Null }
    "wall time parallel / serial for the same ranges (11 steps x 3 channels, 0.2 s windows): {0:0.000} ({1:0.00} s / {2:0.00} s; target <= 0.34)" -f ($parallel.TotalSeconds / $serial.TotalSeconds), $parallel.TotalSeconds, $serial.TotalSeconds
}
finally {
    if ($simulator) { Stop-Process -Id $simulator.Id -Force -ErrorAction SilentlyContinue }
    Stop-Process -Id $socat.Id -Force -ErrorAction SilentlyContinue
}

# memory: a long serial scan (one row per step) of short windows on the in-process simulator
$marks = @{}
$process = [System.Diagnostics.Process]::GetCurrentProcess()
$steps = 0
Invoke-HaniwersSerialScan -PortName sim -Center 400 -NSteps 340 -StepSize 1 -Duration 0.001 -SettleTime 0 -OutputDirectory "$work/memory" | ForEach-Object {
    $steps++
    if ($steps -eq 500 -or $steps -eq 2000) { $process.Refresh(); $marks[$steps] = $process.PeakWorkingSet64 / 1MB }
} 
"peak working set after 500 steps: {0:0.0} MB; after 2000 steps: {1:0.0} MB; growth {2:0.0} MB (target within 10 MB)" -f $marks[500], $marks[2000], ($marks[2000] - $marks[500])

& dotnet $BenchPath fit
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
