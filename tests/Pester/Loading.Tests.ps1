BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Other versions of two libraries the module uses, as another module would have loaded them
    # (the test project downloads them: tests/Haniwers.Core.Tests/Haniwers.Core.Tests.csproj).
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $script:OtherMathNet = Join-Path $packages 'mathnet.numerics/4.15.0/lib/netstandard2.0/MathNet.Numerics.dll'
    $script:OtherCsvHelper = Join-Path $packages 'csvhelper/30.0.1/lib/net6.0/CsvHelper.dll'

    # Runs a script in a new pwsh (a session with nothing loaded yet) and returns the JSON it printed last.
    function Invoke-InFreshSession([string] $Script) {
        $file = Join-Path $folder 'session.ps1'
        Set-Content -LiteralPath $file -Value $Script
        $pwsh = Get-PwshCommand
        $output = & $pwsh.Path @($pwsh.Prefix) -NoProfile -NonInteractive -File $file 2>&1 | Out-String -Width 300
        $json = ($output -split '\r?\n' | Where-Object { $_ -like '{*' } | Select-Object -Last 1)
        if (-not $json) { throw "The session printed no result:`n$output" }
        $json | ConvertFrom-Json
    }

    # A scan and a fit of it, then where each library came from and which version the session sees.
    $script:ScanAndFit = @'
$rows = @(Invoke-HaniwersParallelScan -PortName 'sim:seed=21,instant' -Center 280, 300, 260 -NSteps 12 -StepSize 4 -Duration 0.5 -SettleTime 0 -OutputDirectory '@RUN@')
$fits = @($rows | Measure-HaniwersThreshold)
$libraries = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -in 'MathNet.Numerics', 'CsvHelper', 'Tomlyn', 'Haniwers.Core' } |
    ForEach-Object { '{0} {1} {2}' -f $_.GetName().Name, $_.GetName().Version, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name }
'@
}

Describe 'The module''s libraries are its own' {
    BeforeAll { $script:folder = New-TestFolder }
    AfterAll { Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue }

    It 'runs a scan and a fit in a session that loaded other versions of MathNet.Numerics and CsvHelper first, and leaves them to it' {
        $OtherMathNet | Should -Exist
        $OtherCsvHelper | Should -Exist
        $runFolder = Join-Path $folder 'before'
        $result = Invoke-InFreshSession (@"
Add-Type -Path '$OtherMathNet'
Add-Type -Path '$OtherCsvHelper'
Import-Module '$ModulePath'
"@ + "`n" + $ScanAndFit.Replace('@RUN@', $runFolder) + @'

[pscustomobject]@{
    Rows = $rows.Count; Fits = $fits.Count; Converged = @($fits | Where-Object Converged).Count
    SessionMean = [MathNet.Numerics.Statistics.Statistics]::Mean([double[]](1, 2, 6))
    SessionMathNet = [MathNet.Numerics.Statistics.Statistics].Assembly.GetName().Version.ToString()
    Libraries = @($libraries)
} | ConvertTo-Json -Compress
'@)
        $result.Rows | Should -Be 75
        $result.Fits | Should -Be 3
        $result.Converged | Should -Be 3
        # the session's own MathNet is still the one it loaded, and still works
        $result.SessionMathNet | Should -BeLike '4.15.*'
        $result.SessionMean | Should -Be 3
        # the module's libraries sit in its own load context, at the versions it was built with
        @($result.Libraries -like 'MathNet.Numerics 5.* Haniwers').Count | Should -Be 1
        @($result.Libraries -like 'MathNet.Numerics 4.15.* Default').Count | Should -Be 1
        @($result.Libraries -like 'CsvHelper 33.* Haniwers').Count | Should -Be 1
        @($result.Libraries -like 'CsvHelper 30.* Default').Count | Should -Be 1
        @($result.Libraries -like 'Haniwers.Core * Haniwers').Count | Should -Be 1
        @(Get-ChildItem $runFolder -Recurse -Filter 'scan_results_ch*.csv').Count | Should -Be 3
    }

    It 'lets a session load other versions of MathNet.Numerics and CsvHelper after a scan and a fit' {
        $runFolder = Join-Path $folder 'after'
        $result = Invoke-InFreshSession (@"
Import-Module '$ModulePath'
"@ + "`n" + $ScanAndFit.Replace('@RUN@', $runFolder) + @"

Add-Type -Path '$OtherMathNet'
Add-Type -Path '$OtherCsvHelper'
`$again = @(`$rows | Measure-HaniwersThreshold)
"@ + @'

[pscustomobject]@{
    Fits = $fits.Count; Again = @($again | Where-Object Converged).Count
    SameThresholds = (($fits.Threshold -join ',') -eq ($again.Threshold -join ','))
    SessionMean = [MathNet.Numerics.Statistics.Statistics]::Mean([double[]](1, 2, 6))
    SessionMathNet = [MathNet.Numerics.Statistics.Statistics].Assembly.GetName().Version.ToString()
    SessionCsvHelper = [CsvHelper.CsvReader].Assembly.GetName().Version.ToString()
} | ConvertTo-Json -Compress
'@)
        $result.Fits | Should -Be 3
        $result.Again | Should -Be 3
        $result.SameThresholds | Should -BeTrue
        $result.SessionMathNet | Should -BeLike '4.15.*'
        $result.SessionCsvHelper | Should -BeLike '30.*'
        $result.SessionMean | Should -Be 3
    }

    It 'keeps the type names in a runspace when another removes the module' {
        # found by an independent tester: Remove-Module in a thread job took the names from the whole process, and the
        # config's format view (which names [Haniwers.Configuration.ConfigValidator]) went blank
        $result = Invoke-InFreshSession ((@"
Import-Module '$ModulePath'
"@ + "`n" + @'
$null = Start-ThreadJob { Import-Module $using:ModulePath; Remove-Module Haniwers } | Wait-Job | Receive-Job
$config = Import-HaniwersConfig -Path (Join-Path '@EXAMPLES@' 'sim.toml')
[pscustomobject]@{ Channels = [Haniwers.Configuration.ConfigValidator]::ChannelCount; Ranges = ($config | Format-List | Out-String -Width 300) } | ConvertTo-Json -Compress
'@).Replace('@EXAMPLES@', $ExamplesPath).Replace('$using:ModulePath', "'$ModulePath'"))
        $result.Channels | Should -Be 3
        $result.Ranges | Should -Match 'Ranges\s*:\s*ch1: \d+\.\.\d+'
    }

    It 'names the module''s types in brackets, as scripts do' {
        $result = Invoke-InFreshSession ((@"
Import-Module '$ModulePath'
"@ + "`n" + @'
$config = Import-HaniwersConfig -Path (Join-Path '@EXAMPLES@' 'sim.toml')
[pscustomobject]@{ IsConfig = $config -is [Haniwers.Configuration.HaniwersConfig]; Rate = [Haniwers.Simulation.SimulatorOptions]::new().ExpectedRate(1, 100) } | ConvertTo-Json -Compress
'@).Replace('@EXAMPLES@', $ExamplesPath))
        $result.IsConfig | Should -BeTrue
        $result.Rate | Should -BeGreaterThan 0
    }
}
