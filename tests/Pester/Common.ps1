# Dot-sourced by every test file: imports the staged module (out/Haniwers) and offers helpers.
$script:ModulePath = if ($env:HANIWERS_MODULE) { $env:HANIWERS_MODULE } else { Join-Path $PSScriptRoot '../../out/Haniwers/Haniwers.psd1' }
$script:SimulatorPath = if ($env:HANIWERS_SIMULATOR) { $env:HANIWERS_SIMULATOR } else { Join-Path $PSScriptRoot '../../out/simulator/Haniwers.Simulator.dll' }
$script:ExamplesPath = Join-Path $PSScriptRoot '../../examples'
Import-Module $script:ModulePath -Force

function New-TestFolder {
    $path = Join-Path ([System.IO.Path]::GetTempPath()) ("haniwers-test-" + [guid]::NewGuid().ToString('N').Substring(0, 12))
    New-Item -ItemType Directory -Path $path | Out-Null
    $path
}
