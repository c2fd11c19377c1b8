@{
    Synopsis    = 'Checks that a configuration can drive a threshold scan and lists every problem at once.'
    Description = @'
Test-HaniwersThresholdConfig checks one or more configurations for a Parallel (default) or Serial scan and writes $true or $false for each. Every problem is also written as a non-terminating error whose ErrorId names the problem (CenterOutOfRange, UnequalStepCounts, MissingChannel, ...), with category InvalidData, the channel's settings as target object, and a message naming the channel and the key, the offending value and the fix. With -ErrorAction SilentlyContinue only the booleans remain.

A parallel scan steps all three channels together, so each channel must have the same number of steps; the message lists each channel's range and step count. Threshold values outside the DAC range 1..1023 are dropped from a range and reported as clipping.

With -Detailed, a report object is written instead of the boolean: IsValid, Mode, each channel's Start, Stop, StepSize, Steps, Values and Clipped, the Problems, the number of measurement windows, the estimated scan time (windows x (duration + settle time), as the scan's -WhatIf says), and, for a TOML file, whether the Python tool haniwers would accept it too: HaniwersCompatible, and HaniwersKeysMissing listing the keys and tables haniwers requires that the file lacks ([device] label, [sampler] label, filename_prefix, filename_suffix, events_per_file, number_of_files, stream_mode, a [mocker] table, and id, name, label, step_size per sensor). New-HaniwersConfig writes a file that has them all.

A sensor's threshold may be a whole number 1..1023 or "none" (in any case), as in haniwers: no threshold set.
'@
    Parameters  = @{
        Path     = 'Configuration files (config.toml or .psd1) to check; wildcards name several (./*.toml). Relative to the current location. Accepts pipeline input, for example Get-ChildItem *.toml.'
        LiteralPath = 'Configuration files taken as written, without wildcards (a file named like config[1].toml); also the FullName/PSPath of Get-ChildItem''s output by property name.'
        Config   = 'A configuration object from Import-HaniwersConfig, or a hashtable with the same structure (Device, Sampler, Sensors). Accepts pipeline input: configuration objects, and also path strings and files from Get-ChildItem, which are read as files.'
        Mode     = 'The scan to check for: Parallel (default; all channels need the same step count) or Serial.'
        Detailed = 'Writes a report object per input instead of $true/$false.'
    }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'Paths of configuration files.' }
        @{ Type = 'Haniwers.Configuration.HaniwersConfig'; Description = 'A configuration object, or a hashtable.' }
    )
    Outputs     = @(
        @{ Type = 'System.Boolean'; Description = 'Whether the configuration can drive the scan.' }
        @{ Type = 'Haniwers.Scanning.ThresholdConfigReport'; Description = 'With -Detailed: the ranges, problems and estimated time.' }
    )
    Examples    = @(
        @{
            Title   = 'Check a configuration given as a hashtable'
            Code    = @'
$config = @{
    Sensors = @{
        ch1 = @{ Center = 280; NSteps = 10; StepSize = 2 }
        ch2 = @{ Center = 300; NSteps = 10; StepSize = 2 }
        ch3 = @{ Center = 260; NSteps = 5;  StepSize = 2 }
    }
}
Test-HaniwersThresholdConfig -Config $config -ErrorAction SilentlyContinue
Test-HaniwersThresholdConfig -Config $config -Mode Serial
'@
            Remarks = 'The first line writes False: channel 3 has 11 steps where the others have 21, which a parallel scan cannot do. A serial scan allows it, so the second line writes True.'
        }
        @{
            Title   = 'See what a scan would do'
            Code    = @'
Set-Content -Path ./config.toml -Value @"
[sampler]
duration = 10
[sensors.ch1]
center = 280
nsteps = 10
step_size = 2
[sensors.ch2]
center = 300
nsteps = 10
step_size = 2
[sensors.ch3]
center = 15
nsteps = 10
step_size = 2
"@
Test-HaniwersThresholdConfig -Path ./config.toml -Detailed -ErrorVariable problems -ErrorAction SilentlyContinue
$problems | ForEach-Object { $_.FullyQualifiedErrorId }
'@
            Remarks = 'Channel 3 would reach below the DAC minimum of 1: its values are clipped, leaving fewer steps than the other channels. The report shows the ranges, and the UnequalStepCounts error says how to fix it.'
        }
        @{
            Title   = 'Check every configuration in a folder'
            Code    = @'
Set-Content -Path ./good.toml -Value "[sensors.ch1]`ncenter = 280`nnsteps = 5`nstep_size = 1`n[sensors.ch2]`ncenter = 300`nnsteps = 5`nstep_size = 1`n[sensors.ch3]`ncenter = 260`nnsteps = 5`nstep_size = 1"
Set-Content -Path ./bad.toml -Value "[sensors.ch1]`ncenter = 2000`nnsteps = 5`nstep_size = 1"
Get-ChildItem -Path ./*.toml | Test-HaniwersThresholdConfig -ErrorAction SilentlyContinue
'@
            Remarks = 'Writes one boolean per file, in the order Get-ChildItem lists them: bad.toml (False), good.toml (True).'
        }
    )
    Notes       = 'The estimated time counts measurement windows only; threshold writes and settle time add a little per step.'
    Links       = @('Import-HaniwersConfig')
}
