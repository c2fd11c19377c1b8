<#
.SYNOPSIS
    Prints Haniwers' performance figures. Nothing here asserts: a shared machine is noisy, so the
    figures are for reading (and for the closing notes of issues), not for failing a build.
.DESCRIPTION
    - event parser throughput (single thread)
    - three-channel threshold write round trip over a socat pty pair (text firmware)
    - per-step overhead of a parallel scan over the pty (wall time minus window), with the default
      settings and with -SettleTime 0
    - wall-time ratio parallel / serial for the same ranges over the pty
    - soak: 10,000 steps over the pty against the served simulator; managed heap and working set
      after a full garbage collection at 1,000 and at 10,000 steps
    - S-curve fit time for three channels of 200 points
    - the adaptive scan against a fixed grid: measuring-time ratio, pulls, and the design bound
    Every figure printed here is measured by this script.
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

    # per-step overhead: consecutive window openings minus the window, text firmware
    $duration = 0.05
    foreach ($case in @(@{ Name = 'default settings (settle 0.1 s, included)'; Settle = @{} }, @{ Name = '-SettleTime 0'; Settle = @{ SettleTime = 0 } })) {
        $settings = $case.Settle
        $rows = Invoke-HaniwersParallelScan -PortName "$work/host" -Center 280, 300, 260 -NSteps 50 -StepSize 1 -Duration $duration @settings -OutputDirectory "$work/overhead-$($settings.Count)"
        $opens = $rows | Where-Object Channel -eq 1 | Sort-Object Step | ForEach-Object { $_.Timestamp }
        $overheads = for ($i = 1; $i -lt $opens.Count; $i++) { ($opens[$i] - $opens[$i - 1]).TotalMilliseconds - $duration * 1000 }
        "parallel scan per-step time beyond the window over the pty, {0}: median {1:0.0} ms, p95 {2:0.0} ms ({3} steps)" -f $case.Name, (Get-Percentile $overheads 0.5), (Get-Percentile $overheads 0.95), $overheads.Count
    }

    # parallel vs serial, same ranges
    $range = @{ PortName = "$work/host"; Center = 280, 300, 260; NSteps = 5; StepSize = 4; Duration = 0.2; SettleTime = 0 }
    $parallel = Measure-Command { Invoke-HaniwersParallelScan @range -OutputDirectory "$work/parallel" | Out-Null }
    $serial = Measure-Command { Invoke-HaniwersSerialScan @range -OutputDirectory "$work/serial" | Out-Null }
    "wall time parallel / serial for the same ranges (11 steps x 3 channels, 0.2 s windows): {0:0.000} ({1:0.00} s / {2:0.00} s; target <= 0.34)" -f ($parallel.TotalSeconds / $serial.TotalSeconds), $parallel.TotalSeconds, $serial.TotalSeconds

    # soak: 10,000 steps over the pty (ten scans of 1,001 steps; the DAC range holds at most 1,023 values)
    $marks = [ordered]@{}
    $steps = 0
    $soak = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($run in 1..10) {
        Invoke-HaniwersParallelScan -PortName "$work/host" -Center 512 -NSteps 500 -StepSize 1 -Duration 0.001 -SettleTime 0 -OutputDirectory "$work/soak" | ForEach-Object {
            if ($_.Channel -ne 1) { return }
            $steps++
            if ($steps -eq 1000 -or $steps -eq 10000) {
                [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
                $process = [System.Diagnostics.Process]::GetCurrentProcess()
                $marks["$steps"] = [pscustomobject]@{ Heap = [GC]::GetTotalMemory($true) / 1MB; WorkingSet = $process.WorkingSet64 / 1MB }
            }
        }
    }
    $soak.Stop()
    "soak over the pty: {0} steps in {1:0} s; after a full GC: managed heap {2:0.0} MB at 1,000 steps, {3:0.0} MB at 10,000 (growth {4:+0.0;-0.0} MB); working set {5:0.0} MB and {6:0.0} MB" -f $steps, $soak.Elapsed.TotalSeconds, $marks["1000"].Heap, $marks["10000"].Heap, ($marks["10000"].Heap - $marks["1000"].Heap), $marks["1000"].WorkingSet, $marks["10000"].WorkingSet
}
finally {
    if ($simulator) { Stop-Process -Id $simulator.Id -Force -ErrorAction SilentlyContinue }
    Stop-Process -Id $socat.Id -Force -ErrorAction SilentlyContinue
}

& dotnet $BenchPath fit
& dotnet $BenchPath adaptive 20 1
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
