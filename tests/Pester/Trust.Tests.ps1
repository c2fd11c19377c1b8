# Issue: measurements you can trust. Each test injects the real fault: SIGKILL and SIGTERM of a child
# pwsh, a pty that vanishes and comes back, a full and a read-only file system, a board that resets,
# a stall and a flood from the served simulator.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    function Read-Journal([string] $Folder) { Get-Content (Join-Path $Folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json } }

    # The promise of docs/crash-protocol.md, checked on the files as Import-Csv users see them:
    # every step of every run in all three channel files or in none, once; every file ends on a line
    # end; every journal line parses; the journal's commits match the rows.
    function Assert-RunFolderConsistent([string] $Folder) {
        foreach ($file in Get-ChildItem $Folder -Filter '*.csv') {
            $bytes = [System.IO.File]::ReadAllBytes($file.FullName)
            if ($bytes.Length -gt 0) { $bytes[-1] | Should -Be 10 -Because "$($file.Name) must end on a complete line" }
        }
        $journal = @(Get-Content (Join-Path $Folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json -ErrorAction Stop })
        $steps = foreach ($ch in 1..3) {
            $path = Join-Path $Folder "scan_results_ch$ch.csv"
            , @(if (Test-Path $path) { Import-Csv $path | ForEach-Object { "$($_.RunId)/$($_.Step)" } })
        }
        foreach ($ch in 1..3) {
            @($steps[$ch - 1] | Group-Object | Where-Object Count -gt 1).Count | Should -Be 0 -Because "no step is twice in channel $ch"
            ($steps[$ch - 1] | Sort-Object) -join ' ' | Should -Be (($steps[0] | Sort-Object) -join ' ') -Because "channel $ch has the same steps as channel 1"
        }
        $committed = @($journal | Where-Object event -eq 'commit' | ForEach-Object { "$($_.runId)/$($_.step)" })
        ($committed | Sort-Object) -join ' ' | Should -Be (($steps[0] | Sort-Object) -join ' ') -Because 'every committed step, and only those, is on disk'
        [pscustomobject]@{ Steps = $steps[0].Count; Journal = $journal }
    }

    function Start-BackgroundScan([hashtable] $Parameters) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript('param($module, $parameters) Import-Module $module; Invoke-HaniwersParallelScan @parameters').AddArgument($ModulePath).AddArgument($Parameters)
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }

    # A small tmpfs where the machine lets us mount one (root on Linux); $null elsewhere.
    function New-TmpfsMount([int] $Kilobytes) {
        if (-not $IsLinux) { return $null }
        $mount = New-TestFolder
        & mount -t tmpfs -o "size=$($Kilobytes)k" tmpfs $mount 2>$null
        if ($LASTEXITCODE -ne 0) { Remove-Item $mount; return $null }
        $mount
    }

    function Remove-TmpfsMount([string] $Mount) {
        if ($Mount) { & umount $Mount; Remove-Item $Mount -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A scan killed with SIGKILL at random moments' {
    BeforeAll {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=21'
        $folder = New-TestFolder
    }
    AfterAll {
        $sim, $pty | Stop-TestProcess
        Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'leaves every step in all channel files or in none, after each of 24 kills, and a new scan appends cleanly' {
        $random = [System.Random]::new(8)
        $script = "Invoke-HaniwersParallelScan -PortName '$($pty.Host)' -Center 512 -NSteps 300 -StepSize 1 -Duration 0.02 -SettleTime 0 -OutputDirectory '$folder' -ErrorAction Continue | Out-Null"
        $kills = 0; $stepRepairs = 0; $lineRepairs = 0
        $journalPath = Join-Path $folder 'run_journal.jsonl'
        for ($i = 0; $i -lt 24; $i++) {
            $starts = @(if (Test-Path $journalPath) { Get-Content $journalPath | Where-Object { $_ -like '*"event":"start"*' } }).Count
            $child = Start-PwshProcess $script
            try {
                # the kill comes at a random moment after the run started: writes, windows, flushes, new files
                Wait-Until { (Test-Path $journalPath) -and @(Get-Content $journalPath | Where-Object { $_ -like '*"event":"start"*' }).Count -gt $starts } -TimeoutSeconds 60 -Because 'the child scan to start'
                Start-Sleep -Milliseconds $random.Next(0, 1200)
                Stop-Process -Id $child.Process.Id -Force
                $child.Process.WaitForExit(10000) | Out-Null
                $kills++
            } finally { $child | Stop-TestProcess }
            $repairs = [Haniwers.Output.RunFolderRecovery]::TryRecover($folder, [DateTimeOffset]::Now)
            $stepRepairs += @($repairs | Where-Object { $null -ne $_.Step } | Select-Object -ExpandProperty Step -Unique).Count
            $lineRepairs += @($repairs | Where-Object { $null -eq $_.Step }).Count
            $null = Assert-RunFolderConsistent $folder
        }
        $rowsBefore = (Assert-RunFolderConsistent $folder).Steps
        $rows = Invoke-HaniwersParallelScan -PortName $pty.Host -Center 280, 300, 260 -NSteps 2 -StepSize 1 -Duration 0.05 -SettleTime 0 -OutputDirectory $folder
        $rows.Count | Should -Be 15
        (Assert-RunFolderConsistent $folder).Steps | Should -Be ($rowsBefore + 5)
        $kills | Should -Be 24
        Write-Host "Kill battery: $kills kills, $stepRepairs half-written step(s) rolled back, $lineRepairs cut line(s) removed, $rowsBefore steps checked in every file, 0 half steps left."
    }
}

Describe 'SIGTERM stops the pipeline as Ctrl+C does' {
    It 'runs the script''s finally block and leaves the next command''s output whole' {
        $folder = New-TestFolder
        $export = Join-Path $folder 'export.csv'
        $marker = Join-Path $folder 'finally.txt'
        $child = Start-PwshProcess "try { Invoke-HaniwersParallelScan -PortName sim -Center 512 -NSteps 200 -StepSize 1 -Duration 0.05 -SettleTime 0 -OutputDirectory '$folder/run' | Export-Csv '$export' } finally { Set-Content '$marker' 'ran' }"
        try {
            $csv = Join-Path $folder 'run/scan_results_ch1.csv'
            Wait-Until { (Test-Path $csv) -and @(Get-Content $csv).Count -ge 4 } -TimeoutSeconds 60 -Because 'three completed steps'
            & kill -TERM $child.Process.Id
            $child.Process.WaitForExit(10000) | Should -BeTrue
            $child.Process.ExitCode | Should -Be 143
            Get-Content $marker | Should -Be 'ran'
            [System.IO.File]::ReadAllBytes($export)[-1] | Should -Be 10
            (Import-Csv $export).Count % 3 | Should -Be 0
        } finally {
            $child | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'SIGTERM and SIGHUP stop a scan as Ctrl+C does' {
    It 'on <Signal>: journal interrupted and end, lock released, files whole, exit code <ExitCode>' -ForEach @(
        @{ Signal = 'TERM'; ExitCode = 143 }
        @{ Signal = 'HUP'; ExitCode = 129 }
    ) {
        $folder = New-TestFolder
        $child = Start-PwshProcess "Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 100 -StepSize 1 -Duration 0.1 -SettleTime 0 -OutputDirectory '$folder' | Out-Null"
        try {
            $csv = Join-Path $folder 'scan_results_ch3.csv'
            Wait-Until { (Test-Path $csv) -and @(Get-Content $csv).Count -ge 3 } -TimeoutSeconds 60 -Because 'two completed steps'
            & kill "-$Signal" $child.Process.Id
            $child.Process.WaitForExit(30000) | Should -BeTrue -Because "a stopped scan exits (the bound is loose: a loaded CI machine once took more than 10 s)"
            $child.Process.ExitCode | Should -Be $ExitCode
            $journal = @(Read-Journal $folder)
            $journal[-2].event | Should -Be 'interrupted'
            $journal[-1].event | Should -Be 'end'
            $journal[-1].outcome | Should -Be 'Interrupted'
            Test-Path (Join-Path $folder '.haniwers-run.lock.owner') | Should -BeFalse
            $null = Assert-RunFolderConsistent $folder
        } finally {
            $child | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'A scan over a pty that disappears and comes back' {
    It 'reopens the same name 3 s later and completes every step once' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=31'
        $folder = New-TestFolder
        $pty2 = $null; $sim2 = $null
        $scan = Start-BackgroundScan @{ PortName = $pty.Host; Center = 280, 300, 260; NSteps = 5; StepSize = 5; Duration = 0.3; SettleTime = 0; OutputDirectory = $folder; ReconnectTimeout = 20 }
        try {
            $csv = Join-Path $folder 'scan_results_ch1.csv'
            Wait-Until { (Test-Path $csv) -and @(Get-Content $csv).Count -ge 3 } -Because 'two completed steps'
            # the cable is pulled: socat and the simulator go, and with them the pty and its name
            foreach ($p in $sim, $pty) { Stop-Process -Id $p.Process.Id -Force; $p.Process.WaitForExit(5000) | Out-Null }
            Remove-Item $pty.Host, $pty.Device -Force -ErrorAction SilentlyContinue
            Start-Sleep -Seconds 3   # the outage itself, not a wait for anything
            $pty2 = Start-PtyPair -Folder $pty.Folder
            $sim2 = Start-SimulatorProcess -Serial $pty2.Device -Options 'seed=32'
            $rows = $scan.PowerShell.EndInvoke($scan.Handle)
            $scan.PowerShell.Streams.Error | Where-Object { $_.FullyQualifiedErrorId -like 'StepSkipped*' } | Should -BeNullOrEmpty
            @($rows).Count | Should -Be 33
            $check = Assert-RunFolderConsistent $folder
            $check.Steps | Should -Be 11
            $reconnected = @($check.Journal | Where-Object event -eq 'reconnected')
            $reconnected.Count | Should -Be 1
            $reconnected[0].deadSeconds | Should -BeGreaterThan 2.5
        } finally {
            $scan.PowerShell.Dispose()
            $sim, $sim2, $pty2 | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Failures of the output are told as themselves' {
    It 'ends as Failed with OutputDiskFull when the disk fills, with every reported row on disk' {
        $mount = New-TmpfsMount 1024
        if (-not $mount) { Set-ItResult -Skipped -Because 'this machine does not let the test mount a small tmpfs (needs root on Linux)'; return }
        try {
            $folder = Join-Path $mount 'run'
            # fill the disk but for a little room: the scan runs into the wall after some steps
            $free = ([System.IO.DriveInfo]::new($mount)).AvailableFreeSpace
            [System.IO.File]::WriteAllBytes((Join-Path $mount 'filler'), [byte[]]::new($free - 160KB))
            $stop = $null
            $rows = [System.Collections.Generic.List[object]]::new()
            try {
                Invoke-HaniwersParallelScan -PortName sim -Center 512 -NSteps 400 -StepSize 1 -Duration 0.005 -SettleTime 0 -OutputDirectory $folder -InformationVariable info -ErrorAction Stop | ForEach-Object { $rows.Add($_) }
            } catch { $stop = $_ }
            $stop.FullyQualifiedErrorId | Should -BeLike 'OutputDiskFull*'
            $stop.Exception.Message | Should -Match 'disk is full'
            $summary = ($info | Where-Object { $_.Tags -contains 'Summary' }).MessageData
            $summary.Outcome | Should -Be 'Failed'
            $summary.FailureReason | Should -Match 'disk is full'
            $rows.Count | Should -BeGreaterThan 0
            # everything given to the pipeline is on disk, and the folder is whole at once: no recovery needed
            $check = Assert-RunFolderConsistent $folder
            $check.Steps | Should -BeGreaterOrEqual ($rows.Count / 3)
            $last = $check.Journal[-1]
            if ($last.event -eq 'end') { $last.outcome | Should -Be 'Failed' }
            Remove-Item (Join-Path $mount 'filler')
            @($check.Journal | Where-Object { $_.event -eq 'end' -and $_.outcome -eq 'Completed' }).Count | Should -Be 0
        } finally { Remove-TmpfsMount $mount }
    }

    It 'refuses a read-only folder before the port opens, as OutputNotWritable' {
        $mount = New-TmpfsMount 64
        if (-not $mount) { Set-ItResult -Skipped -Because 'this machine does not let the test mount a tmpfs (needs root on Linux)'; return }
        try {
            New-Item -ItemType Directory (Join-Path $mount 'run') | Out-Null
            & mount -o remount,ro $mount
            $stop = $null
            try { Invoke-HaniwersParallelScan -PortName /dev/ttyHANIWERS_NONE -NSteps 1 -Duration 0.1 -OutputDirectory (Join-Path $mount 'run') -ErrorAction Stop } catch { $stop = $_ }
            $stop.FullyQualifiedErrorId | Should -BeLike 'OutputNotWritable*'
            $stop.Exception.Message | Should -Match 'read-only'
            $stop.Exception.Message | Should -Not -Match 'Another scan'
        } finally { Remove-TmpfsMount $mount }
    }

    It 'locks its folder where .NET''s own file locking is switched off, its lock being its own flock' {
        # DOTNET_SYSTEM_IO_DISABLEFILELOCKING turns off the locks FileStream takes; the run folder's lock is taken by the
        # module itself (Platform.NoFollow), and the lock's own check (a second open must be refused) would refuse the
        # folder as OutputLockUnsupported if it did not hold
        $folder = New-TestFolder
        try {
            $env:DOTNET_SYSTEM_IO_DISABLEFILELOCKING = '1'
            $child = Start-PwshProcess "try { Invoke-HaniwersParallelScan -PortName sim -NSteps 1 -Duration 0.05 -OutputDirectory '$folder/run' -ErrorAction Stop | Out-Null; Set-Content '$folder/error.txt' 'none' } catch { Set-Content '$folder/error.txt' `$_.FullyQualifiedErrorId }"
            Remove-Item Env:DOTNET_SYSTEM_IO_DISABLEFILELOCKING
            $child.Process.WaitForExit(60000) | Should -BeTrue
            Get-Content (Join-Path $folder 'error.txt') | Should -Be 'none'
            @(Import-Csv (Join-Path $folder 'run/scan_results_ch1.csv')).Count | Should -Be 3
            $child | Stop-TestProcess
        } finally {
            Remove-Item Env:DOTNET_SYSTEM_IO_DISABLEFILELOCKING -ErrorAction SilentlyContinue
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'journals a scan that the next command stopped taking as Interrupted, not Failed' {
        $folder = New-TestFolder
        try {
            $rows = Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 10 -StepSize 2 -Duration 0.05 -SettleTime 0 -OutputDirectory $folder | Select-Object -First 4
            $rows.Count | Should -Be 4
            $end = @(Get-Content (Join-Path $folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object event -eq 'end')[-1]
            $end.outcome | Should -Be 'Interrupted'
            $end.reason | Should -Match 'command that took the results stopped the scan'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'refuses an output path that is a file, as OutputPathIsFile' {
        $folder = New-TestFolder
        try {
            $file = Join-Path $folder 'results.csv'
            Set-Content $file 'x'
            { Invoke-HaniwersParallelScan -PortName /dev/ttyHANIWERS_NONE -NSteps 1 -Duration 0.1 -OutputDirectory $file -ErrorAction Stop } | Should -Throw -ErrorId 'OutputPathIsFile*'
            Get-Content $file | Should -Be 'x'
        } finally { Remove-Item $folder -Recurse -Force }
    }
}

Describe 'Windows spoiled by the device are measured again over the real serial path' {
    It 'measures again the window a <Fault> spoiled, and keeps one row per channel per step' -ForEach @(
        @{ Fault = 'board reset'; Options = 'seed=41,reset-after=1.3,power-on=100'; Reason = 'reset' }
        # the flood comes back every 3.5 s: however the host's own delays shift the windows, one lands inside a window,
        # and never both in a window and in its measurement again (those two are less than 3.5 - 0.3 s apart)
        @{ Fault = 'line flood'; Options = 'seed=42,flood-after=1.3,flood-for=0.3,flood-every=3.5'; Reason = 'malformed' }
        # the stall comes back every 2.3 s: however the host's own delays shift its steps, one lands inside a window
        @{ Fault = 'stall'; Options = 'seed=43,midpoint=700,stall-after=1.3,stall-for=0.5,stall-every=2.3'; Reason = 'silent' }
    ) {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options $Options
        $folder = New-TestFolder
        try {
            $rows = Invoke-HaniwersParallelScan -PortName $pty.Host -Center 280, 300, 260 -NSteps 3 -StepSize 5 -Duration 1 -SettleTime 0 -OutputDirectory $folder -WarningVariable warnings -WarningAction SilentlyContinue
            @($rows).Count | Should -Be 21
            $check = Assert-RunFolderConsistent $folder
            $remeasured = @($check.Journal | Where-Object event -eq 'remeasured')
            $remeasured.Count | Should -BeGreaterOrEqual 1
            $remeasured[0].reason | Should -Match $Reason
            $warnings | Where-Object { "$_" -like 'Measuring step*again*' } | Should -Not -BeNullOrEmpty
            if ($Fault -eq 'board reset') {
                # after the reset every channel was written again before the window was measured again
                $log = Get-SimulatorLog $sim
                $afterReset = $log[([array]::IndexOf($log, ($log | Where-Object { $_ -like 'SET *' } | Select-Object -Last 3)[0]))..($log.Count - 1)]
                ($afterReset | Where-Object { $_ -like 'SET * ok' } | ForEach-Object { $_.Split(' ')[1] } | Sort-Object -Unique) -join ',' | Should -Be '1,2,3'
            }
        } finally {
            $sim, $pty | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'Receive-HaniwersEvent counts only what arrives after it starts' {
    It 'ignores the backlog a busy detector left in the port while nobody read' {
        $pty = Start-PtyPair
        # thresholds at power-on well below the noise edges: about 600 events/s, streaming from the start
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=51,power-on=100'
        try {
            # let the backlog build: the simulator writes until the pty's buffers are full
            Wait-Until { (Get-Item $pty.Device -ErrorAction SilentlyContinue) -and ((Get-Date) - $sim.Process.StartTime).TotalSeconds -gt 3 } -Because 'a backlog of a few seconds'
            $events = @(Receive-HaniwersEvent -PortName $pty.Host -Duration 1)
            $expected = 0
            foreach ($ch in 1..3) { $expected += [Haniwers.Simulation.SimulatorOptions]::new().ExpectedRate($ch, 100) }
            $events.Count | Should -BeGreaterThan (0.7 * $expected)
            $events.Count | Should -BeLessThan (1.25 * $expected)
        } finally { $sim, $pty | Stop-TestProcess }
    }
}

Describe 'Readers repair a crashed run folder before they read it' {
    It 'Measure-HaniwersThreshold removes a step that is not in every channel file, and says so' {
        $folder = New-TestFolder
        try {
            $null = Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 3 -StepSize 8 -Duration 0.2 -SettleTime 0 -OutputDirectory $folder
            $ch1 = Join-Path $folder 'scan_results_ch1.csv'
            $before = Get-Content $ch1 -Raw
            # what a kill between two channel files leaves: an intent, and a row in channel 1 only
            $lengths = @{}; foreach ($ch in 1..3) { $lengths["scan_results_ch$ch.csv"] = (Get-Item (Join-Path $folder "scan_results_ch$ch.csv")).Length }
            $intent = @{ event = 'intent'; timestamp = (Get-Date).ToString('o'); runId = 'killed'; step = 1; files = $lengths } | ConvertTo-Json -Compress
            Add-Content (Join-Path $folder 'run_journal.jsonl') $intent
            [System.IO.File]::AppendAllText($ch1, "2026-01-01T00:00:00.0000000+00:00,killed,Parallel,1,1,256,0.2,40,200,31.6,40,24.5,100200,35`r`n")
            $fits = Measure-HaniwersThreshold -Path $folder -WarningVariable warnings -WarningAction SilentlyContinue
            @($fits).Count | Should -Be 3
            Get-Content $ch1 -Raw | Should -Be $before
            @($warnings | Where-Object { "$_" -like 'Repaired*step 1 of run killed*' }).Count | Should -Be 1
            $null = Assert-RunFolderConsistent $folder
        } finally { Remove-Item $folder -Recurse -Force }
    }
}
