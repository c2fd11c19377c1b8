@{
    Synopsis    = 'Sets discriminator thresholds on a detector, with retries, confirming each value from the device''s answer.'
    Description = @'
Set-HaniwersThreshold writes the threshold (a DAC value 1..1023) of one or more channels (1 = top, 2 = mid, 3 = btm). Give -Channel and -Threshold as lists, pipe objects with Channel and Threshold properties (Import-Csv rows), or pipe the fits of Measure-HaniwersThreshold: all pairs are written together at the end, in one pause of the event stream. A channel given twice, on the command line or through the pipeline (two rows, two fits of one channel), is refused (ErrorId DuplicateChannel): nothing is written to it, whichever came last. A threshold outside 1..1023, or an empty one (a CSV row of a fit that recommended none), is refused with its channel (ErrorId ThresholdOutOfRange). A fit that recommends no threshold (its edge is not resolved; see Get-Help Measure-HaniwersThreshold) is refused with an error naming the channel and the reason (ErrorId ThresholdNotRecommended), and nothing is written to that channel; the other channels are still set.

A write succeeds only when the device echoes the channel and the value (text firmware: a JSON answer; binary firmware: the channel number). Event lines still arriving are never mistaken for an answer. A refused write, a wrong echo or silence past the response timeout is retried up to -Retry attempts with exponential backoff. A channel that still cannot be set is a non-terminating error (ErrorId ThresholdNotSet) naming the channel, the value, the attempts and the device's last answer; the other channels are still set.

A port that does not exist ends the command with an error that lists the ports that do (ErrorId PortNotFound); a port another session holds gives PortInUse; a port this user may not open gives PortAccessDenied with the fix. Supports -WhatIf and -Confirm.
'@
    Parameters  = @{
        Channel    = 'The channels to set: 1 (top), 2 (mid), 3 (btm). Accepts pipeline input by property name.'
        Threshold  = 'The thresholds, one per channel or one for all, each 1..1023. Accepts pipeline input by property name.'
        InputObject = 'A fit from Measure-HaniwersThreshold, from the pipeline: its Threshold is written to its Channel, or refused when the fit recommends none.'
        PortName   = 'The detector: a serial port (COM3, /dev/ttyUSB0), tcp://HOST:PORT for a serial-to-network bridge, auto for the one detector-looking port, or sim for the simulated detector. Overrides the port in the configuration. Tab completion lists the ports present.'
        Firmware   = 'The firmware dialect: Text (kurikintons v1.6 and later, the default) or Binary (legacy OSECHI). Overrides the configuration.'
        Retry      = 'Attempts per channel (1 = no retry). Overrides max_retry in the configuration; default 3.'
        ConfigPath = 'A config.toml or .psd1 whose [device] and [sampler] settings (port, firmware, timeouts, retries) to use.'
        Config     = 'A configuration object from Import-HaniwersConfig, or a hashtable of the same shape.'
        PassThru   = 'Writes a result per channel: PortName, Channel, Threshold, Success, Attempts, Reason, LastAnswer.'
        WhatIf     = 'Shows what would be set without opening the port.'
        Confirm    = 'Asks before setting each channel.'
    }
    Inputs      = @(@{ Type = 'Haniwers.Analysis.ThresholdFit'; Description = 'Fits from Measure-HaniwersThreshold.' }, @{ Type = 'System.Management.Automation.PSObject'; Description = 'Objects with Channel and Threshold properties.' })
    Outputs     = @(@{ Type = 'Haniwers.Protocol.ThresholdWriteResult'; Description = 'With -PassThru: what happened to each channel.' })
    Examples    = @(
        @{
            Title   = 'Set one channel of the simulated detector'
            Code    = 'Set-HaniwersThreshold -PortName sim -Channel 1 -Threshold 280 -PassThru'
            Remarks = 'Writes threshold 280 to channel 1 and shows the result: Success True after 1 attempt.'
        }
        @{
            Title   = 'Set all three channels in one stream pause'
            Code    = 'Set-HaniwersThreshold -PortName sim -Channel 1, 2, 3 -Threshold 280, 300, 260 -Verbose'
            Remarks = 'Verbose output shows each write and the device''s answer.'
        }
        @{
            Title   = 'Apply thresholds from a CSV file'
            Code    = @'
@"
Channel,Threshold
1,285
2,302
3,264
"@ | Set-Content ./thresholds.csv
Import-Csv ./thresholds.csv | Set-HaniwersThreshold -PortName sim -PassThru
'@
            Remarks = 'Rows bind by property name; the three channels are written together.'
        }
        @{
            Title   = 'See what would be set'
            Code    = 'Set-HaniwersThreshold -PortName sim -Channel 1, 2, 3 -Threshold 300 -WhatIf'
            Remarks = 'Prints one line per channel and does not open the port.'
        }
    )
    Notes       = 'One DAC unit is about 4 mV. Opening a USB serial port can reset the board; a first write that gets no answer while it boots is retried.'
    Links       = @('Get-HaniwersPort', 'Receive-HaniwersEvent')
}
