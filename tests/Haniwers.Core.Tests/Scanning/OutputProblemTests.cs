using System.IO;
using Haniwers.Output;
using Haniwers.Platform;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    /// <summary>
    /// An I/O failure is told as itself on each OS: .NET keeps the OS's own error number in HResult, and
    /// Linux and macOS number some errors differently (docs/platforms.md, "Error numbers").
    /// </summary>
    public class OutputProblemTests
    {
        private static IOException Errno(int code) => new IOException("failure", code);

        [Theory]
        [InlineData(HostPlatform.MacOS, 69, OutputProblem.DiskFull)]        // EDQUOT: a full quota on a Mac
        [InlineData(HostPlatform.MacOS, 70, OutputProblem.DeviceRemoved)]   // ESTALE: a stale network folder
        [InlineData(HostPlatform.MacOS, 77, OutputProblem.LockUnsupported)] // ENOLCK
        [InlineData(HostPlatform.MacOS, 102, OutputProblem.LockUnsupported)] // EOPNOTSUPP
        [InlineData(HostPlatform.MacOS, 45, OutputProblem.LockUnsupported)] // ENOTSUP
        [InlineData(HostPlatform.MacOS, 122, OutputProblem.IoError)]        // not an errno on macOS
        [InlineData(HostPlatform.MacOS, 28, OutputProblem.DiskFull)]        // ENOSPC, the same on both
        [InlineData(HostPlatform.Linux, 122, OutputProblem.DiskFull)]       // EDQUOT
        [InlineData(HostPlatform.Linux, 116, OutputProblem.DeviceRemoved)]  // ESTALE
        [InlineData(HostPlatform.Linux, 37, OutputProblem.LockUnsupported)] // ENOLCK
        [InlineData(HostPlatform.Linux, 69, OutputProblem.IoError)]         // ESRMNT, not a quota
        [InlineData(HostPlatform.Linux, 30, OutputProblem.NotWritable)]     // EROFS
        [InlineData(HostPlatform.Windows, unchecked((int)0x80070070), OutputProblem.DiskFull)] // ERROR_DISK_FULL
        [InlineData(HostPlatform.Windows, unchecked((int)0x80070013), OutputProblem.NotWritable)] // ERROR_WRITE_PROTECT
        public void EachOsErrorNumberIsReadWithThatOsNumbers(HostPlatform platform, int code, OutputProblem expected) =>
            Assert.Equal(expected, OutputException.Classify(Errno(code), platform));

        [Theory]
        [InlineData(HostPlatform.MacOS, 69, OutputProblem.DiskFull)]
        [InlineData(HostPlatform.MacOS, 5, OutputProblem.NotDurable)]
        [InlineData(HostPlatform.Linux, 122, OutputProblem.DiskFull)]
        [InlineData(HostPlatform.Linux, 69, OutputProblem.NotDurable)]
        public void AFailedSyncIsNotDurableUnlessItSaysTheDiskIsFull(HostPlatform platform, int code, OutputProblem expected) =>
            Assert.Equal(expected, OutputException.Classify(new DiskSyncException("f", code), platform));
    }
}
