using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>The macOS calls the module makes, in one place, each guarded by the platform check.</summary>
    public static class MacSystem
    {
        /// <summary>The serial device names in /dev (cu.* and tty.*); none elsewhere.</summary>
        public static IReadOnlyList<string> SerialDevices()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.OSX) || !Directory.Exists("/dev")) return Array.Empty<string>();
            return Directory.GetFiles("/dev", "cu.*").Concat(Directory.GetFiles("/dev", "tty.*")).Select(Path.GetFileName).ToList()!;
        }

        /// <summary>What `ioreg -w0 -r -c IOUSBHostDevice -l` prints (USB devices and what hangs under them); empty when it cannot run.</summary>
        public static string UsbRegistry()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return "";
            try
            {
                // -w0: no line is clipped to a terminal's width (ioreg takes it from stdin too, so that is redirected)
                using var process = Process.Start(new ProcessStartInfo("/usr/sbin/ioreg", "-w0 -r -c IOUSBHostDevice -l")
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, CreateNoWindow = true,
                });
                if (process is null) return "";
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit(5000);
                return output;
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                return "";
            }
        }

        /// <summary>What `lsof -F pc -- DEVICE` prints: the processes that have the device open (macOS has no /proc); null when it cannot run in 2 s.</summary>
        public static string? OpenFiles(string device)
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) return null;
            try
            {
                var start = new ProcessStartInfo("/usr/sbin/lsof") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, CreateNoWindow = true };
                foreach (var argument in new[] { "-w", "-F", "pc", "--", device }) start.ArgumentList.Add(argument);
                using var process = Process.Start(start);
                if (process is null) return null;
                var output = process.StandardOutput.ReadToEndAsync();
                if (!process.WaitForExit(2000)) { try { process.Kill(); } catch (InvalidOperationException) { } return null; }
                return output.Result;
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                return null;
            }
        }
    }
}
