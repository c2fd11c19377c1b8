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
    - the adaptive scan against a fixed grid and the c-optimal bound over 20 simulated detectors: wall-time ratios with and without a prior, coverage
    - data taking: 1,000,000 numbered events over a pty from the served simulator, checked for
      missing and doubled events; 10,000,000 events in process with the managed heap after a full GC
      at 1 million and at 10 million; raw files read and binned per second, and haniwers' own
      aggregation (pandas, tools/haniwers_resample.py) on the same files when a python3 with pandas is found
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

# A socat pty pair with the served simulator on its device end; the module opens $work/<name>-host.
function Start-BenchDevice([string] $Name, [string] $Options) {
    $socat = Start-Process socat -ArgumentList "pty,raw,echo=0,link=$work/$Name-host", "pty,raw,echo=0,link=$work/$Name-device" -PassThru
    Wait-ForFile "$work/$Name-device" ''
    $simulator = Start-Process dotnet -ArgumentList $SimulatorPath, '--serial', "$work/$Name-device", '--options', $Options, '--log', "$work/$Name-sim.log" -PassThru
    Wait-ForFile "$work/$Name-sim.log" 'READY'
    [pscustomobject]@{ Host = "$work/$Name-host"; Log = "$work/$Name-sim.log"; Processes = @($simulator, $socat) }
}

function Stop-BenchDevice($Device) {
    if ($Device) { $Device.Processes | ForEach-Object { Stop-Process -Id $_.Id -Force -ErrorAction SilentlyContinue } }
}

Write-Host "Haniwers benchmark ($(Get-Date -Format s), $([Environment]::ProcessorCount) cores)" -ForegroundColor Cyan
& dotnet $BenchPath parser

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-bench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$device = $null
try {
    $device = Start-BenchDevice 'scan' 'seed=1'
    & dotnet $BenchPath write-rtt $device.Host 300

    # per-step overhead: consecutive window openings minus the window, text firmware
    $duration = 0.05
    foreach ($case in @(@{ Name = 'default settings (settle 0.1 s, included)'; Settle = @{} }, @{ Name = '-SettleTime 0'; Settle = @{ SettleTime = 0 } })) {
        $settings = $case.Settle
        $rows = Invoke-HaniwersParallelScan -PortName $device.Host -Center 280, 300, 260 -NSteps 50 -StepSize 1 -Duration $duration @settings -OutputDirectory "$work/overhead-$($settings.Count)"
        $opens = $rows | Where-Object Channel -eq 1 | Sort-Object Step | ForEach-Object { $_.Timestamp }
        $overheads = for ($i = 1; $i -lt $opens.Count; $i++) { ($opens[$i] - $opens[$i - 1]).TotalMilliseconds - $duration * 1000 }
        "parallel scan per-step time beyond the window over the pty, {0}: median {1:0.0} ms, p95 {2:0.0} ms ({3} steps)" -f $case.Name, (Get-Percentile $overheads 0.5), (Get-Percentile $overheads 0.95), $overheads.Count
    }

    # parallel vs serial, same ranges
    $range = @{ PortName = $device.Host; Center = 280, 300, 260; NSteps = 5; StepSize = 4; Duration = 0.2; SettleTime = 0 }
    $parallel = Measure-Command { Invoke-HaniwersParallelScan @range -OutputDirectory "$work/parallel" | Out-Null }
    $serial = Measure-Command { Invoke-HaniwersSerialScan @range -OutputDirectory "$work/serial" | Out-Null }
    "wall time parallel / serial for the same ranges (11 steps x 3 channels, 0.2 s windows): {0:0.000} ({1:0.00} s / {2:0.00} s; target <= 0.34)" -f ($parallel.TotalSeconds / $serial.TotalSeconds), $parallel.TotalSeconds, $serial.TotalSeconds

    # soak: 10,000 steps over the pty (ten scans of 1,001 steps; the DAC range holds at most 1,023 values)
    $marks = [ordered]@{}
    $steps = 0
    $soak = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($run in 1..10) {
        Invoke-HaniwersParallelScan -PortName $device.Host -Center 512 -NSteps 500 -StepSize 1 -Duration 0.001 -SettleTime 0 -OutputDirectory "$work/soak" | ForEach-Object {
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
    Stop-BenchDevice $device
}

& dotnet $BenchPath fit
& dotnet $BenchPath adaptive 20 1
# the errors' coverage over a pty, in real time (about 10 minutes)
& (Join-Path $PSScriptRoot 'Invoke-PtyCoverage.ps1') -ModulePath $ModulePath -SimulatorPath $SimulatorPath -Runs 20

# data taking over a pty: 1,000,000 events the simulator numbers; the run keeps the one after the
# count the simulator logged when the run's stream started, and every one after it, once
$device = $null
try {
    $device = Start-BenchDevice 'daq' 'seed=2,numbered,noise-rate=30000'
    $elapsed = Measure-Command { Invoke-HaniwersDaq -PortName $device.Host -OutputDirectory "$work/daq" -EventsPerFile 100000 -FileCount 10 -Threshold 200 -InformationVariable info }
    $summary = ($info | Where-Object Tags -contains Summary).MessageData
    $started = [long]([regex]::Match((Get-Content $device.Log | Where-Object { $_ -like 'STREAM 1 *' } | Select-Object -Last 1), 'sent=(\d+)').Groups[1].Value)
    $expected = $started + 1; $missing = 0; $doubled = 0; $rows = 0; $malformed = 0
    foreach ($file in Get-ChildItem "$work/daq" -Filter 'data_*.csv' | Sort-Object Name) {
        foreach ($line in [IO.File]::ReadLines($file.FullName)) {
            $fields = $line.Split(',')
            if ($fields.Count -ne 8) { $malformed++; continue }
            $number = [long]$fields[4]
            if ($number -gt $expected) { $missing += $number - $expected } elseif ($number -lt $expected) { $doubled++ }
            $expected = $number + 1
            $rows++
        }
    }
    "DAQ over the pty from the served simulator: {0:N0} events in {1} files in {2:0.0} s ({3:N0} events/s); first kept = the first sent after the start: {4}; {5} missing, {6} doubled, {7} malformed rows" -f $rows, @(Get-ChildItem "$work/daq" -Filter 'data_*.csv').Count, $elapsed.TotalSeconds, ($rows / $elapsed.TotalSeconds), ($rows -gt 0 -and [long](Get-Content (Get-ChildItem "$work/daq" -Filter 'data_*.csv' | Sort-Object Name | Select-Object -First 1).FullName -TotalCount 1).Split(',')[4] -eq $started + 1), $missing, $doubled, $malformed
}
finally {
    Stop-BenchDevice $device
    Remove-Item "$work/daq" -Recurse -Force -ErrorAction SilentlyContinue
}

# 10 million events in process: memory, continuity, then the reading speed of those files
& dotnet $BenchPath daq-memory 10000000 "$work/daq-10m"
& dotnet $BenchPath rate-speed "$work/daq-10m"
$python = @(Get-Command python3 -All -CommandType Application -ErrorAction SilentlyContinue) + @(Get-Item /usr/bin/python3 -ErrorAction SilentlyContinue) |
    ForEach-Object { if ($_.Source) { $_.Source } else { $_.FullName } } | Where-Object { & $_ -c 'import pandas' 2>$null; $LASTEXITCODE -eq 0 } | Select-Object -First 1
if ($python) {
    $files = @(Get-ChildItem "$work/daq-10m" -Filter 'data_*.csv' | Sort-Object Name | Select-Object -First 10).FullName
    $ours = Measure-Command { Measure-HaniwersRate -Path $files -Interval 600 -TimeZone UTC+09:00 -Format Haniwers -OutputPath "$work/ours.csv" | Out-Null }
    $theirs = Measure-Command { & $python (Join-Path $PSScriptRoot 'haniwers_resample.py') "$work/theirs.csv" 600 'UTC+09:00' 0 @files }
    $same = -not (Compare-Object (Get-Content "$work/ours.csv") (Get-Content "$work/theirs.csv"))
    "1,000,000 raw lines to haniwers' resampled.csv: Measure-HaniwersRate {0:0.00} s, haniwers' aggregation in pandas {1:0.00} s ({2:0}x); the two files are {3}" -f $ours.TotalSeconds, $theirs.TotalSeconds, ($theirs.TotalSeconds / $ours.TotalSeconds), $(if ($same) { 'identical' } else { 'DIFFERENT' })
} else {
    'haniwers'' aggregation not timed: no python3 with pandas here (apt-get install python3-pandas)'
}
Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
