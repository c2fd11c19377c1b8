using System;
using System.Collections.Generic;
using System.IO;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using Haniwers.Analysis;
using Haniwers.Configuration;
using Haniwers.Scanning;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// The adaptive threshold scan: each window sets every channel where one more window sharpens that
    /// channel's threshold most, until every threshold is known to -TargetError (docs/adaptive-scan.md).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "HaniwersAdaptiveScan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ScanResult))]
    public sealed class InvokeHaniwersAdaptiveScanCommand : ScanCmdlet
    {
        protected override ScanMode Mode => ScanMode.Adaptive;

        /// <summary>The precision wanted for every channel's threshold, in DAC units (one standard error).</summary>
        [Parameter]
        [ValidateRange(0.01, 1023.0)]
        public double TargetError { get; set; } = 1.0;

        [Parameter]
        [ValidateRange(5, 100000)]
        public int MaxSteps { get; set; } = 200;

        /// <summary>Seconds of measuring (windows and settle time) at most.</summary>
        [Parameter]
        [ValidateRange(1.0, 31_536_000.0)]
        public double? MaxDuration { get; set; }

        /// <summary>k of the threshold Mean + k·Sigma, as in Measure-HaniwersThreshold.</summary>
        [Parameter]
        [ValidateRange(0.0, 20.0)]
        public double Sigma { get; set; } = 3;

        /// <summary>Measure only the ranges' grid values (center ± nsteps·step_size in steps of step_size), as a fixed scan would.</summary>
        [Parameter]
        public SwitchParameter OnGrid { get; set; }

        /// <summary>
        /// Earlier fits to start from (docs/adaptive-scan.md, "A prior from the last scan"): Measure-HaniwersThreshold's
        /// output, from the pipeline or by name, or folders (and scan files) of an earlier scan, fitted as
        /// Measure-HaniwersThreshold fits them.
        /// </summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public object[]? Prior { get; set; }

        private readonly List<ThresholdFit> _priors = new List<ThresholdFit>();
        private bool _resumeTold;

        protected override void ProcessRecord()
        {
            foreach (var item in Prior ?? Array.Empty<object>())
            {
                object value = item is PSObject wrapped ? wrapped.BaseObject : item;
                string kind = item is PSObject { TypeNames.Count: > 0 } typed ? typed.TypeNames[0] : value.GetType().Name;
                switch (value)
                {
                    case ThresholdFit fit:
                        _priors.Add(fit);
                        break;
                    case string or FileSystemInfo:
                        _priors.AddRange(FitsOf(value is FileSystemInfo info ? info.FullName : (string)value));
                        break;
                    default:
                        ThrowTerminatingError(new ErrorRecord(new ArgumentException($"-Prior takes fits (Measure-HaniwersThreshold's output, in this session) or folders of an earlier scan, not a {kind}" + (kind.StartsWith("Deserialized.", StringComparison.Ordinal) ? " (fits saved with Export-Clixml lose their type: give the earlier scan's folder instead)." : $": '{value}'.")),
                            "PriorNotAFit", ErrorCategory.InvalidArgument, value));
                        break;
                }
            }
        }

        /// <summary>The fits Measure-HaniwersThreshold makes of an earlier scan's folder or file: one rule for what a folder's fit is.</summary>
        private IEnumerable<ThresholdFit> FitsOf(string path)
        {
            string full = ResolveUserPath(path);
            if (!Directory.Exists(full) && !File.Exists(full))
                ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"-Prior: '{full}' is neither a folder nor a file of an earlier scan.", full),
                    "PriorNotFound", ErrorCategory.ObjectNotFound, path));
            var fits = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($p, $k) Haniwers\\Measure-HaniwersThreshold -LiteralPath $p -Sigma $k -WarningAction SilentlyContinue -ErrorAction SilentlyContinue"),
                null, full, Sigma).Select(o => o.BaseObject).OfType<ThresholdFit>().ToList();
            WriteVerbose($"-Prior: {fits.Count} fit(s) of {full}.");
            return fits;
        }

        protected override ScanPlan BuildPlan(HaniwersConfig config)
        {
            var plan = ScanPlan.Adaptive(config, TargetError, MaxSteps,
                MaxDuration is double seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null, new FitOptions { SigmaMultiple = Sigma }, OnGrid);
            if (Prior is null) return plan;
            foreach (string ignored in plan.UsePriors(_priors)) WriteWarning($"-Prior {ignored}: not used.");
            if (plan.Planner!.Channels.All(c => c.Prior is null)) WriteWarning("-Prior gave no fit this scan can start from: it starts as without one.");
            return plan;
        }

        /// <summary>An adaptive run goes on from the points it has, with this command's range and target.</summary>
        protected override (ScanPlan plan, string runId) ResumePlan(string folder, HaniwersConfig config, ScanPlan? given)
        {
            var bound = MyInvocation.BoundParameters;
            // limits given anew replace the recorded ones (a run that ended Incomplete at its limits goes on); the design does not change
            var (run, plan) = ScanResume.Adaptive(folder, given, (bound.ContainsKey(nameof(TargetError)) ? TargetError : null,
                bound.ContainsKey(nameof(MaxSteps)) ? MaxSteps : null, bound.ContainsKey(nameof(MaxDuration)) ? MaxDuration : null));
            // decided twice (for the plan, then again under the folder's lock): said once
            bool first = !_resumeTold;
            _resumeTold = true;
            if (first && bound.ContainsKey(nameof(OnGrid)) && OnGrid.IsPresent != plan.AdaptiveSettings!.OnGrid)
                WriteWarning($"-OnGrid is not used by -Resume: run {run.RunId} goes on with its recorded design ({(plan.AdaptiveSettings.OnGrid ? "on its grid" : "any integer within its range")}).");
            if (first && bound.ContainsKey(nameof(Sigma)) && Sigma != plan.AdaptiveSettings!.Sigma)
                WriteWarning($"-Sigma is not used by -Resume: run {run.RunId} goes on with its recorded threshold Mean + {plan.AdaptiveSettings.Sigma}*Sigma.");
            if (first && Prior is not null) WriteWarning("-Prior is not used by -Resume: a resumed scan goes on from the points its run has.");
            WriteVerbose($"Resuming {run.Describe()} from step {plan.Planner!.StepsPlanned + 1}.");
            return (plan, run.RunId);
        }

        protected override void Conclude(ScanPlan plan, ScanSummary summary)
        {
            if (plan.Planner is not { } planner) return;
            double target = planner.TargetError; // a resumed run's is its recorded one, not this command's default
            foreach (var channel in planner.Channels)
            {
                var fit = channel.Fit;
                string finding = fit?.Threshold is int t
                    ? string.Format(CultureInfo.InvariantCulture, "ch{0}: threshold {1} ± {2} DAC (target {3:0.##}){4}.", channel.Channel, t, Scanning.ScanPlan.Number(fit.ThresholdError), target,
                        channel.Reached(target) ? ""
                        : fit.ThresholdError <= target ? string.Create(CultureInfo.InvariantCulture, $", not claimed: its windows scatter more than Poisson allows (chi-square/ndf = {fit.ReducedChiSquare:0.##} for {fit.DegreesOfFreedom} degrees of freedom)")
                        : string.Format(CultureInfo.InvariantCulture, ", not reached: {0}× the target", Scanning.ScanPlan.Number(fit.ThresholdError / target, "0.0")))
                    : $"ch{channel.Channel}: no threshold ({fit?.Rejection ?? "too few points to fit"}).";
                if (channel.EdgeOutside is not null) finding = channel.EdgeOutside + "."; // said while the scan went on, and kept with the findings
                summary.Findings.Add(finding);
                if (channel.Reached(target) || channel.EdgeOutside is not null) WriteVerbose(finding);
                else WriteWarning(finding + (planner.StoppedBy == AdaptiveStop.None ? "" : " " + char.ToUpperInvariant(planner.StopReason[0]) + planner.StopReason.Substring(1) + "."));
            }
        }
    }
}
