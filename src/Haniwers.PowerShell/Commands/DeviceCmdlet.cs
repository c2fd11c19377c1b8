using System.Collections.Generic;
using System;
using System.Management.Automation;
using Haniwers.Configuration;
using Haniwers.Platform;
using Haniwers.Protocol;
using Haniwers.PowerShell.Completers;
using Haniwers.Transport;

using Haniwers.Composition;
namespace Haniwers.PowerShell.Commands
{
    /// <summary>Base of the cmdlets that talk to a detector: port, firmware and config parameters, link errors.</summary>
    public abstract class DeviceCmdlet : HaniwersCmdlet
    {
        /// <summary>COM3, /dev/ttyUSB0, tcp://HOST:PORT, auto, or sim (the simulated detector).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(PortNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string? PortName { get; set; }

        [Parameter]
        public FirmwareDialect? Firmware { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ConfigPath { get; set; }

        [Parameter]
        [ValidateNotNull]
        public object? Config { get; set; }

        /// <summary>
        /// A run's folder: exactly <paramref name="outputDirectory"/>, else &lt;workspace&gt;/&lt;yyyyMMdd&gt;. A relative
        /// workspace is taken from PowerShell's current location, as haniwers takes it from its current
        /// directory (docs/formats.md, "Where a run's files go"); run unattended, where the scheduler picks
        /// that location, a warning says where the files went and how to fix it.
        /// </summary>
        protected string RunFolder(HaniwersConfig config, string? outputDirectory)
        {
            if (outputDirectory is not null) return ResolveUserPath(outputDirectory);
            string workspace = config.Sampler.Workspace;
            string folder = System.IO.Path.Combine(ResolveUserPath(workspace), Output.RunFolder.DayFolderName(DateTimeOffset.Now));
            bool relative = !System.IO.Path.IsPathRooted(workspace) && !workspace.StartsWith("~", StringComparison.Ordinal);
            // -WhatIf writes nothing, so nothing lands anywhere
            if (relative && Unattended() && !MyInvocation.BoundParameters.ContainsKey("WhatIf"))
            {
                string fix = ConfigPath is null && Config is null
                    ? "No config was given, so the workspace is the current folder: give -OutputDirectory with an absolute path, or -ConfigPath with a config whose workspace is absolute."
                    : "Give the config an absolute workspace (such as /home/lab/data or C:\\lab\\data), or give -OutputDirectory.";
                WriteWarning($"The files go to {folder}: the workspace \"{workspace}\" is relative, so it is taken from the current folder ({SessionState.Path.CurrentFileSystemLocation.ProviderPath}), which a scheduler chooses. " + fix);
            }
            return folder;
        }

        /// <summary>pwsh started with -NonInteractive (as a scheduled task or a service runs it), or a session without a user.</summary>
        private static bool Unattended()
        {
            if (!Environment.UserInteractive) return true;
            foreach (var argument in Environment.GetCommandLineArgs())
            {
                // pwsh takes any prefix of -NonInteractive from -noni on, with - or --, in any case
                string name = argument.TrimStart('-');
                if (argument.StartsWith("-", StringComparison.Ordinal) && name.Length >= 4
                    && "noninteractive".StartsWith(name, StringComparison.OrdinalIgnoreCase)) return true;
            }
            return false;
        }

        /// <summary>The configuration with this cmdlet's overrides applied.</summary>
        protected HaniwersConfig ResolveConfig()
        {
            if (ConfigPath is not null && Config is not null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("Give -ConfigPath or -Config, not both."),
                    "ConflictingConfig", ErrorCategory.InvalidArgument, ConfigPath));
            }
            var config = LoadConfig(ConfigPath, Config);
            if (PortName is not null) config.Device.Port = PortName;
            config.Device.Port = ResolvePortPath(config.Device.Port);
            if (Firmware is FirmwareDialect firmware) config.Device.Firmware = firmware;
            return config;
        }

        /// <summary>
        /// A path in a port name is the user's, resolved against the PowerShell location as every path is (not
        /// the process's folder, which `cd` does not move): a replay source (replay:./folder,speed=10) or a device
        /// given by a relative path (./ttyFAKE, ~/dev/tty).
        /// </summary>
        private string ResolvePortPath(string port)
        {
            if (DataTaking.ReplayLink.IsReplay(port))
            {
                string rest = port.Substring(DataTaking.ReplayLink.Prefix.Length);
                int options = rest.IndexOf(',');
                string source = options < 0 ? rest : rest.Substring(0, options);
                return source.Length == 0 ? port : DataTaking.ReplayLink.Prefix + ResolveUserPath(source) + (options < 0 ? "" : rest.Substring(options));
            }
            bool relative = port.StartsWith("./", StringComparison.Ordinal) || port.StartsWith("../", StringComparison.Ordinal)
                || port.StartsWith(".\\", StringComparison.Ordinal) || port.StartsWith("..\\", StringComparison.Ordinal) || port.StartsWith("~", StringComparison.Ordinal);
            return relative ? ResolveUserPath(port) : port;
        }

        /// <summary>Opens the configured port; a port that cannot be opened ends the command.</summary>
        protected IDeviceLink OpenLink(HaniwersConfig config)
        {
            WriteVerbose($"Opening {config.Device.Port} ({config.Device.Firmware} firmware, {config.Device.BaudRate} baud).");
            try
            {
                return DeviceLinks.Open(config.Device.Port, config.Device, TimeSpan.FromSeconds(Math.Max(1, config.Sampler.ResponseTimeout)), Cancellation);
            }
            catch (DeviceLinkException ex)
            {
                ThrowTerminatingError(LinkError(ex));
                throw; // not reached
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidSimulatorOptions", ErrorCategory.InvalidArgument, config.Device.Port));
                throw;
            }
        }

        /// <summary>
        /// Opens the port of a run whose folder is already open; the run's journal gets its end when the port
        /// cannot be opened (Failed, then the port's error goes on) or when a stop (Ctrl+C, SIGTERM) comes while it
        /// opens (Interrupted; null is returned and the command ends as a stopped run does).
        /// </summary>
        protected IDeviceLink? OpenLinkForRun(HaniwersConfig config, Action<Output.RunOutcome, string> endRun)
        {
            try
            {
                return OpenLink(config);
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                try { endRun(Output.RunOutcome.Interrupted, "stopped by the user or a signal while the port was being opened"); }
                catch (Output.OutputException) { }
                return null;
            }
            catch
            {
                try { endRun(Output.RunOutcome.Failed, "the port could not be opened"); }
                catch (Output.OutputException) { } // the port's error is the one to tell
                throw;
            }
        }

        /// <summary>
        /// Runs a scan or DAQ engine and ends it the one way both end: the progress bar is completed and
        /// the summary written whether the run completed, failed (<paramref name="failure"/> turns the
        /// engine's own exceptions into their ErrorRecord; an output error is told as itself) or was stopped
        /// by a signal; <paramref name="concluded"/> runs only after a run that ended by itself. After Ctrl+C
        /// the pipeline is stopping and takes no more records; every file is closed by the callers' using blocks.
        /// </summary>
        protected void RunToEnd(Action run, Action completeProgress, object summary, TerminationSignals signals,
            Func<Exception, ErrorRecord?> failure, Action? concluded = null)
        {
            ErrorRecord? error = null;
            try
            {
                run();
            }
            catch (Exception ex) when (ex is PipelineStoppedException or ActionPreferenceStopException)
            {
                // the command that took the results stopped the run (Select-Object -First, -ErrorAction Stop): it ended
                // all the same, and is told as it ended before the stop goes on
                WriteHeadline(summary);
                throw;
            }
            catch (Output.OutputException ex)
            {
                error = OutputError(ex);
            }
            catch (Exception ex) when (failure(ex) is { } record)
            {
                error = record;
            }
            catch (Exception) when (Cancellation.IsCancellationRequested)
            {
                if (signals.Received is null)
                {
                    WriteHeadline(summary); // Ctrl+C: the pipeline takes no more records, but the user is told how it ended
                    return;
                }
            }
            catch (Exception)
            {
                // anything else that ended the run (a command after it in the pipeline that threw): told, then on its way
                WriteHeadline(summary);
                throw;
            }
            completeProgress();
            if (error is null && !Cancellation.IsCancellationRequested) concluded?.Invoke();
            WriteSummary(summary);
            WriteHeadline(summary);
            if (error is not null) ThrowTerminatingError(error);
        }

        /// <summary>
        /// The one line that says how a long command ended, on the host (as Write-Host writes: the Information
        /// stream, tagged PSHOST and Outcome). A stopping pipeline (Ctrl+C) takes no record: then the host's own
        /// UI gets it.
        /// </summary>
        private void WriteHeadline(object summary)
        {
            if (summary is not Output.IRunHeadline run) return;
            try
            {
                WriteInformation(new InformationRecord(new HostInformationMessage { Message = run.Headline }, MyInvocation.MyCommand.Name) { Tags = { "PSHOST", "Outcome" } });
            }
            catch (Exception ex) when (ex is PipelineStoppedException or InvalidOperationException or ActionPreferenceStopException)
            {
                try { Host.UI.WriteLine(run.Headline); }
                catch (Exception uiFailure) when (uiFailure is NotImplementedException or InvalidOperationException or PipelineStoppedException) { } // a host without a UI
            }
        }

        /// <summary>The thresholds this module last wrote to the device <paramref name="portName"/> names, by channel (docs/formats.md, "device-thresholds.json").</summary>
        protected static IReadOnlyDictionary<int, Output.RememberedThreshold> RememberedThresholds(string portName)
        {
            try
            {
                return Composition.DeviceLinks.DeviceKey(portName) is { } key ? Output.ThresholdMemory.ForUser().For(key) : new Dictionary<int, Output.RememberedThreshold>();
            }
            catch (Transport.DeviceLinkException)
            {
                return new Dictionary<int, Output.RememberedThreshold>(); // "auto" with no single detector: the run itself says so
            }
        }

        /// <summary>Remembers what the device was left at; a memory that cannot be written is a warning, never the run's failure.</summary>
        protected void RememberThresholds(string portName, IEnumerable<KeyValuePair<int, int>> thresholds, string by, bool leftByScan = false) =>
            UpdateMemory(portName, (memory, key) => memory.Remember(key, thresholds, DateTimeOffset.Now, by, leftByScan));

        /// <summary>Changes the memory of the device's thresholds (<see cref="Output.ThresholdMemory"/>): put entries as they are, forget some.</summary>
        protected void UpdateMemory(string portName, Action<Output.ThresholdMemory, string> change)
        {
            try
            {
                if (Composition.DeviceLinks.DeviceKey(portName) is { } key) change(Output.ThresholdMemory.ForUser(), key);
            }
            catch (Exception ex) when (ex is Output.OutputException or Transport.DeviceLinkException)
            {
                try { WriteWarning($"The thresholds written were not remembered for the next scan's write-back: {ex.Message}"); }
                catch (PipelineStoppedException) { }
            }
        }

        /// <summary>A run's summary: the information record tagged Summary, and its text at verbose level.</summary>
        protected void WriteSummary(object summary)
        {
            WriteInformation(new InformationRecord(summary, "Haniwers") { Tags = { "Summary" } });
            WriteVerbose(summary.ToString());
        }

        protected static ThresholdWriter CreateWriter(HaniwersConfig config) => new ThresholdWriter(
            FirmwareProtocol.For(config.Device.Firmware),
            new RetryPolicy(config.Sampler.MaxRetry, TimeSpan.FromSeconds(config.Sampler.RetryBackoff), TimeSpan.FromSeconds(config.Sampler.RetryBackoffMax)),
            TimeSpan.FromSeconds(config.Sampler.ResponseTimeout));

        protected static ErrorRecord LinkError(DeviceLinkException ex)
        {
            var record = ex switch
            {
                PortNotFoundException _ => new ErrorRecord(ex, "PortNotFound", ErrorCategory.ObjectNotFound, ex.PortName),
                PortAccessDeniedException _ => new ErrorRecord(ex, "PortAccessDenied", ErrorCategory.PermissionDenied, ex.PortName),
                PortInUseException _ => new ErrorRecord(ex, "PortInUse", ErrorCategory.ResourceBusy, ex.PortName),
                LinkLostException _ => new ErrorRecord(ex, "LinkLost", ErrorCategory.ConnectionError, ex.PortName),
                _ => new ErrorRecord(ex, "LinkOpenFailed", ErrorCategory.OpenError, ex.PortName),
            };
            // the core states what happened; what to do in PowerShell is said here
            string? action = ex switch
            {
                PortNotFoundException _ => "Check the cable, see Get-HaniwersPort, or use -PortName sim for the simulated detector.",
                LinkOpenException _ when ex.PortName == "auto" => "Name the port with -PortName (Get-HaniwersPort lists them).",
                _ => null,
            };
            // what to do goes in the Recommendation PowerShell shows under the message, once
            if (action is not null) record.ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = action };
            return record;
        }

        protected void WriteAttemptVerbose(ThresholdAttempt attempt) => WriteVerbose(attempt.ToString());
    }
}
