<#
.SYNOPSIS
    The README's first command: a parallel threshold scan on the simulated detector, and its fit.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$output = Join-Path ([System.IO.Path]::GetTempPath()) 'haniwers-demo'
if (Test-Path $output) { Remove-Item $output -Recurse -Force }  # a fresh run folder: the fit reads this run only

Write-Host "A parallel threshold scan of the simulated detector (-PortName sim): 21 windows of 0.5 s," -ForegroundColor Cyan
Write-Host "all three channels stepping together across their noise edges (280, 300, 260 +- 50)." -ForegroundColor Cyan
Write-Host ''
Invoke-HaniwersParallelScan -PortName sim -Duration 0.5 -OutputDirectory $output -InformationVariable summary |
    Where-Object Step -in 1, 6, 11, 16, 21 | Format-Table
Write-Host $summary[-1].MessageData.ToString()
Write-Host ''
Write-Host "The S-curve fit of each channel, and the threshold it recommends (Threshold):" -ForegroundColor Cyan
Measure-HaniwersThreshold -Path $output -PlotPath (Join-Path $output 'scurves.svg') | Format-Table Channel, Mean, Sigma, Threshold, ReducedChiSquare
Write-Host "The run folder: the CSV files (Import-Csv reads them back), the journal and the plot:" -ForegroundColor Cyan
Get-ChildItem $output -File | Format-Table Name, Length, LastWriteTime
Write-Host "Try next:  Import-Module ./out/Haniwers; Get-Help about_Haniwers" -ForegroundColor Cyan
