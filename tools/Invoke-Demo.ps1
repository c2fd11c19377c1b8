<#
.SYNOPSIS
    The README's first command: a short parallel threshold scan on the simulated detector.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$output = Join-Path ([System.IO.Path]::GetTempPath()) 'haniwers-demo'

Write-Host "A parallel threshold scan of the simulated detector (-PortName sim): 11 steps of 0.5 s," -ForegroundColor Cyan
Write-Host "all three channels stepping together around their noise edges (280, 300, 260)." -ForegroundColor Cyan
Write-Host ''
Invoke-HaniwersParallelScan -PortName sim -Center 280, 300, 260 -NSteps 5 -StepSize 8 -Duration 0.5 -SettleTime 0 `
    -OutputDirectory $output -InformationVariable summary | Format-Table
Write-Host $summary[-1].MessageData.ToString()
Write-Host ''
Write-Host "CSV files (appended on every run; Import-Csv reads them back):" -ForegroundColor Cyan
Get-ChildItem $output -Filter *.csv | Format-Table Name, Length, LastWriteTime
Write-Host "Try next:  Import-Module ./out/Haniwers; Get-Help about_Haniwers" -ForegroundColor Cyan
