# Dot-sourced by every test file: imports the staged module (out/Haniwers) and offers helpers.
$script:ModulePath = if ($env:HANIWERS_MODULE) { $env:HANIWERS_MODULE } else { Join-Path $PSScriptRoot '../../out/Haniwers/Haniwers.psd1' }
$script:SimulatorPath = if ($env:HANIWERS_SIMULATOR) { $env:HANIWERS_SIMULATOR } else { Join-Path $PSScriptRoot '../../out/simulator/Haniwers.Simulator.dll' }
$script:ExamplesPath = Join-Path $PSScriptRoot '../../examples'
Import-Module $script:ModulePath -Force
# what the module remembers of each device (the thresholds it last wrote) goes to this file's own folder, not the user's;
# it and every test folder go when the test process ends, whatever a test left (each test removes its own as well)
$env:XDG_DATA_HOME = Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-test-data-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
if (-not (Get-Variable -Name HaniwersTestFolders -Scope Global -ErrorAction SilentlyContinue)) {
    $global:HaniwersTestFolders = [System.Collections.Generic.List[string]]::new()
    $null = Register-EngineEvent -SourceIdentifier PowerShell.Exiting -Action {
        foreach ($folder in $global:HaniwersTestFolders) { Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}
$global:HaniwersTestFolders.Add($env:XDG_DATA_HOME)

function New-TestFolder {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-test-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $path | Out-Null
    $global:HaniwersTestFolders.Add($path)
    $path
}

# Polls a condition until it holds or the timeout passes: waiting for a signal (a file, a line), never a fixed sleep.
function Wait-Until([scriptblock] $Condition, [double] $TimeoutSeconds = 15, [string] $Because = 'the condition') {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Timed out after $TimeoutSeconds s waiting for $Because." }
        Start-Sleep -Milliseconds 20
    }
}

# A socat pty pair: the module opens .Host, the simulator serves .Device. Stop it with Stop-TestProcess.
function Start-PtyPair([string] $Folder) {
    $folder = if ($Folder) { $Folder } else { New-TestFolder }
    $hostLink = Join-Path $folder 'host'
    $deviceLink = Join-Path $folder 'device'
    $process = Start-Process -FilePath socat -ArgumentList "pty,raw,echo=0,link=$hostLink", "pty,raw,echo=0,link=$deviceLink" -PassThru
    Wait-Until { (Test-Path $hostLink) -and (Test-Path $deviceLink) } -Because 'socat to create the pty pair'
    [pscustomobject]@{ Process = $process; Host = $hostLink; Device = $deviceLink; Folder = $folder; Log = $null }
}

# The simulator served on a pty (-Serial) or on a free TCP port (-Tcp), logging what it receives.
function Start-SimulatorProcess([string] $Serial, [switch] $Tcp, [string] $Options = 'seed=1') {
    $log = Join-Path (New-TestFolder) 'simulator.log'
    $arguments = @($SimulatorPath) + $(if ($Tcp) { '--tcp', '0' } else { '--serial', $Serial }) + @('--options', $Options, '--log', $log)
    $process = Start-Process -FilePath dotnet -ArgumentList $arguments -PassThru
    Wait-Until { (Test-Path $log) -and ((Get-Content $log -Raw) -match 'READY') } -Because 'the simulator to start'
    $port = if ($Tcp) { [int]([regex]::Match((Get-Content $log -Raw), 'READY tcp (\d+)').Groups[1].Value) } else { $null }
    [pscustomobject]@{ Process = $process; Log = $log; Folder = (Split-Path $log); PortName = $(if ($Tcp) { "tcp://127.0.0.1:$port" } else { $Serial }) }
}

function Get-SimulatorLog($Simulator) { return ,@(Get-Content $Simulator.Log) }

function Stop-TestProcess {
    param([Parameter(ValueFromPipeline)] $Item)
    process {
        if ($null -eq $Item) { return }
        Stop-Process -Id $Item.Process.Id -Force -ErrorAction SilentlyContinue
        $Item.Process.WaitForExit(5000) | Out-Null
        if ($Item.Folder) { Remove-Item $Item.Folder -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

# The command line that starts this same pwsh (dotnet pwsh from the local tool, or pwsh).
function Get-PwshCommand {
    $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    [string[]] $prefix = if ($pwsh -match 'dotnet(\.exe)?$') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    [pscustomobject]@{ Path = $pwsh; Prefix = $prefix }
}

# Starts a script in a new pwsh process (to be killed or signalled); the module is imported first.
function Start-PwshProcess([string] $Script) {
    $file = Join-Path (New-TestFolder) 'child.ps1'
    Set-Content -Path $file -Value "Import-Module '$ModulePath'`n$Script"
    $pwsh = Get-PwshCommand
    $process = Start-Process -FilePath $pwsh.Path -ArgumentList ($pwsh.Prefix + @('-NoProfile', '-NonInteractive', '-File', $file)) -PassThru
    [pscustomobject]@{ Process = $process; Folder = (Split-Path $file) }
}

# Runs a scan script in a child pwsh and kills it with SIGKILL once $Csv has $Lines lines (header included).
function Invoke-KilledScan([string] $Script, [string] $Csv, [int] $Lines) {
    $child = Start-PwshProcess $Script
    try {
        Wait-Until { (Test-Path $Csv) -and @(Get-Content $Csv).Count -ge $Lines } -TimeoutSeconds 60 -Because "$($Lines - 1) rows in $Csv"
        Stop-Process -Id $child.Process.Id -Force
        $child.Process.WaitForExit(10000) | Out-Null
    } finally { $child | Stop-TestProcess }
}

# Runs a command in a new pwsh and returns what it printed (the host output, such as -WhatIf's).
function Invoke-InNewPwsh([string] $Command) {
    $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    # under `dotnet pwsh` the process is dotnet: run the same pwsh.dll, wherever the current folder is
    [string[]] $prefix = if ($pwsh -match 'dotnet(\.exe)?$') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    & $pwsh @prefix -NoProfile -NonInteractive -Command "Import-Module '$ModulePath'; $Command" 2>&1 | Out-String -Width 300
}
