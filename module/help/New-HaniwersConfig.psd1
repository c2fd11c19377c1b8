@{
    Synopsis    = 'Writes a commented starting config.toml that both haniwers and this module accept.'
    Description = @'
New-HaniwersConfig writes a configuration file for an OSECHI detector: [device], [sampler], [sensors.ch1]..[sensors.ch3] and [mocker], with every key the Python tool haniwers (v1) requires, so one file serves both tools, and a comment on each key. Keys only this module reads (firmware, settle_time, max_consecutive_failures, reconnect_timeout) are marked (Haniwers); haniwers ignores them. Each sensor gets threshold = "none" (no threshold for data taking yet) and a scan range from -Center, -NSteps and -StepSize.

An existing file is kept unless -Force is given (ErrorId ConfigFileExists). The new file is checked by Test-HaniwersThresholdConfig -Detailed, which also says whether haniwers would accept it (HaniwersCompatible).
'@
    Parameters  = @{
        Path     = 'The file to write, relative to the current location. Its folder is created when missing. [ ] * ? are wildcards, as in Set-Content: a pattern must match one existing file; a new file with such a name is given by -LiteralPath.'
        LiteralPath = 'The file to write, taken exactly as written (a name like config[1].toml). Its folder is created when missing.'
        PortName = 'The detector''s port: COM3, /dev/ttyUSB0, auto (default), or sim for this module''s simulated detector.'
        Center   = 'Scan centres, one for all channels or three (ch1, ch2, ch3); default 280, 300, 260.'
        NSteps   = 'Steps on each side of the centre (default 10): the scan has 2*NSteps+1 values.'
        StepSize = 'DAC units between two steps (default 2).'
        Duration = 'Seconds per measurement window of a threshold scan (default 10).'
        Workspace = 'The folder the runs'' date folders go into (default "."). A relative one is taken from the current folder when a run starts, as haniwers takes it: give an absolute one, such as /home/lab/data or C:\lab\data, for scheduled runs.'
        Force    = 'Replaces an existing file.'
        WhatIf   = 'Says which file would be written, and writes nothing.'
        Confirm  = 'Asks before writing the file.'
    }
    Inputs      = @()
    Outputs     = @(@{ Type = 'System.IO.FileInfo'; Description = 'The file written.' })
    Examples    = @(
        @{
            Title   = 'A starting configuration for the simulated detector, checked'
            Code    = @'
New-HaniwersConfig -Path ./config.toml -PortName sim -Force | Test-HaniwersThresholdConfig -Detailed
'@
            Remarks = 'Writes ./config.toml and shows its ranges, the estimated scan time and HaniwersCompatible True.'
        }
        @{
            Title   = 'A configuration for a detector on a USB port, scanned'
            Code    = @'
New-HaniwersConfig -Path ./lab/config.toml -PortName sim -Center 300 -NSteps 8 -StepSize 4 -Duration 0.2 -Force | Out-Null
Invoke-HaniwersParallelScan -ConfigPath ./lab/config.toml -SettleTime 0 -OutputDirectory ./lab/run | Measure-Object
'@
            Remarks = 'On a real detector give -PortName COM3 or /dev/ttyUSB0; sim runs anywhere.'
        }
    )
    Notes       = 'haniwers names the columns of its parallel.csv after the sensors'' name key, so the file keeps name = "ch1", "ch2", "ch3"; label carries top, mid, btm.'
    Links       = @('Test-HaniwersThresholdConfig', 'Import-HaniwersConfig', 'Invoke-HaniwersParallelScan')
}
