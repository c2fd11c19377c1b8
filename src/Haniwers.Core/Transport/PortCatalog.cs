using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Ports;
using System.Linq;
using System.Runtime.InteropServices;

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
        /// <summary>A USB-serial bridge of the kind OSECHI boards use (Arduino, CH340, FTDI, CP210x, ESP32).</summary>
        public bool LooksLikeDetector { get; set; }

        public override string ToString() => PortName;
    }

    /// <summary>Lists serial ports: Linux from /sys/class/tty, elsewhere what System.IO.Ports knows.</summary>
    public static class PortCatalog
    {
        /// <summary>USB vendor ids of the boards and bridges OSECHI detectors are built with.</summary>
        public static readonly IReadOnlyDictionary<string, string> DetectorVendors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["2341"] = "Arduino", ["2a03"] = "Arduino", ["1a86"] = "QinHeng CH340", ["0403"] = "FTDI",
            ["10c4"] = "Silicon Labs CP210x", ["303a"] = "Espressif ESP32",
        };

        public static IReadOnlyList<PortInfo> List(string sysClassTty = "/sys/class/tty")
        {
            if (Environment.OSVersion.Platform == PlatformID.Unix && Directory.Exists(sysClassTty))
            {
                return ListLinux(sysClassTty);
            }
            return SerialPort.GetPortNames().Distinct().OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
                .Select(n => new PortInfo { PortName = n, Description = "serial port" }).ToList();
        }

        private static IReadOnlyList<PortInfo> ListLinux(string sysClassTty)
        {
            var ports = new List<PortInfo>();
            foreach (var entry in Directory.GetDirectories(sysClassTty).Concat(Directory.GetFiles(sysClassTty)).OrderBy(p => p, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(entry);
                if (!(name.StartsWith("ttyUSB", StringComparison.Ordinal) || name.StartsWith("ttyACM", StringComparison.Ordinal)
                      || name.StartsWith("ttyAMA", StringComparison.Ordinal) || name.StartsWith("rfcomm", StringComparison.Ordinal)))
                {
                    continue; // ttyS* are mostly phantom 8250 ports; pseudo terminals have no device
                }
                var info = new PortInfo { PortName = "/dev/" + name };
                string? usb = FindUsbDevice(Path.Combine(entry, "device"));
                if (usb is not null)
                {
                    info.VendorId = ReadAttribute(usb, "idVendor");
                    info.ProductId = ReadAttribute(usb, "idProduct");
                    info.SerialNumber = ReadAttribute(usb, "serial");
                    info.Manufacturer = ReadAttribute(usb, "manufacturer");
                    info.Description = ReadAttribute(usb, "product");
                }
                info.Description ??= name.StartsWith("ttyACM", StringComparison.Ordinal) ? "USB modem (CDC ACM)" : "serial port";
                info.LooksLikeDetector = info.VendorId is not null && DetectorVendors.ContainsKey(info.VendorId);
                ports.Add(info);
            }
            return ports;
        }

        private static string? FindUsbDevice(string deviceLink)
        {
            try
            {
                if (!Directory.Exists(deviceLink)) return null;
                var dir = new DirectoryInfo(ResolveLink(deviceLink));
                for (int depth = 0; dir is not null && depth < 4; depth++, dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "idVendor"))) return dir.FullName;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return null;
        }

        /// <summary>
        /// The canonical path, symlinks resolved by the C library: sysfs links are relative to their
        /// real folder, so they cannot be resolved by joining strings (netstandard2.0 has no API for it).
        /// </summary>
        private static string ResolveLink(string path)
        {
            try
            {
                IntPtr resolved = RealPath(path, IntPtr.Zero);
                if (resolved == IntPtr.Zero) return path;
                try { return Marshal.PtrToStringAnsi(resolved) ?? path; }
                finally { Free(resolved); }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return path;
            }
        }

        [DllImport("libc", EntryPoint = "realpath", CharSet = CharSet.Ansi)]
        private static extern IntPtr RealPath(string path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        private static extern void Free(IntPtr pointer);

        private static string? ReadAttribute(string dir, string name)
        {
            try
            {
                string file = Path.Combine(dir, name);
                return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
            }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }
    }
}
