<#
.SYNOPSIS
    A busy computer on demand (docs/window-checks.md, "Proved on a loaded machine"): CPU-bound
    processes, memory traffic and a disk writer, and a freezer that stops a chosen process for 0.3 to
    0.5 s at random moments (SIGSTOP, then SIGCONT), as a garbage collection, a virtual machine's
    stolen time or a laptop's power dip does. Linux and macOS (sh, dd, bash, kill).
#>

# Starts a program with each argument passed as it is (Start-Process joins them with spaces).
function Start-Background([string] $File, [string[]] $Arguments) {
    $info = [System.Diagnostics.ProcessStartInfo]::new($File)
    foreach ($a in $Arguments) { $info.ArgumentList.Add($a) }
    $info.UseShellExecute = $false
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $process.StandardError.BaseStream.CopyToAsync([System.IO.Stream]::Null) | Out-Null
    $process
}

function Start-HostLoad {
    <#
    .SYNOPSIS
        Starts the load: two busy loops per core, a process that streams through 256 MB of memory, and
        one that writes 64 MB to disk and syncs it, over and over. Returns what Stop-HostLoad stops.
    #>
    [CmdletBinding()]
    param([int] $CpuPerCore = 2, [string] $Folder = [System.IO.Path]::GetTempPath())
    $file = Join-Path $Folder ("haniwers-load-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.bin')
    $processes = @(
        foreach ($i in 1..([Environment]::ProcessorCount * $CpuPerCore)) { Start-Background sh '-c', 'while :; do :; done' }
        Start-Background dd 'if=/dev/zero', 'of=/dev/null', 'bs=256M'
        Start-Background sh '-c', "while :; do dd if=/dev/zero of='$file' bs=1M count=64 conv=fsync 2>/dev/null; done"
    )
    [pscustomobject]@{ Processes = $processes; File = $file; Started = [DateTime]::UtcNow; Description = "$([Environment]::ProcessorCount * $CpuPerCore) busy loops on $([Environment]::ProcessorCount) cores, a 256 MB memory stream, a disk writer (64 MB with fsync, in a loop)" }
}

function Stop-HostLoad {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Load)
    process {
        if (-not $Load) { return }
        foreach ($p in $Load.Processes) {
            # the disk writer's sh and its dd: the children first
            & pkill -KILL -P $p.Id 2>$null
            Stop-Process -Id $p.Id -Force -ErrorAction SilentlyContinue
        }
        Remove-Item $Load.File -Force -ErrorAction SilentlyContinue
    }
}

function Get-LoadAverage {
    if (Test-Path /proc/loadavg) { return [double]((Get-Content /proc/loadavg).Split(' ')[0]) }
    $text = & sysctl -n vm.loadavg 2>$null
    if ($text) { return [double]($text.Trim('{ }').Split(' ')[0]) }
    $null
}

function Start-ProcessFreezer {
    <#
    .SYNOPSIS
        Stops process $ProcessId for $MinSeconds..$MaxSeconds (SIGSTOP), then lets it go on (SIGCONT),
        every $MinGap..$MaxGap seconds, until Stop-ProcessFreezer or the process ends. Each freeze is
        logged (start and length, seconds since the epoch) to the returned object's Log.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [int] $ProcessId, [double] $MinSeconds = 0.3, [double] $MaxSeconds = 0.5,
        [double] $MinGap = 1, [double] $MaxGap = 5, [string] $Log = (Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-freezes-" + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.log')))
    $ms = { param($s) [int]($s * 1000) }
    $script = @"
pid=$ProcessId
trap 'kill -CONT `$pid 2>/dev/null; exit 0' TERM INT
while kill -0 `$pid 2>/dev/null; do
  gap=`$(( $(& $ms $MinGap) + RANDOM % ($(& $ms $MaxGap) - $(& $ms $MinGap) + 1) ))
  sleep `$(printf '%d.%03d' `$((gap / 1000)) `$((gap % 1000)))
  len=`$(( $(& $ms $MinSeconds) + RANDOM % ($(& $ms $MaxSeconds) - $(& $ms $MinSeconds) + 1) ))
  kill -STOP `$pid 2>/dev/null || exit 0
  echo "`$(date +%s.%N) `$len" >> '$Log'
  sleep `$(printf '%d.%03d' `$((len / 1000)) `$((len % 1000)))
  kill -CONT `$pid 2>/dev/null
done
"@
    $process = Start-Background bash '-c', $script
    [pscustomobject]@{ Process = $process; Log = $Log; Target = $ProcessId }
}

function Stop-ProcessFreezer {
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Freezer)
    process {
        if (-not $Freezer) { return }
        & kill -TERM $Freezer.Process.Id 2>$null
        $Freezer.Process.WaitForExit(5000) | Out-Null
        & kill -CONT $Freezer.Target 2>$null   # never leave the target stopped
    }
}

function Get-Freezes {
    <# The freezes a freezer made: Start (seconds since the epoch) and Seconds. #>
    param([Parameter(Mandatory)] $Freezer)
    if (-not (Test-Path $Freezer.Log)) { return @() }
    @(Get-Content $Freezer.Log | ForEach-Object {
        $f = $_.Split(' ')
        [pscustomobject]@{ Start = [double]::Parse($f[0], [cultureinfo]::InvariantCulture); Seconds = [int]$f[1] / 1000 }
    })
}

Export-ModuleMember -Function Start-Background, Start-HostLoad, Stop-HostLoad, Get-LoadAverage, Start-ProcessFreezer, Stop-ProcessFreezer, Get-Freezes
