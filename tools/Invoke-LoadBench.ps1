<#
.SYNOPSIS
    The window checks and data taking on a busy computer (docs/window-checks.md, "Proved on a loaded
    machine"): under the load of tools/LoadHarness.psm1, with the scanning process itself frozen for
    0.3 to 0.5 s at random moments, against the served simulator over a socat pty pair.
.DESCRIPTION
    Prints, with the load it ran under:
    - a 51-step parallel scan of a healthy detector: steps skipped, windows measured again, freezes,
      and the rows against the simulator's known rates (pulls: a window counted wrongly stands out);
    - 0.5 s pauses of the device inside 1.5 s windows: windows measured again for a silence, and rows;
    - a board reset inside a window: measured again, and every row at the scan's thresholds;
    - data taking of numbered events: missing, doubled, link losses and the outcome (Get-HaniwersRun).
    The simulator stands for the detector's own hardware, which the host's load does not slow: it
    runs at a higher priority where the machine allows (root), and sends from a deep buffer.
    Nothing here asserts: the figures are for reading.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
Import-Module (Join-Path $PSScriptRoot 'LoadHarness.psm1') -Force

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-loadbench-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$isRoot = (& id -u) -eq '0'

function Wait-ForFile([string] $Path, [string] $Pattern) {
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not ((Test-Path $Path) -and ($Pattern -eq '' -or (Get-Content $Path -Raw) -match $Pattern))) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out waiting for $Path" }
        Start-Sleep -Milliseconds 20
    }
}

function Start-Device([string] $Name, [string] $Options) {
    $socat = Start-Process socat -ArgumentList "pty,raw,echo=0,link=$work/$Name-host", "pty,raw,echo=0,link=$work/$Name-device" -PassThru
    Wait-ForFile "$work/$Name-device" ''
    $arguments = @($SimulatorPath, '--serial', "$work/$Name-device", '--options', $Options, '--log', "$work/$Name-sim.log")
    $simulator = if ($isRoot) { Start-Process nice -ArgumentList (@('-n', '-10', 'dotnet') + $arguments) -PassThru } else { Start-Process dotnet -ArgumentList $arguments -PassThru }
    Wait-ForFile "$work/$Name-sim.log" 'READY'
    [pscustomobject]@{ Host = "$work/$Name-host"; Log = "$work/$Name-sim.log"; Processes = @($simulator, $socat) }
}

function Stop-Device($Device) {
    if ($Device) { $Device.Processes | ForEach-Object { Stop-Process -Id $_.Id -Force -ErrorAction SilentlyContinue } }
}

# Runs $Script in a new pwsh with the module, freezing that process at random moments until it ends.
function Invoke-Frozen([string] $Script, [int] $TimeoutSeconds = 300) {
    $file = Join-Path $work ("child-" + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.ps1')
    Set-Content $file "Import-Module '$ModulePath'`n`$ErrorActionPreference = 'Continue'`n$Script"
    $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    [string[]] $prefix = if ($pwsh -match 'dotnet(\.exe)?$') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    $child = Start-Process $pwsh -ArgumentList ($prefix + @('-NoProfile', '-NonInteractive', '-File', $file)) -PassThru -RedirectStandardOutput "$file.out" -RedirectStandardError "$file.err"
    $freezer = Start-ProcessFreezer -ProcessId $child.Id
    try {
        if (-not $child.WaitForExit($TimeoutSeconds * 1000)) { Stop-Process -Id $child.Id -Force; throw "the frozen run did not end within $TimeoutSeconds s" }
    } finally { Stop-ProcessFreezer $freezer }
    $freezes = Get-Freezes $freezer
    [pscustomobject]@{ Freezes = $freezes.Count; FrozenSeconds = ($freezes | Measure-Object Seconds -Sum).Sum; ExitCode = $child.ExitCode }
}

function Read-Journal([string] $Folder) { @(Get-Content (Join-Path $Folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json }) }

# Each row against the simulator's known rate at its threshold: (events - expected) / sqrt(expected).
function Measure-Pulls([string] $Folder, [string] $Options) {
    $model = [Haniwers.Simulation.SimulatorOptions]::Parse($Options)
    $pulls = foreach ($ch in 1..3) {
        foreach ($row in Import-Csv (Join-Path $Folder "scan_results_ch$ch.csv")) {
            $expected = $model.ExpectedRate($ch, [int]$row.Threshold) * [double]$row.DurationSeconds
            ([double]$row.Events - $expected) / [math]::Sqrt([math]::Max($expected, 1e-9))
        }
    }
    $mean = ($pulls | Measure-Object -Average).Average
    $width = [math]::Sqrt(($pulls | ForEach-Object { ($_ - $mean) * ($_ - $mean) } | Measure-Object -Sum).Sum / [math]::Max($pulls.Count - 1, 1))
    [pscustomobject]@{ Rows = $pulls.Count; Mean = $mean; Width = $width; Largest = ($pulls | ForEach-Object { [math]::Abs($_) } | Measure-Object -Maximum).Maximum; Beyond5 = @($pulls | Where-Object { [math]::Abs($_) -gt 5 }).Count }
}

function Format-Pulls($p) { 'rows against the known rates: {0} rows, pull mean {1:+0.00;-0.00}, width {2:0.00}, largest |pull| {3:0.0}, {4} beyond 5' -f $p.Rows, $p.Mean, $p.Width, $p.Largest, $p.Beyond5 }

function Get-Remeasured($Journal, [string] $Pattern) { @($Journal | Where-Object { $_.event -eq 'remeasured' -and $_.reason -match $Pattern }).Count }

$load = Start-HostLoad -Folder $work
$loadSamples = [System.Collections.Generic.List[double]]::new()
$sampler = [System.Timers.Timer]::new(2000)
Register-ObjectEvent $sampler Elapsed -Action { $null = $Event.MessageData.Add((Get-LoadAverage)) } -MessageData $loadSamples | Out-Null
$sampler.Start()
Write-Host "Under load: $($load.Description); the scanning process frozen for 0.3 to 0.5 s every 1 to 5 s (SIGSTOP, SIGCONT)." -ForegroundColor Cyan
try {
    # 1. a healthy detector, 51 steps of 1 s across the edges
    $options = 'seed=81'
    $device = Start-Device 'healthy' $options
    try {
        $folder = "$work/healthy"
        $run = Invoke-Frozen "Invoke-HaniwersParallelScan -PortName '$($device.Host)' -Center 280, 300, 260 -NSteps 25 -StepSize 4 -Duration 1 -OutputDirectory '$folder' | Out-Null"
        $journal = Read-Journal $folder
        $end = $journal | Where-Object event -eq 'end' | Select-Object -Last 1
        '51-step parallel scan of a healthy detector, under load, {0} freezes ({1:0.0} s frozen): outcome {2}, {3} steps measured, {4} skipped, {5} windows measured again; {6}' -f $run.Freezes, $run.FrozenSeconds, $end.outcome, @($journal | Where-Object event -eq 'commit').Count, @($journal | Where-Object event -eq 'skipped').Count, (Get-Remeasured $journal '.'), (Format-Pulls (Measure-Pulls $folder $options))
    } finally { Stop-Device $device }

    # 2. the device pauses for 0.5 s every 5.3 s, at 600 events/s: inside windows, each pause must be caught
    $options = 'seed=82,midpoint=700,stall-after=3,stall-every=5.3,stall-for=0.5'
    $device = Start-Device 'pauses' $options
    try {
        $folder = "$work/pauses"
        $run = Invoke-Frozen "Invoke-HaniwersParallelScan -PortName '$($device.Host)' -Center 280, 300, 260 -NSteps 7 -StepSize 2 -Duration 1.5 -OutputDirectory '$folder' | Out-Null"
        $journal = Read-Journal $folder
        # a pause that lies inside a window whose rows were kept for longer than the checks can resolve (0.25 s) is one they missed
        $pauses = @(Get-Content $device.Log | Where-Object { $_ -like 'STALL *' } | ForEach-Object { $f = $_.Split(' '); [pscustomobject]@{ From = [DateTimeOffset]::Parse($f[1], [cultureinfo]::InvariantCulture); Seconds = [double]::Parse($f[2], [cultureinfo]::InvariantCulture) } })
        $kept = @(Import-Csv "$folder/scan_results_ch1.csv" | ForEach-Object { [pscustomobject]@{ From = [DateTimeOffset]::Parse($_.Timestamp, [cultureinfo]::InvariantCulture); Seconds = [double]$_.DurationSeconds } })
        $overlap = { param($p, $w) ([math]::Min($p.From.AddSeconds($p.Seconds).UtcTicks, $w.From.AddSeconds($w.Seconds).UtcTicks) - [math]::Max($p.From.UtcTicks, $w.From.UtcTicks)) / 1e7 }
        $inside = @($pauses | Where-Object { $p = $_; $kept | Where-Object { (& $overlap $p $_) -gt 0 } }).Count
        $missed = @($pauses | Where-Object { $p = $_; $kept | Where-Object { (& $overlap $p $_) -ge 0.25 } }).Count
        '0.5 s device pauses inside 1.5 s windows at 600 events/s, under load, {0} freezes: {1} pauses; {2} windows measured again for a silence or a stall, {3} for other reasons, {4} steps skipped; {5} pauses overlap a window whose rows were kept by less than the 0.25 s the checks resolve, {6} by more (missed); {7}' -f $run.Freezes, $pauses.Count, (Get-Remeasured $journal 'silent|stall|stopped sending'), (Get-Remeasured $journal '^(?!.*(silent|stall|stopped sending))'), @($journal | Where-Object event -eq 'skipped').Count, ($inside - $missed), $missed, (Format-Pulls (Measure-Pulls $folder $options))
    } finally { Stop-Device $device }

    # 3. a board reset inside a window, thresholds above the edges (a row at the power-on thresholds would be 100 times too high)
    $options = 'seed=83,reset-after=8,power-on=100'
    $device = Start-Device 'reset' $options
    try {
        $folder = "$work/reset"
        $run = Invoke-Frozen "Invoke-HaniwersParallelScan -PortName '$($device.Host)' -Center 320, 340, 300 -NSteps 5 -StepSize 2 -Duration 1.5 -OutputDirectory '$folder' | Out-Null"
        $journal = Read-Journal $folder
        'a board reset inside a window, under load, {0} freezes: {1} window(s) measured again for the reset, {2} steps skipped; {3}' -f $run.Freezes, (Get-Remeasured $journal 'reset'), @($journal | Where-Object event -eq 'skipped').Count, (Format-Pulls (Measure-Pulls $folder $options))
    } finally { Stop-Device $device }

    # 4. data taking of numbered events, 3 files of 10 s at about 2,100 events/s
    $device = Start-Device 'daq' 'seed=84,numbered,noise-rate=700'
    try {
        $folder = "$work/daq"
        $run = Invoke-Frozen "Invoke-HaniwersDaq -PortName '$($device.Host)' -OutputDirectory '$folder' -Threshold 200 -Mode TimeBased -FileDuration 10 -FileCount 3"
        $expected = [long]([regex]::Match((Get-Content $device.Log | Where-Object { $_ -like 'STREAM 1 *' } | Select-Object -Last 1), 'sent=(\d+)').Groups[1].Value) + 1
        $missing = 0; $doubled = 0; $rows = 0; $gaps = [System.Collections.Generic.List[string]]::new()
        foreach ($file in Get-ChildItem $folder -Filter 'data_*.csv' | Sort-Object Name) {
            foreach ($line in [IO.File]::ReadLines($file.FullName)) {
                $number = [long]$line.Split(',')[4]
                if ($number -ne $expected -and $gaps.Count -lt 3) { $gaps.Add("$expected..$($number - 1) before row $($rows + 1) of $($file.Name)") }
                if ($number -gt $expected) { $missing += $number - $expected } elseif ($number -lt $expected) { $doubled++ }
                $expected = $number + 1
                $rows++
            }
        }
        $report = Get-HaniwersRun -LiteralPath $folder | Select-Object -Last 1
        'data taking of numbered events, under load, {0} freezes ({1:0.0} s frozen): {2:N0} events, {3} missing, {4} doubled{8}; Get-HaniwersRun: outcome {5}, {6} link losses (reconnects), {7} lines dropped' -f $run.Freezes, $run.FrozenSeconds, $rows, $missing, $doubled, $report.Outcome, $report.Reconnects, $report.DroppedLines, $(if ($gaps.Count) { ' (' + ($gaps -join '; ') + ')' } else { '' })
    } finally { Stop-Device $device }
} finally {
    $sampler.Stop()
    Stop-HostLoad $load
    Get-EventSubscriber | Unregister-Event
    if ($loadSamples.Count) { 'load average during these runs: {0:0.0} to {1:0.0} (mean {2:0.0}) on {3} cores' -f ($loadSamples | Measure-Object -Minimum).Minimum, ($loadSamples | Measure-Object -Maximum).Maximum, ($loadSamples | Measure-Object -Average).Average, [Environment]::ProcessorCount }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
