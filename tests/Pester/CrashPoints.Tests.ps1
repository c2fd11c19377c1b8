# Crash consistency at every crash point (issue 20, docs/crash-protocol.md "Proved at every crash point"): the
# harness (tools/CrashPointHarness.psm1) lists every write, fsync, truncate and unlink a run makes on its folder's
# files, kills the run at a call or makes the call fail, runs the next command and checks the invariants. Here a
# sample of each scenario's points (the same every time); ./build.ps1 CrashPoints runs all of them.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot '../../tools/CrashPointHarness.psm1') -Force
    $script:Scenarios = @(Get-CrashScenario | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
    Import-Module (Join-Path $PSScriptRoot '../../tools/CrashPointHarness.psm1') -Force
    $script:PerScenario = 5
}

Describe 'A run killed or failed at a sample of its crash points' {
    It 'leaves the <Name> folder whole after the next command, at every sampled point' -ForEach $Scenarios {
        $scenario = Get-CrashScenario | Where-Object Name -eq $Name
        $work = New-TestFolder
        try {
            $points = @(Get-CrashPoint -Scenario $scenario -ModulePath $ModulePath -Work $work)
            $points.Count | Should -BeGreaterThan 10 -Because "the $Name run writes, syncs and removes files in its folder"
            $sample = @(Select-CrashPoint $points $PerScenario)
            $results = @(foreach ($point in $sample) { foreach ($fault in 'Kill', 'Error') { Invoke-CrashPoint -Scenario $scenario -Point $point -Fault $fault -ModulePath $ModulePath -Work $work } })
            $fired = @($results | Where-Object Fired)
            $violations = @($results | ForEach-Object { foreach ($v in $_.Violations) { "$($_.Fault) at $($_.Point): $v" } })
            Write-Host "Crash points ($Name): $($points.Count) listed, $($sample.Count) sampled, $($fired.Count) of $($results.Count) faults placed (kill and error), $($violations.Count) violations."
            $violations | Should -BeNullOrEmpty
            # a fault that never fires proves nothing: the sample's faults must land
            $fired.Count | Should -Be $results.Count -Because "every sampled call is made again by a fresh run (not placed: $(($results | Where-Object { -not $_.Fired } | ForEach-Object { "$($_.Fault) $($_.Point)" }) -join '; '))"
        } finally { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'The invariants can fail' {
    # the checker is the answer's other half: on folders damaged by hand it names each damage
    It 'names a half-written step, a doubled row and a cut last line' {
        $folder = New-TestFolder
        try {
            Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory $folder | Out-Null
            Test-RunFolder -Folder $folder -Kind Scan -Journal run_journal.jsonl | Should -BeNullOrEmpty
            $ch2 = Join-Path $folder 'scan_results_ch2.csv'
            $lines = [IO.File]::ReadAllLines($ch2)
            [IO.File]::WriteAllLines($ch2, $lines[0..($lines.Count - 2)])             # step 3 gone from ch2 only
            $ch1 = Join-Path $folder 'scan_results_ch1.csv'
            [IO.File]::AppendAllText($ch1, ([IO.File]::ReadAllLines($ch1)[1]) + "`n")  # step 1 twice in ch1
            [IO.File]::AppendAllText((Join-Path $folder 'threshold_operations.csv'), '2026-01-01T00:00:00,x')
            $found = @(Test-RunFolder -Folder $folder -Kind Scan -Journal run_journal.jsonl)
            ($found -match 'step 3 is in ch1,ch3 but not in ch2').Count | Should -Be 1
            ($found -match 'ch1 holds step .*, 1 2 times').Count | Should -Be 1
            ($found -match 'threshold_operations.csv does not end on a line end').Count | Should -Be 1
            [IO.File]::WriteAllLines($ch2, $lines[0..1])                                # steps 2 and 3 gone from ch2
            (@(Test-RunFolder -Folder $folder -Kind Scan -Journal run_journal.jsonl) -match 'step 2 is in ch1,ch3 but not in ch2').Count | Should -Be 1
        } finally { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'names an event count that disagrees with the disk, and a raw file never closed' {
        $folder = New-TestFolder
        try {
            Invoke-HaniwersDaq -PortName 'sim:seed=1,instant' -Threshold 280, 300, 260 -Mode CountBased -EventsPerFile 10 -FileCount 2 -OutputDirectory $folder | Out-Null
            Test-RunFolder -Folder $folder -Kind Daq -Journal daq_journal.jsonl | Should -BeNullOrEmpty
            $raw = @(Get-ChildItem $folder -Filter 'data_*.csv' | Sort-Object Name)[1].FullName
            [IO.File]::AppendAllText($raw, ([IO.File]::ReadAllLines($raw)[0]) + "`n")       # an event the journal never counted
            $journal = Join-Path $folder 'daq_journal.jsonl'
            $kept = @(Get-Content $journal | Where-Object { $_ -notmatch '"file-closed".*_0000000\.csv' })
            Set-Content -LiteralPath $journal -Value $kept                                   # the first file's close record lost
            $found = @(Test-RunFolder -Folder $folder -Kind Daq -Journal daq_journal.jsonl)
            ($found -match '_0000001\.csv: its file-closed record says 10 events, the file holds 11').Count | Should -Be 1
            ($found -match '_0000000\.csv was opened and never closed').Count | Should -Be 1
            ($found -match 'its end record says 20 events, its files hold 21').Count | Should -Be 1
        } finally { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
