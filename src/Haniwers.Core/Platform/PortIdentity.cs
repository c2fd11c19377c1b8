using System;
using System.Text.RegularExpressions;

namespace Haniwers.Platform
{
    /// <summary>
    /// The one identity of a serial device, whatever name it was typed as (docs/platforms.md): Windows
    /// COM3, com3, COM3: and \\.\COM3 are COM3, the only form System.IO.Ports opens; macOS /dev/cu.X and
    /// /dev/tty.X are the two ends of X, locked at /dev/cu.X; on Linux a /dev/serial/by-id link is the
    /// device it resolves to.
    /// </summary>
    public static class PortIdentity
    {
        private static readonly Regex WindowsCom = new Regex(@"^(?:\\\\[.?]\\)?(COM\d+):?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex MacDevice = new Regex(@"^/dev/(?:cu|tty)\.(.+)$", RegexOptions.CultureInvariant);

        /// <summary>The device a port name stands for: the name to open on Windows, the node to lock on Unix.</summary>
        /// <param name="resolveLinks">On Linux, the symlink resolver (libc realpath in production).</param>
        public static string Device(string portName, HostPlatform platform, Func<string, string> resolveLinks)
        {
            switch (platform)
            {
                case HostPlatform.Windows:
                    var com = WindowsCom.Match(portName.Trim());
                    return com.Success ? com.Groups[1].Value.ToUpperInvariant() : portName.Trim();
                case HostPlatform.MacOS:
                    var mac = MacDevice.Match(portName.Trim());
                    return mac.Success ? "/dev/cu." + mac.Groups[1].Value : resolveLinks(portName.Trim());
                default:
                    return resolveLinks(portName.Trim());
            }
        }

        public static string Device(string portName) => Device(portName, HostPlatforms.Current, LinuxSystem.RealPath);
    }
}
