using System;
using System.Text.RegularExpressions;

namespace Haniwers.Platform
{
    /// <summary>
    /// The one identity of a serial device, whatever name it was opened by, so one lock guards it
    /// (docs/platforms.md): Windows COM3 and \\.\COM3 are COM3; macOS /dev/cu.X and /dev/tty.X are the
    /// two ends of X; on Linux a /dev/serial/by-id link is the device it resolves to.
    /// </summary>
    public static class PortIdentity
    {
        private static readonly Regex WindowsCom = new Regex(@"^(?:\\\\[.?]\\)?(COM\d+):?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private static readonly Regex MacDevice = new Regex(@"^/dev/(?:cu|tty)\.(.+)$", RegexOptions.CultureInvariant);

        /// <param name="resolveLinks">On Linux, the symlink resolver (libc realpath in production).</param>
        public static string LockKey(string portName, HostPlatform platform, Func<string, string> resolveLinks)
        {
            switch (platform)
            {
                case HostPlatform.Windows:
                    var com = WindowsCom.Match(portName.Trim());
                    return com.Success ? com.Groups[1].Value.ToUpperInvariant() : portName.Trim().ToUpperInvariant();
                case HostPlatform.MacOS:
                    var mac = MacDevice.Match(portName.Trim());
                    return mac.Success ? "mac:" + mac.Groups[1].Value : portName.Trim();
                default:
                    return resolveLinks(portName.Trim());
            }
        }

        public static string LockKey(string portName) => LockKey(portName, HostPlatforms.Current, LinuxSystem.RealPath);
    }
}
