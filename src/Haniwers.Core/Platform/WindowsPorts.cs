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
        private static readonly Regex UsbIds = new Regex(@"VID_([0-9A-Fa-f]{4})[&+]PID_([0-9A-Fa-f]{4})(?:\+(?<serial>[^\\]+))?", RegexOptions.CultureInvariant);

        public static IReadOnlyList<PortInfo> List(IRegistrySource registry)
        {
            var owners = new Dictionary<string, PortInfo>(StringComparer.OrdinalIgnoreCase);
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
                            owners[portName] = Describe(bus, device, instance, registry.Values(key), registry.Values(instanceKey), portName);
                        }
                    }
                }
            }
            var present = registry.Values(SerialCommKey).Values.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (present.Count == 0) present = owners.Keys.ToList(); // no device map: list what the devices claim
            return present.OrderBy(ComNumber).Select(port => owners.TryGetValue(port, out var info)
                    ? PortQualification.Qualify(info)
                    : PortQualification.Qualify(new PortInfo { PortName = port, Description = "serial port" }))
                .ToList();
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
                // FTDIBUS: VID_0403+PID_6001+A50285BIA (the serial, plus A for the chip's first interface);
                // USB: the instance name is the serial number unless Windows made one up (it has '&' in it)
                info.SerialNumber = ids.Groups["serial"].Success ? ids.Groups["serial"].Value.TrimEnd('A') : instance.Contains("&") ? null : instance;
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
