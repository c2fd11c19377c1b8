using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Platform;

namespace Haniwers.Transport
{
    /// <summary>A serial port the operating system knows, with what it says about the device.</summary>
    public sealed class PortInfo
    {
        public string PortName { get; set; } = "";
        public string? Description { get; set; }
        public string? Manufacturer { get; set; }
        public string? VendorId { get; set; }
        public string? ProductId { get; set; }
        public string? SerialNumber { get; set; }
        public bool IsBluetooth { get; set; }
        /// <summary>A USB-serial bridge of the kind OSECHI boards use (Arduino, CH340, FTDI, CP210x, ESP32).</summary>
        public bool LooksLikeDetector { get; set; }
        /// <summary>Why the port does or does not look like a detector.</summary>
        public string Qualification { get; set; } = "";

        public override string ToString() => PortName;
    }

    /// <summary>
    /// Lists serial ports on this platform through its reader (Platform/LinuxPorts, WindowsPorts,
    /// MacPorts), and picks the one that looks like a detector for "auto".
    /// </summary>
    public static class PortCatalog
    {
        public static IReadOnlyList<PortInfo> List() => HostPlatforms.Current switch
        {
            HostPlatform.Windows => WindowsPorts.List(WindowsSystem.Registry()),
            HostPlatform.MacOS => MacPorts.List(MacSystem.SerialDevices(), MacSystem.UsbRegistry()),
            _ => LinuxPorts.List("/sys/class/tty", LinuxSystem.RealPath),
        };

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
    }
}
