# Faults placed exactly (issue 20): strace's fault injection makes the N-th fsync of a chosen file fail
# with EIO, in a child pwsh that runs a scan or a DAQ run; what the next command finds on the disk must
# obey docs/crash-protocol.md, and the run must say Failed with the problem's ErrorId, never Completed.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Runs $Script in a new pwsh under strace with $Inject (strace's -e inject=...), limited to $Path when
    # given; returns what the child printed. strace comes with CI (.ci/run installs it).
    function Invoke-UnderFault([string] $Script, [string] $Inject, [string] $Path, [string] $Syscall = 'fsync') {
        $file = Join-Path (New-TestFolder) 'child.ps1'
        Set-Content -LiteralPath $file -Value "Import-Module '$ModulePath'`n$Script"
        $pwsh = Get-PwshCommand
        $filter = if ($Path) { @('-P', $Path) } else { @() }
        $trace = Join-Path (Split-Path $file) 'strace.txt'
        $output = & strace -f -qq -o $trace @filter -e "trace=$Syscall" -e "inject=$Inject" $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1 | Out-String -Width 400
        $exitCode = $LASTEXITCODE
        # an injected error is marked INJECTED; an injected KILL shows as the call that never returned, another signal as its delivery by the kernel
        $injected = @(Get-Content $trace | Where-Object { $_ -match 'INJECTED|\)\s+= \?\s*$|si_code=SI_KERNEL' })
        Remove-Item (Split-Path $file) -Recurse -Force
        [pscustomobject]@{ Output = $output; Injected = $injected.Count; ExitCode = $exitCode }
    }

    # The calls of a run to $Syscall, in order, each with the file it was for (strace -y), to choose one to fail.
    function Get-SyscallPaths([string] $Script, [string] $Syscall = 'fsync') {
        $file = Join-Path (New-TestFolder) 'child.ps1'
        Set-Content -LiteralPath $file -Value "Import-Module '$ModulePath'`n$Script"
        $pwsh = Get-PwshCommand
        $trace = Join-Path (Split-Path $file) 'strace.txt'
        & strace -f -qq -y -o $trace -e "trace=$Syscall" $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file *> $null
        $paths = @(Get-Content $trace | ForEach-Object { if ($_ -match "$Syscall\(\d+<([^>]+)>") { $Matches[1] } })
        Remove-Item (Split-Path $file) -Recurse -Force
        $paths
    }

    function Get-StepRows([string] $Folder) {
        foreach ($ch in 1..3) { , @(Import-Csv (Join-Path $Folder "scan_results_ch$ch.csv") | ForEach-Object Step) }
    }

    $script:Scan = "try {{ Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 3 -Duration 0.1 -SettleTime 0 -OutputDirectory '{0}' -ErrorAction Stop | Out-Null; 'ErrorId=none' }} catch {{ 'ErrorId=' + `$_.FullyQualifiedErrorId; `$_.Exception.Message }}"
}

Describe 'An fsync that fails is an I/O error' {
    It 'ends a scan Failed with OutputNotDurable when a row''s fsync fails, and keeps only whole steps' {
        $folder = New-TestFolder
        try {
            $csv = Join-Path $folder 'scan_results_ch1.csv'
            # the header's fsync, step 1's, then step 2's fails
            $result = Invoke-UnderFault ($Scan -f $folder) 'fsync:error=EIO:when=3' $csv
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputNotDurable'
            $result.Output | Should -Match "could not put what was written to '.*scan_results_ch1\.csv' on the disk"
            $run = Get-HaniwersRun -Path $folder
            $run.Outcome | Should -Be 'Failed'
            $run.Reason | Should -Match 'fsync: Input/output error'
            # step 2 was taken back from every channel: each file holds step 1 alone
            foreach ($steps in Get-StepRows $folder) { $steps | Should -Be @('1') }
            $run.MeasuredSteps | Should -Be 1
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'ends a scan Failed when the journal''s fsync fails at a step''s commit, and the step is not kept' {
        $folder = New-TestFolder
        try {
            $journal = Join-Path $folder 'run_journal.jsonl'
            # start, intent 1, commit 1, intent 2, commit 2: the fifth fails
            $result = Invoke-UnderFault ($Scan -f $folder) 'fsync:error=EIO:when=5' $journal
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputNotDurable'
            $result.Output | Should -Match "could not put what was written to '.*run_journal\.jsonl' on the disk"
            # the journal takes nothing more but the run's end record, which says how it ended; step 2 has no commit
            $run = Get-HaniwersRun -Path $folder
            $run.Outcome | Should -Be 'Failed'
            $run.Reason | Should -Match 'run_journal\.jsonl.*fsync: Input/output error'
            $run.MeasuredSteps | Should -Be 1
            foreach ($steps in Get-StepRows $folder) { $steps | Should -Be @('1') }
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'ends a DAQ run Failed when a raw file''s fsync fails, and says which file' {
        $folder = New-TestFolder
        try {
            $daq = "try { Invoke-HaniwersDaq -PortName 'sim:seed=21,noise-rate=3000' -OutputDirectory '$folder' -EventsPerFile 300 -FileCount 2 -Threshold 200 -ErrorAction Stop; 'ErrorId=none' } catch { 'ErrorId=' + `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
            $paths = Get-SyscallPaths $daq
            $raw = @($paths | Where-Object { $_ -like '*data_*.csv' })
            $raw.Count | Should -BeGreaterThan 0 -Because 'a DAQ run puts its raw files on the disk'
            Remove-Item (Join-Path $folder '*') -Recurse -Force
            # the same run again, the raw file's first fsync failing
            $result = Invoke-UnderFault $daq "fsync:error=EIO:when=$([array]::IndexOf($paths, $raw[0]) + 1)"
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputNotDurable'
            $result.Output | Should -Match 'data_\w+_[-\dhms_]+\.csv'
            $run = Get-HaniwersRun -Path $folder
            $run.Outcome | Should -Be 'Failed'
            $run.Outcome | Should -Not -Be 'Completed'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A close that fails is an I/O error' {
    # .NET drops close(2)'s result (SafeFileHandle.ReleaseHandle); a file system may report a write's failure only there
    It 'ends a scan Failed, in its end record too, when a result file''s last close fails, and keeps every step' {
        $reference = New-TestFolder
        $closes = @(Get-SyscallPaths ($Scan -f $reference) 'close' | Where-Object { $_ -like '*scan_results_ch1.csv' })
        Remove-Item $reference -Recurse -Force
        $folder = New-TestFolder
        try {
            # the last close of ch1 is the run's own, after its last row (the earlier ones closed reads)
            $result = Invoke-UnderFault ($Scan -f $folder) "close:error=EIO:when=$($closes.Count)" (Join-Path $folder 'scan_results_ch1.csv') -Syscall close
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputNotDurable'
            $result.Output | Should -Match 'close: Input/output error'
            $run = Get-HaniwersRun -Path $folder
            $run.Outcome | Should -Be 'Failed'
            $run.Reason | Should -Match 'close: Input/output error'
            # the rows were synced before: all seven steps are whole in every file
            foreach ($steps in Get-StepRows $folder) { $steps | Should -Be @('1', '2', '3', '4', '5', '6', '7') }
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'ends a DAQ run Failed when a raw file''s close fails at its rotation, and counts what the file holds' {
        $folder = New-TestFolder
        try {
            $daq = "try {{ Invoke-HaniwersDaq -PortName 'sim:seed=1,instant' -Threshold 280, 300, 260 -Mode CountBased -EventsPerFile 10 -FileCount 2 -OutputDirectory '{0}' -ErrorAction Stop | Out-Null; 'ErrorId=none' }} catch {{ 'ErrorId=' + `$_.FullyQualifiedErrorId; `$_.Exception.Message }}" -f $folder
            # the first raw file's name has the second it opens: watch the names of the next seconds
            $now = [DateTimeOffset]::Now
            $names = foreach ($s in -1..20) { Join-Path $folder ('data_0248414e4957_' + $now.AddSeconds($s).ToString('yyyy-MM-dd_HH\hmm\mss\s', [cultureinfo]::InvariantCulture) + '_0000000.csv') }
            $file = Join-Path (New-TestFolder) 'child.ps1'
            Set-Content -LiteralPath $file -Value "Import-Module '$ModulePath'`n$daq"
            $pwsh = Get-PwshCommand
            $trace = Join-Path (Split-Path $file) 'strace.txt'
            $filters = @($names | ForEach-Object { '-P', $_ })
            $output = & strace -f -qq -o $trace @filters -e trace=close -e 'inject=close:error=EIO:when=1' $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1 | Out-String -Width 400
            @(Get-Content $trace | Where-Object { $_ -match 'INJECTED' }).Count | Should -Be 1
            Remove-Item (Split-Path $file) -Recurse -Force
            $output | Should -Match 'ErrorId=OutputNotDurable'
            $journal = @(Get-Content (Join-Path $folder 'daq_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json })
            $end = $journal | Where-Object event -eq 'end'
            $end.outcome | Should -Be 'Failed'
            $closed = $journal | Where-Object event -eq 'file-closed' | Select-Object -First 1
            $closed.events | Should -Be @(Get-Content (Join-Path $folder $closed.file)).Count
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'Counts after a failed write' {
    It 'keeps the end record, the file''s record and the file in agreement when a row''s write fails with ENOSPC' {
        $folder = New-TestFolder
        try {
            $daq = "try { Invoke-HaniwersDaq -PortName 'sim:seed=21,noise-rate=3000' -OutputDirectory '$folder' -EventsPerFile 300 -FileCount 1 -Threshold 200 -ErrorAction Stop; 'ErrorId=none' } catch { 'ErrorId=' + `$_.FullyQualifiedErrorId }"
            $paths = Get-SyscallPaths $daq 'pwrite64'
            $first = [array]::IndexOf($paths, @($paths | Where-Object { $_ -like '*data_*.csv' })[0])
            $first | Should -BeGreaterThan 0 -Because 'a DAQ run writes its rows with pwrite64'
            Remove-Item (Join-Path $folder '*') -Recurse -Force
            # the same run again, its 100th row's write failing (nothing else is written between the first row and it)
            $result = Invoke-UnderFault $daq "pwrite64:error=ENOSPC:when=$($first + 100)" -Syscall 'pwrite64'
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputDiskFull'
            $journal = @(Get-Content (Join-Path $folder 'daq_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json })
            $closed = @($journal | Where-Object event -eq 'file-closed')
            $end = $journal[-1]
            $rows = @([IO.File]::ReadAllLines((Get-ChildItem $folder -Filter 'data_*.csv').FullName)).Count
            $end.outcome | Should -Be 'Failed'
            $closed.Count | Should -Be 1
            # the row whose write failed was kept and written when the file closed: 100 everywhere
            $closed[0].events | Should -Be $rows
            $end.events - $end.unwrittenEvents | Should -Be $rows
            $rows | Should -Be 100
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'New files and folders are on the disk by name' {
    It 'syncs each folder it made and the run folder after each file it gained, and a failure there is told' {
        $root = New-TestFolder
        try {
            $folder = Join-Path $root 'day/run'
            $paths = Get-SyscallPaths ($Scan -f $folder)
            # after a power cut a file whose data was synced is still lost if its folder's entry was not
            $paths | Should -Contain $root -Because 'day was made in it'
            $paths | Should -Contain (Join-Path $root 'day') -Because 'run was made in it'
            @($paths | Where-Object { $_ -eq $folder }).Count | Should -BeGreaterOrEqual 5 -Because 'the run made three result files, the operations log and the journal'
            Remove-Item (Join-Path $root '*') -Recurse -Force
            # the same scan again, the run folder's first sync failing
            $result = Invoke-UnderFault ($Scan -f $folder) "fsync:error=EIO:when=$([array]::IndexOf($paths, $folder) + 1)"
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputNotDurable'
            $result.Output | Should -Match 'fsync of the folder: Input/output error'
        } finally { Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A run that cannot write its start record' {
    It 'says the disk is full and leaves no file of the DAQ run open' {
        $folder = New-TestFolder
        try {
            $journal = Join-Path $folder 'daq_journal.jsonl'
            $daq = "try { Invoke-HaniwersDaq -PortName 'sim:seed=21' -OutputDirectory '$folder' -EventsPerFile 10 -FileCount 1 -Threshold 200 -ErrorAction Stop; 'ErrorId=none' } catch { 'ErrorId=' + `$_.FullyQualifiedErrorId }`n" +
                "'open journals: ' + @(Get-ChildItem /proc/`$PID/fd | Where-Object LinkTarget -like '*daq_journal.jsonl').Count"
            # the journal's first write is the start record
            $result = Invoke-UnderFault $daq 'pwrite64:error=ENOSPC:when=1' $journal -Syscall 'pwrite64'
            $result.Injected | Should -Be 1
            $result.Output | Should -Match 'ErrorId=OutputDiskFull'
            $result.Output | Should -Match 'open journals: 0'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'A stop or a loss before the first event' {
    BeforeAll {
        # A TCP "bridge" made by python3: 'closing' accepts each connection and closes it at once; 'full' listens
        # with its accept queue filled and never accepts, so a new connect hangs (the kernel drops its SYN).
        function Start-Bridge([ValidateSet('closing', 'full')] [string] $Kind) {
            $folder = New-TestFolder
            $script = Join-Path $folder 'bridge.py'
            Set-Content $script @"
import socket, sys, time
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(0)
port = s.getsockname()[1]
if '$Kind' == 'full':
    fill = []
    for i in range(3):
        c = socket.socket(); c.setblocking(False)
        try: c.connect(('127.0.0.1', port))
        except BlockingIOError: pass
        fill.append(c)
    time.sleep(0.3)
    print(port, flush=True)
    time.sleep(600)
print(port, flush=True)
while True:
    c, _ = s.accept(); c.close()
"@
            $portFile = Join-Path $folder 'port.txt'
            $process = Start-Process python3 -ArgumentList $script -RedirectStandardOutput $portFile -PassThru
            Wait-Until { (Test-Path $portFile) -and (Get-Content $portFile -Raw) -match '\d+' } -Because 'the bridge to listen'
            [pscustomobject]@{ Process = $process; Folder = $folder; Address = "tcp://127.0.0.1:$([int](Get-Content $portFile -Raw))" }
        }
    }

    It 'ends a DAQ run Interrupted when SIGTERM comes while the port opens, and pwsh exits 143' {
        $bridge = Start-Bridge full
        $folder = New-TestFolder
        $child = Start-PwshProcess "Invoke-HaniwersDaq -PortName '$($bridge.Address)' -OutputDirectory '$folder' -EventsPerFile 10 -FileCount 1"
        try {
            $journal = Join-Path $folder 'daq_journal.jsonl'
            Wait-Until { Test-Path $journal } -TimeoutSeconds 60 -Because 'the run to start and open the port'
            & kill -TERM $child.Process.Id
            $child.Process.WaitForExit(15000) | Should -BeTrue
            $child.Process.ExitCode | Should -Be 143
            $records = @(Get-Content $journal | ForEach-Object { $_ | ConvertFrom-Json })
            $records[-1].event | Should -Be 'end'
            $records[-1].outcome | Should -Be 'Interrupted'
            $records[-1].reason | Should -Match 'while the port was being opened'
        } finally {
            $child, $bridge | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'ends a DAQ run Interrupted, and pwsh exits 143, when SIGTERM comes while the run opens its folder' {
        # found by an independent tester: a SIGTERM before the port was asked anything (the folder's write test, its first
        # journal record) said "The operation was canceled.", left the journal at start, and the script went on with exit 0
        $folder = New-TestFolder
        try {
            $daq = "Invoke-HaniwersDaq -PortName 'sim:seed=1,instant' -Threshold 280, 300, 260 -Mode CountBased -EventsPerFile 50 -FileCount 3 -OutputDirectory '$folder' | Out-Null; 'the script went on'"
            $result = Invoke-UnderFault $daq 'fsync:signal=TERM:when=1' (Join-Path $folder '.haniwers-write-test')
            $result.Injected | Should -Be 1
            $result.ExitCode | Should -Be 143
            $result.Output | Should -Not -Match 'the script went on|operation was canceled'
            $end = Get-Content (Join-Path $folder 'daq_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object event -eq 'end'
            $end.outcome | Should -Be 'Interrupted'
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'ends a DAQ run Failed, with the reason in its journal, when the bridge closes the connection at once' {
        $bridge = Start-Bridge closing
        $folder = New-TestFolder
        try {
            $err = { Invoke-HaniwersDaq -PortName $bridge.Address -OutputDirectory $folder -EventsPerFile 10 -FileCount 1 -ReconnectTimeout 1 -ErrorAction Stop -WarningAction SilentlyContinue } |
                Should -Throw -PassThru
            $err.Exception.Message | Should -Match 'closed the connection'
            $run = Get-HaniwersRun -Path $folder
            $run.Outcome | Should -Be 'Failed'
            $run.Reason | Should -Match 'closed the connection'
        } finally {
            $bridge | Stop-TestProcess
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}

Describe 'A repair killed at any of its cuts' {
    # A scan folder as a crash leaves it: step 4's intent in the journal, its row in every channel file,
    # ch3's row cut short. The repair (Measure-HaniwersThreshold repairs what it reads) cuts three files.
    BeforeAll {
        function New-DamagedFolder {
            $folder = New-TestFolder
            Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory $folder | Out-Null
            $journal = Join-Path $folder 'run_journal.jsonl'
            $runId = (Get-Content $journal -First 1 | ConvertFrom-Json).runId
            $files = [ordered]@{}
            foreach ($ch in 1..3) { $files["scan_results_ch$ch.csv"] = (Get-Item (Join-Path $folder "scan_results_ch$ch.csv")).Length }
            $intent = [ordered]@{ event = 'intent'; timestamp = (Get-Date).ToString('o'); runId = $runId; step = 4; files = $files } | ConvertTo-Json -Compress
            [IO.File]::AppendAllText($journal, $intent + "`n")
            foreach ($ch in 1..3) {
                $csv = Join-Path $folder "scan_results_ch$ch.csv"
                $row = (Get-Content $csv | Select-Object -Last 1) -replace ",Parallel,3,", ",Parallel,4,"
                [IO.File]::AppendAllText($csv, $(if ($ch -eq 3) { $row.Substring(0, 20) } else { $row + "`r`n" }))
            }
            [pscustomobject]@{ Folder = $folder; Lengths = $files; RunId = $runId }
        }
    }

    It 'leaves every cut recorded before it is made, and the next command finishes the repair' {
        $reference = New-DamagedFolder
        $cuts = @(Get-SyscallPaths "Measure-HaniwersThreshold -Path '$($reference.Folder)' -WarningAction SilentlyContinue | Out-Null" 'ftruncate')
        Remove-Item $reference.Folder -Recurse -Force
        # the runtime's own ftruncate calls (its memory mapper, the lock's side file) are not the repair's: the
        # crash points are the repair's cuts, one per channel file, each killed at with strace's path filter
        $csvCuts = @($cuts | Where-Object { $_ -like '*scan_results_ch*.csv' } | ForEach-Object { Split-Path $_ -Leaf })
        $csvCuts.Count | Should -Be 3 -Because "the repair cuts each channel file once (it cut: $($cuts -join ', '))"
        $points = 0
        foreach ($cut in $csvCuts) {
            $damaged = New-DamagedFolder
            try {
                $result = Invoke-UnderFault "Measure-HaniwersThreshold -Path '$($damaged.Folder)' -WarningAction SilentlyContinue | Out-Null" 'ftruncate:signal=KILL:when=1' (Join-Path $damaged.Folder $cut) -Syscall ftruncate
                $result.Injected | Should -Be 1 -Because "the cut of $cut is where the repair dies"
                $points++
                $journal = @(Get-Content (Join-Path $damaged.Folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json })
                # the old state, or a record of the change: the file being cut, and every file cut before it, has its record
                foreach ($name in $damaged.Lengths.Keys) {
                    $length = (Get-Item (Join-Path $damaged.Folder $name)).Length
                    if ($length -le $damaged.Lengths[$name] -or $name -eq $cut) {
                        @($journal | Where-Object { $_.event -eq 'repairing' -and $_.file -eq $name -and $_.step -eq 4 }).Count | Should -Be 1 -Because "$name was (about to be) cut when the repair died at $cut"
                    }
                }
                $cutFile = Join-Path $damaged.Folder $cut
                (Get-Item $cutFile).Length | Should -BeGreaterThan $damaged.Lengths[$cut] -Because 'the repair died at this cut, before it'
                # the next command finishes what the killed one began
                Measure-HaniwersThreshold -Path $damaged.Folder -WarningAction SilentlyContinue -ErrorAction SilentlyContinue | Out-Null
                foreach ($name in $damaged.Lengths.Keys) {
                    (Get-Item (Join-Path $damaged.Folder $name)).Length | Should -Be $damaged.Lengths[$name] -Because "$name holds steps 1 to 3, whole, after the repair died at $cut"
                }
                $journal = @(Get-Content (Join-Path $damaged.Folder 'run_journal.jsonl') | ForEach-Object { $_ | ConvertFrom-Json })
                foreach ($name in $damaged.Lengths.Keys) {
                    @($journal | Where-Object { $_.event -eq 'repaired' -and $_.file -eq $name -and $_.step -eq 4 }).Count | Should -Be 1 -Because "the removal from $name is recorded once"
                }
                @($journal | Where-Object { $_.event -eq 'rolled-back' -and $_.step -eq 4 }).Count | Should -Be 1
            } finally { Remove-Item $damaged.Folder -Recurse -Force -ErrorAction SilentlyContinue }
        }
        Write-Host "Repair kill points: $points of $($csvCuts.Count) cuts, 0 violations."
    }
}
