BeforeDiscovery {
    . $PSScriptRoot/Common.ps1
    $script:commands = (Get-Module Haniwers).ExportedCmdlets.Keys | Sort-Object
    $script:examples = foreach ($name in $commands) {
        $i = 0
        foreach ($example in (Get-Help $name).examples.example) {
            $i++
            @{ Name = $name; Index = $i; Code = $example.code }
        }
    }
}

BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Help for <_>' -ForEach $commands {
    It 'has a synopsis, a description and at least one example' {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+\s*\['   # not the auto-generated syntax line
        $help.description.Text | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 1
    }

    It 'keeps the apostrophes of its prose' {
        # a single-quoted help string needs '' for an apostrophe; a lost one reads "each channels noise edge"
        $text = Get-Help $_ -Full | Out-String -Width 400
        $text | Should -Not -Match "\b(channel|run|device|detector|board|scan)s (range|files|noise edge|answers|own|threshold|rows)\b"
    }

    It 'says which parameters take wildcards, as the compiled cmdlet does' {
        $command = Get-Command $_
        foreach ($parameter in (Get-Help $_ -Full).parameters.parameter) {
            $wildcards = @($command.Parameters[$parameter.name].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            $parameter.globbing | Should -Be $wildcards.ToString().ToLower() -Because "-$($parameter.name) of $_"
        }
    }

    It 'describes every parameter' {
        $help = Get-Help $_ -Full
        foreach ($parameter in $help.parameters.parameter) {
            $parameter.description.Text | Should -Not -BeNullOrEmpty -Because "$($parameter.name) needs a description"
        }
    }
}

Describe 'What help refers to' {
    It 'is carried by the installed module: each docs/*.md it names is in the module''s folder, and nothing of the build' {
        $module = Get-Module Haniwers
        $text = (@($module.ExportedCommands.Keys | Sort-Object | ForEach-Object { Get-Help $_ -Full | Out-String -Width 400 }) + (Get-Help about_Haniwers | Out-String -Width 400)) -join "`n"
        $named = @([regex]::Matches($text, 'docs/[a-z-]+\.md') | ForEach-Object Value | Sort-Object -Unique)
        $named.Count | Should -BeGreaterThan 3
        foreach ($doc in $named) { Join-Path $module.ModuleBase $doc | Should -Exist -Because "help names $doc" }
        $text | Should -Not -Match '\bout/'
    }
}

Describe 'Get-Help -Parameter' {
    It 'shows each parameter of <_> as help, never as a raw property bag' -ForEach $commands {
        foreach ($name in (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters }) {
            $text = Get-Help $_ -Parameter $name | Out-String -Width 200
            $text | Should -Match "(?m)^-$name\b" -Because "Get-Help $_ -Parameter $name names it"
            $text | Should -Not -Match '@\{' -Because "Get-Help $_ -Parameter $name is help, not an object's properties"
            $text | Should -Match 'Required\?' -Because "Get-Help $_ -Parameter $name shows its attributes"
        }
    }
}

Describe 'Apostrophes in help' {
    It 'reach the reader as written in the help sources' {
        (Get-Help Invoke-HaniwersParallelScan -Full | Out-String -Width 400) | Should -Match "each channel's noise edge"
        (Get-Help Invoke-HaniwersParallelScan -Full | Out-String -Width 400) | Should -Match "the device's answers"
        (Get-Help Receive-HaniwersEvent).Synopsis | Should -Match "detector's events"
    }
}

Describe 'The manifest' {
    It 'passes Test-ModuleManifest and names no project address that does not exist' {
        $manifest = Test-ModuleManifest $ModulePath -ErrorAction Stop
        $manifest.Name | Should -Be 'Haniwers'
        $manifest.ProjectUri | Should -BeNullOrEmpty
        @($manifest.ExportedCmdlets.Keys) | Should -Contain 'Invoke-HaniwersDaq'
        @($manifest.ExportedCmdlets.Keys) | Should -Contain 'Measure-HaniwersRate'
    }
}

Describe 'about_Haniwers' {
    It 'is found by Get-Help' {
        (Get-Help about_Haniwers | Out-String) | Should -Match 'threshold scan'
    }
}

Describe 'Example <Index> of <Name>' -ForEach $examples {
    It 'runs without error in an empty folder' {
        $folder = New-TestFolder
        Push-Location $folder
        try {
            # An example that expects errors silences them itself, so any error that reaches here is a broken example.
            $errors = @(& ([scriptblock]::Create($Code)) 2>&1 | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            $errors | ForEach-Object { $_.ToString() } | Should -BeNullOrEmpty
        } finally {
            Pop-Location
            Remove-Item $folder -Recurse -Force -ErrorAction SilentlyContinue
        }
    }
}
