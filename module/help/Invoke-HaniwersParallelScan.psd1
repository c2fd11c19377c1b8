@{
    Synopsis    = 'Runs a parallel threshold scan: all three channels step together, one measurement window per step.'
    Description = @'
Invoke-HaniwersParallelScan steps the thresholds of all three channels together: step i sets every channel to its i-th value (one pause of the event stream), waits the settle time, counts hits for one window, and writes one result per channel. A scan of N steps takes N windows, where a serial scan takes 3N. Every channel must therefore have the same number of steps; a configuration that does not is refused before the device is touched, with a message listing each channel's range and step count.

Every completed step is written to scan_results_ch<N>.csv (one file per channel, header once, appended across runs, flushed to disk before the next step), every threshold write attempt to threshold_operations.csv, and the run's start, skipped steps, interruption and end summary to run_journal.jsonl, all in the run folder (<workspace>/<yyyyMMdd>/, or exactly -OutputDirectory). The CSV columns are the result object's properties, so Import-Csv gives back objects that bind to the next command by property name. A file with another header is never appended to: the scan refuses to start and says why. Each step is written under a small write-ahead protocol (an intent with the file lengths in the journal, the rows in every channel's file, a commit): whatever instant the process dies, the next command that opens the folder removes a step that is not in every file, cuts off a half-written line, keeps what it removed in the journal and says so in a warning (docs/crash-protocol.md in the module folder). A second scan writing into the same folder at the same time is refused (ErrorId ScanInProgress).

Each threshold write is retried with backoff. Every window is checked before its rows are written: a window during which the link was lost, the board reset (boot text), the reader fell behind, too many lines were malformed, or the device was implausibly silent is measured once more, with every threshold rewritten after a reset or a lost link (a warning says why). A step where any channel cannot be set, or whose window is rejected twice, is skipped whole: no row for any channel. A skipped step is reported as a non-terminating error (ErrorId StepSkipped, the step and its reason as target object), and the scan goes on; a lost link is reopened with backoff for up to -ReconnectTimeout seconds. After -MaxConsecutiveFailures failed steps in a row the scan stops (ErrorId TooManyFailedSteps). Ctrl+C, Stop-Job, SIGTERM and SIGHUP stop the scan within a second: the current window is abandoned, the rows already written stay intact, the journal records the interruption (after a signal the process then exits with 143 or 129). An output that cannot be written (disk full, read-only folder, a path that is a file) ends the scan with its own ErrorId (OutputDiskFull, OutputNotWritable, OutputPathIsFile, ...) and the outcome Failed; the folder is proven writable before the port opens.

The configuration is checked first, with Test-HaniwersThresholdConfig's rules; a problem stops the scan before the port is opened. The summary (planned, completed and skipped steps, files, elapsed time) goes to the information stream with the tag Summary. Write-Progress shows the step, the thresholds, and the time left.
'@
    Parameters  = @{
        PortName = 'The detector: a serial port (COM3, /dev/ttyUSB0), tcp://HOST:PORT for a serial-to-network bridge, auto, or sim for the simulated detector. Overrides [device] port; with no configuration at all the scan runs on sim.'
        Firmware = 'The firmware dialect: Text (default) or Binary (legacy OSECHI). Overrides [device] firmware.'
        ConfigPath = 'A haniwers config.toml (or .psd1) with [device], [sampler] and [sensors.ch1]..[sensors.ch3]. Relative to the current location.'
        Config = 'A configuration object from Import-HaniwersConfig, or a hashtable of the same shape.'
        Duration = 'Seconds per measurement window. Overrides [sampler] duration (default 10; 1 with no configuration).'
        Center = 'Scan centres, one per channel (ch1, ch2, ch3), or one for all. With -NSteps and -StepSize a quick scan needs no file: each channel scans Center - NSteps*StepSize .. Center + NSteps*StepSize.'
        NSteps = 'Steps on each side of the centre, for every channel (the scan has 2*NSteps+1 values).'
        StepSize = 'DAC units between two steps, for every channel.'
        OutputDirectory = 'The folder for this run''s files, exactly. By default <workspace>/<yyyyMMdd>/ as haniwers does.'
        Retry = 'Attempts per threshold write (1 = no retry). Overrides [sampler] max_retry.'
        SettleTime = 'Seconds to wait after the thresholds are set before the window opens. Overrides [sampler] settle_time (default 0.1).'
        MaxConsecutiveFailures = 'The scan stops after this many failed steps in a row, so a dead device does not "scan" for hours. Overrides [sampler] max_consecutive_failures (default 5).'
        NoRestore = 'Leaves the detector at the last step''s thresholds. Without it every scan, whether it completes, is stopped (Ctrl+C, a signal) or fails while the link is up, ends by writing back the thresholds it found: each channel''s numeric threshold in the configuration, else the one this module last wrote to this device (Set-HaniwersThreshold, a DAQ run, an earlier scan''s write-back; remembered per device and user across sessions); a channel with neither is left at the last step, with a warning before the scan starts. The write-back is logged in threshold_operations.csv and the journal (restored), told in the line the scan ends with, and shown by Get-HaniwersRun (Restore).'
        Resume = 'Goes on with the latest unfinished run in the folder (-OutputDirectory, or the day folder): one that was interrupted, aborted, failed or killed, or that skipped steps. Exactly the steps of its recorded plan that have no rows yet are measured, under the same RunId, appending to the same files; the journal records resumed with those steps. Refused, before the port opens and with the reason as ErrorId, when there is nothing to resume (NothingToResume), when the run was the other kind of scan (ResumeModeMismatch), when a plan given with -Center, -NSteps, -StepSize, -Duration or a configuration differs from the recorded one (ResumePlanMismatch, naming the key), or when the files no longer hold the rows the journal committed (ResumeFilesChanged). With -WhatIf it lists the steps it would measure and the time.'
        ReconnectTimeout = 'Seconds to keep reopening a lost link (a cable pulled and plugged back, a board that re-enumerates) before the step fails. Overrides [sampler] reconnect_timeout (default 30). 0 tries once.'
        WhatIf = 'Prints the plan (each channel''s range and steps, the windows, the estimated time, the output folder) and touches neither the port nor the disk.'
        Confirm = 'Asks before the scan starts.'
    }
    Inputs      = @()
    Outputs     = @(@{ Type = 'Haniwers.Scanning.ScanResult'; Description = 'One object per channel per completed step: Timestamp, RunId, Mode, Step, Channel, Threshold, DurationSeconds, Events, Rate, RateError, Triggers, Temperature, Pressure, Humidity.' })
    Examples    = @(
        @{
            Title   = 'A quick scan of the simulated detector'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 3 -StepSize 10 -Duration 0.2 -OutputDirectory ./run
'@
            Remarks = 'Seven steps of 0.2 s around each channel''s noise edge; the results are shown as a table and saved in ./run.'
        }
        @{
            Title   = 'See the plan without running it'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -Center 280 -NSteps 10 -StepSize 2 -Duration 60 -WhatIf
'@
            Remarks = 'Prints each channel''s range, the 21 windows and the estimated 21 minutes; nothing is opened or written.'
        }
        @{
            Title   = 'Scan with a haniwers config.toml and keep only the busy steps'
            Code    = @'
Set-Content ./config.toml -Value @"
[device]
port = "sim"
[sampler]
duration = 0.2
settle_time = 0
[sensors.ch1]
center = 280
nsteps = 2
step_size = 10
[sensors.ch2]
center = 300
nsteps = 2
step_size = 10
[sensors.ch3]
center = 260
nsteps = 2
step_size = 10
"@
Invoke-HaniwersParallelScan -ConfigPath ./config.toml -OutputDirectory ./run | Where-Object Rate -gt 50
'@
            Remarks = 'The scans objects flow into Where-Object; the CSV files in ./run keep every row.'
        }
        @{
            Title   = 'Read a scan back and summarise it'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -NSteps 2 -StepSize 10 -Duration 0.2 -OutputDirectory ./run | Out-Null
Import-Csv ./run/scan_results_ch1.csv | Measure-Object -Property Events -Sum -Maximum
'@
            Remarks = 'Import-Csv gives back rows with the same column names as the objects.'
        }
    )
    Notes       = 'The Python tool haniwers spends at least 0.3 s per channel write in fixed sleeps; this scan waits only for the device''s answers and the settle time. For an unattended run from a scheduled task, use -ConfigPath with an absolute path and -InformationVariable or the journal to read the summary.'
    Links       = @('Invoke-HaniwersSerialScan', 'Test-HaniwersThresholdConfig', 'Set-HaniwersThreshold')
}
