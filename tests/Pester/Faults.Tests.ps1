# Faults placed exactly (issue 20): strace's fault injection makes the N-th fsync of a chosen file fail
# with EIO, in a child pwsh that runs a scan or a DAQ run; what the next command finds on the disk must
# obey docs/crash-protocol.md, and the run must say Failed with the problem's ErrorId, never Completed.
BeforeAll {
    . $PSScriptRoot/Common.ps1

    # Runs $Script in a new pwsh under strace with $Inject (strace's -e inject=...), limited to $Path when
    # given; returns what the child printed. strace comes with CI (.ci/run installs it).
    function Invoke-UnderFault([string] $Script, [string] $Inject, [string] $Path) {
        $file = Join-Path (New-TestFolder) 'child.ps1'
        Set-Content -LiteralPath $file -Value "Import-Module '$ModulePath'`n$Script"
        $pwsh = Get-PwshCommand
        $filter = if ($Path) { @('-P', $Path) } else { @() }
        $trace = Join-Path (Split-Path $file) 'strace.txt'
        $output = & strace -f -qq -o $trace @filter -e trace=fsync -e "inject=$Inject" $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1 | Out-String -Width 400
        $injected = @(Get-Content $trace | Where-Object { $_ -match 'INJECTED' })
        Remove-Item (Split-Path $file) -Recurse -Force
        [pscustomobject]@{ Output = $output; Injected = $injected.Count }
    }

    # The fsync calls of a run, in order, each with the file it was for (strace -y), to choose one to fail.
    function Get-FsyncPaths([string] $Script) {
        $file = Join-Path (New-TestFolder) 'child.ps1'
        Set-Content -LiteralPath $file -Value "Import-Module '$ModulePath'`n$Script"
        $pwsh = Get-PwshCommand
        $trace = Join-Path (Split-Path $file) 'strace.txt'
        & strace -f -qq -y -o $trace -e trace=fsync $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file *> $null
        $paths = @(Get-Content $trace | ForEach-Object { if ($_ -match 'fsync\(\d+<([^>]+)>\)') { $Matches[1] } })
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
            # the journal that failed takes no end record: the run is not reported Completed, and step 2 has no commit
            $run = Get-HaniwersRun -Path $folder
            $run.Outcome | Should -Not -Be 'Completed'
            $run.MeasuredSteps | Should -Be 1
            foreach ($steps in Get-StepRows $folder) { $steps | Should -Be @('1') }
        } finally { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'ends a DAQ run Failed when a raw file''s fsync fails, and says which file' {
        $folder = New-TestFolder
        try {
            $daq = "try { Invoke-HaniwersDaq -PortName 'sim:seed=21,noise-rate=3000' -OutputDirectory '$folder' -EventsPerFile 300 -FileCount 2 -Threshold 200 -ErrorAction Stop; 'ErrorId=none' } catch { 'ErrorId=' + `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
            $paths = Get-FsyncPaths $daq
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
