BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:quick = @{ Center = 280, 300, 260; StepSize = 8; SettleTime = 0 }
}

Describe 'Get-HaniwersRun' {
    BeforeEach { $script:workspace = New-TestFolder }
    AfterEach { Remove-Item $workspace -Recurse -Force -ErrorAction SilentlyContinue }

    It 'reports each run once when the workspace holds links to folders, and ends when a link leads back up' {
        # found by an independent tester: ln -s . self reported one run 41 times; with sub/up -> .. it had not ended after 120 s
        $folder = Join-Path $workspace 'day'
        Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory $folder | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'self') -Target $folder | Out-Null
        New-Item -ItemType Directory -Path (Join-Path $folder 'sub') | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $folder 'sub/up') -Target $workspace | Out-Null
        $job = Start-ThreadJob { param($m, $w) Import-Module $m; @(Get-HaniwersRun -Path $w -Verbose 4>&1) } -ArgumentList $ModulePath, $workspace
        $out = $job | Wait-Job -Timeout 60 | Receive-Job
        $job.State | Should -Be 'Completed' -Because 'a link back up the tree is not followed for ever'
        $job | Remove-Job -Force
        @($out | Where-Object { $_ -is [Haniwers.Reports.RunReport] }).Count | Should -Be 1
        @($out | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'symbolic link' }).Count | Should -Be 2
    }

    It 'says when -Path matches nothing, and names -LiteralPath when the folder exists as written' {
        # found by an independent tester: a run folder with [ ] in its name gave no run and no word
        $folder = Join-Path $workspace 'run [a]'
        New-Item -ItemType Directory -Path $folder | Out-Null
        Get-HaniwersRun -Path $folder -ErrorVariable missing -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
        $missing[0].Exception.Message | Should -Match "-LiteralPath"
        Get-HaniwersRun -Path (Join-Path $workspace 'none_*') -ErrorVariable none -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $none[0].FullyQualifiedErrorId | Should -BeLike 'PathNotFound*'
    }

    It 'reports a scan with the writes, refusals and retries of threshold_operations.csv, and a data-taking run with its events and files' {
        $folder = Join-Path $workspace '20261127'
        Invoke-HaniwersParallelScan -PortName 'sim:seed=2,refuse-every=4' @quick -NSteps 3 -Duration 0.1 -OutputDirectory $folder | Out-Null
        Invoke-HaniwersDaq -PortName sim -Threshold 280, 300, 260 -EventsPerFile 40 -FileCount 3 -OutputDirectory $folder | Out-Null

        $runs = @(Get-HaniwersRun $workspace)
        $runs.Count | Should -Be 2
        $scan, $daq = $runs
        $scan.Kind | Should -Be 'Scan'
        $scan.Mode | Should -Be 'Parallel'
        $scan.Outcome | Should -Be 'Completed'
        $scan.Reason | Should -BeNullOrEmpty
        $scan.PlannedSteps | Should -Be 7
        $scan.MeasuredSteps | Should -Be 7
        $scan.SkippedSteps | Should -Be 0
        $scan.Port | Should -Be 'sim:seed=2,refuse-every=4'
        $scan.Start | Should -BeLessThan $scan.End
        # counted independently from the operation log
        $operations = @(Import-Csv (Join-Path $folder 'threshold_operations.csv') | Where-Object RunId -eq $scan.RunId)
        foreach ($channel in 1..3) {
            $mine = @($operations | Where-Object Channel -eq $channel)
            $writes = $scan.ThresholdWrites | Where-Object Channel -eq $channel
            $writes.Writes | Should -Be @($mine | Where-Object Attempts -eq 1).Count
            $writes.Retries | Should -Be @($mine | Where-Object Attempts -ne 1).Count
            $writes.Refusals | Should -Be @($mine | Where-Object Reason -like 'refused*').Count
            $writes.Failed | Should -Be 0
        }
        ($scan.ThresholdWrites | Measure-Object Refusals -Sum).Sum | Should -BeGreaterThan 0
        $scan.Files | Should -Contain 'scan_results_ch2.csv'

        $daq.Kind | Should -Be 'Daq'
        $daq.Mode | Should -Be 'CountBased'
        $daq.Outcome | Should -Be 'Completed'
        $daq.Events | Should -Be 120
        $daq.Files.Count | Should -Be 3
        $rows = 0; foreach ($file in $daq.Files) { $rows += @(Get-Content (Join-Path $folder $file)).Count }
        $rows | Should -Be 120
        $daq.ThresholdWrites.Count | Should -Be 3
        $daq.Reconnects | Should -Be 0
        $daq.LiveSeconds | Should -BeGreaterThan 0
    }

    It 'tells a data-taking run whose threshold was refused as Failed, with the channel and the reason' {
        { Invoke-HaniwersDaq -PortName 'sim:refuse-channel=2' -Threshold 280, 300, 260 -EventsPerFile 40 -FileCount 1 -OutputDirectory $workspace | Out-Null } |
            Should -Throw -ErrorId 'ThresholdNotSet*'
        $run = Get-HaniwersRun $workspace
        $run.Outcome | Should -Be 'Failed'
        $run.Reason | Should -Match 'channel 2'
        $run.FailedWrites | Should -Be 1
        $channel2 = $run.ThresholdWrites | Where-Object Channel -eq 2
        $channel2.Failed | Should -Be 1
        $channel2.Refusals | Should -Be 1
        $channel2.Retries | Should -BeGreaterThan 0
        $run.Events | Should -Be 0
    }

    It 'tells a killed scan as Unknown with its measured steps, and the same run resumed as Completed' {
        Invoke-KilledScan "Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 6 -StepSize 4 -Duration 0.3 -SettleTime 0 -OutputDirectory '$workspace' | Out-Null" (Join-Path $workspace 'scan_results_ch2.csv') 4
        $killed = Get-HaniwersRun $workspace
        $killed.Outcome | Should -Be 'Unknown'
        $killed.Reason | Should -Match 'no end record yet'
        $killed.PlannedSteps | Should -Be 13
        $killed.MeasuredSteps | Should -BeGreaterOrEqual 3
        $killed.MeasuredSteps | Should -BeLessThan 13

        Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $workspace -Resume -WarningAction SilentlyContinue | Out-Null
        $resumed = Get-HaniwersRun $workspace
        $resumed.RunId | Should -Be $killed.RunId
        $resumed.Outcome | Should -Be 'Completed'
        $resumed.Reason | Should -BeNullOrEmpty
        $resumed.Resumes | Should -Be 1
        $resumed.MeasuredSteps | Should -Be 13
    }

    It 'finds the runs of a workspace''s date folders and gives the morning check: the last N, those not completed, with the reason' {
        Invoke-HaniwersParallelScan -PortName sim @quick -NSteps 1 -Duration 0.1 -OutputDirectory (Join-Path $workspace '20261126') | Out-Null
        { Invoke-HaniwersParallelScan -PortName 'sim:seed=1,drop-after=0.3,restore-after=-1' @quick -NSteps 5 -Duration 0.1 -MaxConsecutiveFailures 2 -ReconnectTimeout 0.3 `
            -OutputDirectory (Join-Path $workspace '20261127') -ErrorAction Continue -WarningAction SilentlyContinue 2>$null | Out-Null } | Should -Throw
        Invoke-HaniwersParallelScan -PortName sim @quick -NSteps 1 -Duration 0.1 -OutputDirectory (Join-Path $workspace '20261128') | Out-Null

        $all = @(Get-HaniwersRun $workspace)
        $all.Count | Should -Be 3
        $all.Start | Should -Be ($all.Start | Sort-Object)
        $last = @(Get-HaniwersRun $workspace -Last 2)
        $last.RunId | Should -Be $all[1..2].RunId
        $bad = @(Get-HaniwersRun $workspace -Last 7 | Where-Object Outcome -ne Completed)
        $bad.Count | Should -Be 1
        $bad[0].Folder | Should -Be (Join-Path $workspace '20261127')
        $bad[0].Outcome | Should -Be 'Aborted'
        $bad[0].Reason | Should -Not -BeNullOrEmpty
        $bad[0].MeasuredSteps | Should -BeLessThan $bad[0].PlannedSteps
        # the same run by id, and from Get-ChildItem's output
        (Get-HaniwersRun $workspace -RunId $bad[0].RunId).Outcome | Should -Be 'Aborted'
        @(Get-ChildItem $workspace -Directory | Get-HaniwersRun).Count | Should -Be 3
        # the format view shows it as one table row per run
        $table = Get-HaniwersRun $workspace | Out-String -Width 200
        $table | Should -Match 'RunId\s+Kind\s+Mode\s+Outcome'
        $table | Should -Match ([regex]::Escape($bad[0].RunId) + '\s+Scan\s+Parallel\s+Aborted')
    }

    It 'shows what the fits of a scan recommend, and a channel for which they recommend none, with the reason' {
        $folder = New-TestFolder
        try {
            # ch3's range (120..220) misses its edge: the fit recommends nothing for it
            $null = Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -Center 280, 300, 170 -NSteps 10 -StepSize 5 -Duration 1 -OutputDirectory $folder
            $null = Measure-HaniwersThreshold -Path $folder -OutputDirectory $folder -WarningAction SilentlyContinue
            $run = Get-HaniwersRun -Path $folder -Last 1
            $run.Outcome | Should -Be 'Completed'
            $run.Fits | Should -Match '^ch1=\d+; ch2=\d+; ch3: no threshold \(.+\)$'
            # the list view says the duration as a person writes it, and shows the fits and the write-back
            $list = $run | Format-List | Out-String
            $list | Should -Match '(?m)^Duration\s+: [\d.]+ s$'
            $list | Should -Not -Match '\d\d:\d\d:\d\d\.\d{7}'
            $list | Should -Match '(?m)^Fits\s+: ch1='
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'tells a scan that ran its plan to the end with skipped steps as Incomplete, which the morning check lists' {
        # the simulator on its own clock (instant): the link drops after its third window, however busy this computer is
        Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant,drop-after=0.3,restore-after=-1' @quick -NSteps 3 -Duration 0.1 -ReconnectTimeout 0.2 -MaxConsecutiveFailures 10 `
            -OutputDirectory $workspace -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
        $journalEnd = Get-Content (Join-Path $workspace 'run_journal.jsonl') | Select-Object -Last 1 | ConvertFrom-Json
        $journalEnd.outcome | Should -Be 'Completed'   # the plan ran to its end
        $run = Get-HaniwersRun $workspace
        $run.Outcome | Should -Be 'Incomplete'
        $run.SkippedSteps | Should -BeGreaterThan 0
        $run.Reason | Should -Match "^$($run.SkippedSteps) of 7 steps have no rows \(skipped; the first: .*link"
        @(Get-HaniwersRun $workspace -Last 7 | Where-Object Outcome -ne Completed).Count | Should -Be 1
    }

    It 'tells a killed scan as Failed once a later run opened its folder, with the files it wrote' {
        Invoke-KilledScan "Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 6 -StepSize 4 -Duration 0.3 -SettleTime 0 -OutputDirectory '$workspace' | Out-Null" (Join-Path $workspace 'scan_results_ch2.csv') 3
        Invoke-HaniwersParallelScan -PortName sim @quick -NSteps 1 -Duration 0.1 -OutputDirectory $workspace -WarningAction SilentlyContinue | Out-Null
        $killed, $next = Get-HaniwersRun $workspace
        $killed.Outcome | Should -Be 'Failed'
        $killed.Reason | Should -Match "ended without an end record.*run $($next.RunId) opened the folder"
        $killed.Files | Should -Contain 'scan_results_ch1.csv'
        $next.Outcome | Should -Be 'Completed'
    }

    It 'counts the wait for a link that never came back as dead time, not live time' {
        { Invoke-HaniwersDaq -PortName 'sim:drop-after=1,restore-after=-1' -Threshold 280, 300, 260 -Mode TimeBased -Duration 30 -FileCount 1 -ReconnectTimeout 2 `
            -OutputDirectory $workspace -WarningAction SilentlyContinue | Out-Null } | Should -Throw
        $run = Get-HaniwersRun $workspace
        $run.Outcome | Should -Be 'Failed'
        $run.LiveSeconds | Should -BeLessThan 1.5
        $run.DeadSeconds | Should -BeGreaterOrEqual 2
        $run.Events | Should -BeGreaterThan 0
    }

    It 'warns about a journal it cannot read, takes run folders as strings and Get-ChildItem -File, and shows days in the duration' {
        $daq = Join-Path $workspace 'daq'
        New-Item -ItemType Directory $daq | Out-Null
        # a data-taking run of two days and an hour, as its journal tells it
        Set-Content (Join-Path $daq 'daq_journal.jsonl') @(
            '{"event":"start","timestamp":"2026-11-20T10:00:00+00:00","runId":"20261120-100000-aaaa","mode":"TimeBased","port":"COM3"}'
            '{"event":"end","timestamp":"2026-11-22T11:00:00+00:00","runId":"20261120-100000-aaaa","outcome":"Completed","events":5000,"files":1,"liveSeconds":176400,"deadSeconds":0}'
        )
        $table = Get-HaniwersRun $daq | Out-String -Width 120
        $table | Should -Match '20261120-100000-aaaa\s+Daq\s+TimeBased\s+Completed\s+2d 01:00:00\s+5000 ev'
        ($daq | Get-HaniwersRun).RunId | Should -Be '20261120-100000-aaaa'
        Set-Content (Join-Path $daq 'raw.csv') 'x'
        @(Get-ChildItem $daq -File | Get-HaniwersRun).Count | Should -Be 1

        $scan = Join-Path $workspace 'scan'
        New-Item -ItemType Directory $scan | Out-Null
        Set-Content (Join-Path $scan 'run_journal.jsonl') ([byte[]](1..200) | ForEach-Object { [char]($_ % 90 + 33) }) -NoNewline
        Get-HaniwersRun $scan -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$warnings" | Should -Match 'not journal records'
        "$warnings" | Should -Match 'holds no journal record'
    }

    It 'names a path that does not exist as its own error, and warns about a folder without journals' {
        $missing = Join-Path $workspace 'nothing-here'
        Get-HaniwersRun $missing -ErrorVariable problems -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Match '^PathNotFound'
        $problems[0].TargetObject | Should -Be $missing

        Get-HaniwersRun $workspace -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
        "$warnings" | Should -Match 'No run journal'
    }
}
