@{
    Synopsis    = 'Reports what runs did: one object per scan or data-taking run, from its folder''s journals.'
    Description = @'
Get-HaniwersRun reads run folders (run_journal.jsonl and threshold_operations.csv of the scans, daq_journal.jsonl of data taking) and writes one object per run, oldest first: RunId, Kind (Scan or Daq), Mode, Outcome (Completed only when the run did all it planned; Incomplete for a scan whose plan ran to its end with skipped steps; Interrupted; Aborted for a scan that stopped after failed steps in a row; Failed, also for a run that ended without an end record and was found so by a later run into its folder; Unknown when the journal has no end record yet: the run is still going, or its process was killed), Start, End, Duration, Port, Folder; for scans PlannedSteps, MeasuredSteps, SkippedSteps, RemeasuredSteps and Resumes; for data taking Events, LiveSeconds, DeadSeconds, Resets and DroppedLines; for both Reconnects, MalformedLines, Repairs (what a later command closed off after a killed run), Files, the Reason a run did not complete, and ThresholdWrites: per channel the writes, those that failed, the refusals and silences (attempts the device refused or did not answer) and the retries.

A path may be a run folder or any folder above run folders: a workspace with its date folders is searched with its subfolders. Wildcards are allowed in -Path; -LiteralPath and Get-ChildItem's output take paths as written.

It only reads: a run in progress is reported with what its journal says so far.

This is the morning check of an unattended station: Get-HaniwersRun <workspace> -Last 7 | Where-Object Outcome -ne Completed lists every run of the last seven that did not complete, with its reason.
'@
    Parameters  = @{
        Path        = 'Run folders, or folders holding them (searched with their subfolders); wildcards allowed. The current folder when none is given.'
        LiteralPath = 'Folders taken exactly as written, without wildcards; also the FullName of Get-ChildItem''s output.'
        RunId       = 'Only the runs with these ids; wildcards allowed, such as 20261127-*.'
        Last        = 'Only the N runs that started last.'
    }
    Inputs      = @(@{ Type = 'System.IO.DirectoryInfo'; Description = 'Folders from Get-ChildItem, by their FullName.' })
    Outputs     = @(@{ Type = 'Haniwers.Reports.RunReport'; Description = 'One object per run, oldest start first; ThresholdWrites holds Haniwers.Reports.ChannelWrites objects.' })
    Examples    = @(
        @{
            Title   = 'What the runs of a workspace did'
            Code    = 'Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 2 -StepSize 8 -Duration 0.2 -OutputDirectory ./data/20261127 | Out-Null
Invoke-HaniwersDaq -PortName sim -Threshold 280, 300, 260 -EventsPerFile 50 -FileCount 2 -OutputDirectory ./data/20261127 | Out-Null
Get-HaniwersRun ./data'
            Remarks = 'A scan and a data-taking run on the simulated detector, then one row for each: outcome, duration, steps measured of those planned (events for data taking), skipped steps, threshold writes, reconnects and the reason of a run that did not complete.'
        }
        @{
            Title   = 'The morning check of a scheduled station'
            Code    = 'Invoke-HaniwersParallelScan -PortName sim -NSteps 2 -StepSize 8 -Duration 0.2 -OutputDirectory ./data/20261127 | Out-Null
$notCompleted = @(Get-HaniwersRun ./data -Last 7 | Where-Object Outcome -ne Completed)
if ($notCompleted) { $notCompleted | Format-List RunId, Outcome, Reason, Start } else { ''The last 7 runs completed.'' }'
            Remarks = 'Lists each of the last seven runs that did not complete, with its reason; in a script run by a scheduler, exit 1 in that case instead.'
        }
        @{
            Title   = 'Threshold writes per channel'
            Code    = 'Invoke-HaniwersParallelScan -PortName ''sim:refuse-every=4'' -NSteps 2 -StepSize 8 -Duration 0.2 -OutputDirectory ./run | Out-Null
(Get-HaniwersRun ./run -Last 1).ThresholdWrites'
            Remarks = 'A simulated detector that refuses every fourth write: per channel the writes, those that failed, the refusals, the unanswered attempts and the retries.'
        }
    )
    Notes       = 'The journals and their records: docs/formats.md in the module folder and docs/daq.md in the module folder ((Get-Module Haniwers).ModuleBase). A data-taking journal keeps each threshold write''s last answer only, so earlier attempts of a write count as retries without a reason.'
    Links       = @('Invoke-HaniwersParallelScan', 'Invoke-HaniwersDaq')
}
