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
        private readonly List<KeyValuePair<int, int>> _pairs = new List<KeyValuePair<int, int>>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = ValuesSet)]
        [ValidateRange(1, 3)]
        public int[] Channel { get; set; } = new int[0];

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, ParameterSetName = ValuesSet)]
        [ValidateRange(1, 1023)]
        public int[] Threshold { get; set; } = new int[0];

        /// <summary>A fit from Measure-HaniwersThreshold: its Threshold is written, or refused when it has none.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = FitSet)]
        public ThresholdFit? InputObject { get; set; }

        [Parameter]
        [ValidateRange(1, 100)]
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
                _pairs.RemoveAll(p => p.Key == Channel[i]); // the last value given for a channel wins
                _pairs.Add(new KeyValuePair<int, int>(Channel[i], value));
            }
        }

        /// <summary>A piped fit: its threshold, or an error naming the channel and why there is none.</summary>
        private void AddFit(ThresholdFit fit)
        {
            if (fit.Threshold is not int value || value < 1 || value > 1023)
            {
                string reason = fit.Rejection ?? $"its threshold {fit.Threshold} is outside the DAC range 1..1023";
                string message = $"Channel {fit.Channel} has no usable threshold from its fit{(fit.RunId is null ? "" : $" (run {fit.RunId})")}: {reason}. Nothing is written to channel {fit.Channel}.";
                WriteError(new ErrorRecord(new ArgumentException(message), "ThresholdNotRecommended", ErrorCategory.InvalidData, fit)
                {
                    ErrorDetails = new ErrorDetails(message) { RecommendedAction = "Scan again around the channel's noise edge, or give the threshold yourself with -Channel and -Threshold." },
                });
                return;
            }
            _pairs.RemoveAll(p => p.Key == fit.Channel);
            _pairs.Add(new KeyValuePair<int, int>(fit.Channel, value));
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
            var pairs = _pairs.OrderBy(p => p.Key)
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
