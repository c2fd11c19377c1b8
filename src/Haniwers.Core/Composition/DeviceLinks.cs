using System;
using System.Linq;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Simulation;

using Haniwers.Transport;
using Haniwers.Protocol;
using Haniwers.DataTaking;
using Haniwers.Platform;
using System.Collections.Generic;
namespace Haniwers.Composition
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

        /// <summary>
        /// Who a device is, for what is remembered about it across sessions (the thresholds last written): a USB
        /// bridge by its vendor, product and serial number (the same after a replug on another port), another
        /// serial port by its device (<see cref="PortIdentity.Device(string)"/>), a TCP bridge by its address,
        /// null for the built-in simulator (a new board at its power-on thresholds for every command, gone after it)
        /// and for a replayed recording, which takes no threshold.
        /// </summary>
        public static string? DeviceKey(string portName)
        {
            if (IsSimulator(portName)) return null;
            if (DataTaking.ReplayLink.IsReplay(portName)) return null;
            if (portName.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase)) return portName.ToLowerInvariant();
            if (portName.Equals("auto", StringComparison.OrdinalIgnoreCase)) portName = ResolveAuto();
            string device = PortIdentity.Device(portName);
            var port = PortCatalog.List().FirstOrDefault(p => PortIdentity.Device(p.PortName) == device);
            return port?.SerialNumber is { Length: > 0 } serial ? $"usb:{port.VendorId}:{port.ProductId}:{serial}" : device;
        }

        /// <summary>The single port that looks like a detector's USB-serial bridge, on this platform.</summary>
        public static string ResolveAuto() => ChooseDetector(PortCatalog.List());

        /// <summary>
        /// The one port that looks like a detector; otherwise a <see cref="LinkOpenException"/> that lists
        /// every port with why it did or did not qualify.
        /// </summary>
        public static string ChooseDetector(IReadOnlyList<PortInfo> ports)
        {
            var candidates = ports.Where(p => p.LooksLikeDetector).ToList();
            if (candidates.Count == 1) return candidates[0].PortName;
            string found = ports.Count == 0
                ? "no serial port at all"
                : "these ports: " + string.Join("; ", ports.Select(p => $"{p.PortName} ({p.Description}{(p.VendorId is null ? "" : $", {p.VendorId}:{p.ProductId}")}: {p.Qualification})"));
            string problem = candidates.Count == 0 ? "no port looks like a detector" : $"{candidates.Count} ports look like detectors";
            throw new LinkOpenException("auto", $"The port 'auto' needs exactly one detector-like port, but {problem}; found {found}.");
        }

        private static IDeviceLink OpenStream(string portName, Func<CancellationToken, IOpenedStream> open, IClock? clock, CancellationToken cancellation)
        {
            var link = new StreamLink(portName, open, BootText.IsBootLine, clock);
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
