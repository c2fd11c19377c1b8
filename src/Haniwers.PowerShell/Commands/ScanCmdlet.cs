using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Scanning;
using Haniwers.Transport;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// What the parallel and serial scans share: overrides, validation before the port opens, the
    /// run folder and its files, -WhatIf, progress, the summary, and Ctrl+C.
    /// </summary>
    public abstract class ScanCmdlet : DeviceCmdlet
    {
        protected abstract ScanMode Mode { get; }

        [Parameter]
        [ValidateRange(0.001, double.MaxValue)]
        public double? Duration { get; set; }

        [Parameter]
        [ValidateCount(1, 3)]
        [ValidateRange(1, 1023)]
        public int[]? Center { get; set; }

        [Parameter]
        [ValidateRange(1, 1023)]
        public int? NSteps { get; set; }

        [Parameter]
        [ValidateRange(1, 1023)]
        public int? StepSize { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        [Parameter]
        [ValidateRange(1, 100)]
        public int? Retry { get; set; }

        [Parameter]
        [ValidateRange(0.0, 3600.0)]
        public double? SettleTime { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? MaxConsecutiveFailures { get; set; }

        protected override void EndProcessing()
        {
            var config = ResolveConfig();
            ApplyOverrides(config);
            ScanPlan plan;
            try
            {
                plan = ScanPlan.Create(config, Mode);
            }
            catch (ScanConfigurationException ex)
            {
                foreach (var problem in ex.Problems) WriteError(ConfigProblemError(problem, config));
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidScanConfiguration", ErrorCategory.InvalidData, config)
                {
                    ErrorDetails = new ErrorDetails($"The {Mode.ToString().ToLowerInvariant()} scan did not start, the device was not touched: {ex.Problems.Count} problem(s) in the configuration, listed above."),
                });
                return;
            }
            foreach (var range in plan.Ranges.Where(r => r.Clipped)) WriteWarning($"Clipped to the DAC range 1..1023: {range.Describe()}.");

            string runId = $"{DateTime.Now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N").Substring(0, 4)}";
            string folder = OutputDirectory is not null
                ? ResolveUserPath(OutputDirectory)
                : Path.Combine(ResolveUserPath(config.Sampler.Workspace), DateTime.Now.ToString("yyyyMMdd"));
            if (!ShouldProcess(plan.Describe(config.Device.Port, folder), $"Run a {Mode.ToString().ToLowerInvariant()} threshold scan"))
            {
                return;
            }
            var channels = plan.Ranges.Select(r => r.Channel).ToList();
            try
            {
                ScanOutput.CheckExistingFiles(folder, channels); // before the port opens: a refused folder touches no device
            }
            catch (CsvHeaderMismatchException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "CsvHeaderMismatch", ErrorCategory.InvalidData, ex.Path));
            }

            using var link = OpenLink(config);
            ScanOutput output;
            try
            {
                output = new ScanOutput(folder, runId, channels, () => link.Clock.Now);
            }
            catch (RunFolderInUseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "ScanInProgress", ErrorCategory.ResourceBusy, ex.Folder));
                return;
            }
            catch (CsvHeaderMismatchException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "CsvHeaderMismatch", ErrorCategory.InvalidData, ex.Path));
                return;
            }
            using (output)
            {
                Run(config, plan, link, output, runId);
            }
        }

        private void Run(HaniwersConfig config, ScanPlan plan, IDeviceLink link, ScanOutput output, string runId)
        {
            output.Started(new Dictionary<string, object?>
            {
                ["moduleVersion"] = MyInvocation.MyCommand.Module?.Version.ToString(),
                ["host"] = Environment.MachineName,
                ["user"] = Environment.UserName,
                ["mode"] = Mode.ToString(),
                ["plannedSteps"] = plan.Steps.Count,
                ["config"] = config,
            });
            foreach (var cut in output.CutLines)
            {
                output.Repaired(cut.Key, cut.Value);
                WriteWarning($"The last row of {cut.Key} had been cut off (\"{cut.Value}\"); it is left as it was and this run's rows start on a new line.");
            }
            var observer = new ScanObserver(this, $"{Mode} threshold scan {runId} on {config.Device.Port}", plan.Duration + plan.SettleTime);
            var engine = new ScanEngine(plan, link, CreateWriter(config), output, observer, runId, config.Sampler.MaxConsecutiveFailures);
            foreach (var file in output.Files) engine.Summary.Files.Add(file);
            try
            {
                engine.Run(Cancellation);
            }
            catch (ScanAbortedException ex)
            {
                observer.Complete();
                WriteSummary(engine.Summary);
                ThrowTerminatingError(new ErrorRecord(ex, "TooManyFailedSteps", ErrorCategory.ConnectionError, engine.Summary));
            }
            catch (Exception) when (Cancellation.IsCancellationRequested)
            {
                return; // stopped: the journal says so, every file is closed by the using blocks
            }
            observer.Complete();
            WriteSummary(engine.Summary);
        }

        private void WriteSummary(ScanSummary summary)
        {
            WriteInformation(new InformationRecord(summary, "Haniwers") { Tags = { "Summary" } });
            WriteVerbose(summary.ToString());
        }

        private void ApplyOverrides(HaniwersConfig config)
        {
            var s = config.Sampler;
            if (Duration is double duration) s.Duration = duration;
            if (Retry is int retry) s.MaxRetry = retry;
            if (SettleTime is double settle) s.SettleTime = settle;
            if (MaxConsecutiveFailures is int max) s.MaxConsecutiveFailures = max;
            if (Center is null && NSteps is null && StepSize is null) return;
            for (int channel = 1; channel <= 3; channel++)
            {
                var sensor = config.Sensor(channel);
                if (sensor is null)
                {
                    sensor = new SensorSettings { Channel = channel, Key = "ch" + channel };
                    config.Sensors.Add(sensor);
                }
                if (Center is not null)
                {
                    sensor.Center = Center.Length == 1 ? Center[0] : channel <= Center.Length ? Center[channel - 1] : sensor.Center;
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
