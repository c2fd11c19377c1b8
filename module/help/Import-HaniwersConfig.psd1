@{
    Synopsis    = 'Reads a haniwers config.toml (or a .psd1 data file) into the configuration a scan will use.'
    Description = @'
Import-HaniwersConfig reads a configuration file written for the Python tool haniwers (config.toml with [device], [sampler] and [sensors.ch1]..[sensors.ch3]) and returns the resolved configuration object: every default filled in, ready to pass to -Config of the other Haniwers cmdlets. Keys that Haniwers does not use are ignored.

The same structure is accepted as a PowerShell data file (.psd1). Key names match ignoring case and underscores, so step_size, StepSize and stepsize are one key. A .psd1 that contains script rather than plain data is refused.

Relative paths are resolved against PowerShell's current location. A file that is not valid TOML is reported with the line and column of the first mistake. When the configuration has problems a scan would refuse, a warning says so; Test-HaniwersThresholdConfig lists them.
'@
    Parameters  = @{
        Path = 'The configuration files: a haniwers config.toml, or a .psd1 data file with the same structure; wildcards name several. Relative to the current location. Accepts strings from the pipeline.'
        LiteralPath = 'Configuration files taken as written, without wildcards (a file named like config[1].toml); also the FullName/PSPath of Get-ChildItem''s output from the pipeline.'
    }
    Inputs      = @(@{ Type = 'System.String'; Description = 'A path to a configuration file.' })
    Outputs     = @(@{ Type = 'Haniwers.Configuration.HaniwersConfig'; Description = 'The resolved configuration: Device, Sampler and Sensors, with defaults filled in.' })
    Examples    = @(
        @{
            Title   = 'Read a haniwers configuration'
            Code    = @'
Set-Content -Path ./config.toml -Value @"
[device]
port = "sim"
[sampler]
duration = 1
[sensors.ch1]
id = 1
center = 280
nsteps = 10
step_size = 2
"@
$config = Import-HaniwersConfig -Path ./config.toml
$config.Device.Port
$config.Sensor(1).Center
'@
            Remarks = 'Reads config.toml from the current folder. The resolved object can be inspected and changed, then passed to -Config of a scan.'
        }
        @{
            Title   = 'Read every configuration in a folder'
            Code    = @'
Set-Content -Path ./a.toml -Value "[device]`nport = 'sim'"
Set-Content -Path ./b.toml -Value "[device]`nport = 'COM3'"
Get-ChildItem -Path ./*.toml | Import-HaniwersConfig -WarningAction SilentlyContinue | ForEach-Object { $_.Device.Port }
'@
            Remarks = 'Paths come from the pipeline. The warnings say the files lack [sensors] tables; they are silenced here.'
        }
    )
    Notes       = 'Times in the file are in seconds. Channel 1 is the top layer, 2 the middle, 3 the bottom.'
    Links       = @('Test-HaniwersThresholdConfig')
}
