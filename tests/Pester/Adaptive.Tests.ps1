# The adaptive scan on sim, over a pty, from a config file, and resumed after a kill.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:adaptive = @{ Center = 280, 300, 260; NSteps = 25; StepSize = 2; Duration = 0.2; SettleTime = 0; TargetError = 3 }

    function Assert-Reached($Info, [double] $Target) {
        $summary = ($Info | Where-Object { $_.Tags -contains 'Summary' }).MessageData
        $summary.Outcome | Should -Be 'Completed'
        $summary.Findings.Count | Should -Be 3
        $summary.Findings | ForEach-Object { $_ | Should -Match "± [\d.]+ DAC \(target $Target\)\.$" }
        $summary
    }
}

Describe 'Invoke-HaniwersAdaptiveScan' {
    BeforeEach { $folder = New-TestFolder }
    AfterEach { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }

    It 'reaches the target on sim in fewer windows than the grid, and Measure-HaniwersThreshold agrees' {
        # seeded and on the simulator's own clock, so the run is the same however busy the machine is (in real
        # time the events a window sees depend on when it opens); the benchmark measures the distribution
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' @adaptive -OutputDirectory $folder -InformationVariable info)
        $summary = Assert-Reached $info 3
        ($rows | Group-Object Step).Count | Should -BeLessThan 51
        $rows[0].Mode | Should -Be 'Adaptive'
        $fits = @(Measure-HaniwersThreshold -Path $folder -WarningAction SilentlyContinue)
        $fits.Count | Should -Be 3
        foreach ($fit in $fits) { $fit.ThresholdError | Should -BeLessOrEqual 3 }
        @(Get-Content (Join-Path $folder 'run_journal.jsonl') | Where-Object { $_ -like '*"decision"*' }).Count | Should -Be $summary.CompletedSteps
    }

    It 'runs from a config file over the real serial path' {
        $pty = Start-PtyPair
        $sim = Start-SimulatorProcess -Serial $pty.Device -Options 'seed=61'
        try {
            $config = Join-Path $folder 'config.toml'
            New-HaniwersConfig -Path $config -PortName $pty.Host -Center 280, 300, 260 -NSteps 25 -StepSize 2 -Duration 0.2 | Out-Null
            # in real time on a shared machine: a time limit of its own, so that a busy host does not end it at the grid's time
            $rows = @(Invoke-HaniwersAdaptiveScan -ConfigPath $config -SettleTime 0 -TargetError 3 -MaxDuration 300 -OutputDirectory (Join-Path $folder 'run') -InformationVariable info)
            $null = Assert-Reached $info 3
            ($rows | Group-Object Step).Count | Should -BeGreaterThan 5
        } finally { $sim, $pty | Stop-TestProcess }
    }

    It 'says which channels fell short when the step limit comes first' {
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim @adaptive -TargetError 0.05 -MaxSteps 8 -OutputDirectory $folder -WarningVariable warnings -WarningAction SilentlyContinue)
        ($rows | Group-Object Step).Count | Should -Be 8
        @($warnings | Where-Object { "$_" -match '(not reached|no threshold).*-MaxSteps 8 was reached' }).Count | Should -Be 3
    }

    It 'stops at -MaxDuration, with its coarse windows counted at their length, and warns' {
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim @adaptive -TargetError 0.05 -MaxDuration 3 -OutputDirectory $folder -WarningVariable warnings -WarningAction SilentlyContinue -InformationVariable info)
        # a run short of its target has no result to call Completed (issue 21): it says Incomplete, and why
        $summary = ($info | Where-Object { $_.Tags -contains 'Summary' }).MessageData
        $summary.Outcome | Should -Be 'Incomplete'
        $summary.FailureReason | Should -Match 'short of the target 0.05'
        ($rows | Measure-Object DurationSeconds -Sum).Sum / 3 | Should -BeLessOrEqual 3
        @($warnings | Where-Object { "$_" -match 'time limit \(-MaxDuration 3 s\) was reached' }).Count | Should -Be 3
    }

    It 'stops a channel whose edge lies outside its range, warns while it runs, and the run says Incomplete' {
        # ch3's edge is near 284, above 120..220; windows of 1 s on the simulator's own clock, to know the flat rate to 10 %
        $outside = $adaptive.Clone(); $outside.Center = 280, 300, 170; $outside.Duration = 1
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' @outside -OutputDirectory $folder -WarningVariable warnings -WarningAction SilentlyContinue)
        ($rows | Group-Object Step).Count | Should -BeLessThan 100 -Because 'the run stops when no channel can improve, not at -MaxSteps (200)'
        @($warnings | Where-Object { "$_" -match '^ch3: the edge lies above the range 120\.\.220 .*center = \d+, nsteps = 25, step_size = 2' }).Count | Should -BeGreaterOrEqual 1
        $run = Get-HaniwersRun $folder -Last 1
        $run.Outcome | Should -Be 'Incomplete'
        $run.Reason | Should -Match '^ch3: the edge lies above the range 120\.\.220'
    }

    It 'fits a grid of five values with -OnGrid, measures between them without it, and refuses one too short to fit' {
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim -Center 290, 310, 270 -NSteps 2 -StepSize 8 -Duration 0.5 -SettleTime 0 -TargetError 50 -MaxSteps 20 -OnGrid -OutputDirectory $folder -WarningAction SilentlyContinue)
        foreach ($ch in 1..3) { @($rows | Where-Object Channel -eq $ch | Select-Object -ExpandProperty Threshold -Unique).Count | Should -Be 5 }
        $free = @(Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=2,instant' -Center 290, 310, 270 -NSteps 2 -StepSize 8 -Duration 0.5 -SettleTime 0 -TargetError 2 -OutputDirectory (Join-Path $folder 'free') -WarningAction SilentlyContinue)
        @($free | Where-Object { ($_.Threshold - (274, 294, 254)[$_.Channel - 1]) % 8 -ne 0 }).Count | Should -BeGreaterThan 0
        $free | ForEach-Object { $_.Threshold | Should -BeGreaterOrEqual ((274, 294, 254)[$_.Channel - 1]); $_.Threshold | Should -BeLessOrEqual ((306, 326, 286)[$_.Channel - 1]) }
        $stop = $null
        try { Invoke-HaniwersAdaptiveScan -PortName sim -NSteps 1 -OnGrid -OutputDirectory (Join-Path $folder 'short') -ErrorAction Stop } catch { $stop = $_ }
        $stop.FullyQualifiedErrorId | Should -BeLike 'TooFewGridValues*'
        $stop.Exception.Message | Should -Match 'needs at least 5'
        Test-Path (Join-Path $folder 'short') | Should -BeFalse
    }

    It 'starts from last week''s fits, piped or as a folder, records them, and discards one whose edge moved' {
        $wide = $adaptive.Clone(); $wide.NSteps = 50
        $last = Join-Path $folder 'last'
        $null = Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' @wide -OutputDirectory $last
        $fits = @(Measure-HaniwersThreshold -Path $last -WarningAction SilentlyContinue)
        $rows = @($fits | Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=2,instant' @wide -OutputDirectory (Join-Path $folder 'piped') -WarningVariable warned -InformationVariable info)
        $null = Assert-Reached $info 3
        $warned | Should -BeNullOrEmpty
        $start = Get-Content (Join-Path $folder 'piped/run_journal.jsonl') -TotalCount 1 | ConvertFrom-Json
        @($start.adaptive.prior).Count | Should -Be 3
        $start.adaptive.prior[0].threshold | Should -Be $fits[0].Threshold
        # the first window goes to the lower side of each prior's edge, not to 20 % of the range
        foreach ($row in @($rows | Where-Object Step -eq 1)) { $row.Threshold | Should -BeLessOrEqual $fits[$row.Channel - 1].Mean }
        # a folder is fitted as Measure-HaniwersThreshold fits it
        $plan = Invoke-InNewPwsh "Invoke-HaniwersAdaptiveScan -PortName sim -Center 280, 300, 260 -NSteps 50 -StepSize 2 -Duration 0.2 -SettleTime 0 -TargetError 3 -Prior '$last' -OutputDirectory '$(Join-Path $folder 'plan')' -WhatIf"
        $plan | Should -Match "starting from ch1 threshold $($fits[0].Threshold) ±"
        # a detector whose edges are 25 DAC lower than the prior's: each channel's prior is discarded, with a warning
        $null = Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=3,instant,midpoint=255/275/235' @wide -Prior $last -OutputDirectory (Join-Path $folder 'moved') -WarningVariable moved -WarningAction SilentlyContinue
        foreach ($ch in 1..3) { @($moved | Where-Object { "$_" -match "^ch$ch`: the prior \(threshold \d+ .* is discarded: .*the edge has moved\. The scan goes on without it\.$" }).Count | Should -Be 1 }
        # anything else is refused by name; saved fits are told to give the folder instead
        { Invoke-HaniwersAdaptiveScan -PortName sim @wide -Prior 42 -OutputDirectory (Join-Path $folder 'bad') -ErrorAction Stop } | Should -Throw -ErrorId 'PriorNotAFit*'
        $fits | Export-Clixml (Join-Path $folder 'fits.xml')
        { Invoke-HaniwersAdaptiveScan -PortName sim @wide -Prior (Import-Clixml (Join-Path $folder 'fits.xml')) -OutputDirectory (Join-Path $folder 'bad') -ErrorAction Stop } |
            Should -Throw -ExpectedMessage "*not a Deserialized.Haniwers.Analysis.ThresholdFit (fits saved with Export-Clixml lose their type: give the earlier scan's folder instead)."
    }

    It 'goes on from a run that ended at its limit with a larger one, and keeps its recorded design' {
        $null = Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' -Duration 1 -TargetError 0.5 -OutputDirectory $folder -WarningAction SilentlyContinue
        (Get-HaniwersRun $folder -Last 1).Reason | Should -Match "the fixed grid's time was spent \(21 windows of 1 s"
        # without a larger limit it measures nothing, and says which limit to raise
        @(Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' -OutputDirectory $folder -Resume -WarningAction SilentlyContinue).Count | Should -Be 0
        (Get-HaniwersRun $folder -Last 1).Reason | Should -Match 'give -MaxDuration to allow more \(with -Resume, the whole run''s seconds\)'
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' -OutputDirectory $folder -Resume -MaxDuration 40 -OnGrid -WarningVariable warned -WarningAction SilentlyContinue)
        $rows.Count | Should -BeGreaterThan 0
        @($warned | Where-Object { "$_" -like '-OnGrid is not used by -Resume*any integer within its range*' }).Count | Should -Be 1
        $run = Get-HaniwersRun $folder -Last 1
        $run.Reason | Should -Match 'the time limit \(-MaxDuration 40 s\) was reached'
    }

    It 'goes on from the points it has after a SIGKILL, under the same run' {
        # in real time on a shared machine: a recorded time limit of its own, so that a busy host does not end it at the grid's time
        Invoke-KilledScan "Invoke-HaniwersAdaptiveScan -PortName sim -Center 280, 300, 260 -NSteps 25 -StepSize 2 -Duration 0.2 -SettleTime 0 -TargetError 2 -OnGrid -MaxDuration 300 -OutputDirectory '$folder' | Out-Null" (Join-Path $folder 'scan_results_ch1.csv') 9
        $before = @(Import-Csv (Join-Path $folder 'scan_results_ch1.csv'))
        # a bare -Resume goes on with the recorded ranges, target (2 DAC) and -OnGrid, not the defaults
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim -OutputDirectory $folder -Resume -InformationVariable info -WarningAction SilentlyContinue)
        $null = Assert-Reached $info 2
        $rows | ForEach-Object { ($_.Threshold - 230) % 2 | Should -Be 0 }
        $after = @(Import-Csv (Join-Path $folder 'scan_results_ch1.csv'))
        @($after.RunId | Sort-Object -Unique).Count | Should -Be 1
        ($after.Step | ForEach-Object { [int]$_ } | Sort-Object) -join ',' | Should -Be ((1..$after.Count) -join ',')
        # the kill can fall between a step's rows and its commit: that one step's rows are cut back and
        # measured again (docs/crash-protocol.md); every committed row is kept and the resume goes on right after them
        $kept = $after.Count - @($rows | Where-Object Channel -eq 1).Count
        $kept | Should -BeIn @($before.Count, ($before.Count - 1))
        ($rows | Measure-Object Step -Minimum).Minimum | Should -Be ($kept + 1)
    }
}
