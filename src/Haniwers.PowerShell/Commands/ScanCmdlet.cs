using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Platform;
using Haniwers.PowerShell.Validation;
using Haniwers.Scanning;
using Haniwers.Transport;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// What the parallel and serial scans share: overrides, validation before the port opens, the
    /// run folder and its files, -WhatIf, progress, the summary, and Ctrl+C.
    /// </summary>
    public abstract class ScanCmdlet : RunCmdlet
    {
        protected abstract ScanMode Mode { get; }

        [Parameter]
        [ValidateRange(ConfigValidator.MinWindowSeconds, ConfigValidator.MaxWindowSeconds)]
        public double? Duration { get; set; }

        [Parameter]
        [ValidatePerChannel]
        [ValidateRange(1, 1023)]
        public int[]? Center { get; set; }

        [Parameter]
        [ValidateRange(1, 1023)]
        public int? NSteps { get; set; }

        [Parameter]
        [ValidateRange(1, 1023)]
        public int? StepSize { get; set; }

        [Parameter]
        [ValidateRange(1, ConfigValidator.MaxRetries)]
        public int? Retry { get; set; }

        [Parameter]
        [ValidateRange(0.0, 3600.0)]
        public double? SettleTime { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? MaxConsecutiveFailures { get; set; }

        /// <summary>Goes on with the folder's latest unfinished run (docs/crash-protocol.md, "Resuming").</summary>
        [Parameter]
        public SwitchParameter Resume { get; set; }

        /// <summary>Leaves the detector at the scan's last step instead of writing back the thresholds it found (docs/crash-protocol.md, "Restoring the thresholds").</summary>
        [Parameter]
        public SwitchParameter NoRestore { get; set; }

        protected override void EndProcessing()
        {
            var config = ResolveConfig();
            ApplyOverrides(config);
            string folder = RunFolder(config, OutputDirectory);
            string? resumedRun = null;
            ScanPlan plan;
            if (Resume.IsPresent)
            {
                (plan, resumedRun) = PlanResume(folder, config);
            }
            else
            {
                plan = CreatePlan(config);
                foreach (var range in plan.Ranges.Where(r => r.Clipped)) WriteWarning($"Clipped to the DAC range 1..1023: {range.Describe()}.");
            }
            var restore = PlanRestore(config);
            string plannedWork = (resumedRun is null ? "" : plan.Planner is null
                                     ? $"Resume run {resumedRun}, measuring the steps it has no rows for ({StepList(plan)}):{Environment.NewLine}"
                                     : $"Resume run {resumedRun}, from step {plan.Planner.StepsPlanned + 1} with the {plan.Planner.Channels.Sum(c => c.Points.Count)} points it has:{Environment.NewLine}") +
                                 plan.Describe(config.Device.Port, folder) + Environment.NewLine +
                                 $"  a lost link is reopened for up to {config.Sampler.ReconnectTimeout:0.###} s; {config.Sampler.MaxConsecutiveFailures} failed steps in a row stop the scan." + Environment.NewLine +
                                 (restore is null ? "  afterwards the detector is left at the last step's thresholds (-NoRestore)."
                                    : $"  afterwards the thresholds are written back: {restore.Describe()}" + (restore.Unknown.Count > 0 ? $"; {string.Join(", ", restore.Unknown.Select(c => "ch" + c))} unknown, left at the last step." : "."));
            string kind = Mode.ToString().ToLowerInvariant();
            if (!ShouldProcess(plannedWork, $"{(resumedRun is null ? "Run" : "Resume")} {(kind.StartsWith("a") ? "an" : "a")} {kind} threshold scan"))
            {
                return;
            }
            if (restore is not null && restore.Unknown.Count > 0)
                WriteWarning($"The thresholds of {string.Join(", ", restore.Unknown.Select(c => "ch" + c))} before this scan are unknown ("
                    + (restore.Unknown.Select(c => restore.Before.TryGetValue(c, out var left) ? left.By : null).FirstOrDefault(b => b is not null) is string by
                        ? $"{by}, left them at one of its steps" : "no threshold in the config, none written to this device by this module")
                    + "): the scan leaves them at its last step. Give threshold = N in [sensors.chN], or set them with Set-HaniwersThreshold before the scan.");
            Execute(config, plan, folder, resumedRun, resumedRun is null ? null : GivenPlan(config), restore);
        }

        /// <summary>
        /// What the scan writes back when it ends, channel by channel (docs/crash-protocol.md, "Restoring the
        /// thresholds"): the config's numeric threshold, else what this module last wrote to the device; null with -NoRestore.
        /// </summary>
        private RestorePlan? PlanRestore(HaniwersConfig config)
        {
            if (NoRestore.IsPresent) return null;
            if (Composition.DeviceLinks.IsSimulator(config.Device.Port)) return RestorePlan.NothingToRestore("the simulated detector lives only for this command");
            var remembered = RememberedThresholds(config.Device.Port);
            var thresholds = new List<KeyValuePair<int, int>>();
            var sources = new Dictionary<int, string>();
            var unknown = new List<int>();
            foreach (int channel in ConfigValidator.Channels)
            {
                if (config.Sensor(channel)?.Threshold is int configured)
                {
                    thresholds.Add(new KeyValuePair<int, int>(channel, configured));
                    sources[channel] = "the config";
                }
                else if (remembered.TryGetValue(channel, out var last) && last.Threshold is null)
                {
                    unknown.Add(channel); // a scan that did not end (killed?) or lost the link left it at one of its steps
                }
                else if (remembered.TryGetValue(channel, out last) && last.Threshold is int value)
                {
                    thresholds.Add(new KeyValuePair<int, int>(channel, value));
                    sources[channel] = last.Source;
                }
                else
                {
                    unknown.Add(channel);
                }
            }
            return new RestorePlan(thresholds, sources, unknown) { Before = remembered };
        }

        /// <summary>The plan the command line or configuration gives, when the user gave one (a resume compares it with the recorded plan).</summary>
        private ScanPlan? GivenPlan(HaniwersConfig config) =>
            Center is not null || NSteps is not null || StepSize is not null || Duration is not null || SettleTime is not null || ConfigPath is not null || Config is not null
                ? CreatePlan(config) : null;

        /// <summary>The scan's plan from the configuration; the adaptive scan builds its own.</summary>
        protected virtual ScanPlan BuildPlan(HaniwersConfig config) => ScanPlan.Create(config, Mode);

        /// <summary>After the engine: the adaptive scan tells which channels reached their target.</summary>
        protected virtual void Conclude(ScanPlan plan, ScanSummary summary) { }

        private ScanPlan CreatePlan(HaniwersConfig config)
        {
            try
            {
                return BuildPlan(config);
            }
            catch (ScanConfigurationException ex)
            {
                foreach (var problem in ex.Problems) WriteError(ConfigProblemError(problem, config));
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidScanConfiguration", ErrorCategory.InvalidData, config)
                {
                    ErrorDetails = new ErrorDetails($"The {Mode.ToString().ToLowerInvariant()} scan did not start, the device was not touched: {ex.Problems.Count} problem(s) in the configuration, listed above."),
                });
                throw; // not reached
            }
        }

        /// <summary>
        /// The steps of the folder's latest unfinished run that have no rows yet, after the folder is
        /// repaired; a plan given on the command line must be the recorded one. Refusals name why.
        /// </summary>
        private (ScanPlan plan, string runId) PlanResume(string folder, HaniwersConfig config)
        {
            var given = GivenPlan(config);
            if (WhatIfPreference() && Directory.Exists(folder) && RunFolderRecovery.IsHeld(folder))
            {
                ThrowTerminatingError(new ErrorRecord(new RunFolderInUseException(folder, "a scan that is running now"), "ScanInProgress", ErrorCategory.ResourceBusy, folder));
            }
            if (!WhatIfPreference() && Directory.Exists(folder))
            {
                var repairs = RunFolderRecovery.TryRecover(folder, DateTimeOffset.Now);
                if (repairs is null)
                {
                    ThrowTerminatingError(new ErrorRecord(new RunFolderInUseException(folder, "a scan that is running now"), "ScanInProgress", ErrorCategory.ResourceBusy, folder));
                }
                foreach (var repair in repairs!) WriteWarning($"Repaired {folder} after a crash: {repair}.");
            }
            try
            {
                return ResumePlan(folder, config, given);
            }
            catch (ResumeRefusedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.Problem.ToString(), ErrorCategory.InvalidOperation, folder));
                throw; // not reached
            }
        }

        /// <summary>The plan that goes on with the folder's latest run; throws <see cref="ResumeRefusedException"/>.</summary>
        protected virtual (ScanPlan plan, string runId) ResumePlan(string folder, HaniwersConfig config, ScanPlan? given)
        {
            var (run, remaining) = ScanResume.Plan(folder, Mode, given);
            WriteVerbose($"Resuming {run.Describe()}: {remaining.Steps.Count} step(s) to measure.");
            return (remaining, run.RunId);
        }

        /// <summary>-WhatIf given, or $WhatIfPreference set: then not even a repair may change a file.</summary>
        private bool WhatIfPreference() =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var w) ? w is SwitchParameter s && s.IsPresent
                : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

        private static string StepList(ScanPlan plan)
        {
            var steps = plan.Steps.Select(s => s.Index).ToList();
            string list = string.Join(", ", steps.Take(12));
            return steps.Count > 12 ? $"steps {list}, ... ({steps.Count} in all)" : $"steps {list}";
        }

        private void Execute(HaniwersConfig config, ScanPlan plan, string folder, string? resumedRun, ScanPlan? given, RestorePlan? restore)
        {
            TerminationSignals signals;
            using (signals = TrapTerminationSignals())
            {
                // the folder is proven, locked and repaired before the port opens: a refused folder touches no device;
                // a resume decides its steps again under the lock, so two resumes never measure a step twice
                using var run = OpenRun(folder, config, () =>
                {
                    if (resumedRun is not null) (plan, resumedRun) = ResumePlan(folder, config, given);
                    return (plan, resumedRun);
                });
                foreach (var repair in run.Repairs) WriteWarning($"Repaired {folder} after a crash: {repair}.");
                // the journal's start record gets its end: this run failed before its first step
                var link = OpenLinkForRun(config, (outcome, reason) => run.Finished(new ScanSummary
                {
                    RunId = run.RunId, Mode = Mode, PortName = config.Device.Port, PlannedSteps = plan.PlannedSteps,
                    Outcome = outcome, FailureReason = reason,
                }));
                if (link is not null) using (link) Run(config, plan, link, run, signals, resumedRun is not null, restore);
            }
            ExitIfSignalled(signals); // every file is closed by now
        }

        private ScanRun OpenRun(string folder, HaniwersConfig config, Func<(ScanPlan plan, string? resumedRun)> decide)
        {
            ScanRun.RunStart Start()
            {
                var (plan, resumedRun) = decide();
                var details = StartDetails(plan, config, resumedRun);
                return new ScanRun.RunStart(plan.Ranges.Select(r => r.Channel).ToList(), details, resumedRun, resumedRun is null ? JournalEvents.Start : JournalEvents.Resumed);
            }
            try
            {
                return ScanRun.Open(folder, SystemClock.Instance, Start);
            }
            catch (ResumeRefusedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.Problem.ToString(), ErrorCategory.InvalidOperation, folder));
            }
            catch (RunFolderInUseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ScanInProgress", ErrorCategory.ResourceBusy, ex.Folder));
            }
            catch (CsvHeaderMismatchException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "CsvHeaderMismatch", ErrorCategory.InvalidData, ex.Path)
                {
                    ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Move the file away, or give this run another -OutputDirectory." },
                });
            }
            catch (OutputException ex)
            {
                ThrowTerminatingError(OutputError(ex));
            }
            throw new InvalidOperationException("not reached");
        }

        private Dictionary<string, object?> StartDetails(ScanPlan plan, HaniwersConfig config, string? resumedRun)
        {
            var details = new Dictionary<string, object?>
            {
                ["moduleVersion"] = MyInvocation.MyCommand.Module?.Version.ToString(),
                ["host"] = Environment.MachineName,
                ["user"] = Environment.UserName,
                ["mode"] = Mode.ToString(),
                ["durationSeconds"] = plan.Duration.TotalSeconds,
                ["settleSeconds"] = plan.SettleTime.TotalSeconds,
            };
            if (resumedRun is null)
            {
                details["plannedSteps"] = plan.Steps.Count;
                details["plan"] = plan.Steps.Select(s => new { step = s.Index, thresholds = s.Thresholds, measured = s.Measured }).ToList();
                details["config"] = config;
            }
            else
            {
                details["steps"] = plan.Steps.Select(s => s.Index).ToList(); // what this resumption measures
                details["port"] = config.Device.Port;
            }
            if (plan.AdaptiveSettings is { } adaptive && resumedRun is null)
            {
                details["adaptive"] = new Dictionary<string, object?>
                {
                    ["targetError"] = adaptive.TargetError, ["maxSteps"] = adaptive.MaxSteps, ["maxDurationSeconds"] = adaptive.MaxDurationSeconds,
                    ["sigma"] = adaptive.Sigma, ["onGrid"] = adaptive.OnGrid, ["ranges"] = plan.Ranges.Select(r => new { channel = r.Channel, stepSize = r.StepSize, values = r.Values }).ToList(),
                };
                // where it started from, for the record (a resume goes on from its own points)
                var priors = plan.Planner!.Channels.Where(c => c.Prior is not null).Select(c => c.Prior!.Fit)
                    .Select(f => new { channel = f.Channel, threshold = f.Threshold, thresholdError = f.ThresholdError, mean = f.Mean, sigma = f.Sigma, runId = f.RunId }).ToList();
                if (priors.Count > 0) ((Dictionary<string, object?>)details["adaptive"]!)["prior"] = priors;
            }
            return details;
        }

        private void Run(HaniwersConfig config, ScanPlan plan, IDeviceLink link, ScanRun run, TerminationSignals signals, bool resumed, RestorePlan? restore)
        {
            // the run id is in the journal and the summary; the activity stays short: the mode and the port
            var observer = new ScanObserver(this, $"{Mode} scan on {Shorten(config.Device.Port, 16)}", plan.Duration + plan.SettleTime, plan.Planner is not null);
            var engine = new ScanEngine(plan, link, CreateWriter(config), run, observer, run.RunId, ScanLimits.From(config.Sampler), restore);
            foreach (var file in run.Files) engine.Summary.Files.Add(file);
            engine.Summary.Folder = run.Folder;
            if (resumed) engine.Summary.ResumedSteps = plan.Planner is not null ? new[] { plan.Planner.StepsPlanned + 1 } : plan.Steps.Select(s => s.Index).ToList();
            // until the scan says what it left, the device is at one of its steps: a kill leaves this mark for the next command
            string by = $"{MyInvocation.MyCommand.Name} run {run.RunId}";
            var channels = ConfigValidator.Channels;
            if (restore?.NotNeeded is null)
                UpdateMemory(config.Device.Port, (memory, key) => memory.Put(key, channels.Select(ch => new Output.RememberedThreshold(ch, null, DateTimeOffset.Now, by + ", which did not end", LeftByScan: true))));
            try
            {
                RunToEnd(() => engine.Run(Cancellation), observer.Complete, engine.Summary, signals,
                    ex => ex is ScanAbortedException ? new ErrorRecord(ex, "TooManyFailedSteps", ErrorCategory.ConnectionError, engine.Summary) : null,
                    () => Conclude(plan, engine.Summary));
            }
            finally
            {
                if (engine.Summary.Restore is { } result) RememberAfterScan(config.Device.Port, restore, result, by);
            }
        }

        /// <summary>
        /// What the device was left at, for the next scan's write-back and a DAQ run with threshold = "none" (docs/formats.md,
        /// "device-thresholds.json"): a channel written back is remembered as it was before the scan (its writer, its time,
        /// a scan's leftover still marked as one); a channel left at a step is marked left by this scan, with its value or
        /// without one; a channel the scan never wrote is as before.
        /// </summary>
        private void RememberAfterScan(string port, RestorePlan? restore, RestoreResult result, string by)
        {
            var before = restore?.Before ?? new Dictionary<int, Output.RememberedThreshold>();
            var now = DateTimeOffset.Now;
            var entries = new List<Output.RememberedThreshold>();
            var touched = new HashSet<int>();
            foreach (var (channel, value) in result.Restored)
            {
                touched.Add(channel);
                entries.Add(before.TryGetValue(channel, out var was) && was.Threshold == value ? was
                    : new Output.RememberedThreshold(channel, value, now, $"{by}, written back from the config"));
            }
            foreach (var (channel, value) in result.LeftAt) { touched.Add(channel); entries.Add(new Output.RememberedThreshold(channel, value, now, by, LeftByScan: true)); }
            foreach (int channel in result.LeftUnknown) { touched.Add(channel); entries.Add(new Output.RememberedThreshold(channel, null, now, by + ", which lost the link to the device", LeftByScan: true)); }
            // a channel this scan never wrote: what was remembered before stands, and the mark goes
            var untouched = ConfigValidator.Channels.Where(ch => !touched.Contains(ch)).ToList();
            entries.AddRange(untouched.Where(before.ContainsKey).Select(ch => before[ch]));
            UpdateMemory(port, (memory, key) =>
            {
                memory.Put(key, entries);
                memory.Forget(key, untouched.Where(ch => !before.ContainsKey(ch)));
            });
        }

        /// <summary>A long port name (a by-id path) cut from the left, where it says least.</summary>
        internal static string Shorten(string text, int length) => text.Length <= length ? text : "…" + text.Substring(text.Length - length + 1);

        private void ApplyOverrides(HaniwersConfig config)
        {
            var s = config.Sampler;
            if (Duration is double duration) s.Duration = duration;
            if (Retry is int retry) s.MaxRetry = retry;
            if (SettleTime is double settle) s.SettleTime = settle;
            if (MaxConsecutiveFailures is int max) s.MaxConsecutiveFailures = max;
            ApplyRunParameters(s);
            if (Center is null && NSteps is null && StepSize is null) return;
            foreach (int channel in ConfigValidator.Channels)
            {
                var sensor = config.Sensor(channel);
                if (sensor is null)
                {
                    sensor = new SensorSettings { Channel = channel, Key = "ch" + channel };
                    config.Sensors.Add(sensor);
                }
                if (Center is not null)
                {
                    sensor.Center = Center.Length == 1 ? Center[0] : Center[channel - 1];
                    sensor.StartThreshold = null;
                    sensor.NumSteps = null;
                }
                if (NSteps is int n)
                {
                    sensor.NSteps = n;
                    sensor.NumSteps = null;
                }
                if (StepSize is int step) sensor.StepSize = step;
            }
        }
    }
}
