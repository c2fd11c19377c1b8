# Issue: data taking. Invoke-HaniwersDaq over a socat pty against the served simulator, which numbers
# its event lines (the adc field) and logs how many it had sent when the stream was resumed; kill -9
# and SIGTERM of a child pwsh; Measure-HaniwersRate against haniwers' own aggregation run in pandas.

BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Every row of the raw files of a folder, in file order; the reader's malformed count must be 0.
    function Read-RawRows([string] $Folder, [string] $Filter = '*.csv') {
        foreach ($file in Get-ChildItem $Folder -Filter $Filter | Sort-Object Name) {
            foreach ($line in [IO.File]::ReadAllLines($file.FullName)) {
                $f = $line.Split(',')
                [pscustomobject]@{ File = $file.Name; Time = [DateTimeOffset]::Parse($f[0], [cultureinfo]::InvariantCulture); Top = [int]$f[1]; Mid = [int]$f[2]; Btm = [int]$f[3]; Number = [long]$f[4]; Line = $line }
            }
        }
    }

    function Read-DaqJournal([string] $Folder) {
        Get-Content (Join-Path $Folder 'daq_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json }
    }

    # A python3 that has pandas: haniwers' aggregation runs in it (apt-get install python3-pandas; .ci/run does).
    function Get-PandasPython {
        foreach ($candidate in @(Get-Command python3 -All -CommandType Application -ErrorAction SilentlyContinue) + @(Get-Item /usr/bin/python3 -ErrorAction SilentlyContinue)) {
            $path = if ($candidate.Source) { $candidate.Source } else { $candidate.FullName }
            & $path -c 'import pandas' 2>$null
            if ($LASTEXITCODE -eq 0) { return $path }
        }
        throw 'No python3 with pandas was found: install it (apt-get install python3-pandas) to compare with haniwers'' own aggregation.'
    }
}

Describe 'Invoke-HaniwersDaq over a pty' {
    BeforeAll {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=21,numbered,noise-rate=3000'
    }
    AfterAll {
        $sim, $pty | Stop-TestProcess
    }

    It 'writes every event the device sends after the start into exactly one file, in order' {
        $folder = New-TestFolder
        try {
            Invoke-HaniwersDaq -PortName $pty.Host -OutputDirectory $folder -EventsPerFile 4000 -FileCount 5 -Threshold 200 -InformationVariable info
            $summary = ($info | Where-Object Tags -contains Summary).MessageData
            $summary.Outcome | Should -Be 'Completed'
            $files = @(Get-ChildItem $folder -Filter 'data_*.csv' | Sort-Object Name)
            $files.Count | Should -Be 5
            foreach ($file in $files) { @([IO.File]::ReadAllLines($file.FullName)).Count | Should -Be 4000 }
            $rows = @(Read-RawRows $folder)
            $rows.Count | Should -Be 20000
            # the simulator logged how many lines it had made when the run's stream started: the run keeps the very next one
            # (Get-SimulatorLog) returns the log as one array: the parentheses let the pipeline take it line by line
            $started = [long]([regex]::Match(((Get-SimulatorLog $sim) | Where-Object { $_ -like 'STREAM 1 *' } | Select-Object -Last 1), 'sent=(\d+)').Groups[1].Value)
            $rows[0].Number | Should -Be ($started + 1) -Because "the simulator's log was:`n$((Get-SimulatorLog $sim) -join "`n")"
            $gaps = for ($i = 1; $i -lt $rows.Count; $i++) { if ($rows[$i].Number -ne $rows[$i - 1].Number + 1) { "$($rows[$i - 1].Number) -> $($rows[$i].Number)" } }
            $gaps | Should -BeNullOrEmpty -Because 'no event is missing or doubled, across rotations too'
            $journal = @(Read-DaqJournal $folder)
            @($journal | Where-Object event -eq 'file-closed' | ForEach-Object events) | Should -Be @(4000, 4000, 4000, 4000, 4000)
            $journal[-1].outcome | Should -Be 'Completed'
            $journal[-1].malformedLines | Should -Be 0
            # and one line on the host says so, without -InformationAction
            ($info | Where-Object Tags -contains Outcome).MessageData.Message |
                Should -Match "^Haniwers: DAQ run $($summary.RunId) completed: 20000 event\(s\) in 5 file\(s\), live .+\. Files in $([regex]::Escape($folder))\.$"
            ($info | Where-Object Tags -contains Outcome).Tags | Should -Contain 'PSHOST'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'stops within seconds on Ctrl+C while the device keeps sending, its files whole and its journal Interrupted' {
        $folder = New-TestFolder
        $child = Join-Path $folder 'daq.ps1'
        Set-Content $child "Import-Module '$ModulePath'; Invoke-HaniwersDaq -PortName '$($pty.Host)' -Threshold 200 -Mode TimeBased -FileDuration 1 -FileCount 0 -OutputDirectory '$folder/run'"
        $pwsh = Get-PwshCommand
        # SIGINT set back to its default (a test run in the background ignores it, and children inherit that), then pwsh in its place
        $start = [System.Diagnostics.ProcessStartInfo]::new('python3')
        foreach ($argument in @('-c', 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])', $pwsh.Path) + $pwsh.Prefix + @('-NoProfile', '-NonInteractive', '-File', $child)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($start)
        $output = $process.StandardOutput.ReadToEndAsync()
        try {
            $journal = Join-Path $folder 'run/daq_journal.jsonl'
            Wait-Until { (Test-Path $journal) -and @(Get-Content $journal | Where-Object { $_ -like '*"file-opened"*' }).Count -ge 2 } -TimeoutSeconds 60 -Because 'the run to rotate a file'
            & kill -INT $process.Id
            $process.WaitForExit(15000) | Should -BeTrue -Because 'Ctrl+C stops a DAQ run however busy the device is'
            $records = @(Get-Content $journal | ForEach-Object { $_ | ConvertFrom-Json })
            $records[-1].event | Should -Be 'end'
            $records[-1].outcome | Should -Be 'Interrupted'
            $records[-2].event | Should -Be 'file-closed'
            $output.Result | Should -Match 'Haniwers: DAQ run \S+ interrupted'
        } finally {
            if (-not $process.HasExited) { $process.Kill($true) }
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'names files with the MAC address the firmware tells' {
        $folder = New-TestFolder
        try {
            Invoke-HaniwersDaq -PortName $pty.Host -OutputDirectory $folder -EventsPerFile 10 -FileCount 1 -Threshold 200
            (Get-ChildItem $folder -Filter 'data_*.csv').Name | Should -Match '^data_0248414e4957_\d{4}-\d\d-\d\d_\d\dh\d\dm\d\ds_0000000\.csv$'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A DAQ run killed with SIGKILL' {
    It 'loses at most the last second, and the next run closes off its files' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=22,numbered'
        $folder = New-TestFolder
        # rows batched (stream_mode off): about 600 events a second, written every second
        $child = Start-PwshProcess "Invoke-HaniwersDaq -Config @{ device = @{ port = '$($pty.Host)' }; sampler = @{ stream_mode = `$false; events_per_file = 2500 } } -FileCount 0 -Threshold 250 -OutputDirectory '$folder'"
        try {
            Wait-Until { @(Get-ChildItem $folder -Filter 'data_*.csv').Count -ge 2 } -TimeoutSeconds 60 -Because 'a second file'
            $killedAt = [DateTimeOffset]::Now
            Stop-Process -Id $child.Process.Id -Force
            $child.Process.WaitForExit(10000) | Out-Null
            $rows = @(Get-ChildItem $folder -Filter 'data_*.csv' | Sort-Object Name | ForEach-Object { [IO.File]::ReadAllLines($_.FullName) } | Where-Object { $_ -match '^\S+,\d+,\d+,\d+,\d+,[\d.]+,[\d.]+,[\d.]+$' })
            $last = [DateTimeOffset]::Parse($rows[-1].Split(',')[0], [cultureinfo]::InvariantCulture)
            ($killedAt - $last).TotalSeconds | Should -BeLessThan 1.5 -Because 'rows reach the operating system at least every second (0.5 s allowed for the kill itself)'
            $numbers = $rows | ForEach-Object { [long]$_.Split(',')[4] }
            for ($i = 1; $i -lt $numbers.Count; $i++) { $numbers[$i] | Should -Be ($numbers[$i - 1] + 1) }

            # the next run into the folder closes off what the killed one left, and says so
            Invoke-HaniwersDaq -PortName $pty.Host -OutputDirectory $folder -EventsPerFile 10 -FileCount 1 -Threshold 250 -WarningVariable warnings -WarningAction SilentlyContinue
            $journal = @(Read-DaqJournal $folder)
            $recovered = @($journal | Where-Object event -eq 'file-recovered')
            $recovered.Count | Should -Be 1
            $killedRun = ($journal | Where-Object event -eq 'start' | Select-Object -First 1).runId
            $end = $journal | Where-Object { $_.event -eq 'end' -and $_.runId -eq $killedRun }
            $end.outcome | Should -Be 'Failed'
            $end.events | Should -Be $numbers.Count
            foreach ($file in Get-ChildItem $folder -Filter 'data_*.csv') {
                $bytes = [IO.File]::ReadAllBytes($file.FullName)
                if ($bytes.Count -gt 0) { $bytes[-1] | Should -Be 10 -Because "$($file.Name) ends on a whole row" }
            }
            @($journal | Where-Object event -eq 'repaired').Count | Should -Be @($warnings | Where-Object { "$_" -like 'Repaired*' }).Count -Because 'every repair is told'
            # closing off the killed run is told too (it was silent): its file, and the run ended Failed with its events
            @($warnings | Where-Object { "$_" -like "Closed off*closed off $($recovered[0].file), which run $killedRun left open*" }).Count | Should -Be 1
            @($warnings | Where-Object { "$_" -like "Closed off*ended run $killedRun, which stopped without a word*Failed, $($numbers.Count) event(s)*" }).Count | Should -Be 1
        } finally {
            $child, $sim, $pty | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'A DAQ run stopped by SIGTERM' {
    It 'closes its file and the journal, and pwsh exits with 143' {
        $folder = New-TestFolder
        $child = Start-PwshProcess "Invoke-HaniwersDaq -PortName sim -OutputDirectory '$folder' -EventsPerFile 100000 -FileCount 0 -Threshold 250"
        try {
            Wait-Until { (Test-Path (Join-Path $folder 'daq_journal.jsonl')) -and (Get-Content (Join-Path $folder 'daq_journal.jsonl') -Raw) -match 'file-opened' } -TimeoutSeconds 60 -Because 'the first file'
            Wait-Until { @(Get-ChildItem $folder -Filter 'data_*.csv' | Where-Object Length -gt 1000).Count -ge 1 } -Because 'rows in the file'
            & kill -TERM $child.Process.Id
            $child.Process.WaitForExit(10000) | Should -BeTrue
            $child.Process.ExitCode | Should -Be 143
            $journal = @(Read-DaqJournal $folder)
            $journal[-2].event | Should -Be 'file-closed'
            $journal[-1].outcome | Should -Be 'Interrupted'
            $rows = @([IO.File]::ReadAllLines((Get-ChildItem $folder -Filter 'data_*.csv').FullName))
            $journal[-2].events | Should -Be $rows.Count
            Test-Path (Join-Path $folder '.haniwers-run.lock.owner') | Should -BeFalse
        } finally {
            $child | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Invoke-HaniwersDaq settings and refusals' {
    It 'reads the [sampler] keys of a haniwers config.toml' {
        $folder = New-TestFolder
        try {
            $config = Join-Path $folder 'config.toml'
            Set-Content $config @"
[device]
port = "sim"
[sampler]
workspace = "$($folder -replace '\\', '/')"
filename_prefix = "osechi_data"
filename_suffix = ".dat"
mode = "time_based"
duration = 0.5
number_of_files = 3
events_per_file = 5
[sensors.ch1]
threshold = 250
[sensors.ch2]
threshold = 250
[sensors.ch3]
threshold = "none"
"@
            Invoke-HaniwersDaq -ConfigPath $config -InformationVariable info
            $day = Join-Path $folder (Get-Date -Format yyyyMMdd)
            @(Get-ChildItem $day -Filter 'osechi_data_*.dat').Count | Should -Be 3
            $start = @(Read-DaqJournal $day)[0]
            $start.mode | Should -Be 'TimeBased'
            @($start.thresholds | ForEach-Object channel) | Should -Be @(1, 2)
            ($info | Where-Object Tags -contains Summary).MessageData.LiveSeconds | Should -BeGreaterThan 1.4
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'names a wrong key, its value and the fix, and touches nothing' {
        $folder = New-TestFolder
        try {
            $err = $null; $caught = $null
            try { Invoke-HaniwersDaq -Config @{ device = @{ port = 'sim' }; sampler = @{ mode = 'sometimes'; events_per_file = 0 } } -OutputDirectory "$folder/run" -ErrorVariable err -ErrorAction SilentlyContinue } catch { $caught = $_ }
            # the terminating error is caught, or only recorded; the error variable may hold exceptions that carry their record
            $records = @(@($err) + @($caught) | Where-Object { $null -ne $_ } | ForEach-Object {
                    if ($_ -is [System.Management.Automation.ErrorRecord]) { $_ } elseif ($_ -is [System.Management.Automation.IContainsErrorRecord]) { $_.ErrorRecord } })
            @($records | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }) | Should -Contain 'InvalidDaqConfiguration'
            ($records | Where-Object { $_.FullyQualifiedErrorId -like 'UnknownDaqMode*' } | Select-Object -First 1).ErrorDetails.RecommendedAction | Should -Match 'count_based'
            ($records | Where-Object { $_.FullyQualifiedErrorId -like 'EventsPerFileTooSmall*' } | Select-Object -First 1).ErrorDetails.Message | Should -Match 'sampler.events_per_file'
            Test-Path "$folder/run" | Should -BeFalse
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'says a parameter the chosen rotation does not read is ignored' {
        $warnings = $null
        Invoke-HaniwersDaq -PortName sim -Mode TimeBased -FileDuration 5 -EventsPerFile 100 -OutputDirectory (Join-Path $TestDrive 'x') -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue 6>$null
        $warnings.Message | Should -Match '-EventsPerFile 100 sets the events per file of a count-based run, but this run rotates by time \(a file every 5 s\)'
    }

    It '-WhatIf tells the plan and touches neither the port nor the disk' {
        $folder = New-TestFolder
        try {
            $text = Invoke-InNewPwsh "Invoke-HaniwersDaq -PortName sim -OutputDirectory '$folder/run' -EventsPerFile 500 -FileCount 4 -Threshold 280, 300, 260 -WhatIf"
            $text | Should -Match '500 events per file, 4 file\(s\)'
            $text | Should -Match 'ch1=280, ch2=300, ch3=260'
            Test-Path "$folder/run" | Should -BeFalse
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'a consumer that stops taking events interrupts the run with its files whole' {
        $folder = New-TestFolder
        try {
            $events = @(Invoke-HaniwersDaq -PortName sim -OutputDirectory $folder -EventsPerFile 1000 -FileCount 0 -Threshold 250 -PassThru | Select-Object -First 7)
            $events.Count | Should -Be 7
            $journal = @(Read-DaqJournal $folder)
            $journal[-1].outcome | Should -Be 'Interrupted'
            $journal[-2].event | Should -Be 'file-closed'
            @([IO.File]::ReadAllLines((Get-ChildItem $folder -Filter 'data_*.csv').FullName)).Count | Should -Be $journal[-2].events
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'replays a recording as a detector' {
        $folder = New-TestFolder
        try {
            Invoke-HaniwersDaq -PortName 'sim:seed=9,numbered' -OutputDirectory "$folder/recorded" -EventsPerFile 150 -FileCount 2 -Threshold 250
            Invoke-HaniwersDaq -PortName "replay:$folder/recorded,speed=max" -OutputDirectory "$folder/replayed" -EventsPerFile 300 -FileCount 1
            $recorded = @(Read-RawRows "$folder/recorded" 'data_*')
            $replayed = @(Read-RawRows "$folder/replayed" 'data_*')
            $replayed.Count | Should -Be 300
            @($replayed | ForEach-Object { $_.Line.Split(',', 2)[1] }) | Should -Be @($recorded | ForEach-Object { $_.Line.Split(',', 2)[1] })
            (Get-ChildItem "$folder/replayed" -Filter 'data_*').Name | Should -Match '^data_unknown_'
            # a relative source is the PowerShell location's, not the process's folder (which cd does not move)
            Push-Location $folder
            try {
                [System.IO.Directory]::GetCurrentDirectory() | Should -Not -Be $folder
                Invoke-HaniwersDaq -PortName 'replay:./recorded,speed=max' -OutputDirectory ./relative -EventsPerFile 300 -FileCount 1
            } finally { Pop-Location }
            @(Read-RawRows "$folder/relative" 'data_*').Count | Should -Be 300
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'Measure-HaniwersRate' {
    BeforeAll {
        $script:data = New-TestFolder
        # a day boundary in UTC+09:00 and bins of more than 8192 events of one hit pattern (numpy's buffer)
        $rng = [Random]::new(7)
        $t0 = [DateTimeOffset]::new(2026, 11, 26, 23, 58, 0, [TimeSpan]::FromHours(9))
        $inv = [cultureinfo]::InvariantCulture
        foreach ($f in 0..1) {
            $sb = [Text.StringBuilder]::new()
            for ($i = 0; $i -lt 30000; $i++) {
                $t = $t0.AddTicks(($f * 30000 + $i) * 40000 + $rng.Next(0, 9999))
                $hits = foreach ($k in 1..3) { if ($rng.Next(3) -eq 0) { 0 } else { $rng.Next(1, 40) } }
                [void]$sb.Append($t.ToString('yyyy-MM-ddTHH:mm:ss.ffffffzzz', $inv)).Append(",$($hits -join ','),$($rng.Next(100, 900)),").Append((24 + $rng.NextDouble()).ToString('F2', $inv)).Append(',').Append((100000 + 400 * $rng.NextDouble()).ToString('F2', $inv)).Append(',').Append((30 + 10 * $rng.NextDouble()).ToString('F2', $inv)).Append("`r`n")
            }
            [IO.File]::WriteAllText((Join-Path $data "data_unknown_2026-11-26_23h58m00s_000000$f.csv"), $sb.ToString())
        }
        $script:python = Get-PandasPython
        $script:reference = Join-Path $PSScriptRoot '../../tools/haniwers_resample.py'
    }
    AfterAll { Remove-Item $data -Recurse -Force -ErrorAction SilentlyContinue }

    It 'writes haniwers v1''s resampled.csv to the last digit (interval <Interval>, <Zone>, offset <Offset>)' -ForEach @(
        @{ Interval = 600; Zone = 'UTC+09:00'; Offset = 0 }
        @{ Interval = 60; Zone = 'UTC+09:00'; Offset = 37 }
        @{ Interval = 7; Zone = 'UTC'; Offset = -5 }
    ) {
        $folder = New-TestFolder
        try {
            $ours = Join-Path $folder 'ours.csv'
            $theirs = Join-Path $folder 'theirs.csv'
            Measure-HaniwersRate -Path $data -Interval $Interval -TimeZone $Zone -Offset $Offset -Format Haniwers -OutputPath $ours | Out-Null
            & $python $reference $theirs $Interval $Zone $Offset @((Get-ChildItem $data -Filter '*.csv').FullName)
            $LASTEXITCODE | Should -Be 0
            $a = @(Get-Content $ours); $b = @(Get-Content $theirs)
            $a.Count | Should -Be $b.Count
            $a.Count | Should -BeGreaterThan 2
            Compare-Object $a $b | Should -BeNullOrEmpty
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'gives each bin its counts, live time from the journal and Poisson errors' {
        $folder = New-TestFolder
        try {
            Invoke-HaniwersDaq -PortName 'sim:seed=4' -OutputDirectory $folder -Mode TimeBased -Duration 1 -FileCount 3 -Threshold 250
            $bins = @(Measure-HaniwersRate -Path $folder -Interval 1)
            $rows = @(Read-RawRows $folder 'data_*')
            ($bins | Measure-Object Events -Sum).Sum | Should -Be $rows.Count
            ($bins | Measure-Object Triple -Sum).Sum | Should -Be @($rows | Where-Object { $_.Top -gt 0 -and $_.Mid -gt 0 -and $_.Btm -gt 0 }).Count
            # the live time is the journal's, whatever the host's delays made of the files' lengths
            $closed = @(Get-Content (Join-Path $folder 'daq_journal.jsonl') | ConvertFrom-Json | Where-Object event -eq 'file-closed')
            $closed.Count | Should -Be 3
            $closed | ForEach-Object { $_.seconds | Should -BeGreaterOrEqual 1 }
            ($bins | Measure-Object LiveSeconds -Sum).Sum | Should -BeGreaterThan 2.9
            ($bins | Measure-Object LiveSeconds -Sum).Sum | Should -BeLessOrEqual (($closed | Measure-Object liveSeconds -Sum).Sum + 1e-6)
            $bins | ForEach-Object { $_.LiveFromJournal | Should -BeTrue; $_.LiveSeconds | Should -BeLessOrEqual 1.000001 }
            $full = $bins | Where-Object LiveSeconds -gt 0.99 | Select-Object -First 1
            $full.TopRateError | Should -Be ([math]::Sqrt($full.Top) / $full.LiveSeconds)
            # the default table fits 80 columns, nothing cut, every rate with two decimals
            $table = @(($bins | Format-Table | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
            $table | ForEach-Object { $_.Length | Should -BeLessOrEqual 80 }
            ($table -join "`n") | Should -Not -Match '…'
            $table | Select-Object -Skip 2 | ForEach-Object { $_ | Should -Match '^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+\.\d +\d+ +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d +\d+\.\d\d±\d+\.\d\d' }
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'draws the rate and the pressure, and fits the barometric coefficient' {
        $folder = New-TestFolder
        try {
            $plot = Join-Path $folder 'rate.svg'
            $bins = @(Measure-HaniwersRate -Path $data -Interval 60 -TimeZone UTC+09:00 -PlotPath $plot -PressureCorrection -InformationVariable info)
            $fit = ($info | Where-Object { $_.Tags -contains 'PressureCorrection' -and $_.MessageData -is [Haniwers.DataTaking.PressureCorrection] }).MessageData
            $fit.Bins | Should -Be $bins.Count
            [math]::Abs($fit.Coefficient) | Should -BeLessThan (4 * $fit.CoefficientError) -Because 'the synthetic pressure is random, so the coefficient is 0 within its errors'
            $bins | ForEach-Object { $_.CorrectedTripleRate | Should -Not -BeNullOrEmpty }
            [xml] $svg = Get-Content $plot -Raw
            $svg.svg | Should -Not -BeNullOrEmpty
            (Get-Content $plot -Raw) | Should -Match 'pressure \(hPa\)'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'takes files from Get-ChildItem, and writes its CSV whole even when the consumer stops early' {
        $folder = New-TestFolder
        try {
            $literal = Join-Path $folder '[run 1]'
            New-Item -ItemType Directory $literal | Out-Null
            Copy-Item (Join-Path $data '*.csv') $literal
            $all = @(Get-ChildItem -LiteralPath $literal -Filter '*.csv' | Measure-HaniwersRate -Interval 60 -TimeZone UTC+09:00)
            ($all | Measure-Object Events -Sum).Sum | Should -Be 60000
            $csv = Join-Path $folder 'resampled.csv'
            $first = @(Measure-HaniwersRate -LiteralPath $literal -Interval 60 -TimeZone UTC+09:00 -Format Haniwers -OutputPath $csv | Select-Object -First 1)
            $first.Count | Should -Be 1
            $theirs = Join-Path $folder 'theirs.csv'
            & $python $reference $theirs 60 'UTC+09:00' 0 @((Get-ChildItem -LiteralPath $literal).FullName)
            Compare-Object @(Get-Content -LiteralPath $csv) @(Get-Content $theirs) | Should -BeNullOrEmpty
            Test-Path "$csv.partial" | Should -BeFalse
        } finally { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'names a file that is not a raw file, and a path that does not exist' {
        $folder = New-TestFolder
        try {
            Set-Content (Join-Path $folder 'scan_results_ch1.csv') "Timestamp,RunId,Mode`n"
            Measure-HaniwersRate -Path (Join-Path $folder 'scan_results_ch1.csv'), (Join-Path $folder 'nope.csv') -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
            @($err.FullyQualifiedErrorId | ForEach-Object { $_.Split(',')[0] }) | Should -Be @('NotRawFile', 'PathNotFound')
            $err[0].Exception.Message | Should -Match 'Timestamp,RunId,Mode'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'bins events from the pipeline' {
        $folder = New-TestFolder
        try {
            $bins = @(Invoke-HaniwersDaq -PortName 'sim:seed=5' -OutputDirectory $folder -EventsPerFile 500 -FileCount 1 -Threshold 250 -PassThru | Measure-HaniwersRate -Interval 3600 -TimeZone UTC)
            ($bins | Measure-Object Events -Sum).Sum | Should -Be 500
            $bins | ForEach-Object { $_.LiveFromJournal | Should -BeFalse }
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
