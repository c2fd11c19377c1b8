<#
.SYNOPSIS
    The README's first command: shows what Haniwers does, on the simulated detector.
#>
param([Parameter(Mandatory)] [string] $ModulePath)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$examples = Join-Path $PSScriptRoot '../examples'
Write-Host "Checking the sample configurations in $examples for a parallel scan:" -ForegroundColor Cyan
Get-ChildItem (Join-Path $examples '*') -Include *.toml, *.psd1 | Test-HaniwersThresholdConfig -Detailed | Format-List
