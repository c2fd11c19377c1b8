# Issue: never a silent wrong answer. Fits that cannot fit say so and reach no device, runs are not
# mixed, haniwers' files and configs are read right or refused by name, odd inputs get clear errors.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    # A scan file of this module's format with a flat response (no edge) on every channel.
    function New-FlatScan([string] $Folder) {
        $rows = foreach ($ch in 1..3) { foreach ($t in 200..240) { [pscustomobject]@{ Channel = $ch; Threshold = $t; Events = 200 + ($t % 3); DurationSeconds = 10; RunId = 'flat' } } }
        $rows | Export-Csv (Join-Path $Folder 'flat.csv')
        Join-Path $Folder 'flat.csv'
    }
}

Describe 'A fit without a resolved edge recommends nothing and reaches no device' {
    BeforeAll { $folder = New-TestFolder }
    AfterAll { Remove-Item $folder -Recurse -Force }

    It 'gives a flat scan no threshold, with the reason, and Set-HaniwersThreshold writes nothing' {
        $fits = @(Import-Csv (New-FlatScan $folder) | Measure-HaniwersThreshold -WarningAction SilentlyContinue)
        $fits.Count | Should -Be 3
        foreach ($fit in $fits) {
            $fit.Threshold | Should -BeNullOrEmpty
            $fit.Converged | Should -BeFalse
            $fit.Rejection | Should -Not -BeNullOrEmpty
        }
        $results = @($fits | Set-HaniwersThreshold -PortName sim -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 0
        $refused = @($err | Where-Object { $_.FullyQualifiedErrorId -like 'ThresholdNotRecommended*' })
        $refused.Count | Should -Be 3
        $refused[0].Exception.Message | Should -Match 'Channel 1 has no usable threshold'
        $refused[0].Exception.Message | Should -Match ([regex]::Escape($fits[0].Rejection))
        # the default table of fits, even failed ones with errors of any size, fits 80 columns and cuts no value
        $table = @(($fits | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
        $table | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
        ($table -join "`n") | Should -Not -Match '…'
    }

    It 'still sets the channels whose fit is good when another is refused' {
        $scan = Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 8 -StepSize 4 -Duration 1 -SettleTime 0 -OutputDirectory (Join-Path $folder 'good')
        $fits = @($scan | Measure-HaniwersThreshold -WarningAction SilentlyContinue)
        @($fits | Where-Object Threshold).Count | Should -Be 3
        $flat = Import-Csv (New-FlatScan $folder) | Where-Object Channel -eq 2 | Measure-HaniwersThreshold -WarningAction SilentlyContinue
        $results = @(@($fits[0], $flat, $fits[2]) | Set-HaniwersThreshold -PortName sim -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
        ($results | ForEach-Object Channel) -join ',' | Should -Be '1,3'
        @($err | Where-Object { $_.FullyQualifiedErrorId -like 'ThresholdNotRecommended*' }).Count | Should -Be 1
    }
}

Describe 'Runs are never mixed by accident' {
    BeforeAll {
        $folder = New-TestFolder
        $first = Invoke-HaniwersParallelScan -PortName 'sim:seed=1' -Center 280, 300, 260 -NSteps 8 -StepSize 4 -Duration 0.5 -SettleTime 0 -OutputDirectory $folder
        $second = Invoke-HaniwersParallelScan -PortName 'sim:seed=2,midpoint=300/320/280' -Center 300, 320, 280 -NSteps 8 -StepSize 4 -Duration 0.5 -SettleTime 0 -OutputDirectory $folder
    }
    AfterAll { Remove-Item $folder -Recurse -Force }

    It 'fits the latest run of a folder and says so' {
        $output = @(Measure-HaniwersThreshold -Path $folder -Verbose -WarningAction SilentlyContinue 4>&1)
        $fits = @($output | Where-Object { $_ -is [Haniwers.Analysis.ThresholdFit] })
        $fits.Count | Should -Be 3
        $fits.RunId | Sort-Object -Unique | Should -Be $second[0].RunId
        @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'holds 2 runs.*fitting the latest' }).Count | Should -Be 1
        ($fits | Where-Object Channel -eq 1).Mean | Should -BeGreaterThan 292   # the second run's edge, at 300
    }

    It 'fits each run with -ByRun and pools them, named, with -AllRuns' {
        $byRun = @(Measure-HaniwersThreshold -Path $folder -ByRun -WarningAction SilentlyContinue)
        $byRun.Count | Should -Be 6
        ($byRun.RunId | Sort-Object -Unique) | Should -Be (@($first[0].RunId, $second[0].RunId) | Sort-Object)
        $pooled = @(Measure-HaniwersThreshold -Path $folder -AllRuns -WarningAction SilentlyContinue)
        $pooled.Count | Should -Be 3
        $pooled[0].RunId | Should -Match ([regex]::Escape($first[0].RunId))
        $pooled[0].RunId | Should -Match ([regex]::Escape($second[0].RunId))
    }
}

Describe 'haniwers files and configs, both ways' {
    BeforeAll { $folder = New-TestFolder }
    AfterAll { Remove-Item $folder -Recurse -Force }

    It 'reads a config with threshold = "none" in any case' {
        $path = Join-Path $folder 'none.toml'
        (New-HaniwersConfig -Path (Join-Path $folder 'tmp.toml') -PortName sim | Get-Content -Raw).Replace('threshold = "none"', 'threshold = "NONE"') | Set-Content $path
        Test-HaniwersThresholdConfig -Path $path | Should -BeTrue
        (Import-HaniwersConfig $path).Sensor(1).Threshold | Should -BeNullOrEmpty
    }

    It 'writes a config haniwers accepts too, keeps an existing one, and replaces it with -Force' {
        $path = Join-Path $folder 'new/config.toml'
        $file = New-HaniwersConfig -Path $path -PortName sim -Center 290 -NSteps 4 -StepSize 3 -Duration 2
        $file | Should -BeOfType ([System.IO.FileInfo])
        $report = Test-HaniwersThresholdConfig -Path $path -Detailed
        $report.IsValid | Should -BeTrue
        $report.HaniwersCompatible | Should -BeTrue
        $report.Channels[0].Start | Should -Be 278
        { New-HaniwersConfig -Path $path -PortName COM3 -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigFileExists*'
        (Get-Content $path -Raw) | Should -Match 'port = "sim"'
        New-HaniwersConfig -Path $path -PortName COM3 -Force | Out-Null
        (Get-Content $path -Raw) | Should -Match 'port = "COM3"'
    }

    It 'says which haniwers keys a file lacks' {
        $report = Test-HaniwersThresholdConfig -Path (Join-Path $ExamplesPath 'config.toml') -Detailed
        $report.HaniwersCompatible | Should -BeTrue
        $path = Join-Path $folder 'minimal.toml'
        Set-Content $path "[device]`nport = `"sim`"`n[sensors.ch1]`ncenter = 280`nnsteps = 2`nstep_size = 5`n[sensors.ch2]`ncenter = 300`nnsteps = 2`nstep_size = 5`n[sensors.ch3]`ncenter = 260`nnsteps = 2`nstep_size = 5`n"
        $report = Test-HaniwersThresholdConfig -Path $path -Detailed
        $report.HaniwersCompatible | Should -BeFalse
        $report.HaniwersKeysMissing | Should -Contain '[mocker]'
        $report.HaniwersKeysMissing | Should -Contain 'sensors.ch2.name'
    }

    It 'fits a haniwers v0 threshold_scan.csv by channel with its own window length' {
        $model = [Haniwers.Simulation.SimulatorOptions]::new()
        $random = [System.Random]::new(3)
        $time = [datetimeoffset]'2024-06-02T08:44:20+09:00'
        $lines = foreach ($ch in 1..3) { foreach ($t in (240..340 | Where-Object { $_ % 4 -eq 0 })) {
            $expected = $model.ExpectedRate($ch, $t) * 10
            $events = [int][math]::Round($expected + [math]::Sqrt($expected) * ($random.NextDouble() - 0.5))
            $time = $time.AddSeconds(11)   # one window of 10 s and the writes: the rows are windows, seconds apart
            "$($time.ToString('o')),10,$ch,$t,$events,24.51,100201.33,35.20" } }
        $path = Join-Path $folder 'threshold_scan.csv'
        Set-Content $path $lines
        $fits = @(Measure-HaniwersThreshold -Path $path -WarningAction SilentlyContinue)
        $fits.Count | Should -Be 3
        foreach ($fit in $fits) { [math]::Abs($fit.Mean - $model.NoiseMidpoint[$fit.Channel - 1]) | Should -BeLessThan 3 }
    }

    It 'refuses a file that is no scan, naming what it looks like' {
        $path = Join-Path $folder 'raw.csv'
        Set-Content $path "2025-10-29T00:17:55.545716+09:00,10,5,0,823,24.50,100204.50,34.50`n2025-10-29T00:17:56.545716+09:00,0,12,4,500,24.50,100204.40,34.50"
        $err = $null
        $fits = Measure-HaniwersThreshold -Path $path -ErrorVariable err -ErrorAction SilentlyContinue -WarningVariable warnings
        $fits | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnknownScanFile*'
        $err[0].Exception.Message | Should -Match 'raw event file'
        $warnings | Should -BeNullOrEmpty
    }
}

Describe 'Odd inputs get a clear, specific error' {
    BeforeAll { $folder = New-TestFolder }
    AfterAll { Remove-Item $folder -Recurse -Force }

    It 'refuses two centres for three channels' {
        { Invoke-HaniwersParallelScan -PortName sim -Center 280, 300 -WhatIf } | Should -Throw '*one value for all channels or three*not 2*'
    }

    It 'refuses a channel given twice' {
        $results = Set-HaniwersThreshold -PortName sim -Channel 1, 1 -Threshold 280, 290 -PassThru -ErrorVariable err -ErrorAction SilentlyContinue
        $results | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateChannel*'
        $err[0].Exception.Message | Should -Match 'Channel 1 is given more than once'
    }

    It 'bounds a window to a day instead of overflowing' {
        $stop = $null
        try { Invoke-HaniwersParallelScan -PortName sim -Duration 1e300 -WhatIf } catch { $stop = $_ }
        $stop.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError*'
        $stop.Exception.Message | Should -Match '86400'
        $stop.Exception.Message | Should -Not -Match 'Overflow'
    }

    It 'refuses a TOML file with a table defined twice' {
        $path = Join-Path $folder 'twice.toml'
        Set-Content $path "[sensors.ch1]`ncenter = 280`n[sensors.ch1]`nnsteps = 2`n"
        $err = $null
        Test-HaniwersThresholdConfig -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
        $err[0].Exception.Message | Should -Match 'not valid TOML at line 3'
    }

    It 'names a Latin-1 file as such' {
        $path = Join-Path $folder 'latin1.toml'
        [System.IO.File]::WriteAllBytes($path, [System.Text.Encoding]::Latin1.GetBytes("# Détecteur`n[sensors.ch1]`ncenter = 280`n"))
        $err = $null
        Test-HaniwersThresholdConfig -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
        $err[0].Exception.Message | Should -Match 'not UTF-8 text.*Latin-1'
        $err[0].Exception.Message | Should -Not -Match 'surrogate'
    }

    It 'names deep nesting in the terms of a config' {
        $path = Join-Path $folder 'deep.toml'
        Set-Content $path ("x = " + ('[' * 100) + (']' * 100))
        $err = $null
        Test-HaniwersThresholdConfig -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
        $err[0].Exception.Message | Should -Match 'more than 64 levels deep'
        $err[0].Exception.Message | Should -Not -Match 'MaxDepth'
    }

    It 'gives a fractional centre one error, not two' {
        $path = Join-Path $folder 'float.toml'
        Set-Content $path "[sensors.ch1]`ncenter = 280.7`nnsteps = 2`nstep_size = 5`n[sensors.ch2]`ncenter = 300`nnsteps = 2`nstep_size = 5`n[sensors.ch3]`ncenter = 260`nnsteps = 2`nstep_size = 5`n"
        $err = $null
        Test-HaniwersThresholdConfig -Path $path -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
        $err.Count | Should -Be 1
        $err[0].Exception.Message | Should -Match "sensors.ch1.center.*'280.7' is not a whole number"
    }

    It 'writes the fits first and creates the plot''s folder' {
        $scan = Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 8 -StepSize 4 -Duration 0.5 -SettleTime 0 -OutputDirectory (Join-Path $folder 'plot-run')
        $plot = Join-Path $folder 'no/such/folder/scurves.svg'
        $fits = @($scan | Measure-HaniwersThreshold -PlotPath $plot -WarningAction SilentlyContinue)
        $fits.Count | Should -Be 3
        Get-Content $plot -Raw | Should -Match '<svg'
    }

    It 'refuses a .png plot before fitting anything' {
        $scan = Import-Csv (New-FlatScan $folder)
        $stop = $null
        $fits = $null
        try { $fits = $scan | Measure-HaniwersThreshold -PlotPath (Join-Path $folder 'x.png') -ErrorAction Stop } catch { $stop = $_ }
        $stop.FullyQualifiedErrorId | Should -BeLike 'PlotFormatNotSupported*'
        $fits | Should -BeNullOrEmpty
        Test-Path (Join-Path $folder 'x.png') | Should -BeFalse
    }

    It 'says when the fit history''s folder is a file, keeping the fits' {
        $file = Join-Path $folder 'history-is-a-file'
        Set-Content $file 'x'
        $fits = @(Import-Csv (New-FlatScan $folder) | Measure-HaniwersThreshold -OutputDirectory $file -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
        $fits.Count | Should -Be 3
        $err[0].FullyQualifiedErrorId | Should -BeLike 'OutputPathIsFile*'
    }

    It 'does not blame the dialout group for a device that is no serial port' {
        $stop = $null
        try { Set-HaniwersThreshold -PortName /dev/null -Channel 1 -Threshold 280 -ErrorAction Stop } catch { $stop = $_ }
        if ([Environment]::UserName -eq 'root') {
            $stop.Exception.Message | Should -Match 'not a serial port'
            $stop.Exception.Message | Should -Not -Match 'dialout'
        } else {
            $stop.FullyQualifiedErrorId | Should -BeLike 'PortAccessDenied*'
        }
    }
}

Describe 'One threshold per channel, whatever the pipeline brings' {
    It 'refuses a channel that two fits name, even when one of them was refused' {
        $folder = New-TestFolder
        try {
            $null = Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 8 -StepSize 4 -Duration 0.5 -SettleTime 0 -OutputDirectory $folder
            $good = @(Measure-HaniwersThreshold -Path $folder -WarningAction SilentlyContinue)
            $flat = Import-Csv (New-FlatScan $folder) | Where-Object Channel -eq 1 | Measure-HaniwersThreshold -WarningAction SilentlyContinue
            $results = @(@($good[0], $flat, $good[1]) | Set-HaniwersThreshold -PortName sim -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
            ($results | ForEach-Object Channel) -join ',' | Should -Be '2'
            @($err | Where-Object { $_.FullyQualifiedErrorId -like 'ThresholdNotRecommended*' }).Count | Should -Be 1
        } finally { Remove-Item $folder -Recurse -Force }
    }

    It 'refuses two rows of one channel instead of keeping the last' {
        $rows = @([pscustomobject]@{ Channel = 1; Threshold = 280 }, [pscustomobject]@{ Channel = 1; Threshold = 290 }, [pscustomobject]@{ Channel = 2; Threshold = 300 })
        $results = @($rows | Set-HaniwersThreshold -PortName sim -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
        ($results | ForEach-Object Channel) -join ',' | Should -Be '2'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'DuplicateChannel*'
        $err[0].Exception.Message | Should -Match 'Channel 1 was given twice.*280, then 290'
    }

    It 'names the channel of an empty threshold from a CSV of fits' {
        $rows = @([pscustomobject]@{ Channel = 3; Threshold = '' })
        $results = @($rows | Set-HaniwersThreshold -PortName sim -PassThru -ErrorVariable err -ErrorAction SilentlyContinue)
        $results.Count | Should -Be 0
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ThresholdOutOfRange*'
        $err[0].Exception.Message | Should -Match 'Channel 3 has no threshold'
    }
}

Describe 'The latest run is the one measured last' {
    It 'takes the newer haniwers file, not the last name in order' {
        $folder = New-TestFolder
        try {
            $model = [Haniwers.Simulation.SimulatorOptions]::new()
            function Rows([datetime] $start, [int] $shift) {
                $i = 0
                foreach ($t in (240..340 | Where-Object { $_ % 4 -eq 0 })) {
                    $hits = foreach ($ch in 1..3) { [int]($model.ExpectedRate($ch, $t - $shift) * 10) }
                    "{0},{1},{2},{2},{2},{3},{4},{5}" -f $start.AddSeconds(10 * $i++).ToString('o'), (($hits | Measure-Object -Sum).Sum), $t, $hits[0], $hits[1], $hits[2]
                }
            }
            Set-Content (Join-Path $folder 'parallel.csv') (Rows ([datetime]'2025-03-01T10:00:00') 0)
            Set-Content (Join-Path $folder 'serial.csv') (Rows ([datetime]'2024-06-01T10:00:00') 30)
            $output = @(Measure-HaniwersThreshold -Path $folder -DurationSeconds 10 -Verbose -WarningAction SilentlyContinue 4>&1)
            $fits = @($output | Where-Object { $_ -is [Haniwers.Analysis.ThresholdFit] })
            ($fits.RunId | Sort-Object -Unique) | Should -Be 'parallel.csv@2025-03-01T10:00:00'
            [math]::Abs(($fits | Where-Object Channel -eq 1).Mean - 280) | Should -BeLessThan 3
        } finally { Remove-Item $folder -Recurse -Force }
    }

    It 'changes no file under -WhatIf, even in a folder a crash left' {
        $folder = New-TestFolder
        try {
            $null = Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 8 -StepSize 4 -Duration 0.2 -SettleTime 0 -OutputDirectory $folder
            [System.IO.File]::AppendAllText((Join-Path $folder 'scan_results_ch1.csv'), '2026-01-01T00:00:00.0000000+00:00,cut,Para')
            $before = Get-ChildItem $folder -File | ForEach-Object { "$($_.Name):$($_.Length)" }
            $null = Measure-HaniwersThreshold -Path $folder -WhatIf -WarningAction SilentlyContinue -ErrorAction SilentlyContinue
            Get-ChildItem $folder -File | ForEach-Object { "$($_.Name):$($_.Length)" } | Should -Be $before
        } finally { Remove-Item $folder -Recurse -Force }
    }
}
