BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:folder = New-TestFolder
    Set-Content -Path (Join-Path $folder 'good.toml') -Value @'
[device]
port = "sim"
[sensors.ch1]
center = 280
nsteps = 5
step_size = 2
[sensors.ch2]
center = 300
nsteps = 5
step_size = 2
[sensors.ch3]
center = 260
nsteps = 5
step_size = 2
'@
    Set-Content -Path (Join-Path $folder 'bad.toml') -Value @'
[sampler]
duration = 0
[sensors.ch1]
center = 2000
nsteps = 5
step_size = 2
[sensors.ch2]
center = 300
nsteps = 5
step_size = 0
'@
    Set-Content -Path (Join-Path $folder 'broken.toml') -Value "[device]`nport = = 'x'"
    Set-Content -Path (Join-Path $folder 'script.psd1') -Value "@{ Device = @{ Port = (Get-Date).ToString() } }"
}

AfterAll {
    Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Import-HaniwersConfig' {
    It 'reads the haniwers sample config with every value' {
        $config = Import-HaniwersConfig -Path (Join-Path $ExamplesPath 'config.toml')
        $config | Should -BeOfType ([Haniwers.Configuration.HaniwersConfig])
        $config.Device.Port | Should -Be '/dev/ttyUSB0'
        $config.Sampler.Duration | Should -Be 10
        $config.Sensor(3).Center | Should -Be 270
    }

    It 'reads the psd1 form of the same structure' {
        $config = Import-HaniwersConfig (Join-Path $ExamplesPath 'sim.psd1')
        $config.Device.Port | Should -Be 'sim'
        $config.Sensor(2).StepSize | Should -Be 5
        $config.Sampler.SettleTime | Should -Be 0
    }

    It 'resolves relative paths against the current PowerShell location' {
        Push-Location $folder
        try {
            (Import-HaniwersConfig -Path ./good.toml).Source | Should -Be (Join-Path $folder 'good.toml')
        } finally { Pop-Location }
    }

    It 'takes -Path with wildcards, -LiteralPath as written, and the files of Get-ChildItem' {
        $dir = Join-Path $folder 'several [1]'
        New-Item -ItemType Directory -Force $dir | Out-Null
        try {
            Set-Content -LiteralPath (Join-Path $dir 'a.toml') "[device]`nport = 'sim'"
            Set-Content -LiteralPath (Join-Path $dir 'b.toml') "[device]`nport = 'COM3'"
            # brackets are wildcards to -Path: the folder is named as written with -LiteralPath, and by escaping with -Path
            (Import-HaniwersConfig -LiteralPath (Join-Path $dir 'a.toml')).Device.Port | Should -Be 'sim'
            # an escaped -Path names the file as written (the escapes were kept and the file not found)
            (Import-HaniwersConfig -Path ([WildcardPattern]::Escape((Join-Path $dir 'a.toml')))).Device.Port | Should -Be 'sim'
            Test-HaniwersThresholdConfig -Path ([WildcardPattern]::Escape((Join-Path $dir 'a.toml'))) -ErrorVariable escaped -ErrorAction SilentlyContinue | Out-Null
            @($escaped | Where-Object { $_.FullyQualifiedErrorId -like 'ConfigFile*' }) | Should -BeNullOrEmpty
            @(Import-HaniwersConfig -Path (Join-Path ([WildcardPattern]::Escape($dir)) '*.toml') -WarningAction SilentlyContinue).Device.Port | Should -Be @('sim', 'COM3')
            @(Get-ChildItem -LiteralPath $dir -Filter '*.toml' | Import-HaniwersConfig -WarningAction SilentlyContinue).Device.Port | Should -Be @('sim', 'COM3')
            Import-HaniwersConfig -Path (Join-Path $folder 'none_*.toml') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigFileNotFound*'
            # a name with brackets given to -Path as written matches nothing: the error says to give it with -LiteralPath
            Import-HaniwersConfig -Path (Join-Path $dir 'a.toml') -ErrorVariable bracket -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $bracket[0].FullyQualifiedErrorId | Should -BeLike 'ConfigFileNotFound*'
            $bracket[0].Exception.Message | Should -Match '-LiteralPath'
        } finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'writes a new config by -LiteralPath as written, and by a -Path whose wildcards match one file' {
        $dir = Join-Path $folder 'lab [2]'
        New-Item -ItemType Directory -Force $dir | Out-Null
        try {
            $literal = Join-Path $dir 'config [a].toml'
            (New-HaniwersConfig -LiteralPath $literal -PortName sim).FullName | Should -Be $literal
            (Import-HaniwersConfig -LiteralPath $literal).Device.Port | Should -Be 'sim'
            # a -Path whose brackets match nothing writes nothing, and says to give it with -LiteralPath
            $new = Join-Path $dir 'other [b].toml'
            { New-HaniwersConfig -Path $new -PortName sim -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigPathNotFound*' -ExpectedMessage '*-LiteralPath*'
            Test-Path -LiteralPath $new | Should -BeFalse
            # a pattern that matches the one existing file replaces it with -Force
            New-HaniwersConfig -Path (Join-Path ([WildcardPattern]::Escape($dir)) 'config*.toml') -PortName COM7 -Force | Out-Null
            (Import-HaniwersConfig -LiteralPath $literal).Device.Port | Should -Be 'COM7'
            # and a pattern that matches two files names them and writes neither
            New-HaniwersConfig -LiteralPath (Join-Path $dir 'config2.toml') -PortName sim | Out-Null
            { New-HaniwersConfig -Path (Join-Path ([WildcardPattern]::Escape($dir)) 'config*.toml') -PortName COM9 -Force -ErrorAction Stop } | Should -Throw -ErrorId 'ConfigPathAmbiguous*'
            (Import-HaniwersConfig -LiteralPath $literal).Device.Port | Should -Be 'COM7'
        } finally { Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'reports a missing file with the path it tried' {
        Push-Location $folder
        try {
            $err = $null
            Import-HaniwersConfig -Path ./nope.toml -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigFileNotFound*'
            $err[0].Exception.Message | Should -BeLike "*$(Join-Path $folder 'nope.toml')*"
        } finally { Pop-Location }
    }

    It 'reports malformed TOML with line and column' {
        $err = $null
        Import-HaniwersConfig -Path (Join-Path $folder 'broken.toml') -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigFileUnreadable*'
        $err[0].Exception.Message | Should -Match 'line 2, column 8'
    }

    It 'refuses a psd1 that contains script' {
        $err = $null
        Import-HaniwersConfig -Path (Join-Path $folder 'script.psd1') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].Exception.Message | Should -Match 'contains script'
    }

    It 'warns when the configuration has problems a scan would refuse' {
        $warnings = $null
        $null = Import-HaniwersConfig -Path (Join-Path $folder 'bad.toml') -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings[0].Message | Should -Match 'Test-HaniwersThresholdConfig'
    }
}

Describe 'A key no one reads' {
    BeforeAll {
        $script:typoFolder = New-TestFolder
        $script:typo = Join-Path $typoFolder 'typo.toml'
        Set-Content -Path $typo -Value ((Get-Content (Join-Path $folder 'good.toml') -Raw) -replace '\[device\]', "[sampler]`nduraton = 1`n[device]")
    }

    It 'is named with the key it most likely means by Import-HaniwersConfig, Test-HaniwersThresholdConfig and a scan' {
        $warnings = $null
        $config = Import-HaniwersConfig -Path $typo -WarningVariable warnings -WarningAction SilentlyContinue
        $config.Sampler.Duration | Should -Be 10 -Because 'duraton is no key: the default stays'
        @($warnings).Count | Should -Be 1
        $warnings[0].Message | Should -Match "'duraton' is not a key of \[sampler\]; did you mean 'duration'\?.*Fix: rename sampler\.duraton to duration\."
        $report = Test-HaniwersThresholdConfig -Path $typo -Detailed -WarningVariable warnings -WarningAction SilentlyContinue
        $report.IsValid | Should -BeTrue -Because 'haniwers ignores unknown keys too'
        $report.UnknownKeys.Path | Should -Be 'sampler.duraton'
        $warnings[0].Message | Should -Match 'duraton'
        Invoke-HaniwersParallelScan -ConfigPath $typo -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue 6>$null | Out-Null
        $warnings.Message | Should -Match "did you mean 'duration'"
        # an imported config was warned about once, when it was imported
        Invoke-HaniwersParallelScan -Config $config -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue 6>$null | Out-Null
        @($warnings | ForEach-Object Message) -join "`n" | Should -Not -Match 'duraton'
    }

    AfterAll {
        Remove-Item $typoFolder -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Describe 'Test-HaniwersThresholdConfig' {
    It 'writes True for a good file and False for a bad one' {
        Test-HaniwersThresholdConfig -Path (Join-Path $folder 'good.toml') | Should -BeTrue
        Test-HaniwersThresholdConfig -Path (Join-Path $folder 'bad.toml') -ErrorAction SilentlyContinue | Should -BeFalse
    }

    It 'refuses a number too large for a scan by its key, never with .NET''s overflow message' {
        # nsteps = 2147483647 gave "Arithmetic operation resulted in an overflow." in Import, Test and a -WhatIf scan
        $huge = Join-Path $folder 'huge.toml'
        Set-Content -LiteralPath $huge -Value "[sampler]`nduration = 1`n[sensors.ch1]`ncenter = 280`nnsteps = 2147483647`nstep_size = 1`n[sensors.ch2]`ncenter = 300`nnsteps = 5`nstep_size = 1`n[sensors.ch3]`ncenter = 260`nnsteps = 5`nstep_size = 1"
        try {
            Test-HaniwersThresholdConfig -Path $huge -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
            $problem = $err | Where-Object { $_.FullyQualifiedErrorId -like 'NStepsTooLarge*' }
            $problem.Exception.Message | Should -Match 'sensors\.ch1\.nsteps'
            $problem.ErrorDetails.RecommendedAction | Should -Match '1022'
            $config = Import-HaniwersConfig -Path $huge -WarningVariable warned -WarningAction SilentlyContinue
            "$warned" | Should -Match 'problem'
            ($config | Out-String) | Should -Not -Match 'overflow'
            $whatIf = Invoke-InNewPwsh "Invoke-HaniwersParallelScan -ConfigPath '$huge' -WhatIf"
            $whatIf | Should -Match 'NStepsTooLarge|nsteps'
            $whatIf | Should -Not -Match 'overflow'
        } finally { Remove-Item -LiteralPath $huge -Force }
    }

    It 'reports every problem as a non-terminating error naming channel and key' {
        $err = $null
        $result = Test-HaniwersThresholdConfig -Path (Join-Path $folder 'bad.toml') -ErrorVariable err -ErrorAction SilentlyContinue
        $result | Should -BeFalse
        $ids = $err | ForEach-Object { $_.FullyQualifiedErrorId.Split(',')[0] }
        $ids | Should -Contain 'CenterOutOfRange'
        $ids | Should -Contain 'StepSizeTooSmall'
        $ids | Should -Contain 'DurationNotPositive'
        $ids | Should -Contain 'MissingChannel'
        $center = $err | Where-Object { $_.FullyQualifiedErrorId -like 'CenterOutOfRange*' }
        $center.CategoryInfo.Category | Should -Be 'InvalidData'
        $center.TargetObject.Channel | Should -Be 1
        $center.Exception.Message | Should -Match 'sensors\.ch1\.center'
        $center.ErrorDetails.RecommendedAction | Should -Match '1 and 1023'
    }

    It 'leaves a pure boolean with -ErrorAction SilentlyContinue' {
        $out = @(Test-HaniwersThresholdConfig -Path (Join-Path $folder 'bad.toml') -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 1
        $out[0] | Should -BeOfType ([bool])
    }

    It 'takes paths from the pipeline, one result per file' {
        $results = Get-ChildItem (Join-Path $folder '*.toml') | Sort-Object Name | Test-HaniwersThresholdConfig -ErrorAction SilentlyContinue
        # bad, broken, good
        $results | Should -Be @($false, $false, $true)
    }

    It 'expands wildcards in -Path, takes -LiteralPath as written, and fails a pattern matching nothing' {
        @(Test-HaniwersThresholdConfig -Path (Join-Path $folder 'goo?.toml')) | Should -Be @($true)
        $odd = Join-Path $folder 'good[1].toml'
        Copy-Item -LiteralPath (Join-Path $folder 'good.toml') -Destination $odd
        try {
            Test-HaniwersThresholdConfig -LiteralPath $odd | Should -BeTrue
            Test-HaniwersThresholdConfig -Path (Join-Path $folder 'none_*.toml') -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ConfigFileNotFound*'
        } finally { Remove-Item -LiteralPath $odd -Force }
    }

    It 'checks a hashtable, matching keys ignoring case and underscores' {
        $config = @{ SENSORS = @{
                ch1 = @{ Center = 280; N_Steps = 3; step_size = 1 }
                ch2 = @{ center = 300; nsteps = 3; StepSize = 1 }
                ch3 = @{ center = 260; nsteps = 3; stepsize = 1 } } }
        Test-HaniwersThresholdConfig -Config $config | Should -BeTrue
    }

    It 'refuses unequal step counts for Parallel, listing each range, and accepts them for Serial' {
        $config = @{ Sensors = @{
                ch1 = @{ Center = 270; NSteps = 15; StepSize = 2 }
                ch2 = @{ Center = 300; NSteps = 10; StepSize = 2 }
                ch3 = @{ Center = 20; NSteps = 10; StepSize = 2 } } }
        $err = $null
        Test-HaniwersThresholdConfig -Config $config -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeFalse
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnequalStepCounts*'
        $err[0].Exception.Message | Should -Match 'ch1: 240\.\.300 step 2 = 31 steps'
        $err[0].Exception.Message | Should -Match 'ch3: 2\.\.40 step 2 = 20 steps \(clipped at 1\)'
        Test-HaniwersThresholdConfig -Config $config -Mode Serial | Should -BeTrue
    }

    It 'writes a report with -Detailed' {
        $report = Test-HaniwersThresholdConfig -Path (Join-Path $folder 'good.toml') -Detailed
        $report.IsValid | Should -BeTrue
        $report.Mode | Should -Be 'Parallel'
        $report.Channels.Count | Should -Be 3
        $report.Channels[0].Start | Should -Be 270
        $report.Channels[0].Stop | Should -Be 290
        $report.Channels[0].Steps | Should -Be 11
        $report.Channels[0].Values.Count | Should -Be 11
        $report.Channels[0].Clipped | Should -BeFalse
        $report.Problems.Count | Should -Be 0
        # 11 windows of 10 s plus the default settle time of 0.1 s each, as the scan's -WhatIf says
        [math]::Round($report.EstimatedDuration.TotalSeconds, 3) | Should -Be 111.1
        [math]::Round((Test-HaniwersThresholdConfig -Path (Join-Path $folder 'good.toml') -Detailed -Mode Serial).EstimatedDuration.TotalSeconds, 3) | Should -Be 333.3
        # shown as a person writes a duration, not as a TimeSpan
        ($report | Format-List | Out-String) | Should -Match 'EstimatedDuration\s+: 1 min 51 s'
        ($report | Format-List | Out-String) | Should -Not -Match '00:01:51'
    }

    It 'takes the object Import-HaniwersConfig returns' {
        Import-HaniwersConfig (Join-Path $folder 'good.toml') | Test-HaniwersThresholdConfig | Should -BeTrue
    }
}

Describe 'Test-HaniwersThresholdConfig with piped strings' {
    It 'reads a piped path string as a file' {
        Join-Path $folder 'good.toml' | Test-HaniwersThresholdConfig | Should -BeTrue
    }
}
