#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks the Haniwers module.
.DESCRIPTION
    Build  stages the module into out/Haniwers (dotnet publish, help, format files) and the
           detector simulator into out/simulator.
    Test   builds, runs xUnit then Pester against the staged module, and ends with one line
           "N passed, N failed" counting both suites; exits non-zero on any failure.
    Package builds, then packs the module into out/repository/Haniwers.<version>.nupkg with PSResourceGet
           (Publish-PSResource to a local file repository), which Install-PSResource installs by name.
    Demo   builds, then runs a short parallel threshold scan on the simulated detector.
    Bench  builds, then prints the performance figures (parser, threshold writes, scans, fit), and the
           window checks and data taking on a loaded machine whose scanning process is frozen at random
           moments (tools/Invoke-LoadBench.ps1), and every crash point (CrashPoints).
    CrashPoints  builds, then kills and fails every write, fsync, truncate and unlink of a parallel, a serial
           and an adaptive scan, a DAQ file rotation, a resume and a repair, checks the crash protocol's
           invariants after the next command, and prints the coverage and the violations (must be 0).
           Linux with strace (tools/Invoke-CrashPoints.ps1).
    LoadTest  runs Test on a busy machine (tools/LoadHarness.psm1): two busy loops per core, memory
           traffic, a disk writer, and the test process itself frozen for 0.3 to 0.5 s every 1 to 5 s.
    Clean  removes every build output.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Package', 'Test', 'LoadTest', 'Demo', 'Bench', 'CrashPoints', 'Clean')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'Haniwers'
$simulatorOut = Join-Path $out 'simulator'
$resultsDir = Join-Path $out 'test-results'
$repositoryOut = Join-Path $out 'repository'
$pesterVersion = '5.7.1'

function Invoke-Native([string] $What, [scriptblock] $Command) {
    & $Command
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)." }
}

# Runs a script in a new pwsh process: the same pwsh as this one (dotnet pwsh from the local tool, or pwsh).
function Invoke-FreshPwsh([string] $File) {
    $pwsh = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    [string[]] $prefix = if ($pwsh -match 'dotnet(\.exe)?$') { @([System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @() }
    & $pwsh @prefix -NoProfile -NonInteractive -File $File @args
}

function Invoke-Build {
    $version = (Import-PowerShellDataFile (Join-Path $root 'Haniwers.psd1')).ModuleVersion
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    Invoke-Native 'dotnet build' { dotnet build (Join-Path $root 'Haniwers.PowerShell.sln') -c $Configuration --nologo -v quiet "-p:Version=$version" }
    $published = Join-Path $out 'publish'
    if (Test-Path $published) { Remove-Item $published -Recurse -Force }
    Invoke-Native 'dotnet publish (module)' { dotnet publish (Join-Path $root 'src/Haniwers.PowerShell') -c $Configuration --no-build --nologo -v quiet -o $published "-p:Version=$version" }
    Invoke-Native 'dotnet publish (loader)' { dotnet publish (Join-Path $root 'src/Haniwers.Loading') -c $Configuration --no-build --nologo -v quiet -o $published "-p:Version=$version" }
    Install-ModuleLayout -Published $published
    Invoke-Native 'dotnet publish (simulator)' { dotnet publish (Join-Path $root 'src/Haniwers.Simulator') -c $Configuration --no-build --nologo -v quiet -o $simulatorOut "-p:Version=$version" }
    Copy-Item (Join-Path $root 'Haniwers.psd1') $moduleOut
    Copy-Item (Join-Path $root 'module/*.ps1xml') $moduleOut
    $helpDir = Join-Path $moduleOut 'en-US'
    New-Item -ItemType Directory -Force $helpDir | Out-Null
    Copy-Item (Join-Path $root 'module/about_Haniwers.help.txt') $helpDir
    # the docs the help refers to travel with the module (docs/*.md in its folder)
    $docsOut = Join-Path $moduleOut 'docs'
    New-Item -ItemType Directory -Force $docsOut | Out-Null
    Copy-Item (Join-Path $root 'docs/*.md') $docsOut
    # Help is generated in a fresh pwsh so this session never loads the module it may rebuild.
    Invoke-Native 'help generation' {
        Invoke-FreshPwsh (Join-Path $root 'tools/New-HaniwersHelp.ps1') -ModulePath (Join-Path $moduleOut 'Haniwers.psd1') `
            -HelpSource (Join-Path $root 'module/help') -OutputFile (Join-Path $helpDir 'Haniwers.PowerShell.dll-Help.xml')
    }
    Write-Host "Module staged in $moduleOut (version $version); simulator in $simulatorOut."
}

# The module's folder (docs/architecture.md, "Loading"): the loader and the cmdlets' assembly at the top, loaded by PowerShell;
# the core and the libraries it uses in dependencies/, loaded into the module's own load context. What PowerShell
# itself ships (System.IO.Ports and its native library) is left out: PowerShell's own copy is used.
function Install-ModuleLayout([string] $Published) {
    $dependencies = Join-Path $moduleOut 'dependencies'
    New-Item -ItemType Directory -Force $dependencies | Out-Null
    Copy-Item (Join-Path $Published 'Haniwers.PowerShell.*'), (Join-Path $Published 'Haniwers.Loading.*') $moduleOut -Exclude '*.deps.json'
    foreach ($file in Get-ChildItem $Published -File -Include '*.dll', '*.pdb' -Exclude 'Haniwers.PowerShell.*', 'Haniwers.Loading.*' -Recurse -Depth 0) {
        if (Test-Path (Join-Path $PSHOME ($file.BaseName + '.dll'))) { continue }
        Copy-Item $file.FullName $dependencies
    }
}

# The module as users install it: the staged module without debugging files, published through
# PSResourceGet to a folder that serves as a file repository (docs/install.md).
function Invoke-Package {
    Invoke-Build
    $packageDir = Join-Path $out 'package/Haniwers'
    foreach ($dir in $packageDir, $repositoryOut) {
        if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
        New-Item -ItemType Directory -Force $dir | Out-Null
    }
    Copy-Item (Join-Path $moduleOut '*') $packageDir -Recurse -Exclude '*.pdb', '*.deps.json'
    Import-Module Microsoft.PowerShell.PSResourceGet
    # a repository registered only while publishing, under a name no user has
    $repositoryName = 'HaniwersBuild' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Register-PSResourceRepository -Name $repositoryName -Uri $repositoryOut -Trusted
    try { Publish-PSResource -Path $packageDir -Repository $repositoryName }
    finally { Unregister-PSResourceRepository -Name $repositoryName }
    $package = Get-ChildItem $repositoryOut -Filter '*.nupkg' | Select-Object -First 1
    Write-Host "Package $($package.FullName) ($([math]::Round($package.Length / 1MB, 1)) MB). Install it with:"
    Write-Host "  Register-PSResourceRepository -Name HaniwersLocal -Uri '$repositoryOut' -Trusted"
    Write-Host "  Install-PSResource -Name Haniwers -Repository HaniwersLocal"
}

function Get-TrxCounts([string] $Path) {
    [xml] $trx = Get-Content -Raw $Path
    $counters = $trx.TestRun.ResultSummary.Counters
    [pscustomobject]@{ Passed = [int]$counters.passed; Failed = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted }
}

function Invoke-Test {
    Invoke-Package
    if (Test-Path $resultsDir) { Remove-Item $resultsDir -Recurse -Force }
    New-Item -ItemType Directory -Force $resultsDir | Out-Null

    Write-Host "`n=== xUnit ===" -ForegroundColor Cyan
    dotnet test (Join-Path $root 'tests/Haniwers.Core.Tests') -c $Configuration --no-build --nologo `
        --logger 'trx;LogFileName=xunit.trx' --logger 'console;verbosity=minimal' --results-directory $resultsDir
    $xunitExit = $LASTEXITCODE
    $trxFile = Join-Path $resultsDir 'xunit.trx'
    $xunit = if (Test-Path $trxFile) { Get-TrxCounts $trxFile } else { [pscustomobject]@{ Passed = 0; Failed = 1 } }
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) { $xunit.Failed = 1 }  # the run itself broke

    Write-Host "`n=== Pester ===" -ForegroundColor Cyan
    $pesterManifest = Join-Path ([Environment]::GetFolderPath('UserProfile')) ".nuget/packages/pester/$pesterVersion/tools/Pester.psd1"
    if ($env:NUGET_PACKAGES) { $pesterManifest = Join-Path $env:NUGET_PACKAGES "pester/$pesterVersion/tools/Pester.psd1" }
    if (-not (Test-Path $pesterManifest)) { throw "Pester $pesterVersion was not restored to $pesterManifest (it comes with the test project's restore)." }
    Import-Module $pesterManifest -Force
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Detailed'
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = Join-Path $resultsDir 'pester.xml'
    $env:HANIWERS_MODULE = Join-Path $moduleOut 'Haniwers.psd1'
    $env:HANIWERS_SIMULATOR = Join-Path $simulatorOut 'Haniwers.Simulator.dll'
    $env:HANIWERS_REPOSITORY = $repositoryOut
    # no colour codes in what the tests capture (a child pwsh's output, an error's text): an escape character in a
    # failure's message is not valid XML, and the report would fail instead of telling the failure
    $env:NO_COLOR = '1'
    $PSStyle.OutputRendering = 'PlainText'
    try {
        $pester = Invoke-Pester -Configuration $config
    } catch {
        # the report could not be written: the run's counts still stand, and the failure is told
        Write-Host "The Pester report could not be written: $($_.Exception.Message)" -ForegroundColor Red
        $pester = [pscustomobject]@{ PassedCount = 0; FailedCount = 1; FailedBlocksCount = 0; FailedContainersCount = 0 }
    }
    $pesterFailed = $pester.FailedCount + $pester.FailedBlocksCount + $pester.FailedContainersCount

    $passed = $xunit.Passed + $pester.PassedCount
    $failed = $xunit.Failed + $pesterFailed
    Write-Host ''
    Write-Host "xUnit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $($pester.PassedCount) passed, $pesterFailed failed"
    $script:SuiteResult = [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

# The closing line CI reads, and the exit code.
function Complete-Test($Result) {
    Write-Output "$($Result.Passed) passed, $($Result.Failed) failed"
    if ($Result.Failed -gt 0 -or $Result.Passed -eq 0) { exit 1 }
}

# The whole suite on a busy machine, this process frozen at random moments (docs/window-checks.md).
function Invoke-LoadTest {
    Import-Module (Join-Path $root 'tools/LoadHarness.psm1') -Force
    $load = Start-HostLoad
    $freezer = Start-ProcessFreezer -ProcessId $PID
    Write-Host "Under load: $($load.Description); this test process frozen for 0.3 to 0.5 s every 1 to 5 s." -ForegroundColor Cyan
    try { Invoke-Test }
    finally {
        Stop-ProcessFreezer $freezer
        Stop-HostLoad $load
        $freezes = @(Get-Freezes $freezer)
        Write-Host ("Load: {0}; {1} freezes of the test process ({2:0} s in all); load average at the end {3}." -f $load.Description, $freezes.Count, ($freezes | Measure-Object Seconds -Sum).Sum, (Get-LoadAverage))
    }
}

function Invoke-Demo {
    Invoke-Build
    Invoke-Native 'the demo' { Invoke-FreshPwsh (Join-Path $root 'tools/Invoke-Demo.ps1') -ModulePath (Join-Path $moduleOut 'Haniwers.psd1') }
}

function Invoke-Bench {
    Invoke-Build
    Invoke-Native 'the benchmark' { Invoke-FreshPwsh (Join-Path $root 'tools/Invoke-Bench.ps1') -ModulePath (Join-Path $moduleOut 'Haniwers.psd1') -SimulatorPath (Join-Path $simulatorOut 'Haniwers.Simulator.dll') -BenchPath (Join-Path $root "bench/Haniwers.Bench/bin/$Configuration/net10.0/Haniwers.Bench.dll") }
    Invoke-Native 'the benchmark under load' { Invoke-FreshPwsh (Join-Path $root 'tools/Invoke-LoadBench.ps1') -ModulePath (Join-Path $moduleOut 'Haniwers.psd1') -SimulatorPath (Join-Path $simulatorOut 'Haniwers.Simulator.dll') }
    Invoke-CrashPoints -Built
}

# Every crash point of every scenario, killed and failed (tools/Invoke-CrashPoints.ps1; docs/crash-protocol.md).
function Invoke-CrashPoints([switch] $Built) {
    if (-not $Built) { Invoke-Build }
    Invoke-Native 'the crash-point harness' { Invoke-FreshPwsh (Join-Path $root 'tools/Invoke-CrashPoints.ps1') -ModulePath (Join-Path $moduleOut 'Haniwers.psd1') }
}

function Invoke-Clean {
    foreach ($dir in @($out) + (Get-ChildItem $root -Recurse -Directory -Include bin, obj | Select-Object -ExpandProperty FullName)) {
        if (Test-Path $dir) { Remove-Item $dir -Recurse -Force }
    }
    Write-Host 'Cleaned.'
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Package' { Invoke-Package }
    'Test' { Invoke-Test; Complete-Test $script:SuiteResult }
    'LoadTest' { Invoke-LoadTest; Complete-Test $script:SuiteResult }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'CrashPoints' { Invoke-CrashPoints }
    'Clean' { Invoke-Clean }
}
