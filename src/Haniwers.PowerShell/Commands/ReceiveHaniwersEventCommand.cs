using System;
using System.Management.Automation;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>Streams event objects from a detector as they arrive, for a time or a count, until Ctrl+C.</summary>
    [Cmdlet(VerbsCommunications.Receive, "HaniwersEvent")]
    [OutputType(typeof(DetectorEvent))]
    public sealed class ReceiveHaniwersEventCommand : DeviceCmdlet
    {
        [Parameter]
        [ValidateRange(0.001, double.MaxValue)]
        public double? Duration { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int? Count { get; set; }

        protected override void EndProcessing()
        {
            var config = ResolveConfig();
            using var link = OpenLink(config);
            var clock = link.Clock;
            var deadline = Duration is double seconds ? clock.Elapsed + TimeSpan.FromSeconds(seconds) : TimeSpan.MaxValue;
            long events = 0, malformed = 0, debug = 0;
            try
            {
                FirmwareProtocol.For(config.Device.Firmware).StartStream(link);
                while ((Count is null || events < Count) && clock.Elapsed < deadline)
                {
                    var slice = clock.Elapsed + TimeSpan.FromMilliseconds(250);
                    if (!link.TryReadLine(slice < deadline ? slice : deadline, Cancellation, out var line)) continue;
                    switch (EventLineParser.Classify(line.Text, out var fields))
                    {
                        case LineKind.Event:
                            events++;
                            WriteObject(new DetectorEvent(clock.Now, fields));
                            break;
                        case LineKind.Debug:
                            debug++;
                            WriteVerbose(line.Text);
                            break;
                        case LineKind.Blank:
                            break;
                        default:
                            malformed++;
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
                // Ctrl+C: stop quietly, the events so far are already written
            }
            WriteVerbose($"{events} event(s), {malformed} malformed line(s), {debug} DEBUG line(s) from {link.PortName}.");
        }
    }
}
