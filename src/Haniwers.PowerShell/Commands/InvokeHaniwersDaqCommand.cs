using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Haniwers.Configuration;
using Haniwers.DataTaking;
using Haniwers.Output;
using Haniwers.Platform;
using Haniwers.Protocol;
using Haniwers.PowerShell.Validation;
using Haniwers.Transport;

using Haniwers.Composition;
namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Takes data: writes every event the detector sends into rotating haniwers v1 raw files, with a
    /// journal of files, link losses and the end (docs/daq.md).
    /// </summary>
    [Cmdlet(VerbsLifecycle.Invoke, "HaniwersDaq", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(DetectorEvent))]
    public sealed class InvokeHaniwersDaqCommand : RunCmdlet
    {
        [Parameter]
        public DaqMode? Mode { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? EventsPerFile { get; set; }

        /// <summary>Seconds each file covers, in TimeBased mode (the config's duration). -Duration is its old name.</summary>
        [Parameter]
        [Alias("Duration")]
        [ValidateRange(0.001, 31_536_000.0)]
        public double? FileDuration { get; set; }

        /// <summary>Files to write before the run ends; 0 = until stopped.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int? FileCount { get; set; }

        /// <summary>One threshold for every channel, or three (ch1, ch2, ch3).</summary>
        [Parameter]
        [ValidatePerChannel]
        [ValidateRange(1, 1023)]
        public int[]? Threshold { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            var config = ResolveConfig();
            ApplyOverrides(config);
            var problems = ConfigValidator.ValidateDaq(config);
            if (problems.Count > 0)
            {
                foreach (var problem in problems) WriteError(ConfigProblemError(problem, config));
                ThrowTerminatingError(new ErrorRecord(new ConfigValueException($"The DAQ run did not start, the device was not touched: {problems.Count} problem(s) in the configuration, listed above."),
                    "InvalidDaqConfiguration", ErrorCategory.InvalidData, config));
            }
            var settings = DaqSettings.From(config.Sampler);
            var thresholds = Thresholds(config);
            var beliefs = Beliefs(config.Device.Port, thresholds);
            string believed = BelievedThresholds(beliefs, thresholds);
            string folder = RunFolder(config, OutputDirectory);
            string plan = $"Take data from {config.Device.Port} into {folder}: haniwers v1 raw files, {settings.Describe()}."
                + Environment.NewLine + "  thresholds: " + believed
                + Environment.NewLine + $"  a lost link is reopened for up to {config.Sampler.ReconnectTimeout:0.###} s; the journal is {Path.Combine(folder, DaqRun.JournalFileName)}.";
            if (!ShouldProcess(plan, "Take data")) return;

            TerminationSignals signals;
            using (signals = TrapTerminationSignals())
            {
                using var run = OpenRun(folder, settings, config, thresholds);
                foreach (var repair in run.Repairs) WriteWarning($"{(repair.ClosesOff ? "Closed off" : "Repaired")} {folder} after a crash: {repair}.");
                var link = OpenLinkForRun(config, (outcome, reason) => run.Finish(new DaqSummary { RunId = run.RunId, Outcome = outcome, FailureReason = reason }));
                if (link is not null) using (link) Take(config, settings, thresholds, beliefs, link, run, signals);
            }
            ExitIfSignalled(signals);
        }

        private DaqRun OpenRun(string folder, DaqSettings settings, HaniwersConfig config, IReadOnlyList<KeyValuePair<int, int>> thresholds)
        {
            var details = new Dictionary<string, object?>
            {
                ["moduleVersion"] = MyInvocation.MyCommand.Module?.Version.ToString(),
                ["host"] = Environment.MachineName,
                ["user"] = Environment.UserName,
                ["port"] = config.Device.Port,
                ["mode"] = settings.Mode.ToString(),
                ["eventsPerFile"] = settings.EventsPerFile,
                ["fileDurationSeconds"] = settings.FileDuration.TotalSeconds,
                ["fileCount"] = settings.FileCount,
                ["streamMode"] = settings.StreamMode,
                ["thresholds"] = thresholds.Select(t => new { channel = t.Key, threshold = t.Value }).ToList(),
                ["config"] = config,
            };
            try
            {
                return DaqRun.Open(folder, settings, SystemClock.Instance, details);
            }
            catch (RunFolderInUseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "RunInProgress", ErrorCategory.ResourceBusy, ex.Folder));
            }
            catch (OutputException ex)
            {
                ThrowTerminatingError(OutputError(ex));
            }
            throw new InvalidOperationException("not reached");
        }

        private void Take(HaniwersConfig config, DaqSettings settings, IReadOnlyList<KeyValuePair<int, int>> thresholds, IReadOnlyList<ChannelBelief> beliefs,
            IDeviceLink link, DaqRun run, TerminationSignals signals)
        {
            var protocol = FirmwareProtocol.For(config.Device.Firmware);
            try
            {
                settings.Mac = Mac(config, protocol, link);
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                // stopped (Ctrl+C, SIGTERM) while the run opened: its journal ends Interrupted, and pwsh exits as the signal asks
                try { run.Finish(new DaqSummary { RunId = run.RunId, Outcome = Output.RunOutcome.Interrupted, FailureReason = "stopped by the user or a signal before the first event" }); }
                catch (Output.OutputException) { }
                return;
            }
            var observer = new DaqObserver(this, $"DAQ on {ScanCmdlet.Shorten(config.Device.Port, 24)}", PassThru.IsPresent);
            var engine = new DaqEngine(link, protocol, CreateWriter(config), run, observer, thresholds, TimeSpan.FromSeconds(config.Sampler.ReconnectTimeout));
            // a replayed recording took its events at thresholds of its own; a run over it writes none
            if (!DataTaking.ReplayLink.IsReplay(config.Device.Port)) engine.Summary.Thresholds = string.Join(" ", beliefs.Select(b => b.Short));
            try
            {
                RunToEnd(() => engine.Run(Cancellation), observer.Complete, engine.Summary, signals,
                    ex => ex is DaqFailedException failed
                        ? new ErrorRecord(ex, failed.Problem, failed.Problem == "LinkLost" ? ErrorCategory.ConnectionError : ErrorCategory.DeviceError, config.Device.Port)
                        : null);
            }
            finally
            {
                RememberThresholds(config.Device.Port, engine.Summary.ThresholdsConfirmed, $"{MyInvocation.MyCommand.Name} run {run.RunId}");
            }
        }

        /// <summary>The MAC part of the file names: the port's USB serial number when it is one (as haniwers reads it), else the firmware's answer.</summary>
        private string Mac(HaniwersConfig config, FirmwareProtocol protocol, IDeviceLink link)
        {
            string? serial = null;
            if (!DeviceLinks.IsSimulator(link.PortName) && !link.PortName.Contains(":"))
            {
                try { serial = PortCatalog.List().FirstOrDefault(p => p.PortName == link.PortName)?.SerialNumber; }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException) { } // no catalog: ask the firmware
            }
            string fromPort = DaqSettings.FormatMac(serial);
            if (fromPort != "unknown") return fromPort;
            string mac;
            try
            {
                mac = DaqSettings.FormatMac(protocol.QueryMac(link, TimeSpan.FromMilliseconds(500), Cancellation));
            }
            catch (DeviceLinkException ex)
            {
                // the run deals with a lost link (it reopens it, or ends Failed with the reason in its journal); the name waits for no one
                WriteWarning($"The device's MAC address could not be read ({ex.Message.TrimEnd('.')}): file names say 'unknown'.");
                return "unknown";
            }
            WriteVerbose(mac == "unknown" ? $"The device on {link.PortName} did not tell its MAC address: file names say 'unknown'." : $"The device's MAC address is {mac}.");
            return mac;
        }

        /// <summary>What the run believes of one channel's threshold: in the summary's short form and the plan's long one, and a warning when the belief is a scan's leftover.</summary>
        private sealed record ChannelBelief(int Channel, string Short, string? Long, string? Warning);

        /// <summary>
        /// The thresholds the run takes data at, as far as this module knows, channel by channel: those it sets, and for
        /// the others (threshold = "none": "leave the device as it is") what it last wrote there (docs/daq.md, "Thresholds"),
        /// read once from the threshold memory.
        /// </summary>
        private IReadOnlyList<ChannelBelief> Beliefs(string portName, IReadOnlyList<KeyValuePair<int, int>> setting)
        {
            var remembered = RememberedThresholds(portName);
            return ConfigValidator.Channels.Select(channel =>
            {
                if (setting.FirstOrDefault(t => t.Key == channel) is { Key: > 0 } set) return new ChannelBelief(channel, $"ch{channel}={set.Value}", null, null);
                if (remembered.TryGetValue(channel, out var last) && last.Threshold is null)
                {
                    // a value not known is always a scan's leftover
                    return new ChannelBelief(channel, $"ch{channel}=unknown", $"ch{channel} at a value not known ({last.Source})",
                        $"Channel {channel} is taken as the device has it, which is not known: {last.By}, left it at one of its steps. " +
                        $"Stop and give threshold = N in [sensors.ch{channel}] or -Threshold, or set it with Set-HaniwersThreshold first.");
                }
                if (last is not null)
                {
                    return new ChannelBelief(channel, $"ch{channel}={last.Threshold} (believed)", $"ch{channel}={last.Threshold} as the device has it ({last.Source})", last.LeftByScan
                        ? $"Channel {channel} is taken as the device has it, which is {last.Threshold}: a step of {last.By}, which could not write back the thresholds it found. " +
                          $"If that is not the threshold you mean to take data at, stop and give threshold = N in [sensors.ch{channel}] or -Threshold."
                        : null);
                }
                return DeviceLinks.IsSimulator(portName)
                    ? new ChannelBelief(channel, $"ch{channel}=power-on", $"ch{channel} at the simulated detector's power-on value", null)
                    : new ChannelBelief(channel, $"ch{channel}=unknown", $"ch{channel} left as the device has it (never written by this module: unknown)", null);
            }).ToList();
        }

        /// <summary>The plan's line of thresholds; warns of a channel left by a scan that could not write back.</summary>
        private string BelievedThresholds(IReadOnlyList<ChannelBelief> beliefs, IReadOnlyList<KeyValuePair<int, int>> setting)
        {
            var parts = new List<string>();
            if (setting.Count > 0) parts.Add(string.Join(", ", setting.Select(t => $"ch{t.Key}={t.Value}")) + ", set and confirmed before the first event");
            foreach (var belief in beliefs.Where(b => b.Long is not null))
            {
                parts.Add(belief.Long!);
                if (belief.Warning is not null) WriteWarning(belief.Warning);
            }
            string text = string.Join("; ", parts);
            WriteVerbose("Thresholds of this run: " + text + ".");
            return text;
        }

        private IReadOnlyList<KeyValuePair<int, int>> Thresholds(HaniwersConfig config)
        {
            if (Threshold is not null)
                return ConfigValidator.Channels.Select(ch => new KeyValuePair<int, int>(ch, Threshold.Length == 1 ? Threshold[0] : Threshold[ch - 1])).ToList();
            return config.Sensors.Where(s => s.Threshold is not null && ConfigValidator.Channels.Contains(s.Channel))
                .OrderBy(s => s.Channel).Select(s => new KeyValuePair<int, int>(s.Channel, s.Threshold!.Value)).ToList();
        }

        private void ApplyOverrides(HaniwersConfig config)
        {
            var s = config.Sampler;
            if (Mode is DaqMode mode) s.Mode = mode == DaqMode.TimeBased ? "time_based" : "count_based";
            if (EventsPerFile is int events) s.EventsPerFile = events;
            if (FileDuration is double duration) s.Duration = duration;
            if (FileCount is int files) s.NumberOfFiles = files;
            ApplyRunParameters(s);
            if (FileDuration is not null && s.Mode != "time_based")
                WriteWarning($"-FileDuration {FileDuration} sets the seconds per file of a time-based run, but this run rotates by count ({s.EventsPerFile} events per file). Add -Mode TimeBased to rotate by time.");
            if (EventsPerFile is not null && s.Mode == "time_based")
                WriteWarning($"-EventsPerFile {EventsPerFile} sets the events per file of a count-based run, but this run rotates by time (a file every {s.Duration:0.###} s). Add -Mode CountBased to rotate by events.");
        }
    }
}
