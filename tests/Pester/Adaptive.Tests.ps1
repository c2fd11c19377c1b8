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
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim @adaptive -OutputDirectory $folder -InformationVariable info)
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
            $rows = @(Invoke-HaniwersAdaptiveScan -ConfigPath $config -SettleTime 0 -TargetError 3 -OutputDirectory (Join-Path $folder 'run') -InformationVariable info)
            $null = Assert-Reached $info 3
            ($rows | Group-Object Step).Count | Should -BeGreaterThan 5
        } finally { $sim, $pty | Stop-TestProcess }
    }

    It 'says which channels fell short when the step limit comes first' {
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim @adaptive -TargetError 0.05 -MaxSteps 8 -OutputDirectory $folder -WarningVariable warnings -WarningAction SilentlyContinue)
        ($rows | Group-Object Step).Count | Should -Be 8
        @($warnings | Where-Object { "$_" -match '(not reached|no threshold).*-MaxSteps 8 was reached' }).Count | Should -Be 3
    }

    It 'goes on from the points it has after a SIGKILL, under the same run' {
        $child = Start-PwshProcess "Invoke-HaniwersAdaptiveScan -PortName sim -Center 280, 300, 260 -NSteps 25 -StepSize 2 -Duration 0.2 -SettleTime 0 -TargetError 1 -OutputDirectory '$folder' | Out-Null"
        try {
            $csv = Join-Path $folder 'scan_results_ch1.csv'
            Wait-Until { (Test-Path $csv) -and @(Get-Content $csv).Count -ge 9 } -TimeoutSeconds 60 -Because 'eight windows'
            Stop-Process -Id $child.Process.Id -Force
            $child.Process.WaitForExit(10000) | Out-Null
        } finally { $child | Stop-TestProcess }
        $before = @(Import-Csv (Join-Path $folder 'scan_results_ch1.csv'))
        $rows = @(Invoke-HaniwersAdaptiveScan -PortName sim @adaptive -OutputDirectory $folder -Resume -InformationVariable info -WarningAction SilentlyContinue)
        $null = Assert-Reached $info 3
        $after = @(Import-Csv (Join-Path $folder 'scan_results_ch1.csv'))
        @($after.RunId | Sort-Object -Unique).Count | Should -Be 1
        ($after.Step | ForEach-Object { [int]$_ } | Sort-Object) -join ',' | Should -Be ((1..$after.Count) -join ',')
        ($rows | Measure-Object Step -Minimum).Minimum | Should -Be ($before.Count + 1)
    }
}
