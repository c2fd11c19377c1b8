using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Transport;

namespace Haniwers.Platform
{
    /// <summary>
    /// Which ports look like a detector, the same rule on every platform: a USB-serial bridge of a kind
    /// OSECHI boards are built with, never Bluetooth or a debug console. Each port says why.
    /// </summary>
    public static class PortQualification
    {
        /// <summary>USB vendor ids of the boards and bridges OSECHI detectors are built with.</summary>
        public static readonly IReadOnlyDictionary<string, string> DetectorVendors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["2341"] = "Arduino", ["2a03"] = "Arduino", ["1a86"] = "QinHeng CH340", ["0403"] = "FTDI",
            ["10c4"] = "Silicon Labs CP210x", ["303a"] = "Espressif ESP32",
        };

        /// <summary>Sets <see cref="PortInfo.LooksLikeDetector"/> and <see cref="PortInfo.Qualification"/> from what the reader found.</summary>
        public static PortInfo Qualify(PortInfo port)
        {
            if (port.Claimants.Count > 1)
            {
                // whichever of them is plugged in: a detector if every one of them is of a detector's kind
                foreach (var claimant in port.Claimants) Qualify(claimant);
                port.LooksLikeDetector = port.Claimants.All(c => c.LooksLikeDetector);
                port.Qualification = $"claimed by {port.Claimants.Count} devices, and which is plugged in cannot be told: "
                    + string.Join("; ", port.Claimants.Select(c => $"{c.Description} ({c.Qualification})"))
                    + (port.LooksLikeDetector ? "; each is a bridge OSECHI boards use" : "");
            }
            else if (port.IsBluetooth)
            {
                port.LooksLikeDetector = false;
                port.Qualification = "Bluetooth serial link, not a detector";
            }
            else if (port.VendorId is null)
            {
                port.LooksLikeDetector = false;
                port.Qualification = "no USB vendor id (a built-in or virtual port)";
            }
            else if (DetectorVendors.TryGetValue(port.VendorId, out var kind))
            {
                port.LooksLikeDetector = true;
                port.Qualification = $"USB {port.VendorId}:{port.ProductId} ({kind}), a bridge OSECHI boards use";
            }
            else
            {
                port.LooksLikeDetector = false;
                port.Qualification = $"USB {port.VendorId}:{port.ProductId}, a vendor no OSECHI board uses";
            }
            return port;
        }
    }
}
