<#
.SYNOPSIS
    Crash consistency at every crash point, not by chance (docs/crash-protocol.md, "Proved at every
    crash point"). For a scenario (a step of each scan kind, a DAQ file rotation, a resume, a repair) a
    reference run under strace lists every write, fsync, truncate, rename and unlink the process makes
    on the files of its run folder; then, for each of them, a fresh run is killed there (strace's
    inject=SYSCALL:signal=KILL:when=N, limited to that file with -P) or the call is made to fail
    (error=EIO, ENOSPC for writes). After the next command (the one a user runs next: a resume, the
    next DAQ run, a read) the folder must obey the protocol's invariants; Test-RunFolder names each
    violation. Linux with strace; the tests run a sample (tests/Pester/CrashPoints.Tests.ps1), the
    benchmark all of them (./build.ps1 CrashPoints).
#>

$script:Traced = 'write,pwrite64,writev,pwritev,fsync,fdatasync,ftruncate,rename,renameat,renameat2,unlink,unlinkat,close'

function Get-PwshInvocation {
    $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    [string[]] $prefix = if ($pwsh -match 'dotnet(\.exe)?$') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    [pscustomobject]@{ Path = $pwsh; Prefix = $prefix }
}

# Runs $Script in a child pwsh under strace with the given strace options; returns its output, the trace's
# lines and whether an injected fault fired. The child imports the module first.
function Invoke-Traced([string] $ModulePath, [string] $Script, [string[]] $StraceOptions, [string] $Work) {
    $file = Join-Path $Work ('child-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
    $trace = "$file.trace"
    Set-Content -LiteralPath $file -Value "Import-Module '$ModulePath'`n$Script"
    $pwsh = Get-PwshInvocation
    $output = & strace -f -qq -o $trace @StraceOptions $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1 | Out-String -Width 400
    $lines = if (Test-Path -LiteralPath $trace) { @(Get-Content -LiteralPath $trace) } else { @() }
    Remove-Item -LiteralPath $file, $trace -Force -ErrorAction SilentlyContinue
    [pscustomobject]@{
        Output = $output
        Trace  = $lines
        # an injected error is marked INJECTED; an injected signal leaves the call unfinished (= ?) and the process killed
        Fired  = @($lines | Where-Object { $_ -match 'INJECTED|\)\s+= \?\s*$|killed by SIGKILL' }).Count -gt 0
    }
}

function Get-CrashPoint {
    <#
    .SYNOPSIS
        The crash points of a scenario: every traced call its run makes on a file of its folder (or on the
        folder itself), each as (syscall, file, ordinal among that syscall's calls on that file).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Scenario, [Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $Work)
    $folder = New-ScenarioFolder $Scenario $ModulePath $Work
    try {
        $run = Invoke-Traced $ModulePath $Scenario.Command.Replace('@F@', $folder) @('-y', "--seccomp-bpf", '-e', "trace=$script:Traced,openat") $Work
        $seen = @{}
        $writable = @{}
        foreach ($line in $run.Trace) {
            # which descriptors were opened for writing: an error at the close of one opened only to read loses nothing
            if ($line -match '^\d+\s+openat\(.*?, "[^"]*", ([A-Z_|]+)[^)]*\)\s+= (\d+)') { $fd, $flags = $Matches[2], $Matches[1]; $writable[$fd] = $flags -match 'O_WRONLY|O_RDWR'; continue }
            # 1234 pwrite64(27</tmp/x/run/run_journal.jsonl>, ...) = 120 ; unlink("/tmp/x/run/.haniwers-write-test") = 0
            if ($line -notmatch '^\d+\s+(\w+)\((?:\d+<([^>]+)>|"([^"]+)"|\w+, "([^"]+)")') { continue }
            $syscall = $Matches[1]
            $path = @($Matches[2], $Matches[3], $Matches[4]) | Where-Object { $_ } | Select-Object -First 1
            if (-not $path -or -not ($path -eq $folder -or $path.StartsWith("$folder/"))) { continue }
            if ($path -match 'child-\w+\.ps1') { continue }
            # a raw file's name has the time it opened, to the second: a point names it by its place in the run
            $path = $path -replace '_\d{4}-\d{2}-\d{2}_\d{2}h\d{2}m\d{2}s_', '_<time>_'
            $key = "$syscall $path"
            $seen[$key] = 1 + [int]$seen[$key]
            $readOnly = $syscall -eq 'close' -and $line -match 'close\((\d+)<' -and $writable[$Matches[1]] -eq $false
            [pscustomobject]@{ Scenario = $Scenario.Name; Syscall = $syscall; File = $path.Substring($folder.Length).TrimStart('/'); Ordinal = $seen[$key]; ReadOnly = $readOnly }
        }
    } finally { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
}

function New-ScenarioFolder($Scenario, [string] $ModulePath, [string] $Work) {
    $folder = Join-Path $Work ($Scenario.Name + '-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $folder | Out-Null
    if ($Scenario.Setup) { & $Scenario.Setup $folder $ModulePath $Work }
    $folder
}

function Invoke-CrashPoint {
    <#
    .SYNOPSIS
        Kills (-Fault Kill) or fails (-Fault Error) the scenario's run at one crash point, runs the next
        command, and returns the invariants' violations (none is the answer).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Scenario,
        [Parameter(Mandatory)] $Point,
        [ValidateSet('Kill', 'Error')] [string] $Fault = 'Kill',
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [string] $Work
    )
    $folder = New-ScenarioFolder $Scenario $ModulePath $Work
    $prepared = (Get-JournalRecords $folder $Scenario.Journal).Count
    try {
        $errno = if ($Point.Syscall -match "write") { "ENOSPC" } else { "EIO" }
        $action = if ($Fault -eq 'Kill') { 'signal=KILL' } else { "error=$errno" }
        $target = if ($Point.File) { Join-Path $folder $Point.File } else { $folder }
        # a raw file is named by the second it opens: every name it can take in the next 20 s is watched (strace counts
        # the calls on all of them, and one of them exists)
        $watched = if ($target -match '<time>') {
            $now = [DateTimeOffset]::Now
            foreach ($s in -1..20) { '-P'; $target.Replace('<time>', $now.AddSeconds($s).ToString('yyyy-MM-dd_HH\hmm\mss\s', [cultureinfo]::InvariantCulture)) }
        } else { '-P', $target }
        # (not --seccomp-bpf here: with it, strace 6.1 traced the calls but never fired the injection)
        $run = Invoke-Traced $ModulePath $Scenario.Command.Replace('@F@', $folder) @($watched + @('-e', "trace=$($Point.Syscall)", '-e', "inject=$($Point.Syscall):$($action):when=$($Point.Ordinal)")) $Work
        $violations = [System.Collections.Generic.List[string]]::new()
        # an error that cannot be the run's: the close of a file opened only to read, of the lock (which holds no data)
        $harmless = $Point.ReadOnly -or ($Scenario.Harmless -and $Point.File -match $Scenario.Harmless)
        # the journal's own close comes after its end record: the run reports the error, the record stays as written
        $afterEnd = $Point.Syscall -eq 'close' -and $Point.File -eq $Scenario.Journal
        if ($Fault -eq 'Error' -and $run.Fired -and $run.Output -match 'ErrorId=none' -and -not $harmless) {
            $violations.Add("the run reported no error after $errno at $($Point.Syscall) #$($Point.Ordinal) of $($Point.File): $($run.Output.Trim() -replace '\s+', ' ')")
        }
        if ($Fault -eq 'Error' -and $run.Fired -and $run.Output -match 'Outcome=Completed' -and -not $harmless) {
            $violations.Add("the run said Completed after $errno at $($Point.Syscall) #$($Point.Ordinal) of $($Point.File)")
        }
        $before = Get-JournalRecords $folder $Scenario.Journal
        # the journal agrees: a run whose call failed does not end Completed there either
        $ends = @($before | Select-Object -Skip $prepared | Where-Object event -eq 'end')
        if ($Fault -eq 'Error' -and $run.Fired -and $ends.Count -gt 0 -and $ends[-1].outcome -eq 'Completed' -and -not $harmless -and -not $afterEnd) {
            $violations.Add("the journal's end record says Completed after $errno at $($Point.Syscall) #$($Point.Ordinal) of $($Point.File)")
        }
        # the next command's own refusals (nothing to resume) are not the question; what it leaves on the disk is
        $warnings = @($(try { & $Scenario.Next $folder 3>&1 2>$null 6>$null } catch { }) | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $after = Get-JournalRecords $folder $Scenario.Journal
        foreach ($v in (Test-RunFolder -Folder $folder -Kind $Scenario.Kind -Journal $Scenario.Journal)) { $violations.Add($v) }
        # every repair and close-off is told: new repaired/rolled-back/file-recovered records come with a warning
        $told = @($after | Select-Object -Skip $before.Count | Where-Object { $_.event -in 'repaired', 'rolled-back', 'file-recovered' })
        if ($told.Count -gt 0 -and -not ($warnings -match 'Repaired|Closed off')) {
            $violations.Add("the next command made $($told.Count) repair record(s) and said nothing: $(($told | ForEach-Object event) -join ', ')")
        }
        [pscustomobject]@{
            Scenario   = $Scenario.Name
            Point      = "$($Point.Syscall) #$($Point.Ordinal) $($Point.File)"
            Fault      = $Fault
            Fired      = $run.Fired
            Violations = @($violations)
        }
    } finally { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
}

function Get-JournalRecords([string] $Folder, [string] $Journal) {
    $path = Join-Path $Folder $Journal
    if (-not (Test-Path -LiteralPath $path)) { return , @() }
    , @(Get-Content -LiteralPath $path | Where-Object { $_.Trim() } | ForEach-Object { try { $_ | ConvertFrom-Json } catch { [pscustomobject]@{ event = '<unparsable>'; text = $_ } } })
}

function Test-RunFolder {
    <#
    .SYNOPSIS
        The invariants of docs/crash-protocol.md and docs/daq.md on a folder, as the next command left it;
        returns one line per violation.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Folder, [ValidateSet('Scan', 'Daq')] [string] $Kind, [string] $Journal)
    $records = Get-JournalRecords $Folder $Journal
    foreach ($bad in @($records | Where-Object event -eq '<unparsable>')) { "the journal has a line that does not parse: $($bad.text)" }
    if ($Kind -eq 'Scan') { Test-ScanFolder $Folder $records } else { Test-DaqFolder $Folder $records }
}

function Test-LineEnds([string] $Path) {
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    if ($bytes.Length -gt 0 -and $bytes[-1] -ne 10) { "$(Split-Path $Path -Leaf) does not end on a line end" }
}

function Test-ScanFolder([string] $Folder, $Records) {
    $rows = @{}
    foreach ($ch in 1..3) {
        $path = Join-Path $Folder "scan_results_ch$ch.csv"
        if (-not (Test-Path -LiteralPath $path)) { $rows[$ch] = @(); continue }
        Test-LineEnds $path
        $rows[$ch] = @(Import-Csv -LiteralPath $path)
        foreach ($dup in @($rows[$ch] | Group-Object RunId, Step | Where-Object Count -gt 1)) { "ch$ch holds step $($dup.Name) $($dup.Count) times" }
    }
    foreach ($name in 'threshold_operations.csv') { $p = Join-Path $Folder $name; if (Test-Path -LiteralPath $p) { Test-LineEnds $p } }
    foreach ($start in @($Records | Where-Object { $_.event -eq 'start' })) {
        $runId = $start.runId
        $plan = @{}
        foreach ($s in @($start.plan)) { if ($null -ne $s) { $plan[[int]$s.step] = @($s.measured) } }
        $committed = @{}
        foreach ($r in @($Records | Where-Object { $_.runId -eq $runId })) {
            if ($r.event -eq 'commit') { $committed[[int]$r.step] = $true }
            if ($r.event -eq 'rolled-back') { $committed.Remove([int]$r.step) }
        }
        $present = @{}
        foreach ($ch in 1..3) { foreach ($row in @($rows[$ch] | Where-Object RunId -eq $runId)) { $present["$($row.Step)"] += @($ch) } }
        foreach ($step in $present.Keys) {
            $measured = if ($plan.ContainsKey([int]$step)) { $plan[[int]$step] } else { @(1, 2, 3) | Where-Object { $present[$step] -contains $_ } }
            $missing = @($measured | Where-Object { $present[$step] -notcontains $_ })
            if ($missing.Count -gt 0) { "run $runId step $step is in ch$($present[$step] -join ',ch') but not in ch$($missing -join ',ch'): a step half written" }
            if (-not $committed.ContainsKey([int]$step)) { "run $runId step $step has rows but no commit record" }
        }
        foreach ($step in $committed.Keys) {
            if (-not $present.ContainsKey("$step")) { "run $runId step $step is committed but in no file" }
        }
        $end = @($Records | Where-Object { $_.runId -eq $runId -and $_.event -eq 'end' }) | Select-Object -Last 1
        if ($end -and $end.outcome -eq 'Completed' -and $plan.Count -gt 0 -and $committed.Count -lt $plan.Count) {
            "run $runId ended Completed with $($committed.Count) of $($plan.Count) steps committed"
        }
    }
}

function Test-DaqFolder([string] $Folder, $Records) {
    $files = @(Get-ChildItem -LiteralPath $Folder -Filter 'data_*.csv' -File)
    $rowsOf = @{}
    foreach ($f in $files) {
        Test-LineEnds $f.FullName
        $rowsOf[$f.Name] = @([System.IO.File]::ReadAllLines($f.FullName) | Where-Object { $_ }).Count
    }
    $accounted = @{}
    foreach ($r in @($Records | Where-Object { $_.event -in 'file-closed', 'file-recovered' })) {
        $accounted[$r.file] = 1 + [int]$accounted[$r.file]
        if ($rowsOf.ContainsKey($r.file) -and [long]$r.events -ne $rowsOf[$r.file]) { "$($r.file): its $($r.event) record says $($r.events) events, the file holds $($rowsOf[$r.file])" }
    }
    foreach ($name in $accounted.Keys) { if ($accounted[$name] -gt 1) { "$name is closed $($accounted[$name]) times in the journal" } }
    foreach ($opened in @($Records | Where-Object event -eq 'file-opened')) {
        if (-not $accounted.ContainsKey($opened.file)) { "$($opened.file) was opened and never closed or closed off" }
    }
    foreach ($start in @($Records | Where-Object event -eq 'start')) {
        $end = @($Records | Where-Object { $_.runId -eq $start.runId -and $_.event -eq 'end' })
        if ($end.Count -ne 1) { "run $($start.runId) has $($end.Count) end records"; continue }
        $own = @($Records | Where-Object { $_.runId -eq $start.runId -and $_.event -eq 'file-opened' } | ForEach-Object file)
        $onDisk = ($own | ForEach-Object { [long]$rowsOf[$_] } | Measure-Object -Sum).Sum
        if ($null -ne $end[0].events -and [long]$end[0].events -ne [long]$onDisk) { "run $($start.runId): its end record says $($end[0].events) events, its files hold $onDisk" }
    }
}

function Get-CrashScenario {
    <#
    .SYNOPSIS
        The scenarios: a parallel, a serial and an adaptive scan, a DAQ run across a file rotation, a
        resume, a repair. Command is the child's script (@F@ is the folder); Next the command a user runs
        next, in this session.
    #>
    $sim = "'sim:seed=1,instant'"
    $report = "; 'ErrorId=none' } catch { 'ErrorId=' + `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
    # a scan's command, and the outcome its journal's last record gives (@F@ is the folder)
    function Scan([string] $Command) { "try { $Command | Out-Null; 'Outcome=' + ((Get-Content -LiteralPath (Join-Path '@F@' run_journal.jsonl) | Select-Object -Last 1 | ConvertFrom-Json).outcome)$report" }
    @(
        [pscustomobject]@{
            Name = 'parallel'; Kind = 'Scan'; Journal = 'run_journal.jsonl'; Harmless = '\.haniwers-run\.lock(\.owner)?$'
            Command = Scan "Invoke-HaniwersParallelScan -PortName $sim -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory '@F@' -ErrorAction Stop"
            Next = { param($f) Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory $f -Resume -ErrorAction SilentlyContinue | Out-Null }
        }
        [pscustomobject]@{
            Name = 'serial'; Kind = 'Scan'; Journal = 'run_journal.jsonl'; Harmless = '\.haniwers-run\.lock(\.owner)?$'
            Command = Scan "Invoke-HaniwersSerialScan -PortName $sim -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory '@F@' -ErrorAction Stop"
            Next = { param($f) Invoke-HaniwersSerialScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory $f -Resume -ErrorAction SilentlyContinue | Out-Null }
        }
        [pscustomobject]@{
            Name = 'adaptive'; Kind = 'Scan'; Journal = 'run_journal.jsonl'; Harmless = '\.haniwers-run\.lock(\.owner)?$'
            Command = Scan "Invoke-HaniwersAdaptiveScan -PortName $sim -Duration 0.1 -SettleTime 0 -MaxSteps 5 -OutputDirectory '@F@' -ErrorAction Stop -WarningAction SilentlyContinue"
            Next = { param($f) Invoke-HaniwersAdaptiveScan -PortName 'sim:seed=1,instant' -Duration 0.1 -SettleTime 0 -MaxSteps 5 -OutputDirectory $f -Resume -ErrorAction SilentlyContinue -WarningAction Continue | Out-Null }
        }
        [pscustomobject]@{
            Name = 'daq-rotation'; Kind = 'Daq'; Journal = 'daq_journal.jsonl'; Harmless = '\.haniwers-run\.lock(\.owner)?$'
            Command = "try { Invoke-HaniwersDaq -PortName $sim -Threshold 280, 300, 260 -Mode CountBased -EventsPerFile 15 -FileCount 2 -OutputDirectory '@F@' -ErrorAction Stop | Out-Null; 'Outcome=' + ((Get-Content -LiteralPath (Join-Path '@F@' daq_journal.jsonl) | Select-Object -Last 1 | ConvertFrom-Json).outcome)$report"
            Next = { param($f) Invoke-HaniwersDaq -PortName 'sim:seed=2,instant' -Threshold 280, 300, 260 -Mode CountBased -EventsPerFile 5 -FileCount 1 -OutputDirectory $f -ErrorAction SilentlyContinue | Out-Null }
        }
        [pscustomobject]@{
            Name = 'resume'; Kind = 'Scan'; Journal = 'run_journal.jsonl'; Harmless = '\.haniwers-run\.lock(\.owner)?$'
            # a parallel scan killed at its third commit: steps 1 and 2 measured, the rest to resume
            Setup = { param($f, $module, $work)
                $null = Invoke-Traced $module "Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 2 -Duration 0.1 -SettleTime 0 -OutputDirectory '$f' | Out-Null" @('-P', (Join-Path $f 'run_journal.jsonl'), '-e', 'trace=fsync', '-e', 'inject=fsync:signal=KILL:when=6') $work }
            Command = Scan "Invoke-HaniwersParallelScan -PortName $sim -NSteps 2 -Duration 0.1 -SettleTime 0 -OutputDirectory '@F@' -Resume -ErrorAction Stop"
            Next = { param($f) Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 2 -Duration 0.1 -SettleTime 0 -OutputDirectory $f -Resume -ErrorAction SilentlyContinue | Out-Null }
        }
        [pscustomobject]@{
            Name = 'repair'; Kind = 'Scan'; Journal = 'run_journal.jsonl'; Harmless = '\.haniwers-run\.lock(\.owner)?$'
            # a folder as a crash leaves it: step 4's intent journalled, its rows in every file, ch3's cut short
            Setup = { param($f)
                Invoke-HaniwersParallelScan -PortName 'sim:seed=1,instant' -NSteps 1 -Duration 0.1 -SettleTime 0 -OutputDirectory $f | Out-Null
                $journal = Join-Path $f 'run_journal.jsonl'
                $runId = (Get-Content $journal -First 1 | ConvertFrom-Json).runId
                $lengths = [ordered]@{}
                foreach ($ch in 1..3) { $lengths["scan_results_ch$ch.csv"] = (Get-Item (Join-Path $f "scan_results_ch$ch.csv")).Length }
                [IO.File]::AppendAllText($journal, ([ordered]@{ event = 'intent'; timestamp = (Get-Date).ToString('o'); runId = $runId; step = 4; files = $lengths } | ConvertTo-Json -Compress) + "`n")
                foreach ($ch in 1..3) {
                    $csv = Join-Path $f "scan_results_ch$ch.csv"
                    $row = (Get-Content $csv | Select-Object -Last 1) -replace ',Parallel,3,', ',Parallel,4,'
                    [IO.File]::AppendAllText($csv, $(if ($ch -eq 3) { $row.Substring(0, 20) } else { $row + "`r`n" }))
                } }
            Command = "try { Measure-HaniwersThreshold -Path '@F@' -WarningAction SilentlyContinue -ErrorAction Stop | Out-Null$report"
            Next = { param($f) Measure-HaniwersThreshold -Path $f -WarningAction Continue -ErrorAction SilentlyContinue | Out-Null }
        }
    )
}

function Select-CrashPoint {
    <#
    .SYNOPSIS
        A sample of the points, the same on every run: one of each kind of call (write, fsync, truncate,
        unlink: its middle one), then points spread evenly over the run until there are -Count.
    #>
    param([Parameter(Mandatory)] [object[]] $Points, [int] $Count)
    if ($Count -le 0 -or $Points.Count -le $Count) { return $Points }
    $chosen = [System.Collections.Generic.List[object]]::new()
    foreach ($kind in ($Points | Group-Object Syscall)) { $chosen.Add($kind.Group[[math]::Floor($kind.Count / 2)]) }
    $rest = @($Points | Where-Object { $chosen -notcontains $_ })
    $wanted = [math]::Max(0, $Count - $chosen.Count)
    for ($i = 0; $i -lt $wanted; $i++) { $chosen.Add($rest[[math]::Floor(($i + 0.5) * $rest.Count / $wanted)]) }
    @($chosen | Sort-Object { [array]::IndexOf($Points, $_) })
}

Export-ModuleMember -Function Get-CrashScenario, Get-CrashPoint, Invoke-CrashPoint, Select-CrashPoint, Test-RunFolder
