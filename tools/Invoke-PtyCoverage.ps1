<#
.SYNOPSIS
    Coverage of the reported threshold errors over a pty (docs/adaptive-scan.md, "How well it does"): grid and adaptive
    scans of the served simulator (known truth: thresholds 304/324/284) through socat, in real time, each fitted; prints,
    for each kind, the share of channels within 1 and 2 reported errors of the truth, the pulls' mean and width, and the
    fits' mean chi-square/ndf and error scale. Run by tools/Invoke-Bench.ps1; Linux with socat.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SimulatorPath,
    [int] $Runs = 10,
    [double] $Duration = 0.3
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath
$work = Join-Path ([System.IO.Path]::GetTempPath()) ('haniwers-coverage-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $work | Out-Null
$truth = @{ 1 = 280 + 3 * 8; 2 = 300 + 3 * 8; 3 = 260 + 3 * 8 }
$processes = @()
try {
    $processes += Start-Process socat -ArgumentList "pty,raw,echo=0,link=$work/host", "pty,raw,echo=0,link=$work/device" -PassThru
    while (-not (Test-Path "$work/device")) { Start-Sleep -Milliseconds 50 }
    $processes += Start-Process dotnet -ArgumentList $SimulatorPath, '--serial', "$work/device", '--options', 'seed=5', '--log', "$work/sim.log" -PassThru
    while (-not ((Test-Path "$work/sim.log") -and (Get-Content "$work/sim.log" -Raw) -match 'READY')) { Start-Sleep -Milliseconds 50 }
    $scan = @{ PortName = "$work/host"; Center = 280, 300, 260; NSteps = 25; StepSize = 2; Duration = $Duration; NoRestore = $true; WarningAction = 'SilentlyContinue'; InformationAction = 'SilentlyContinue' }
    foreach ($kind in 'grid', 'adaptive') {
        $pulls = [System.Collections.Generic.List[double]]::new()
        $chi = [System.Collections.Generic.List[double]]::new()
        $scales = [System.Collections.Generic.List[double]]::new()
        for ($run = 1; $run -le $Runs; $run++) {
            $folder = "$work/$kind-$run"
            if ($kind -eq 'grid') { $null = Invoke-HaniwersParallelScan @scan -OutputDirectory $folder }
            else { $null = Invoke-HaniwersAdaptiveScan @scan -TargetError 2 -OutputDirectory $folder }
            foreach ($fit in @(Measure-HaniwersThreshold -Path $folder -WarningAction SilentlyContinue)) {
                if ($null -eq $fit.Threshold) { continue }
                $pulls.Add(($fit.Mean + 3 * $fit.Sigma - $truth[$fit.Channel]) / $fit.ThresholdError)
                $chi.Add($fit.ChiSquare / $fit.DegreesOfFreedom)
                $scales.Add($fit.ErrorScale)
            }
        }
        $mean = ($pulls | Measure-Object -Average).Average
        $width = [math]::Sqrt((($pulls | ForEach-Object { ($_ - $mean) * ($_ - $mean) }) | Measure-Object -Sum).Sum / [math]::Max($pulls.Count - 1, 1))
        "coverage over a pty, {0} ({1} runs, {2} s windows, {3} channels): {4:0}% within 1 error, {5:0}% within 2 (68% and 95% expected), pull mean {6:+0.00;-0.00}, width {7:0.00}; chi-square/ndf mean {8:0.00}, error scale mean {9:0.00}" -f `
            $kind, $Runs, $Duration, $pulls.Count, (100 * @($pulls | Where-Object { [math]::Abs($_) -le 1 }).Count / $pulls.Count), (100 * @($pulls | Where-Object { [math]::Abs($_) -le 2 }).Count / $pulls.Count),
            $mean, $width, ($chi | Measure-Object -Average).Average, ($scales | Measure-Object -Average).Average
    }
}
finally {
    $processes | ForEach-Object { Stop-Process -Id $_.Id -Force -ErrorAction SilentlyContinue }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
