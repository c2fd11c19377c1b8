# The lab's day over the real serial path (a socat pty pair, the simulator process on the far end): set the
# thresholds, scan, take data with threshold = "none". A scan leaves the detector as it found it
# (docs/crash-protocol.md, "Restoring the thresholds"), and a DAQ run says what it believes the detector has.

BeforeAll {
    . $PSScriptRoot/Common.ps1
    function Get-Sets($Simulator) { @((Get-SimulatorLog $Simulator) | Where-Object { $_ -like 'SET *' }) }
}

Describe 'A scan between setting the thresholds and taking data' {
    BeforeAll {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device
        $folder = New-TestFolder
        $scan = @{ PortName = $pty.Host; Center = 280, 300, 260; NSteps = 2; StepSize = 10; Duration = 0.2; SettleTime = 0 }
    }
    AfterAll {
        $sim, $pty | Stop-TestProcess
        Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'warns before a scan whose thresholds before it nobody knows, and leaves them at the last step' {
        $warnings = $null
        $null = Invoke-HaniwersParallelScan @scan -OutputDirectory (Join-Path $folder 'unknown') -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -Match 'The thresholds of ch1, ch2, ch3 before this scan are unknown'
        (Get-HaniwersRun (Join-Path $folder 'unknown') -Last 1).Restore | Should -Match '^none restored; left at ch1=300 ch2=320 ch3=280'
    }

    It 'writes back what Set-HaniwersThreshold set, logs it, and Get-HaniwersRun shows it' {
        $null = Set-HaniwersThreshold -PortName $pty.Host -Channel 1, 2, 3 -Threshold 281, 302, 263
        $before = (Get-Sets $sim).Count
        $run = Join-Path $folder 'restored'
        $null = Invoke-HaniwersParallelScan @scan -OutputDirectory $run -InformationVariable info -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        # the device's own log (written by the simulator process as it answers): the scan's steps, then the values it found
        # (five steps of three writes each come first: the log lags behind the answers)
        Wait-Until { $sets = Get-Sets $sim; $sets.Count -ge $before + 18 -and $sets[-1] -eq 'SET 3 263 ok' } -Because 'the simulator to log the last write-back'
        (Get-Sets $sim) | Select-Object -Last 3 | Should -Be @('SET 1 281 ok', 'SET 2 302 ok', 'SET 3 263 ok')
        (Get-HaniwersRun $run -Last 1).Restore | Should -Be 'restored ch1=281 ch2=302 ch3=263'
        (Import-Csv (Join-Path $run 'threshold_operations.csv') | Select-Object -Last 3).Threshold | Should -Be @('281', '302', '263')
        ($info | Where-Object Tags -contains Outcome).MessageData.Message | Should -Match 'thresholds restored to ch1=281 ch2=302 ch3=263'
    }

    It 'takes data with threshold "none" at the thresholds it names, and warns when a scan left others' {
        $null = Invoke-HaniwersDaq -PortName $pty.Host -EventsPerFile 20 -FileCount 1 -OutputDirectory (Join-Path $folder 'daq1') -InformationVariable info -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -BeNullOrEmpty
        ($info | Where-Object Tags -contains Summary).MessageData.Thresholds | Should -Be 'ch1=281 (believed) ch2=302 (believed) ch3=263 (believed)'
        # a scan told not to write back leaves its last step, and the next DAQ run says so
        $null = Invoke-HaniwersParallelScan @scan -OutputDirectory (Join-Path $folder 'left') -NoRestore
        (Get-HaniwersRun (Join-Path $folder 'left') -Last 1).Restore | Should -Be 'none restored; left at ch1=300 ch2=320 ch3=280 (not asked for (-NoRestore))'
        $null = Invoke-HaniwersDaq -PortName $pty.Host -EventsPerFile 20 -FileCount 1 -OutputDirectory (Join-Path $folder 'daq2') -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -Match 'Channel 1 is taken as the device has it, which is 300: a step of Invoke-HaniwersParallelScan run \d{8}-\d{6}-\w{4}, which could not write back'
        # and a normal scan that writes those leftovers back leaves them marked as a scan's: the next DAQ run still says so
        $null = Invoke-HaniwersParallelScan @scan -OutputDirectory (Join-Path $folder 'after-left') -WarningAction SilentlyContinue
        $null = Invoke-HaniwersDaq -PortName $pty.Host -EventsPerFile 20 -FileCount 1 -OutputDirectory (Join-Path $folder 'daq3') -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -Match 'Channel 1 is taken as the device has it, which is 300: a step of Invoke-HaniwersParallelScan'
    }

    It 'marks the thresholds a killed scan left as not known, for the next scan and DAQ run' {
        $null = Set-HaniwersThreshold -PortName $pty.Host -Channel 1, 2, 3 -Threshold 281, 302, 263
        $killed = Join-Path $folder 'killed'
        Invoke-KilledScan "Invoke-HaniwersParallelScan -PortName '$($pty.Host)' -Center 280, 300, 260 -NSteps 8 -StepSize 5 -Duration 0.3 -SettleTime 0 -OutputDirectory '$killed' | Out-Null" (Join-Path $killed 'scan_results_ch3.csv') 3
        $null = Invoke-HaniwersDaq -PortName $pty.Host -EventsPerFile 20 -FileCount 1 -OutputDirectory (Join-Path $folder 'daq4') -WarningVariable warnings -WarningAction SilentlyContinue -InformationVariable info
        ($warnings.Message -join "`n") | Should -Match 'Channel 1 is taken as the device has it, which is not known: Invoke-HaniwersParallelScan run \d{8}-\d{6}-\w{4}, which did not end'
        ($info | Where-Object Tags -contains Summary).MessageData.Thresholds | Should -Be 'ch1=unknown ch2=unknown ch3=unknown'
        $null = Invoke-HaniwersParallelScan @scan -OutputDirectory (Join-Path $folder 'after-kill') -WarningVariable warnings -WarningAction SilentlyContinue
        ($warnings.Message -join "`n") | Should -Match 'The thresholds of ch1, ch2, ch3 before this scan are unknown'
    }
}
