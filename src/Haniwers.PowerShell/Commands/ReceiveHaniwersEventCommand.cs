using System;
using System.Management.Automation;
using Haniwers.Platform;
using Haniwers.Protocol;
using Haniwers.Scanning;
using Haniwers.Transport;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Streams event objects from a detector as they arrive, for a time or a count, until Ctrl+C.
    /// Only lines sent after the command starts count: what waited in buffers is dropped first.
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "HaniwersEvent")]
    [OutputType(typeof(DetectorEvent))]
    public sealed class ReceiveHaniwersEventCommand : DeviceCmdlet
    {
        /// <summary>Seconds to listen: at most a year, what a scheduled run could mean. -Duration is its old name.</summary>
        [Parameter]
        [Alias("Duration")]
        [ValidateRange(0.001, 31_536_000.0)]
        public double? Seconds { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Count { get; set; }

        protected override void EndProcessing()
        {
            var config = ResolveConfig();
            TerminationSignals signals;
            using (signals = TrapTerminationSignals())
            using (var link = OpenLink(config))
            {
                Receive(config.Device.Firmware, link);
            }
            ExitIfSignalled(signals);
        }

        private void Receive(Configuration.FirmwareDialect firmware, IDeviceLink link)
        {
            var clock = link.Clock;
            var tally = new LineTally();
            try
            {
                var protocol = FirmwareProtocol.For(firmware);
                protocol.Quiesce(link, Cancellation); // what was sent before now is not this command's
                var started = clock.Elapsed;
                // -Seconds is a window: what the device sent in it, however late this computer read it (docs/window-checks.md)
                var window = Seconds is double seconds ? new MeasurementWindow(started, started + TimeSpan.FromSeconds(seconds), clock.Now) : null;
                protocol.StartStream(link);
                while (Count is null || tally.Events < Count)
                {
                    if (!link.TryReadLine(window?.Closes ?? clock.Elapsed + TimeSpan.FromMilliseconds(250), Cancellation, out var line))
                    {
                        if (window is null) continue;
                        break;
                    }
                    var place = window?.Place(line) ?? (line.Arrived < started ? WindowPlace.Before : WindowPlace.Inside);
                    if (place == WindowPlace.Before) continue;
                    if (place == WindowPlace.After) break;
                    window?.Add(line);
                    switch (tally.Add(line, out var fields))
                    {
                        case LineKind.Event:
                            WriteObject(new DetectorEvent(clock.Now, fields));
                            break;
                        case LineKind.Debug:
                        case LineKind.Boot:
                            WriteVerbose(line.Text);
                            break;
                        case LineKind.Malformed:
                        case LineKind.Token:
                            WriteVerbose($"Not an event line (ignored): {line.Text}");
                            break;
                    }
                }
            }
            catch (LinkLostException ex)
            {
                ThrowTerminatingError(LinkError(ex));
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or a signal: stop quietly, the events so far are already written
            }
            WriteVerbose($"{tally.Events} event(s), {tally.Malformed} malformed line(s), {tally.Debug} DEBUG line(s), {tally.Boot} line(s) of boot text from {link.PortName}.");
        }
    }
}
