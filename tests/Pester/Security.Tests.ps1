# Let no one in (docs/platforms.md, "One lock per device"): the port lock is taken on the device
# itself, so no file or folder that another account controls (links planted in the shared temp
# folder) is ever opened or changed, and an account that may not open the device cannot block it.
# Over a socat pty pair against the simulator process; the other account is made by the test.

BeforeDiscovery {
    $script:IsRoot = (id -u) -eq '0'
}

BeforeAll {
    . $PSScriptRoot/Common.ps1

    # The names the lock files had in the shared temp folder before the lock moved onto the device:
    # planted links there must be left alone.
    function Get-FormerLockFile([string] $TempFolder, [string] $PortName) {
        $device = (Get-Item $PortName).ResolveLinkTarget($true).FullName
        $hash = [System.Security.Cryptography.SHA256]::HashData([System.Text.Encoding]::UTF8.GetBytes($device))
        Join-Path $TempFolder ('haniwers-locks/port-' + [System.Convert]::ToHexString($hash, 0, 8).ToLowerInvariant() + '.lock')
    }

    function Get-Mode([string] $Path) { (Get-Item $Path -Force).UnixFileMode }

    # Runs $Block with the temp folder ($env:TMPDIR, read by .NET's Path.GetTempPath at each call) set to $Folder.
    function Invoke-WithTempFolder([string] $Folder, [scriptblock] $Block) {
        $before = $env:TMPDIR
        $env:TMPDIR = $Folder
        try { & $Block } finally { $env:TMPDIR = $before }
    }

    $script:IsRoot = (id -u) -eq '0'
    $script:OtherUser = 'haniwers-other'
    if ($IsRoot -and -not (Get-Content /etc/passwd | Where-Object { $_ -like "$($OtherUser):*" })) {
        useradd --system --no-create-home --shell /usr/sbin/nologin $OtherUser
    }
}

Describe 'The port lock and links planted by another account' {
    BeforeEach {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device
        $shared = New-TestFolder
        chmod 1777 $shared
        $target = New-TestFolder
        chmod 700 $target
        Set-Content (Join-Path $target 'private.txt') 'mine'
    }
    AfterEach {
        $sim, $pty | Stop-TestProcess
        Remove-Item $shared, $target -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'leaves the folder a planted haniwers-locks link points to as it was, and sets the thresholds' {
        New-Item -ItemType SymbolicLink -Path (Join-Path $shared 'haniwers-locks') -Target $target | Out-Null
        $results = Invoke-WithTempFolder $shared { Set-HaniwersThreshold -PortName $pty.Host -Channel 1 -Threshold 280 -PassThru }
        $results.Success | Should -Be $true
        $log = Get-SimulatorLog $sim
        $log | Should -Contain 'SET 1 280 ok'
        Get-Mode $target | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        @(Get-ChildItem $target -Force).Name | Should -Be @('private.txt')
    }

    It 'leaves the files planted lock-file and owner-file links point to as they were' {
        $lockFile = Get-FormerLockFile $shared $pty.Host
        New-Item -ItemType Directory (Split-Path $lockFile) | Out-Null
        chmod 1777 (Split-Path $lockFile)
        $victim = Join-Path $target 'private.txt'
        $otherVictim = Join-Path $target 'other.txt'
        Set-Content $otherVictim 'also mine'
        chmod 600 $victim $otherVictim
        New-Item -ItemType SymbolicLink -Path $lockFile -Target $victim | Out-Null
        New-Item -ItemType SymbolicLink -Path "$lockFile.owner" -Target $otherVictim | Out-Null
        $results = Invoke-WithTempFolder $shared { Set-HaniwersThreshold -PortName $pty.Host -Channel 2 -Threshold 290 -PassThru }
        $results.Success | Should -Be $true
        Get-Content $victim | Should -Be 'mine'
        Get-Content $otherVictim | Should -Be 'also mine'
        Get-Mode $victim | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        Get-Mode $otherVictim | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
    }

    It 'cannot be blocked by an account that may not open the device' -Skip:(-not $IsRoot) {
        # what such an account can reach: the device (refused) and the shared temp folder, where it takes the former lock file
        $lockFile = Get-FormerLockFile $shared $pty.Host
        $device = (Get-Item $pty.Host).ResolveLinkTarget($true).FullName
        runuser -u $OtherUser -- flock -n $device true 2>$null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'the other account may not open the device'
        New-Item -ItemType Directory (Split-Path $lockFile) | Out-Null
        chmod 1777 (Split-Path $lockFile)
        $blocker = [pscustomobject]@{ Process = (Start-Process runuser -ArgumentList '-u', $OtherUser, '--', 'flock', '-n', $lockFile, 'sleep', '120' -PassThru); Folder = $null }
        try {
            Wait-Until { Test-Path $lockFile } -Because 'the other account to take the file'
            $results = Invoke-WithTempFolder $shared { Set-HaniwersThreshold -PortName $pty.Host -Channel 3 -Threshold 300 -PassThru }
            $results.Success | Should -Be $true
            $log = Get-SimulatorLog $sim
        $log | Should -Contain 'SET 3 300 ok'
        } finally {
            pkill -KILL -u $OtherUser 2>$null
            $blocker | Stop-TestProcess
        }
    }

    It 'is held against an account that may open the device and locks it, naming the holder' -Skip:(-not $IsRoot) {
        $device = (Get-Item $pty.Host).ResolveLinkTarget($true).FullName
        chmod 666 $device
        $blocker = [pscustomobject]@{ Process = (Start-Process runuser -ArgumentList '-u', $OtherUser, '--', 'flock', '-n', '-o', $device, 'sleep', '120' -PassThru); Folder = $null }
        try {
            Wait-Until { Get-Content /proc/locks | Where-Object { $_ -match 'FLOCK' } } -Because 'the other account to lock the device'
            $err = { Set-HaniwersThreshold -PortName $pty.Host -Channel 1 -Threshold 280 -ErrorAction Stop } | Should -Throw -ErrorId 'PortInUse*' -PassThru
            $err.Exception.Message | Should -Match 'in use by process \d+ \(flock\)'
            Get-SimulatorLog $sim | Where-Object { $_ -like 'SET *' } | Should -BeNullOrEmpty
        } finally {
            pkill -KILL -u $OtherUser 2>$null
            $blocker | Stop-TestProcess
        }
    }
}

Describe 'A program that has the port open without a lock' {
    BeforeAll {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device
    }
    AfterAll {
        $sim, $pty | Stop-TestProcess
    }

    It 'is named with its process id before anything is written, and once it is gone the port is used' {
        # a serial monitor left open (cat, screen) would take the detector's answers
        $monitor = [pscustomobject]@{ Process = (Start-Process cat -ArgumentList $pty.Host -RedirectStandardOutput /dev/null -PassThru); Folder = $null }
        try {
            $device = (Get-Item $pty.Host).ResolveLinkTarget($true).FullName
            Wait-Until { @(Get-ChildItem "/proc/$($monitor.Process.Id)/fd" -ErrorAction SilentlyContinue | Where-Object LinkTarget -eq $device).Count -gt 0 } -Because 'cat to open the port'
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $err = { Set-HaniwersThreshold -PortName $pty.Host -Channel 1 -Threshold 280 -ErrorAction Stop } | Should -Throw -ErrorId 'PortInUse*' -PassThru
            $clock.Stop()
            $err.Exception.Message | Should -Match "in use by process $($monitor.Process.Id) \(cat\)"
            $err.Exception.Message | Should -Match "take the detector's answers"
            Get-SimulatorLog $sim | Where-Object { $_ -like 'SET *' } | Should -BeNullOrEmpty
            $clock.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'it is refused at once, not after the answers time out (loose bound: shared machines)'
        } finally {
            $monitor | Stop-TestProcess
        }
        (Set-HaniwersThreshold -PortName $pty.Host -Channel 1 -Threshold 280 -PassThru).Success | Should -Be $true
    }
}

Describe 'Links planted in a run folder' {
    BeforeEach {
        $shared = New-TestFolder
        chmod 1777 $shared
        $run = Join-Path $shared '20261207'
        New-Item -ItemType Directory $run | Out-Null
        chmod 777 $run   # a day folder someone else made, open to all
        $victims = New-TestFolder
        foreach ($name in 'probe', 'owner', 'csv') { Set-Content (Join-Path $victims $name) "secret $name"; chmod 600 (Join-Path $victims $name) }
        $scan = "Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -StepSize 10 -Duration 0.1 -SettleTime 0 -OutputDirectory '$run'"
    }
    AfterEach { Remove-Item $shared, $victims -Recurse -Force -ErrorAction SilentlyContinue }

    It 'are not followed: the files they point to stay as they were, and the scan runs' {
        New-Item -ItemType SymbolicLink -Path (Join-Path $run '.haniwers-write-test') -Target (Join-Path $victims 'probe') | Out-Null
        New-Item -ItemType SymbolicLink -Path (Join-Path $run '.haniwers-run.lock.owner') -Target (Join-Path $victims 'owner') | Out-Null
        $rows = @(Invoke-Expression $scan)
        $rows.Count | Should -Be 9
        foreach ($name in 'probe', 'owner') {
            Get-Content (Join-Path $victims $name) | Should -Be "secret $name"
            (Get-Item (Join-Path $victims $name)).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        }
    }

    It 'where a run file belongs is refused, naming the link and never quoting what it points to' {
        New-Item -ItemType SymbolicLink -Path (Join-Path $run 'threshold_operations.csv') -Target (Join-Path $victims 'csv') | Out-Null
        $err = { Invoke-Expression $scan -ErrorAction Stop } | Should -Throw -ErrorId 'OutputPathIsLink*' -PassThru
        $err.Exception.Message | Should -Match "threshold_operations\.csv' is a symbolic link"
        $err.Exception.Message | Should -Not -Match 'secret'
        Get-Content (Join-Path $victims 'csv') | Should -Be 'secret csv'
        Test-Path (Join-Path $run 'run_journal.jsonl') | Should -BeFalse -Because 'nothing is written before the folder is found sound'
    }

    It 'as the run folder itself, in a folder others can write into, is refused' {
        $elsewhere = New-TestFolder
        try {
            $link = Join-Path $shared '20261208'
            New-Item -ItemType SymbolicLink -Path $link -Target $elsewhere | Out-Null
            $err = { Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -OutputDirectory $link -ErrorAction Stop } | Should -Throw -ErrorId 'OutputPathIsLink*' -PassThru
            $err.Exception.Message | Should -Match 'in a folder others can write into'
            @(Get-ChildItem $elsewhere -Force).Count | Should -Be 0
        } finally { Remove-Item $elsewhere -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
