using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>The operating systems the module knows how to find and lock ports on (docs/platforms.md).</summary>
    public enum HostPlatform
    {
        Linux,
        Windows,
        MacOS,
    }

    public static class HostPlatforms
    {
        /// <summary>The platform this process runs on; other Unix systems are treated as Linux.</summary>
        public static HostPlatform Current =>
            RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? HostPlatform.Windows
            : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? HostPlatform.MacOS
            : HostPlatform.Linux;
    }
}
