using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Haniwers.Transport;

namespace Haniwers.Platform
{
    /// <summary>
    /// Linux: serial ports from /sys/class/tty (ttyUSB*, ttyACM*, ttyAMA*, rfcomm*), the USB ids read
    /// from the device folder the tty's "device" link leads to. Links are resolved by the injected
    /// resolver (libc realpath in production: sysfs links are relative to their real folder).
    /// </summary>
    public static class LinuxPorts
    {
        public static IReadOnlyList<PortInfo> List(string sysClassTty, Func<string, string> resolveLinks)
        {
            var ports = new List<PortInfo>();
            if (!Directory.Exists(sysClassTty)) return ports;
            foreach (var entry in Directory.GetDirectories(sysClassTty).Concat(Directory.GetFiles(sysClassTty)).OrderBy(p => p, StringComparer.Ordinal))
            {
                string name = Path.GetFileName(entry);
                bool bluetooth = name.StartsWith("rfcomm", StringComparison.Ordinal);
                if (!(name.StartsWith("ttyUSB", StringComparison.Ordinal) || name.StartsWith("ttyACM", StringComparison.Ordinal)
                      || name.StartsWith("ttyAMA", StringComparison.Ordinal) || bluetooth))
                {
                    continue; // ttyS* are mostly phantom 8250 ports; pseudo terminals have no device
                }
                var info = new PortInfo { PortName = "/dev/" + name, IsBluetooth = bluetooth };
                string? usb = FindUsbDevice(Path.Combine(entry, "device"), resolveLinks);
                if (usb is not null)
                {
                    info.VendorId = ReadAttribute(usb, "idVendor");
                    info.ProductId = ReadAttribute(usb, "idProduct");
                    info.SerialNumber = ReadAttribute(usb, "serial");
                    info.Manufacturer = ReadAttribute(usb, "manufacturer");
                    info.Description = ReadAttribute(usb, "product");
                }
                info.Description ??= bluetooth ? "Bluetooth serial link" : name.StartsWith("ttyACM", StringComparison.Ordinal) ? "USB modem (CDC ACM)" : "serial port";
                ports.Add(PortQualification.Qualify(info));
            }
            return ports;
        }

        private static string? FindUsbDevice(string deviceLink, Func<string, string> resolveLinks)
        {
            try
            {
                if (!Directory.Exists(deviceLink)) return null;
                var dir = new DirectoryInfo(resolveLinks(deviceLink));
                for (int depth = 0; dir is not null && depth < 4; depth++, dir = dir.Parent)
                {
                    if (File.Exists(Path.Combine(dir.FullName, "idVendor"))) return dir.FullName;
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return null;
        }

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
