<#
.SYNOPSIS
    How often good scans get the fit's scatter warning (docs/fit.md, "Warnings"): Poisson draws of two
    scan shapes, the old fixed band on chi-square/ndf against the bound by degrees of freedom.
.EXAMPLE
    dotnet build tests/Haniwers.Core.Tests -c Release; dotnet pwsh -NoProfile -File tools/Measure-ScatterWarnings.ps1
#>
param([int] $Draws = 10000)
$bin = Join-Path $PSScriptRoot '../tests/Haniwers.Core.Tests/bin/Release/net10.0'
foreach ($assembly in 'MathNet.Numerics.dll', 'Haniwers.Core.dll', 'Haniwers.Core.Tests.dll') { Add-Type -Path (Join-Path $bin $assembly) }
$cases = @(
    @{ Name = '21 windows of 0.5 s (README first scan)'; Shape = @(200, 280, 9, 1, 230, 330, 5, 0.5) }
    @{ Name = '9 windows of 10 s'; Shape = @(100, 300, 8, 1, 270, 330, 7.5, 10) }
)
foreach ($case in $cases) {
    $band = 0; $bound = 0
    foreach ($seed in 1..$Draws) {
        $s = $case.Shape
        $points = [Haniwers.Analysis.SyntheticScan]::Generate($seed, $s[0], $s[1], $s[2], $s[3], $s[4], $s[5], $s[6], $s[7], 1)
        $fit = [Haniwers.Analysis.SCurveFitter]::Fit($points, [Haniwers.Analysis.FitOptions]::new())
        if ($fit.ReducedChiSquare -lt 0.3 -or $fit.ReducedChiSquare -gt 3) { $band++ }
        if ([Haniwers.Analysis.SCurveFitter]::ScatterIsImplausible($fit.ChiSquare, $fit.DegreesOfFreedom)) { $bound++ }
    }
    "$($case.Name): fixed band 0.3..3 warns on $band of $Draws good scans; the bound by degrees of freedom on $bound"
}
