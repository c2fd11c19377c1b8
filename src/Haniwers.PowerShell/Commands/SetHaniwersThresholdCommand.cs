using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using Haniwers.Analysis;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Sets discriminator thresholds. Pairs from parameters and from the pipeline (by property name
    /// Channel/Threshold) are written together at the end, in one stream pause.
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "HaniwersThreshold", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = FitSet)]
    [OutputType(typeof(ThresholdWriteResult))]
    public sealed class SetHaniwersThresholdCommand : DeviceCmdlet
    {
        private const string ValuesSet = "Values";
        private const string FitSet = "Fit";

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ValuesSet)]
        [ValidateRange(1, 3)]
        public int[] Channel { get; set; } = new int[0];

        /// <summary>1..1023 each; checked per channel so a bad value names its channel.</summary>
        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ValuesSet)]
        public int[] Threshold { get; set; } = new int[0];

        /// <summary>A fit from Measure-HaniwersThreshold: its Threshold is written, or refused when it has none.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FitSet)]
        public ThresholdFit? InputObject { get; set; }

        [Parameter]
        [ValidateRange(1, Haniwers.Configuration.ConfigValidator.MaxRetries)]
        public int? Retry { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == FitSet)
            {
                AddFit(InputObject!);
                return;
            }
            var duplicates = Channel.GroupBy(c => c).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            if (duplicates.Count > 0)
            {
                WriteError(new ErrorRecord(new ArgumentException(
                    $"Channel {string.Join(", ", duplicates)} is given more than once ({string.Join(",", Channel)}): each channel takes one threshold. Nothing was written."),
                    "DuplicateChannel", ErrorCategory.InvalidArgument, Channel));
                return;
            }
            if (Threshold.Length != 1 && Threshold.Length != Channel.Length)
            {
                WriteError(new ErrorRecord(new ArgumentException(
                    $"Give one threshold for all channels or one per channel: {Channel.Length} channel(s) but {Threshold.Length} thresholds."),
                    "ThresholdCountMismatch", ErrorCategory.InvalidArgument, Threshold));
                return;
            }
            for (int i = 0; i < Channel.Length; i++)
            {
                int value = Threshold.Length == 1 ? Threshold[0] : Threshold[i];
                if (value < 1 || value > 1023)
                {
                    // a CSV row with an empty Threshold (a fit that recommended none) binds as 0
                    string what = value == 0 ? "has no threshold (an empty value: a fit that recommended none?)" : $"threshold {value} is outside the DAC range 1..1023";
                    Refuse(Channel[i], $"Channel {Channel[i]} {what}. Nothing is written to channel {Channel[i]}.", "ThresholdOutOfRange", Channel[i]);
                    continue;
                }
                Add(Channel[i], value, "the pipeline");
            }
        }

        private readonly HashSet<int> _refused = new HashSet<int>();
        private readonly Dictionary<int, int> _given = new Dictionary<int, int>();

        /// <summary>
        /// One threshold per channel: a channel that comes twice (two fits of one channel, two rows) is
        /// refused whole, never settled by which came last; so is one that a refused input named.
        /// </summary>
        private void Add(int channel, int value, string source)
        {
            if (_refused.Contains(channel)) return;
            if (_given.TryGetValue(channel, out int earlier))
            {
                _given.Remove(channel);
                Refuse(channel, $"Channel {channel} was given twice through {source} ({earlier}, then {value}): which one is meant is not for this command to guess. Nothing is written to channel {channel}.", "DuplicateChannel", channel);
                return;
            }
            _given[channel] = value;
        }

        private void Refuse(int channel, string message, string errorId, object target, string? action = null)
        {
            _refused.Add(channel);
            _given.Remove(channel);
            WriteError(new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidData, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = action ?? "Give each channel one threshold, 1..1023." },
            });
        }

        /// <summary>A piped fit: its threshold, or an error naming the channel and why there is none.</summary>
        private void AddFit(ThresholdFit fit)
        {
            if (fit.Threshold is not int value || value < 1 || value > 1023)
            {
                string reason = fit.Rejection ?? $"its threshold {fit.Threshold} is outside the DAC range 1..1023";
                string message = $"Channel {fit.Channel} has no usable threshold from its fit{(fit.RunId is null ? "" : $" (run {fit.RunId})")}: {reason}. Nothing is written to channel {fit.Channel}.";
                Refuse(fit.Channel, message, "ThresholdNotRecommended", fit,
                    "Scan again around the channel's noise edge, or give the threshold yourself with -Channel and -Threshold.");
                return;
            }
            Add(fit.Channel, value, "the pipeline (two fits of one channel: fit one run, or choose one)");
        }

        protected override void EndProcessing()
        {
            if (PortName is null && ConfigPath is null && Config is null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    "Say which detector: -PortName COM3, /dev/ttyUSB0, tcp://HOST:PORT, auto or sim, or -ConfigPath with a [device] port."),
                    "PortNameRequired", ErrorCategory.InvalidArgument, null));
            }
            var config = ResolveConfig();
            if (Retry is int retry) config.Sampler.MaxRetry = retry;
            var pairs = _given.Select(g => new KeyValuePair<int, int>(g.Key, g.Value)).OrderBy(p => p.Key)
                .Where(p => ShouldProcess($"channel {p.Key} on {config.Device.Port}", $"Set threshold to {p.Value}")).ToList();
            if (pairs.Count == 0) return;

            using var link = OpenLink(config);
            IReadOnlyList<ThresholdWriteResult> results;
            try
            {
                results = CreateWriter(config).Write(link, pairs, WriteAttemptVerbose, Cancellation);
            }
            catch (LinkLostException ex)
            {
                ThrowTerminatingError(LinkError(ex));
                return;
            }
            catch (OperationCanceledException)
            {
                return; // Ctrl+C: the pipeline is stopping
            }
            // what a scan writes back when it ends, and what a DAQ run with threshold = "none" believes the device has
            RememberThresholds(config.Device.Port, results.Where(r => r.Success).Select(r => new KeyValuePair<int, int>(r.Channel, r.Threshold)), MyInvocation.MyCommand.Name);
            foreach (var result in results)
            {
                if (!result.Success)
                {
                    string message = $"Channel {result.Channel} was not set to {result.Threshold} on {result.PortName} after {result.Attempts} attempt(s): {result.Reason}. " +
                                     $"Last answer from the device: {result.LastAnswer ?? "(none)"}.";
                    WriteError(new ErrorRecord(new ThresholdNotSetException(message), "ThresholdNotSet", ErrorCategory.WriteError, result)
                    {
                        ErrorDetails = new ErrorDetails(message)
                        {
                            RecommendedAction = "Check the cable and the firmware dialect (-Firmware Text or Binary), then try again, perhaps with more -Retry.",
                        },
                    });
                }
                if (PassThru.IsPresent) WriteObject(result);
            }
        }
    }

    public sealed class ThresholdNotSetException : Exception
    {
        public ThresholdNotSetException(string message) : base(message) { }
    }
}
