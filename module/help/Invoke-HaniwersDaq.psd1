@{
    Synopsis    = 'Takes data: writes every event the detector sends into rotating haniwers v1 raw files, with a journal.'
    Description = @'
Invoke-HaniwersDaq is the long run that follows the threshold scan: it sets and confirms the thresholds (-Threshold, else the config's numeric threshold values, else it leaves the device as it is), drops what the device sent before the run started, and then writes every event line into raw files that haniwers' own preprocess reads unchanged: <workspace>/<yyyyMMdd>/<prefix>_<mac or unknown>_<yyyy-MM-dd_HHhMMmSSs>_<fid>.csv, one row per event (timestamp,top,mid,btm,adc,tmp,atm,hmd; the timestamp is ISO 8601 with the host's UTC offset and microseconds).

Files rotate by count (-Mode CountBased, -EventsPerFile) or by time (-Mode TimeBased, -FileDuration seconds per file); the run ends after -FileCount files (0: until stopped). The [sampler] keys of a haniwers config.toml (mode, events_per_file, number_of_files, duration, stream_mode, filename_prefix, filename_suffix, workspace) are read as haniwers reads them.

No event is lost or invented: every line the device sends after the start is in exactly one file, in order, or counted as malformed in the journal. With stream_mode (the default) each row goes to the operating system as it is written; without it, at least every second or every 1000 events. Files are put on the disk every second and when they close. After kill -9 or a power cut, every file reads line by line; the next run into the folder closes off a cut last row and says so.

daq_journal.jsonl in the folder records the start (settings, thresholds), every file opened and closed with its event count and live time, lost links and board resets with their dead time, and the end with its outcome (Completed, Interrupted, Failed). A lost link is reopened as in the scans (reconnect_timeout, 30 s); a board that resets gets its thresholds written again. Ctrl+C, Stop-Job, SIGTERM and SIGHUP close the current file and the journal. Progress shows the elapsed time, the events, the rates of each channel and of triple coincidences, and the current file; the summary goes to the information stream (tag Summary).
'@
    Parameters  = @{
        PortName         = 'The detector: a serial port (COM3, /dev/ttyUSB0), tcp://HOST:PORT, auto, sim for the simulated detector, or replay:FILE-OR-FOLDER[,speed=F][,loop] to serve recorded raw files as a detector.'
        Firmware         = 'The firmware dialect: Text (default) or Binary.'
        ConfigPath       = 'A haniwers config.toml (or .psd1): [device], and the [sampler] keys of data taking.'
        Config           = 'A configuration object from Import-HaniwersConfig, or a hashtable of the same shape.'
        OutputDirectory  = 'The folder for the raw files and the journal, exactly; default <workspace>/<yyyyMMdd>.'
        Mode             = 'CountBased (EventsPerFile events per file, the default) or TimeBased (FileDuration seconds per file).'
        EventsPerFile    = 'Events per file in CountBased mode (haniwers events_per_file; default 10000).'
        FileDuration     = 'Seconds per file in TimeBased mode (haniwers duration; -Duration is its old name, kept as an alias).'
        FileCount        = 'Files to write before the run ends (haniwers number_of_files); 0 runs until stopped.'
        Threshold        = 'One threshold for all three channels, or three (ch1, ch2, ch3), set and confirmed before the first event is kept. Default: the config''s numeric threshold values; "none" leaves a channel as it is.'
        ReconnectTimeout = 'Seconds to keep reopening a lost link before the run fails (default: reconnect_timeout, 30).'
        PassThru         = 'Also write each event to the pipeline, as it is written to its file.'
        WhatIf           = 'Shows where the files would go, how they rotate and which thresholds would be set; touches neither the port nor the disk.'
        Confirm          = 'Asks before the run starts.'
    }
    Inputs      = @()
    Outputs     = @(@{ Type = 'Haniwers.Protocol.DetectorEvent'; Description = 'With -PassThru, one object per event, after its row was written.' })
    Examples    = @(
        @{
            Title   = 'Three files of 500 events from the simulated detector'
            Code    = 'Invoke-HaniwersDaq -PortName sim -OutputDirectory ./daq -EventsPerFile 500 -FileCount 3 -Threshold 270
Get-ChildItem ./daq'
            Remarks = 'Three raw files and daq_journal.jsonl; haniwers'' preprocess reads the files as its own.'
        }
        @{
            Title   = 'A run from a scheduled task, until it is stopped, with the outcome checked'
            Code    = 'Invoke-HaniwersDaq -PortName sim -OutputDirectory ./daq -Mode TimeBased -FileDuration 1 -FileCount 2 -Threshold 260 -InformationVariable info
$summary = ($info | Where-Object Tags -contains Summary).MessageData
"$($summary.Outcome): $($summary.Events) events, live $([math]::Round($summary.LiveSeconds, 1)) s, triple rate $([math]::Round($summary.TripleRate, 2)) Hz"'
            Remarks = 'With -FileCount 0 the run goes on until Ctrl+C, Stop-Job or systemctl stop; the journal then says Interrupted.'
        }
        @{
            Title   = 'Events to the pipeline as they are written'
            Code    = 'Invoke-HaniwersDaq -PortName sim -OutputDirectory ./daq -EventsPerFile 200 -FileCount 1 -Threshold 270 -PassThru | Where-Object { $_.Top -gt 0 -and $_.Mid -gt 0 -and $_.Btm -gt 0 }'
            Remarks = 'The triple coincidences (muons) among the 200 events of the file.'
        }
        @{
            Title   = 'What would it do?'
            Code    = 'Invoke-HaniwersDaq -PortName sim -EventsPerFile 10000 -FileCount 24 -Threshold 280, 300, 260 -WhatIf'
            Remarks = 'Prints the plan; touches neither the port nor the disk.'
        }
    )
    Notes       = 'File and journal formats, the crash bound and the replay: docs/daq.md in the module folder. The MAC part of the names comes from the port''s USB serial number when that is a MAC address (as haniwers reads it), else from the firmware''s answer to GET_MAC, else "unknown".'
    Links       = @('Measure-HaniwersRate', 'Receive-HaniwersEvent', 'Measure-HaniwersThreshold', 'Set-HaniwersThreshold')
}
