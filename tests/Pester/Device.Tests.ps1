# End to end through the real System.IO.Ports path: the module on one end of a socat pty pair,
# the simulator process on the other; and through TCP. Nothing about the device is mocked.

BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Set-HaniwersThreshold over a pty pair, <Firmware> firmware' -ForEach @(
    @{ Firmware = 'Text' }
    @{ Firmware = 'Binary' }
) {
    BeforeAll {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device
    }
    AfterAll {
        $sim, $pty | Stop-TestProcess
    }

    It 'sets three channels and the simulator confirms each value' {
        $results = Set-HaniwersThreshold -PortName $pty.Host -Firmware $Firmware -Channel 1, 2, 3 -Threshold 251, 292, 303 -PassThru
        $results.Success | Should -Be @($true, $true, $true)
        $results.Attempts | Should -Be @(1, 1, 1)
        $log = Get-SimulatorLog $sim
        $log | Should -Contain 'SET 1 251 ok'
        $log | Should -Contain 'SET 2 292 ok'
        $log | Should -Contain 'SET 3 303 ok'
    }

    It 'pauses the stream once around the three writes where the firmware can pause it' {
        # text firmware: one pause, three writes, one resume; binary firmware cannot pause its stream
        # (docs/protocol.md), so the simulator sees the three writes alone
        $expected = if ($Firmware -eq 'Text') { @('STREAM 0', 'SET 1 260 ok', 'SET 2 260 ok', 'SET 3 260 ok', 'STREAM 1') }
                    else { @('SET 1 260 ok', 'SET 2 260 ok', 'SET 3 260 ok') }
        $before = (Get-SimulatorLog $sim).Count
        Set-HaniwersThreshold -PortName $pty.Host -Firmware $Firmware -Channel 1, 2, 3 -Threshold 260
        # SET_STREAM 1 has no answer: wait for the simulator to log every line
        Wait-Until { (Get-SimulatorLog $sim).Count -ge $before + $expected.Count } -Because 'the simulator to log the writes'
        $new = (Get-SimulatorLog $sim)[$before..((Get-SimulatorLog $sim).Count - 1)]
        $new -replace ' sent=\d+$' | Should -Be $expected
    }

    It 'receives event objects from the streaming detector' {
        $events = Receive-HaniwersEvent -PortName $pty.Host -Firmware $Firmware -Count 5
        $events.Count | Should -Be 5
        $events[0] | Should -BeOfType ([Haniwers.Protocol.DetectorEvent])
        $events | ForEach-Object { ($_.Top + $_.Mid + $_.Btm) | Should -BeGreaterThan 0 }
        $events[0].Pressure | Should -BeGreaterThan 90000
    }
}

Describe 'Faults over a pty pair' {
    AfterEach {
        $sim, $pty | Stop-TestProcess
    }

    It 'retries a refused write to success' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=1,refuse-every=2'
        $results = Set-HaniwersThreshold -PortName $pty.Host -Channel 1, 2 -Threshold 270 -PassThru
        $results.Success | Should -Be @($true, $true)
        $results[1].Attempts | Should -Be 2
        $log = Get-SimulatorLog $sim
        $log | Should -Contain 'SET 2 270 refused'
        $log | Should -Contain 'SET 2 270 ok'
    }

    It 'gives a clear error within the timeout when the device stays silent' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=1,silent-every=1'
        $config = @{ Sampler = @{ ResponseTimeout = 0.5; RetryBackoff = 0; MaxRetry = 2 } }
        $err = $null
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $result = Set-HaniwersThreshold -PortName $pty.Host -Config $config -Channel 3 -Threshold 300 -PassThru -ErrorVariable err -ErrorAction SilentlyContinue
        $clock.Stop()
        $result.Success | Should -BeFalse
        $result.Attempts | Should -Be 2
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ThresholdNotSet*'
        $err[0].Exception.Message | Should -Match 'Channel 3 was not set to 300'
        $err[0].Exception.Message | Should -Match 'no answer within 0.5 s'
        $err[0].TargetObject.Channel | Should -Be 3
        # two attempts of 0.5 s: far below a hang; the bound is loose on purpose (shared machines)
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It 'says the port is in use when another session holds it' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device
        $job = Start-ThreadJob -ScriptBlock { param($m, $p) Import-Module $m; Receive-HaniwersEvent -PortName $p -Duration 30 } -ArgumentList $ModulePath, $pty.Host
        try {
            $device = (Get-Item $pty.Host).ResolveLinkTarget($true).FullName
            Wait-Until { @(Get-ChildItem "/proc/$PID/fd" | Where-Object LinkTarget -eq $device).Count -ge 2 } -Because 'the job to lock and open the port'
            $err = { Set-HaniwersThreshold -PortName $pty.Host -Channel 1 -Threshold 280 -ErrorAction Stop } | Should -Throw -ErrorId 'PortInUse*' -PassThru
            $err.Exception.Message | Should -Match "is in use by a Haniwers session \(process $PID, "
        } finally {
            $job | Stop-Job -PassThru | Remove-Job -Force
        }
    }
}

Describe 'Set-HaniwersThreshold over TCP' {
    BeforeAll {
        $sim = Start-SimulatorProcess -Tcp
    }
    AfterAll {
        $sim | Stop-TestProcess
    }

    It 'sets thresholds through tcp://HOST:PORT in both dialects' {
        (Set-HaniwersThreshold -PortName $sim.PortName -Channel 2 -Threshold 299 -PassThru).Success | Should -BeTrue
        (Set-HaniwersThreshold -PortName $sim.PortName -Firmware Binary -Channel 3 -Threshold 777 -PassThru).Success | Should -BeTrue
        $log = Get-SimulatorLog $sim
        $log | Should -Contain 'SET 2 299 ok'
        $log | Should -Contain 'SET 3 777 ok'
    }

    It 'receives events for a duration' {
        $events = @(Receive-HaniwersEvent -PortName $sim.PortName -Duration 1)
        $events.Count | Should -BeGreaterThan 0
    }
}

Describe 'Ports that cannot be opened' {
    It 'lists the ports that exist when the port does not' {
        $err = $null
        try { Set-HaniwersThreshold -PortName /dev/ttyHANIWERS_NONE -Channel 1 -Threshold 280 -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'PortNotFound*'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be '/dev/ttyHANIWERS_NONE'
        $err.Exception.Message | Should -Match "Serial port '/dev/ttyHANIWERS_NONE' does not exist"
        $expected = @(Get-HaniwersPort | ForEach-Object PortName)
        if ($expected) { foreach ($port in $expected) { $err.Exception.Message | Should -Match ([regex]::Escape($port)) } }
        else { $err.Exception.Message | Should -Match 'no serial port was found' }
        # what to do is said once, as the Recommendation, not also at the end of the message
        $err.ErrorDetails.RecommendedAction | Should -Match 'Get-HaniwersPort'
        $err.ErrorDetails.Message | Should -Not -Match 'Get-HaniwersPort'
        ($err | Out-String -Width 300) | Should -Match 'Recommendation'
    }

    It 'says when nothing listens on a TCP address' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $free = $listener.LocalEndpoint.Port; $listener.Stop()
        { Set-HaniwersThreshold -PortName "tcp://127.0.0.1:$free" -Channel 1 -Threshold 280 -ErrorAction Stop } | Should -Throw -ErrorId 'LinkOpenFailed*'
    }

    It 'does not open the port with -WhatIf' {
        Set-HaniwersThreshold -PortName /dev/ttyHANIWERS_NONE -Channel 1 -Threshold 280 -WhatIf -ErrorVariable err
        $err | Should -BeNullOrEmpty
    }
}

Describe 'Set-HaniwersThreshold on the built-in simulator' {
    It 'sets a channel and reports the result' {
        $result = Set-HaniwersThreshold -PortName sim -Channel 1 -Threshold 280 -PassThru
        $result.Channel | Should -Be 1
        $result.Threshold | Should -Be 280
        $result.Success | Should -BeTrue
    }

    It 'takes Channel and Threshold from the pipeline by property name' {
        $rows = @([pscustomobject]@{ Channel = 1; Threshold = 281 }, [pscustomobject]@{ Channel = 3; Threshold = 263 })
        $results = $rows | Set-HaniwersThreshold -PortName sim -PassThru
        $results.Channel | Should -Be @(1, 3)
        $results.Threshold | Should -Be @(281, 263)
    }

    It 'refuses a threshold outside the DAC range before touching the device' {
        # the port does not exist: an error about it would mean the command tried to open it
        $err = $null
        $results = Set-HaniwersThreshold -PortName /dev/ttyHANIWERS_NONE -Channel 1 -Threshold 1024 -PassThru -ErrorVariable err -ErrorAction SilentlyContinue
        $results | Should -BeNullOrEmpty
        @($err).Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ThresholdOutOfRange*'
        $err[0].Exception.Message | Should -Match 'Channel 1 threshold 1024 is outside the DAC range 1..1023'
    }
}

Describe 'Port name completion' {
    It 'offers sim, auto and the ports present on every -PortName' {
        foreach ($command in 'Set-HaniwersThreshold', 'Receive-HaniwersEvent', 'Invoke-HaniwersParallelScan', 'Invoke-HaniwersSerialScan') {
            $line = "$command -PortName "
            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $completions | Should -Contain 'sim'
            $completions | Should -Contain 'auto'
            foreach ($port in @(Get-HaniwersPort | ForEach-Object PortName)) { $completions | Should -Contain $port }
        }
        $line = 'Set-HaniwersThreshold -PortName si'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('sim')
    }
}

Describe 'Get-HaniwersPort says what it found' {
    It 'warns when there is no serial port at all, and is silent otherwise' {
        $ports = @(Get-HaniwersPort -WarningVariable warnings -WarningAction SilentlyContinue)
        if ($ports.Count -eq 0) {
            "$warnings" | Should -Match 'No serial port was found'
            "$warnings" | Should -Match '-PortName sim'
        } else {
            $warnings | Should -BeNullOrEmpty
            $ports | ForEach-Object { $_.Qualification | Should -Not -BeNullOrEmpty }
        }
    }
}
