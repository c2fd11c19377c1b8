# Resuming an unfinished scan: exactly the missing steps, under the same run, each step once per channel.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    function Read-Journal([string] $Folder) { Get-Content (Join-Path $Folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json } }

    # every step of the plan once in every channel file, all under one run id
    function Assert-WholePlan([string] $Folder, [int] $Steps) {
        $runIds = foreach ($ch in 1..3) {
            $rows = @(Import-Csv (Join-Path $Folder "scan_results_ch$ch.csv"))
            ($rows.Step | ForEach-Object { [int]$_ } | Sort-Object) -join ',' | Should -Be ((1..$Steps) -join ',')
            $rows.RunId
        }
        @($runIds | Sort-Object -Unique).Count | Should -Be 1
    }
}

Describe 'Invoke-HaniwersParallelScan -Resume' {
    BeforeEach { $folder = New-TestFolder }
    AfterEach { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }

    It 'measures exactly the missing steps of a scan killed with SIGKILL, under the same run' {
        Invoke-KilledScan "Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 6 -StepSize 4 -Duration 0.3 -SettleTime 0 -OutputDirectory '$folder' | Out-Null" (Join-Path $folder 'scan_results_ch2.csv') 5
        # the steps the killed run committed: a row of the step it was writing may be in ch1 still, and is rolled back
        # by the resume (counting ch1's rows overcounted by one when the kill landed between ch1's row and the commit)
        # (whole journal lines only: the kill may have cut its last record short)
        $whole = ([IO.File]::ReadAllText((Join-Path $folder 'run_journal.jsonl')) -split "`n") | Select-Object -SkipLast 1
        $done = @($whole | Where-Object { $_ -like '*"event":"commit"*' }).Count
        $done | Should -BeLessThan 13
        $rows = @(Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $folder -Resume -WarningAction SilentlyContinue -InformationVariable info)
        $rows.Count | Should -Be ((13 - $done) * 3)
        ($rows | Group-Object Step).Count | Should -BeGreaterOrEqual (13 - $done)
        Assert-WholePlan $folder 13
        $resumed = @(Read-Journal $folder | Where-Object event -eq 'resumed')
        $resumed.Count | Should -Be 1
        @($resumed[0].steps).Count | Should -Be ($rows.Count / 3)
        ($info | Where-Object { $_.Tags -contains 'Summary' }).MessageData.Outcome | Should -Be 'Completed'
        # one line on the host says what was taken up
        $line = ($info | Where-Object { $_.Tags -contains 'Outcome' }).MessageData.Message
        $first = ($rows.Step | Measure-Object -Minimum).Minimum
        $line | Should -Match "^Haniwers: resumed run \d{8}-\d{6}-\w{4} \((steps $first to 13|step 13|\d+ steps from $first to 13)\) completed: $($rows.Count / 3) of $($rows.Count / 3) steps measured, in .*\. Files in $([regex]::Escape($folder))\.$"
    }

    It 'measures a skipped step again, and then there is nothing left to resume' {
        $null = Invoke-HaniwersParallelScan -PortName 'sim:seed=1,refuse-every=7' -Center 280, 300, 260 -NSteps 4 -StepSize 4 -Duration 0.1 -SettleTime 0 -Retry 1 -OutputDirectory $folder -ErrorVariable err -ErrorAction SilentlyContinue
        $skipped = @($err | Where-Object { $_.FullyQualifiedErrorId -like 'StepSkipped*' } | ForEach-Object { $_.TargetObject.Step })
        $skipped.Count | Should -BeGreaterThan 0
        $rows = @(Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $folder -Resume)
        ($rows.Step | Sort-Object -Unique) -join ',' | Should -Be (($skipped | Sort-Object) -join ',')
        Assert-WholePlan $folder 9
        { Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $folder -Resume -ErrorAction Stop } | Should -Throw -ErrorId 'NothingToResume*'
    }

    It 'lists the steps and the time with -WhatIf, touching nothing' {
        $null = Invoke-HaniwersParallelScan -PortName 'sim:seed=1,refuse-every=7' -Center 280, 300, 260 -NSteps 4 -StepSize 4 -Duration 0.1 -SettleTime 0 -Retry 1 -OutputDirectory $folder -ErrorAction SilentlyContinue
        $before = Get-ChildItem $folder -File | ForEach-Object { "$($_.Name):$($_.Length)" }
        $out = Invoke-InNewPwsh "Invoke-HaniwersParallelScan -PortName sim -OutputDirectory '$folder' -Resume -WhatIf"
        $out | Should -Match 'Resume run \d{8}-\d{6}-\w{4}, measuring the steps it has no rows for \(steps \d'
        $out | Should -Match 'windows of 0.1 s'
        Get-ChildItem $folder -File | ForEach-Object { "$($_.Name):$($_.Length)" } | Should -Be $before
    }

    It 'refuses <Case>, naming why, before the port opens' -ForEach @(
        @{ Case = 'a plan that differs from the recorded one'; Change = { }; Extra = @{ Duration = 0.2 }; Serial = $false; ErrorId = 'ResumePlanMismatch'; Message = 'sampler.duration differs.*recorded 0.1 s, the command gives 0.2 s' }
        @{ Case = 'a file changed since the run'; Change = { param($f) $p = Join-Path $f 'scan_results_ch2.csv'; $lines = Get-Content $p; Set-Content $p $lines[0..($lines.Count - 2)] }; Extra = @{}; Serial = $false; ErrorId = 'ResumeFilesChanged'; Message = 'scan_results_ch2.csv holds \d+ row\(s\) of run .* the journal committed' }
        @{ Case = 'a serial resume of a parallel run'; Change = { }; Extra = @{}; Serial = $true; ErrorId = 'ResumeModeMismatch'; Message = 'is a Parallel scan' }
    ) {
        $null = Invoke-HaniwersParallelScan -PortName 'sim:seed=1,refuse-every=7' -Center 280, 300, 260 -NSteps 4 -StepSize 4 -Duration 0.1 -SettleTime 0 -Retry 1 -OutputDirectory $folder -ErrorAction SilentlyContinue
        & $Change $folder
        $stop = $null
        $parameters = @{ PortName = '/dev/ttyHANIWERS_NONE'; OutputDirectory = $folder; Resume = $true; ErrorAction = 'Stop' } + $Extra
        try { if ($Serial) { Invoke-HaniwersSerialScan @parameters } else { Invoke-HaniwersParallelScan @parameters } } catch { $stop = $_ }
        $stop.FullyQualifiedErrorId | Should -BeLike "$ErrorId*"
        $stop.Exception.Message | Should -Match $Message
    }

    It 'resumes a serial scan from its config file over the real serial path' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=71,refuse-every=5'
        try {
            $config = Join-Path $folder 'config.toml'
            New-HaniwersConfig -Path $config -PortName $pty.Host -Center 280, 300, 260 -NSteps 2 -StepSize 4 -Duration 0.1 | Out-Null
            $null = Invoke-HaniwersSerialScan -ConfigPath $config -SettleTime 0 -Retry 1 -OutputDirectory (Join-Path $folder 'run') -ErrorAction SilentlyContinue -ErrorVariable err
            $skipped = @($err | Where-Object { $_.FullyQualifiedErrorId -like 'StepSkipped*' }).Count
            $skipped | Should -BeGreaterThan 0
            # the same file again: the recorded plan is the one it describes
            $rows = @(Invoke-HaniwersSerialScan -ConfigPath $config -SettleTime 0 -Retry 3 -OutputDirectory (Join-Path $folder 'run') -Resume)
            $rows.Count | Should -Be $skipped
            foreach ($ch in 1..3) {
                @(Import-Csv (Join-Path $folder "run/scan_results_ch$ch.csv")).Count | Should -Be 5
            }
        } finally { $sim, $pty | Stop-TestProcess }
    }

    It 'plans with -WhatIf, unrepaired, what the real resume will measure after a kill between rows and commit' {
        $null = Invoke-HaniwersParallelScan -PortName 'sim:seed=1,refuse-every=7' -Center 280, 300, 260 -NSteps 4 -StepSize 4 -Duration 0.1 -SettleTime 0 -Retry 1 -OutputDirectory $folder -ErrorAction SilentlyContinue
        # what a kill after ch1's row of a missing step and before its commit leaves
        $journal = @(Get-Content (Join-Path $folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json })
        $runId = $journal[0].runId
        $missing = @($journal | Where-Object event -eq 'skipped')[0].step
        $lengths = @{}; foreach ($ch in 1..3) { $lengths["scan_results_ch$ch.csv"] = (Get-Item (Join-Path $folder "scan_results_ch$ch.csv")).Length }
        Add-Content (Join-Path $folder 'run_journal.jsonl') (@{ event = 'intent'; timestamp = (Get-Date).ToString('o'); runId = $runId; step = $missing; files = $lengths } | ConvertTo-Json -Compress)
        [System.IO.File]::AppendAllText((Join-Path $folder 'scan_results_ch1.csv'), "2026-01-01T00:00:00.0000000+00:00,$runId,Parallel,$missing,1,280,0.1,20,200,44,20,24.5,100200,35`r`n")
        $out = Invoke-InNewPwsh "Invoke-HaniwersParallelScan -PortName sim -OutputDirectory '$folder' -Resume -WhatIf"
        $out | Should -Match "Resume run $runId"
        $out | Should -Not -Match 'ResumeFilesChanged'
        $rows = @(Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $folder -Resume -WarningAction SilentlyContinue)
        Assert-WholePlan $folder 9
    }

    It 'refuses a file whose step numbers were edited, naming the step that is twice' {
        $null = Invoke-HaniwersParallelScan -PortName 'sim:seed=1,refuse-every=7' -Center 280, 300, 260 -NSteps 4 -StepSize 4 -Duration 0.1 -SettleTime 0 -Retry 1 -OutputDirectory $folder -ErrorAction SilentlyContinue
        $path = Join-Path $folder 'scan_results_ch2.csv'
        # the first committed step's row is given the second's number
        $first, $second = (Import-Csv $path | Select-Object -First 2).Step
        (Get-Content $path -Raw).Replace(",Parallel,$first,", ",Parallel,$second,") | Set-Content $path -NoNewline
        $stop = $null
        try { Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $folder -Resume -ErrorAction Stop } catch { $stop = $_ }
        $stop.FullyQualifiedErrorId | Should -BeLike 'ResumeFilesChanged*'
        $stop.Exception.Message | Should -Match "step $second twice"
    }

    It 'refuses a folder with nothing in it' {
        { Invoke-HaniwersParallelScan -PortName sim -OutputDirectory $folder -Resume -ErrorAction Stop } | Should -Throw -ErrorId 'NothingToResume*'
    }
}
