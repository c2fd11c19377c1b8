using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Platform;

namespace Haniwers.Platform
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
        /// <summary>
        /// The devices that claim this port number when more than one does and which is plugged in cannot be
        /// told (Windows remembers every device's port; a user may give two the same number); empty otherwise.
        /// </summary>
        public IReadOnlyList<PortInfo> Claimants { get; set; } = Array.Empty<PortInfo>();
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
    }
}
