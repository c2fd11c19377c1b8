using System;
using System.Linq;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Simulation;

namespace Haniwers.Transport
{
    /// <summary>
    /// Opens the link a port name means: <c>sim</c> (or <c>sim:options</c>), <c>replay:FILE-OR-FOLDER</c>, <c>tcp://host:port</c>,
    /// <c>auto</c> (the one port that looks like a detector), or a serial port name.
    /// </summary>
    public static class DeviceLinks
    {
        public static bool IsSimulator(string portName) =>
            portName.Equals("sim", StringComparison.OrdinalIgnoreCase) || portName.StartsWith("sim:", StringComparison.OrdinalIgnoreCase);

        public static IDeviceLink Open(string portName, DeviceSettings device, TimeSpan openTimeout, CancellationToken cancellation, IClock? clock = null)
        {
            if (IsSimulator(portName))
            {
                var options = SimulatorOptions.Parse(portName.Length > 4 ? portName.Substring(4) : null);
                if (options.Instant && clock is null) clock = new ManualClock(DateTimeOffset.Now);
                return new SimulatedLink(new SimulatedDetector(options), clock, portName);
            }
            if (DataTaking.ReplayLink.IsReplay(portName)) return new DataTaking.ReplayLink(portName, clock);
            if (portName.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(portName, UriKind.Absolute, out var uri) || uri.Port <= 0)
                {
                    throw new LinkOpenException(portName, $"'{portName}' is not a tcp://HOST:PORT address.");
                }
                return OpenStream(portName, ct => StreamOpeners.OpenTcp(portName, uri, openTimeout, ct), clock, cancellation);
            }
            if (portName.Equals("auto", StringComparison.OrdinalIgnoreCase))
            {
                portName = ResolveAuto();
            }
            string serial = portName;
            return OpenStream(serial, _ => StreamOpeners.OpenSerial(serial, device.BaudRate), clock, cancellation);
        }

        /// <summary>The single port that looks like a detector's USB-serial bridge, on this platform.</summary>
        public static string ResolveAuto() => PortCatalog.ChooseDetector(PortCatalog.List());

        private static IDeviceLink OpenStream(string portName, Func<CancellationToken, IOpenedStream> open, IClock? clock, CancellationToken cancellation)
        {
            var link = new StreamLink(portName, open, clock);
            try
            {
                link.Open(cancellation);
            }
            catch
            {
                link.Dispose();
                throw;
            }
            return link;
        }
    }
}
