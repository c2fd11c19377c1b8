@{
    Synopsis    = 'Bins raw event files into rates over time: per channel, per hit pattern, coincidences, with live time, errors and the environment.'
    Description = @'
Measure-HaniwersRate reads raw event files (this module's, haniwers v1 and v0, recognised by their content, not their names) or event objects from the pipeline, and writes one object per time bin: Time (the bin's start), LiveSeconds (from the DAQ journal where there is one, else the interval), Events, the hits of each channel (Top, Mid, Btm), the events of each hit pattern (Patterns, indexed by haniwers' hit_type = 4*top + 2*mid + btm), twofold and triple coincidences, their rates over the live time with Poisson errors, and the means and standard deviations of adc, temperature, pressure and humidity.

Bins are made as haniwers' preprocess makes them: -Offset seconds are added to every timestamp, bins of -Interval seconds (default 600) start at midnight, in -TimeZone, of the first event's day, and an event belongs to [start, start + interval). Rows that are not raw rows (a row cut by a crash, another tool's comment) are counted in a warning, never guessed at. The files are read as a stream, in the order of their first events: memory does not grow with the input.

-OutputPath writes the bins to CSV: -Format Rates (this module's columns) or -Format Haniwers, exactly haniwers v1's resampled.csv (time, hit_type, events, means and spreads, event rates with its per-layer rates divided by 3, as its aggregator computes them), so existing notebooks keep working. -PlotPath draws the triple coincidence rate against time with the pressure on a second axis (SVG). -PressureCorrection fits the barometric coefficient of the triple rate (weighted linear fit) and adds the rates corrected to the mean pressure.
'@
    Parameters  = @{
        Path               = 'Raw files, folders holding them (files that are not raw event files are skipped), or wildcards.'
        LiteralPath        = 'Raw files or folders taken exactly as written (no wildcards: a folder named [run 1]); Get-ChildItem''s output binds here.'
        InputObject        = 'Events from Invoke-HaniwersDaq -PassThru or Receive-HaniwersEvent.'
        Interval           = 'Seconds per bin (haniwers interval; default 600).'
        Offset             = 'Seconds added to every timestamp before binning (haniwers offset; default 0).'
        TimeZone           = 'The zone whose midnight the bins start from and in which their times are given: Local (default), UTC, an offset as haniwers writes it (UTC+09:00, haniwers'' default), or a zone id (Asia/Tokyo). Rows without an offset are read as local time in this zone.'
        OutputPath         = 'A CSV file for the bins, written whole before any bin goes to the pipeline (under a temporary name until it is complete).'
        Format             = 'The columns of -OutputPath: Rates (this module''s bins, the default) or Haniwers (haniwers v1''s resampled.csv).'
        PlotPath           = 'An SVG file: the triple coincidence rate against time, and the pressure.'
        PressureCorrection = 'Fits the barometric coefficient (in %/hPa, with its error; to the information stream, tag PressureCorrection) and fills CorrectedTripleRate.'
        WhatIf             = 'Reads the files and writes the bins to the pipeline, but no CSV or plot file.'
        Confirm            = 'Asks before writing the CSV or the plot.'
    }
    Inputs      = @(@{ Type = 'Haniwers.Protocol.DetectorEvent'; Description = 'Events, binned as they come.' })
    Outputs     = @(@{ Type = 'Haniwers.DataTaking.RateBin'; Description = 'One object per time bin with events.' })
    Examples    = @(
        @{
            Title   = 'Rates per minute of a DAQ run'
            Code    = 'Invoke-HaniwersDaq -PortName sim -OutputDirectory ./daq -EventsPerFile 1000 -FileCount 2 -Threshold 260
Measure-HaniwersRate -Path ./daq -Interval 1 | Format-Table Time, LiveSeconds, Events, TopRate, TripleRate, TripleRateError'
            Remarks = 'Bins of one second here, to keep the example short; a day of data at the default 600 s gives 144 bins.'
        }
        @{
            Title   = 'haniwers'' resampled.csv, for its notebooks'
            Code    = 'Invoke-HaniwersDaq -PortName sim -OutputDirectory ./daq -EventsPerFile 1000 -FileCount 1 -Threshold 260
Measure-HaniwersRate -Path ./daq/*.csv -Interval 600 -TimeZone UTC+09:00 -Format Haniwers -OutputPath ./resampled.csv | Out-Null
Import-Csv ./resampled.csv | Select-Object -First 3 time, hit_type, events, event_rate'
            Remarks = 'The same bins, columns and numbers as haniwers raw2csv --interval 600 --tz UTC+09:00.'
        }
        @{
            Title   = 'Rate against time and pressure, with the barometric coefficient'
            Code    = 'Invoke-HaniwersDaq -PortName ''sim:muon-rate=500'' -OutputDirectory ./daq -EventsPerFile 2500 -FileCount 1
Measure-HaniwersRate -Path ./daq -Interval 1 -PlotPath ./rate.svg -PressureCorrection -InformationVariable info | Select-Object -First 3 Time, TripleRate, CorrectedTripleRate
($info | Where-Object Tags -contains PressureCorrection | Select-Object -Last 1).MessageData'
            Remarks = 'The simulator''s pressure does not change the rate, so its coefficient is 0 within its error.'
        }
        @{
            Title   = 'Bin events as they arrive'
            Code    = 'Receive-HaniwersEvent -PortName sim -Seconds 2 | Measure-HaniwersRate -Interval 1 | Select-Object Time, Events, TripleRate'
            Remarks = 'Events from the pipeline have no journal: each bin counts its whole interval as live.'
        }
    )
    Notes       = 'The binning rules and what haniwers v0 and v1 do differently: docs/daq.md in the module folder.'
    Links       = @('Invoke-HaniwersDaq', 'Receive-HaniwersEvent')
}
