using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Haniwers.Transport;

namespace Haniwers.Platform
{
    /// <summary>What the Windows port reader needs of the registry (HKEY_LOCAL_MACHINE), so fixtures can stand in for it.</summary>
    public interface IRegistrySource
    {
        /// <summary>The names of the subkeys of <paramref name="path"/> (under HKLM); empty when the key does not exist.</summary>
        IReadOnlyList<string> SubKeyNames(string path);

        /// <summary>The string values of <paramref name="path"/>, by name; empty when the key does not exist.</summary>
        IReadOnlyDictionary<string, string> Values(string path);
    }

    /// <summary>
    /// Windows: the COM ports present (HARDWARE\DEVICEMAP\SERIALCOMM), each matched with the device that
    /// owns it in SYSTEM\CurrentControlSet\Enum: USB\VID_xxxx&amp;PID_yyyy\&lt;instance&gt; (CH340, CP210x,
    /// Arduino's own USB), FTDIBUS\VID_0403+PID_6001+&lt;serial&gt;\0000 (FTDI's driver), BTHENUM (Bluetooth),
    /// each with "Device Parameters\PortName". A port no device claims is a built-in or virtual one.
    /// </summary>
    public static class WindowsPorts
    {
        public const string SerialCommKey = @"HARDWARE\DEVICEMAP\SERIALCOMM";
        public const string EnumKey = @"SYSTEM\CurrentControlSet\Enum";
        private static readonly Regex UsbIds = new Regex(@"VID_([0-9A-Fa-f]{4})[&+]PID_([0-9A-Fa-f]{4})(?:\+(?<serial>[^\\]+))?", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        public static IReadOnlyList<PortInfo> List(IRegistrySource registry)
        {
            // Enum remembers every device ever installed; SERIALCOMM holds the ports present now (and does not
            // exist when there are none), so it decides which ports are listed
            var present = registry.Values(SerialCommKey);
            if (present.Count == 0) return Array.Empty<PortInfo>();
            var claims = new Dictionary<string, List<(string bus, PortInfo info)>>(StringComparer.OrdinalIgnoreCase);
            foreach (string bus in new[] { "USB", "FTDIBUS", "BTHENUM" })
            {
                foreach (string device in registry.SubKeyNames($@"{EnumKey}\{bus}"))
                {
                    foreach (string instance in registry.SubKeyNames($@"{EnumKey}\{bus}\{device}"))
                    {
                        string instanceKey = $@"{EnumKey}\{bus}\{device}\{instance}";
                        // FTDI's driver keeps the port one level further down (\0000)
                        foreach (string key in new[] { instanceKey }.Concat(registry.SubKeyNames(instanceKey).Select(s => $@"{instanceKey}\{s}")))
                        {
                            if (!registry.Values($@"{key}\Device Parameters").TryGetValue("PortName", out var portName)) continue;
                            var info = Describe(bus, device, instance, registry.Values(key), registry.Values(instanceKey), portName);
                            if (info.SerialNumber is null && bus == "USB") info.SerialNumber = ParentSerial(registry, device);
                            if (!claims.TryGetValue(portName, out var list)) claims[portName] = list = new List<(string, PortInfo)>();
                            list.Add((bus, info));
                        }
                    }
                }
            }
            return present.OrderBy(p => ComNumber(p.Value)).Select(p => p.Value).Distinct(StringComparer.OrdinalIgnoreCase)
                .Select(port => PortQualification.Qualify(Owner(port, present, claims) ?? new PortInfo { PortName = port, Description = "serial port" }))
                .ToList();
        }

        /// <summary>
        /// The device that owns a present port. A port number can be claimed by a device present now and
        /// by one unplugged long ago; the driver's device name in SERIALCOMM (\Device\VCP0 is FTDI's,
        /// \Device\BthModem0 Bluetooth's) tells which bus the present one is on.
        /// </summary>
        private static PortInfo? Owner(string port, IReadOnlyDictionary<string, string> present, Dictionary<string, List<(string bus, PortInfo info)>> claims)
        {
            if (!claims.TryGetValue(port, out var list) || list.Count == 0) return null;
            if (list.Count == 1) return list[0].info;
            string driver = present.FirstOrDefault(p => string.Equals(p.Value, port, StringComparison.OrdinalIgnoreCase)).Key ?? "";
            string bus = driver.IndexOf("VCP", StringComparison.OrdinalIgnoreCase) >= 0 ? "FTDIBUS"
                : driver.IndexOf("Bth", StringComparison.OrdinalIgnoreCase) >= 0 ? "BTHENUM" : "USB";
            var match = list.Where(c => c.bus == bus).ToList();
            if (match.Count == 1) return match[0].info;
            // still ambiguous: say which devices claim it rather than guess which one is plugged in
            var claimants = (match.Count > 1 ? match : list).Select(c => c.info).ToList();
            return new PortInfo
            {
                PortName = port,
                Description = $"claimed by {claimants.Count} devices: " + string.Join(", ", claimants.Select(c => c.Description)),
                Claimants = claimants,
            };
        }

        /// <summary>A composite device's interface (VID_xxxx&amp;PID_yyyy&amp;MI_00) has its serial on the parent device's instance name.</summary>
        private static string? ParentSerial(IRegistrySource registry, string device)
        {
            int mi = device.IndexOf("&MI_", StringComparison.OrdinalIgnoreCase);
            if (mi < 0) return null;
            var parents = registry.SubKeyNames($@"{EnumKey}\USB\{device.Substring(0, mi)}").Where(i => !i.Contains("&")).ToList();
            return parents.Count == 1 ? parents[0] : null;
        }

        private static PortInfo Describe(string bus, string device, string instance, IReadOnlyDictionary<string, string> values,
            IReadOnlyDictionary<string, string> instanceValues, string portName)
        {
            var info = new PortInfo { PortName = portName, IsBluetooth = bus == "BTHENUM" };
            var ids = UsbIds.Match(device);
            if (ids.Success && !info.IsBluetooth)
            {
                info.VendorId = ids.Groups[1].Value.ToLowerInvariant();
                info.ProductId = ids.Groups[2].Value.ToLowerInvariant();
                // FTDIBUS: VID_0403+PID_6001+A50285BIA (the serial, and one letter for the chip's channel, A..D);
                // USB: the instance name is the serial number; a name with '&' in it was made up by Windows
                string? serial = ids.Groups["serial"].Success ? ids.Groups["serial"].Value : instance;
                if (serial.Contains("&")) serial = null;
                else if (ids.Groups["serial"].Success && serial.Length > 1 && serial[serial.Length - 1] is >= 'A' and <= 'D') serial = serial.Substring(0, serial.Length - 1);
                info.SerialNumber = serial;
            }
            string? friendly = Lookup(values, "FriendlyName") ?? Lookup(instanceValues, "FriendlyName");
            string? description = Lookup(values, "DeviceDesc") ?? Lookup(instanceValues, "DeviceDesc");
            info.Description = Clean(friendly) ?? Clean(description) ?? (info.IsBluetooth ? "Bluetooth serial link" : "USB serial port");
            info.Manufacturer = Clean(Lookup(values, "Mfg") ?? Lookup(instanceValues, "Mfg"));
            return info;
        }

        private static string? Lookup(IReadOnlyDictionary<string, string> values, string name) => values.TryGetValue(name, out var v) ? v : null;

        /// <summary>"@oem17.inf,%ch340.devicedesc%;USB-SERIAL CH340" is an indirect string: its text is after the ';'.</summary>
        private static string? Clean(string? value)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            int semicolon = value!.LastIndexOf(';');
            return (value.StartsWith("@", StringComparison.Ordinal) && semicolon >= 0 ? value.Substring(semicolon + 1) : value).Trim();
        }

        private static int ComNumber(string port) =>
            int.TryParse(Regex.Match(port, @"\d+$").Value, out int n) ? n : int.MaxValue;
    }
}
