@{
    Synopsis    = 'Fits each channel''s S-curve from a threshold scan and suggests the threshold to use.'
    Description = @'
Measure-HaniwersThreshold fits, per channel, the count rate against threshold with the falling S-curve

    rate(x) = (Height/2) * erfc((x - Mean) / (sqrt(2) * Sigma)) + Baseline

by weighted nonlinear least squares (Levenberg-Marquardt, MathNet.Numerics). The weights are Poisson: a first pass uses each point's RateError (a window without events counts as one event, so it still has a finite error), a second pass the variances of the first pass's curve, which removes the pull towards windows that fluctuated low. Starting values are read off the data (the half-way, 16% and 84% crossings, the lowest and highest rates), so the fit converges on any detector without hand-tuned guesses.

Each result gives Mean and Sigma with their errors, Height, Baseline, ChiSquare, DegreesOfFreedom, Points, Converged, the thresholds at 0, 1, 3 and 5 sigma (round(Mean + k*Sigma)) and Threshold, the recommended one (-Sigma k, default 3).

A threshold is recommended only when the data resolve the edge. The acceptance rule, in order: the fit converged; every parameter error can be computed; the edge stands out (Height at least 5 times its error); no parameter ran to the limit of its search range; the fit moved from its starting values; Mean lies inside the scanned range; at least 3 scanned thresholds lie within Mean +/- 2 Sigma; MeanError is at most Sigma and SigmaError at most half of Sigma; a weighted fit's chi-square/ndf is at most 10; the recommended threshold lies inside the scanned range. A fit that fails a rule has Converged False, no Threshold (nor Threshold0Sigma..Threshold5Sigma), the rule it failed in Rejection and in Warnings, and a warning; Set-HaniwersThreshold refuses it. Other warnings (never fatal) say there are fewer than 20 points or chi-square/ndf is far from 1. A channel that cannot be fitted at all (fewer than 5 thresholds, no event anywhere) is a non-terminating error (ErrorId FitFailed); the other channels still come out.

Runs are never mixed by accident: when the points come from several runs (a day folder collects every run of the day; a haniwers file appends every run, and a run ends where a channel's threshold stops rising), the latest run (measured last) is fitted and a verbose line says so; -ByRun fits each run, -AllRuns pools them deliberately. Every fit carries its RunId (the runs pooled, comma-separated, with -AllRuns).

The Python tool haniwers writes the same curve as a*erfc((x-b)/c)+d: a = Height/2, b = Mean, c = sqrt(2)*Sigma, d = Baseline, so its "3 sigma" threshold b + 3c is Mean + 4.24*Sigma here. -Convention Haniwers reports thresholds exactly as it does, for comparison with past results; -Unweighted fits without weights, as it does.

Input: the scan cmdlets' objects or Import-Csv rows from the pipeline (bound by the property names Channel, Threshold, Events, DurationSeconds, and RunId), any mix of channels; or -Path with scan CSV files or run folders, including the Python tool's headerless parallel.csv and serial.csv. The results pipe into Set-HaniwersThreshold, which applies each channel's Threshold.
'@
    Parameters  = @{
        Path            = 'Scan files or run folders: scan_results_ch1..3.csv, any CSV with Channel, Threshold, Events and DurationSeconds columns, or haniwers parallel.csv / serial.csv (8 columns without header; in serial.csv rows where a channel sits at 1000 or more are not its scan).'
        LiteralPath     = 'Scan files or run folders taken as written, without wildcards (a folder named like /data/run [a]); also the FullName/PSPath of Get-ChildItem''s output from the pipeline.'
        Channel         = 'The channel of a point (1..3). Bound from the pipeline by property name.'
        Threshold       = 'The threshold of a point. Bound from the pipeline by property name.'
        Events          = 'Hits counted at that threshold. Bound from the pipeline by property name.'
        DurationSeconds = 'The window of a point, in seconds (from the pipeline by property name). With -Path it is the window of haniwers parallel.csv/serial.csv files, which do not record it (default 1: rates are then counts per window).'
        RunId           = 'The run of a point (from the pipeline by property name); used with -ByRun.'
        Timestamp       = 'When a point was measured (from the pipeline by property name): the latest run is the one measured last.'
        SuppressThreshold = 'With -Path: in a haniwers serial.csv the channels not scanned sit at this value or above (haniwers'' suppress_threshold, default 1000); their rows are not their points.'
        Sigma           = 'k of the recommended threshold, Mean + k*Sigma (default 3).'
        Convention      = 'Native (default): Mean + k*Sigma. Haniwers: b + k*c as the Python tool reports, that is Mean + k*sqrt(2)*Sigma.'
        Unweighted      = 'Fits without weights, as the Python tool does. Parameter errors are then scaled by the residual variance.'
        ByRun           = 'Fits each run (RunId) separately.'
        AllRuns         = 'Pools the points of every run into one fit per channel. Without -ByRun or -AllRuns only the latest run is fitted.'
        PlotPath        = 'Writes an SVG with a panel per channel: data with error bars, the fitted curve and the recommended threshold. Open it in a browser.'
        LogScale        = 'Draws the rate axis of the plot on a logarithmic scale.'
        OutputDirectory = 'Appends the fits to threshold_fits.csv in this folder (header once), as a history.'
        WhatIf          = 'Shows which files would be written (plot, history) without writing them.'
        Confirm         = 'Asks before writing the plot or the history.'
    }
    Inputs      = @(@{ Type = 'Haniwers.Scanning.ScanResult'; Description = 'Scan results, or any objects with Channel, Threshold, Events and DurationSeconds.' })
    Outputs     = @(@{ Type = 'Haniwers.Analysis.ThresholdFit'; Description = 'One fit per channel (per run with -ByRun).' })
    Examples    = @(
        @{
            Title   = 'Scan, fit, and see the thresholds'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 12 -StepSize 4 -Duration 0.2 -SettleTime 0 -OutputDirectory ./run |
    Measure-HaniwersThreshold
'@
            Remarks = 'The scan''s objects go straight into the fit: one result per channel, with the recommended threshold at Mean + 3 Sigma.'
        }
        @{
            Title   = 'Fit a run folder, draw the curves, keep a history'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 12 -StepSize 4 -Duration 0.2 -SettleTime 0 -OutputDirectory ./run | Out-Null
Measure-HaniwersThreshold -Path ./run -PlotPath ./run/scurves.svg -OutputDirectory ./run | Format-Table Channel, Mean, Sigma, Threshold
'@
            Remarks = 'Reads scan_results_ch1..3.csv, writes scurves.svg (one panel per channel) and appends to run/threshold_fits.csv.'
        }
        @{
            Title   = 'Apply the recommended thresholds'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 12 -StepSize 4 -Duration 0.2 -SettleTime 0 -OutputDirectory ./run | Out-Null
Measure-HaniwersThreshold -Path ./run | Set-HaniwersThreshold -PortName sim -WhatIf
'@
            Remarks = 'Shows what would be set on each channel; without -WhatIf the thresholds are written in one stream pause.'
        }
        @{
            Title   = 'Compare with the Python tool''s results'
            Code    = @'
Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 12 -StepSize 4 -Duration 0.2 -SettleTime 0 -OutputDirectory ./run | Out-Null
Import-Csv ./run/scan_results_ch1.csv | Measure-HaniwersThreshold -Convention Haniwers -Unweighted | Select-Object Channel, Threshold3Sigma
'@
            Remarks = 'Fits as haniwers does (no weights) and reports its "3 sigma", Mean + 3*sqrt(2)*Sigma.'
        }
    )
    Notes       = 'A threshold well above the noise edge (3 sigma or more) keeps noise out; too far and muons are lost: look at the plot.'
    Links       = @('Invoke-HaniwersParallelScan', 'Set-HaniwersThreshold')
}
