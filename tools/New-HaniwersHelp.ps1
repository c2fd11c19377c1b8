<#
.SYNOPSIS
    Builds the module's MAML help (en-US/Haniwers.PowerShell.dll-Help.xml) from module/help/*.psd1.
.DESCRIPTION
    Each module/help/<Verb-Noun>.psd1 holds the words (Synopsis, Description, Parameters, Examples,
    Outputs, Notes, Links); syntax, parameter types, positions and pipeline input come from the
    compiled cmdlets themselves, so help never disagrees with the code. Run in a fresh pwsh after
    the module is staged. A cmdlet without a help file, or a parameter without a description, fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $HelpSource,
    [Parameter(Mandatory)] [string] $OutputFile
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$module = Get-Module Haniwers
$common = [System.Management.Automation.Cmdlet]::CommonParameters  # -WhatIf and -Confirm are documented with the rest

function Esc([string] $text) { [System.Security.SecurityElement]::Escape($text) }
# Int32 rather than Nullable`1 for the optional overrides
function TypeName([type] $type) { $inner = [Nullable]::GetUnderlyingType($type); if ($inner) { $type = $inner }; $type.Name }
function Paras([string] $text) {
    ($text -split "(?:\r?\n){2,}" | Where-Object { $_.Trim() } | ForEach-Object { "<maml:para>$(Esc $_.Trim())</maml:para>" }) -join ''
}

$sb = [System.Text.StringBuilder]::new()
[void]$sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
[void]$sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
$problems = @()
foreach ($command in ($module.ExportedCmdlets.Values | Sort-Object Name)) {
    $file = Join-Path $HelpSource "$($command.Name).psd1"
    if (-not (Test-Path $file)) { $problems += "no help file $file"; continue }
    $help = Import-PowerShellDataFile $file
    $parameters = $command.Parameters.Values | Where-Object { $_.Name -notin $common }
    foreach ($p in $parameters) {
        if (-not $help.Parameters.ContainsKey($p.Name)) { $problems += "$($command.Name): parameter $($p.Name) has no description" }
    }
    [void]$sb.Append('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
    [void]$sb.Append("<command:details><command:name>$($command.Name)</command:name><maml:description>$(Paras $help.Synopsis)</maml:description><command:verb>$($command.Verb)</command:verb><command:noun>$($command.Noun)</command:noun></command:details>")
    [void]$sb.Append("<maml:description>$(Paras $help.Description)</maml:description>")
    [void]$sb.Append('<command:syntax>')
    foreach ($set in $command.ParameterSets) {
        [void]$sb.Append("<command:syntaxItem><maml:name>$($command.Name)</maml:name>")
        foreach ($p in ($set.Parameters | Where-Object { $_.Name -notin $common })) {
            $position = if ($p.Position -ge 0) { $p.Position + 1 } else { 'named' }
            $type = $p.ParameterType
            $isSwitch = $type -eq [System.Management.Automation.SwitchParameter]
            [void]$sb.Append("<command:parameter required=`"$($p.IsMandatory.ToString().ToLower())`" position=`"$position`" pipelineInput=`"$(if ($p.ValueFromPipeline -or $p.ValueFromPipelineByPropertyName) { 'true' } else { 'false' })`"><maml:name>$($p.Name)</maml:name>")
            if (-not $isSwitch) { [void]$sb.Append("<command:parameterValue required=`"true`">$(Esc (TypeName $type))</command:parameterValue>") }
            [void]$sb.Append('</command:parameter>')
        }
        [void]$sb.Append('</command:syntaxItem>')
    }
    [void]$sb.Append('</command:syntax><command:parameters>')
    foreach ($p in $parameters) {
        $attribute = $p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] } | Select-Object -First 1
        $byValue = ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipeline }).Count -gt 0
        $byName = ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.ValueFromPipelineByPropertyName }).Count -gt 0
        $pipeline = @(if ($byValue) { 'ByValue' }; if ($byName) { 'ByPropertyName' }) -join ', '
        if (-not $pipeline) { $pipeline = 'false' } else { $pipeline = "true ($pipeline)" }
        $position = if ($attribute.Position -ge 0) { $attribute.Position + 1 } else { 'named' }
        $mandatory = ($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.Mandatory }).Count -gt 0
        # "Accept wildcard characters?" comes from [SupportsWildcards] on the compiled parameter
        $globbing = (@($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0).ToString().ToLower()
        [void]$sb.Append("<command:parameter required=`"$($mandatory.ToString().ToLower())`" position=`"$position`" pipelineInput=`"$pipeline`" globbing=`"$globbing`" aliases=`"$(($p.Aliases) -join ', ')`"><maml:name>$($p.Name)</maml:name><maml:description>$(Paras $help.Parameters[$p.Name])</maml:description>")
        [void]$sb.Append("<command:parameterValue required=`"true`">$(Esc (TypeName $p.ParameterType))</command:parameterValue><dev:type><maml:name>$(Esc (TypeName $p.ParameterType))</maml:name></dev:type>")
        [void]$sb.Append('</command:parameter>')
    }
    [void]$sb.Append('</command:parameters><command:inputTypes>')
    foreach ($input in $help.Inputs) { [void]$sb.Append("<command:inputType><dev:type><maml:name>$(Esc $input.Type)</maml:name></dev:type><maml:description>$(Paras $input.Description)</maml:description></command:inputType>") }
    [void]$sb.Append('</command:inputTypes><command:returnValues>')
    foreach ($output in $help.Outputs) { [void]$sb.Append("<command:returnValue><dev:type><maml:name>$(Esc $output.Type)</maml:name></dev:type><maml:description>$(Paras $output.Description)</maml:description></command:returnValue>") }
    [void]$sb.Append('</command:returnValues>')
    if ($help.Notes) { [void]$sb.Append("<maml:alertSet><maml:alert>$(Paras $help.Notes)</maml:alert></maml:alertSet>") }
    [void]$sb.Append('<command:examples>')
    $n = 0
    foreach ($example in $help.Examples) {
        $n++
        [void]$sb.Append("<command:example><maml:title>--------- Example $n`: $(Esc $example.Title) ---------</maml:title><dev:code>$(Esc $example.Code.Trim())</dev:code><dev:remarks>$(Paras $example.Remarks)</dev:remarks></command:example>")
    }
    if ($n -eq 0) { $problems += "$($command.Name): no example" }
    [void]$sb.Append('</command:examples><command:relatedLinks>')
    foreach ($link in @($help.Links) + 'about_Haniwers') { [void]$sb.Append("<maml:navigationLink><maml:linkText>$(Esc $link)</maml:linkText></maml:navigationLink>") }
    [void]$sb.Append('</command:relatedLinks></command:command>')
}
[void]$sb.AppendLine('</helpItems>')
if ($problems) { throw "Help is incomplete:`n  $($problems -join "`n  ")" }
New-Item -ItemType Directory -Force -Path (Split-Path $OutputFile) | Out-Null
[System.IO.File]::WriteAllText($OutputFile, $sb.ToString())
