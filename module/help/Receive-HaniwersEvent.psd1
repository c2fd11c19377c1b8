@{
    Synopsis    = 'Streams the detector''s events as objects, for a time, a count, or until Ctrl+C.'
    Description = @'
Receive-HaniwersEvent opens a detector and writes one object per event line as it arrives: Timestamp (when the host received it), Top, Mid, Btm (the signal on each layer; 0 = no hit), Adc, Temperature, Pressure and Humidity. It is the quick way to see that a detector is alive, and the base of longer data taking.

Lines that are not events (firmware DEBUG lines, boot text, garbage) are skipped and shown at verbose level; a count of each is given at the end. With the text firmware the event stream is switched on first. Ctrl+C stops cleanly.
'@
    Parameters  = @{
        PortName   = 'The detector: a serial port (COM3, /dev/ttyUSB0), tcp://HOST:PORT, auto, or sim for the simulated detector.'
        Seconds    = 'How long to listen, in seconds (-Duration is its old name, kept as an alias).'
        Count      = 'Stop after this many events.'
        Firmware   = 'The firmware dialect: Text (default) or Binary.'
        ConfigPath = 'A config.toml or .psd1 whose [device] settings to use.'
        Config     = 'A configuration object from Import-HaniwersConfig, or a hashtable of the same shape.'
    }
    Inputs      = @()
    Outputs     = @(@{ Type = 'Haniwers.Protocol.DetectorEvent'; Description = 'One object per event.' })
    Examples    = @(
        @{
            Title   = 'Count events for two seconds'
            Code    = 'Receive-HaniwersEvent -PortName sim -Seconds 2 | Measure-Object | Select-Object -ExpandProperty Count'
            Remarks = 'The number of triggers in two seconds.'
        }
        @{
            Title   = 'Look at the first events'
            Code    = 'Receive-HaniwersEvent -PortName sim -Count 3 | Format-Table'
            Remarks = 'Stops after three events.'
        }
        @{
            Title   = 'Coincidences in all three layers'
            Code    = 'Receive-HaniwersEvent -PortName sim -Seconds 3 | Where-Object { $_.Top -gt 0 -and $_.Mid -gt 0 -and $_.Btm -gt 0 } | Measure-Object'
            Remarks = 'Muons cross all three layers; noise hits one.'
        }
    )
    Notes       = 'Decimals are read with a dot whatever the culture of the machine.'
    Links       = @('Set-HaniwersThreshold', 'Get-HaniwersPort')
}
