<#
.SYNOPSIS
    Every crash point of every scenario (tools/CrashPointHarness.psm1): each write, fsync, truncate and
    unlink a run makes on its folder's files, killed there and failed there, with the invariants of
    docs/crash-protocol.md checked after the next command. Prints a table of points, faults placed and
    violations (the answer must be 0). Linux with strace. Run by ./build.ps1 CrashPoints and ./build.ps1 Bench.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    # 0: every point; N: the sample the tests take (N per scenario)
    [int] $Sample = 0,
    [string[]] $Scenario
)
$ErrorActionPreference = 'Stop'
# -File passes "a,b" as one string
$Scenario = @($Scenario | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
Import-Module $ModulePath
Import-Module (Join-Path $PSScriptRoot 'CrashPointHarness.psm1') -Force
if (-not (Get-Command strace -ErrorAction SilentlyContinue)) { throw 'The crash-point harness needs strace (apt-get install strace).' }
$work = Join-Path ([IO.Path]::GetTempPath()) ('haniwers-crashpoints-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory -Path $work | Out-Null
$rows = [System.Collections.Generic.List[object]]::new()
$all = [System.Collections.Generic.List[string]]::new()
$clock = [Diagnostics.Stopwatch]::StartNew()
try {
    $chosenScenarios = @(Get-CrashScenario | Where-Object { $Scenario.Count -eq 0 -or $_.Name -in $Scenario })
    if ($chosenScenarios.Count -eq 0) { throw "No scenario is named $($Scenario -join ', '); there are: $((Get-CrashScenario).Name -join ', ')." }
    foreach ($s in $chosenScenarios) {
        $points = @(Get-CrashPoint -Scenario $s -ModulePath $ModulePath -Work $work)
        $chosen = @(Select-CrashPoint $points $Sample)
        $kills = 0; $errors = 0; $killed = 0; $failed = 0; $violations = 0
        $i = 0
        foreach ($point in $chosen) {
            $i++
            Write-Progress -Activity "Crash points: $($s.Name)" -Status "$i of $($chosen.Count): $($point.Syscall) #$($point.Ordinal) $($point.File)" -PercentComplete (100 * $i / $chosen.Count)
            foreach ($fault in 'Kill', 'Error') {
                $r = Invoke-CrashPoint -Scenario $s -Point $point -Fault $fault -ModulePath $ModulePath -Work $work
                if ($fault -eq 'Kill') { $kills++; if ($r.Fired) { $killed++ } } else { $errors++; if ($r.Fired) { $failed++ } }
                foreach ($v in $r.Violations) { $violations++; $all.Add("$($s.Name), $fault at $($r.Point): $v") }
            }
        }
        $kinds = ($points | Group-Object Syscall | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '
        $rows.Add([pscustomobject]@{ Scenario = $s.Name; Points = $points.Count; Tried = $chosen.Count; 'Kills placed' = "$killed of $kills"; 'Errors placed' = "$failed of $errors"; Violations = $violations; Calls = $kinds })
        Write-Host ("{0}: {1} points ({2}); killed at {3} of {4}, failed at {5} of {6}; {7} violation(s)" -f $s.Name, $points.Count, $kinds, $killed, $kills, $failed, $errors, $violations)
    }
    Write-Progress -Activity 'Crash points' -Completed
} finally { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }

$rows | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$total = ($rows | Measure-Object Points -Sum).Sum
$tried = ($rows | Measure-Object Tried -Sum).Sum
Write-Host ("Crash points: {0} listed, {1} tried ({2}), each killed and failed: {3} violation(s), in {4:0} s." -f $total, $tried, $(if ($Sample -gt 0) { "a sample of $Sample per scenario" } else { 'all' }), $all.Count, $clock.Elapsed.TotalSeconds)
foreach ($v in $all) { Write-Host "  $v" }
if ($all.Count -gt 0) { exit 1 }
