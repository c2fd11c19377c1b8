@{
    # The one place the version lives: build.ps1 passes it to the compiler and stages this file.
    ModuleVersion        = '0.1.0'
    RootModule           = 'Haniwers.PowerShell.dll'
    # Imported first: gives the core and its libraries a load context of their own (docs/architecture.md, "Loading").
    NestedModules        = @('Haniwers.Loading.dll')
    GUID                 = '5f0c7d0e-3f5e-4c1a-9a43-8d8f6c1b2e71'
    Author               = 'Haniwers contributors'
    CompanyName          = 'Haniwers'
    Copyright            = '(c) Haniwers contributors. MIT License.'
    Description          = 'Runs OSECHI cosmic-ray detectors from PowerShell: discriminator thresholds over a serial line, parallel and serial threshold scans with safe CSV output, and S-curve fits that find the thresholds to use. Reads haniwers config.toml files; ships a simulated detector (-PortName sim).'
    PowerShellVersion    = '7.6'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('Haniwers.format.ps1xml')
    CmdletsToExport      = @(
        'Get-HaniwersPort'
        'Get-HaniwersRun'
        'Import-HaniwersConfig'
        'Invoke-HaniwersAdaptiveScan'
        'Invoke-HaniwersDaq'
        'Invoke-HaniwersParallelScan'
        'Invoke-HaniwersSerialScan'
        'Measure-HaniwersRate'
        'Measure-HaniwersThreshold'
        'New-HaniwersConfig'
        'Receive-HaniwersEvent'
        'Set-HaniwersThreshold'
        'Test-HaniwersThresholdConfig'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('OSECHI', 'cosmic-ray', 'detector', 'threshold', 'DAQ', 'physics', 'education')
        }
    }
}
