using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using Haniwers.Transport;

namespace Haniwers.Platform
{
    /// <summary>
    /// macOS: the call-out devices /dev/cu.* (a /dev/tty.* open waits for carrier detect, which an
    /// Arduino never raises), matched with the USB device above each one's IOSerialBSDClient in the
    /// output of `ioreg -r -c IOUSBHostDevice -l`. Bluetooth and the debug console are never detectors.
    /// </summary>
    public static class MacPorts
    {
        private static readonly Regex Node = new Regex(@"^(?<indent>[ |]*)\+-o (?<name>.*?)\s+<class (?<class>[A-Za-z0-9_]+)", RegexOptions.CultureInvariant);
        private static readonly Regex Property = new Regex(@"^[ |]*""(?<key>[^""]+)"" = (?<value>.*)$", RegexOptions.CultureInvariant);

        /// <param name="devEntries">The names in /dev (cu.usbserial-1410, tty.usbserial-1410, ...).</param>
        /// <param name="ioreg">The text `ioreg -r -c IOUSBHostDevice -l` printed; empty when it could not run.</param>
        public static IReadOnlyList<PortInfo> List(IEnumerable<string> devEntries, string ioreg)
        {
            var usb = UsbDevicesByCallout(ioreg);
            var names = devEntries.Select(e => e.StartsWith("/dev/", StringComparison.Ordinal) ? e.Substring(5) : e).ToList();
            var callouts = names.Where(n => n.StartsWith("cu.", StringComparison.Ordinal)).ToList();
            // a tty.* without its cu.* twin is listed as it is; the twins are one device, listed once as cu.*
            var lone = names.Where(n => n.StartsWith("tty.", StringComparison.Ordinal) && !callouts.Contains("cu." + n.Substring(4)));
            var ports = new List<PortInfo>();
            foreach (string name in callouts.Concat(lone).OrderBy(n => n, StringComparer.Ordinal))
            {
                string path = "/dev/" + name;
                string baseName = name.Substring(name.IndexOf('.') + 1);
                var info = usb.TryGetValue("/dev/cu." + baseName, out var device) ? device.With(path) : new PortInfo { PortName = path };
                info.IsBluetooth = baseName.IndexOf("Bluetooth", StringComparison.OrdinalIgnoreCase) >= 0;
                if (baseName.Equals("debug-console", StringComparison.OrdinalIgnoreCase)) info.Description = "debug console";
                info.Description ??= info.IsBluetooth ? "Bluetooth serial link" : "serial port";
                ports.Add(PortQualification.Qualify(info));
            }
            return ports;
        }

        /// <summary>Each IOSerialBSDClient's call-out device, with the USB ids of the IOUSBHostDevice it hangs under.</summary>
        public static IReadOnlyDictionary<string, PortInfo> UsbDevicesByCallout(string ioreg)
        {
            var result = new Dictionary<string, PortInfo>(StringComparer.Ordinal);
            var stack = new List<(int depth, string cls, string name, Dictionary<string, string> props)>();
            foreach (var raw in ioreg.Split('\n'))
            {
                string line = raw.TrimEnd('\r');
                var node = Node.Match(line);
                if (node.Success)
                {
                    int depth = node.Groups["indent"].Length;
                    while (stack.Count > 0 && stack[stack.Count - 1].depth >= depth) stack.RemoveAt(stack.Count - 1);
                    stack.Add((depth, node.Groups["class"].Value, node.Groups["name"].Value, new Dictionary<string, string>(StringComparer.Ordinal)));
                    continue;
                }
                var property = Property.Match(line);
                if (!property.Success || stack.Count == 0) continue;
                string key = property.Groups["key"].Value, value = property.Groups["value"].Value.Trim().Trim('"');
                stack[stack.Count - 1].props[key] = value;
                if (key != "IOCalloutDevice") continue;
                var device = stack.LastOrDefault(n => n.cls == "IOUSBHostDevice" || n.cls == "IOUSBDevice");
                if (device.props is null) continue;
                result[value] = new PortInfo
                {
                    PortName = value,
                    VendorId = Hex(device.props, "idVendor"),
                    ProductId = Hex(device.props, "idProduct"),
                    SerialNumber = Get(device.props, "USB Serial Number") ?? Get(device.props, "kUSBSerialNumberString"),
                    Manufacturer = Get(device.props, "USB Vendor Name") ?? Get(device.props, "kUSBVendorString"),
                    // kUSBProductString is the device's own name; "USB Product Name" is macOS's tidied copy of it
                    Description = Get(device.props, "kUSBProductString") ?? Get(device.props, "USB Product Name") ?? device.name.Split('@')[0],
                };
            }
            return result;
        }

        private static string? Get(Dictionary<string, string> props, string key) => props.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

        /// <summary>ioreg prints ids in decimal (6790); the module writes them as four hex digits (1a86), as Linux and Windows do.</summary>
        private static string? Hex(Dictionary<string, string> props, string key) =>
            props.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)
                ? n.ToString("x4", CultureInfo.InvariantCulture) : null;

        private static PortInfo With(this PortInfo device, string path) => new PortInfo
        {
            PortName = path, VendorId = device.VendorId, ProductId = device.ProductId, SerialNumber = device.SerialNumber,
            Manufacturer = device.Manufacturer, Description = device.Description,
        };
    }
}
