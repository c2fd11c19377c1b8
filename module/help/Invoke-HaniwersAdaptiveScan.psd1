@{
    Synopsis    = 'Finds each channel''s threshold to a precision you ask for, measuring as few windows as it can.'
    Description = @'
Invoke-HaniwersAdaptiveScan takes the parallel scan's parameters: each channel may be measured at any integer threshold within its configured range (Center - NSteps*StepSize .. Center + NSteps*StepSize; with -OnGrid only in steps of StepSize). It starts with a short coarse sweep (five quarter-length windows over the middle of each range), then fits each channel after every window with the same weighted S-curve fit as Measure-HaniwersThreshold and, for every channel on its own, sets the next window where one more window shrinks the uncertainty of that channel's threshold (Mean + Sigma*Sigma, as -Sigma says) the most. That place is worked out from the Poisson model of the fit (its Fisher information): usually just above the noise edge, where few events fall and the curve still bends. A channel without an accepted fit yet is searched where its rate changes most between measured neighbours. A channel that has reached its target is still measured while the others need windows: in a parallel window its point is free.

The scan stops when every channel's threshold error (ThresholdError, one standard error from the covariance of Mean and Sigma, scaled up where the windows scatter more than Poisson allows) is at or below -TargetError and its windows agree with each other as Poisson counts do. It never takes longer than the fixed grid of the same range and window length would (the windows, settle time and writes, counted as it goes): when the target cannot be reached in that time, it stops, ends Incomplete and a warning names each channel that did not reach it, how far it is and why. -MaxDuration replaces that limit by your own; -MaxSteps caps the windows. The errors it reports are those of the fit Measure-HaniwersThreshold would run on the same rows: the scan never claims a precision its data do not have.

Rows go to the same scan_results_ch<N>.csv files with Mode Adaptive, one per channel per window, so Measure-HaniwersThreshold and every other reader keep working. Progress shows each channel's current threshold and error; the journal records why each window's thresholds were chosen (a decision record, one line per window). Retries, window checks, skipping, Ctrl+C, crash safety and -Resume behave as in the other scans; a resumed adaptive scan goes on from the points the run has.
'@
    Parameters  = @{
        PortName = 'The detector: a serial port (COM3, /dev/ttyUSB0), tcp://HOST:PORT, auto, or sim for the simulated detector. Overrides [device] port.'
        Firmware = 'The firmware dialect: Text (default) or Binary (legacy OSECHI). Overrides [device] firmware.'
        ConfigPath = 'A haniwers config.toml (or .psd1): the ranges it may explore come from [sensors.chN] center, nsteps and step_size.'
        Config = 'A configuration object from Import-HaniwersConfig, or a hashtable of the same shape.'
        Duration = 'Seconds per measurement window (the coarse sweep uses a quarter of it); windows are made longer where the settle time and writes would take more than a fifth of their wall time. Overrides [sampler] duration.'
        Center = 'Centres of the ranges it may explore, one per channel or one for all.'
        NSteps = 'Grid points on each side of the centre.'
        StepSize = 'DAC units between grid points: the thresholds it may choose.'
        OutputDirectory = 'The folder for this run''s files, exactly. By default <workspace>/<yyyyMMdd>/.'
        Retry = 'Attempts per threshold write (1 = no retry). Overrides [sampler] max_retry.'
        SettleTime = 'Seconds to wait after the thresholds are set. Overrides [sampler] settle_time.'
        MaxConsecutiveFailures = 'The scan stops after this many failed windows in a row. Overrides [sampler] max_consecutive_failures.'
        ReconnectTimeout = 'Seconds to keep reopening a lost link before a window fails. Overrides [sampler] reconnect_timeout.'
        NoRestore = 'Leaves the detector at the last step''s thresholds. Without it every scan, whether it completes, is stopped (Ctrl+C, a signal) or fails while the link is up, ends by writing back the thresholds it found: each channel''s numeric threshold in the configuration, else the one this module last wrote to this device (Set-HaniwersThreshold, a DAQ run, an earlier scan''s write-back; remembered per device and user across sessions); a channel with neither is left at the last step, with a warning before the scan starts. The write-back is logged in threshold_operations.csv and the journal (restored), told in the line the scan ends with, and shown by Get-HaniwersRun (Restore).'
        Resume = 'Goes on with the folder''s latest adaptive run that did not end Completed, from the points it has.'
        TargetError = 'The precision wanted for every channel''s threshold, in DAC units (one standard error; default 1).'
        MaxSteps = 'The most windows it may measure (default 200).'
        MaxDuration = 'The most seconds it may take (windows, settle time and writes), instead of the fixed grid''s time, which it otherwise never exceeds.'
        Prior = 'Earlier fits of the same detector to start from: Measure-HaniwersThreshold''s output (piped in, or by name), or the folder of an earlier scan. The first windows go around each prior''s edge; after every window the prior is checked against this run''s points (its edge held fixed, any height and baseline) and discarded, with a warning, when they contradict it. The result is always the fit of this run''s own rows.'
        OnGrid = 'Measures only the grid''s values (Center + i*StepSize), the rows a fixed scan could have made; by default any integer threshold within the range.'
        Sigma = 'k of the threshold Mean + k*Sigma, as in Measure-HaniwersThreshold (default 3).'
        WhatIf = 'Prints the ranges, the target and the most time it may take; touches neither the port nor the disk.'
        Confirm = 'Asks before the scan starts.'
    }
    Inputs      = @(@{ Type = 'Haniwers.Analysis.ThresholdFit'; Description = 'Fits from Measure-HaniwersThreshold, taken as -Prior.' })
    Outputs     = @(@{ Type = 'Haniwers.Scanning.ScanResult'; Description = 'One object per channel per window, Mode Adaptive.' })
    Examples    = @(
        @{
            Title   = 'Each threshold to two DAC units on the simulated detector'
            Code    = @'
Invoke-HaniwersAdaptiveScan -PortName sim -Center 280, 300, 260 -NSteps 25 -StepSize 2 -Duration 0.3 -SettleTime 0 -TargetError 2 -OutputDirectory ./adaptive | Measure-HaniwersThreshold
'@
            Remarks = 'The fits of the adaptive scan''s rows: each Threshold with a ThresholdError of about 2 or less, from a fraction of the windows a full grid would take.'
        }
        @{
            Title   = 'This week''s scan, starting from last week''s'
            Code    = @'
Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' -Center 280, 300, 260 -NSteps 50 -StepSize 2 -Duration 0.3 -SettleTime 0 -TargetError 3 -OutputDirectory ./last-week | Out-Null
Measure-HaniwersThreshold -Path ./last-week | Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=2,instant' -Center 280, 300, 260 -NSteps 50 -StepSize 2 -Duration 0.3 -SettleTime 0 -TargetError 3 -OutputDirectory ./this-week
'@
            Remarks = 'The first windows go around last week''s edges instead of across the whole range; if this week''s windows contradict a channel''s prior (its edge moved), a warning says so and that channel goes on as without one.'
        }
        @{
            Title   = 'See the plan and the longest it may take'
            Code    = 'Invoke-HaniwersAdaptiveScan -PortName sim -Center 280 -NSteps 25 -StepSize 2 -Duration 10 -TargetError 0.5 -MaxSteps 60 -WhatIf'
            Remarks = 'Prints the ranges, the target and at most 60 windows of 10 s; nothing is opened or written.'
        }
    )
    Notes       = 'The rule and why it works: docs/adaptive-scan.md in the module folder. On 20 different simulated detectors it reaches the precision of a 51-window grid in about 39% of the grid''s wall time (at most 58%); no design can go below about 26%.'
    Links       = @('Invoke-HaniwersParallelScan', 'Measure-HaniwersThreshold')
}
