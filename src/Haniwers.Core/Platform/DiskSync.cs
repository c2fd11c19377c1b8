using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>
    /// Puts what was written to a file on the disk, and fails when the operating system says it could not
    /// (docs/crash-protocol.md, "Failures"). On Linux and macOS .NET's own <c>FileStream.Flush(true)</c>
    /// returns normally when fsync fails: in dotnet/runtime's src/native/libs/System.Native/pal_io.c,
    /// <c>SystemNative_FSync</c> assigns <c>fsync(fd) &lt; 0</c> (1 on a failure) where it means the call's
    /// result, and FileStreamHelpers.Unix.cs <c>FlushToDisk</c> throws only for a result below 0; an EIO
    /// injected at fsync leaves FileStream silent (found with strace's fault injection, docs/platforms.md).
    /// So this calls fsync itself there (F_FULLFSYNC first on macOS, as .NET does); on Windows
    /// FlushFileBuffers' failure is reported by .NET and used as it is.
    /// </summary>
    public static class DiskSync
    {
        /// <summary>Throws <see cref="DiskSyncException"/> (or .NET's IOException on Windows) when the system could not.</summary>
        public static void Flush(FileStream stream)
        {
            stream.Flush(); // what the stream itself holds (nothing with bufferSize 0)
            if (OperatingSystem.IsWindows())
            {
                stream.Flush(flushToDisk: true);
                return;
            }
            var handle = stream.SafeFileHandle;
            bool added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                int fd = (int)handle.DangerousGetHandle();
                int result = -1;
                if (OperatingSystem.IsMacOS())
                {
                    result = Retry(() => FileControl(fd, FullFileSync, 0));
                    // F_FULLFSYNC is not offered by every file system: then fsync, as .NET does
                }
                if (result != 0) result = Retry(() => FileSync(fd));
                if (result != 0)
                {
                    int error = Marshal.GetLastPInvokeError();
                    throw new DiskSyncException($"fsync: {Marshal.GetPInvokeErrorMessage(error)}", error);
                }
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        private const int Interrupted = 4; // EINTR, the same number on Linux and macOS
        private const int FullFileSync = 51; // F_FULLFSYNC (macOS)

        private static int Retry(Func<int> call)
        {
            int result;
            while ((result = call()) != 0 && Marshal.GetLastPInvokeError() == Interrupted) { }
            return result;
        }

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        private static extern int FileSync(int fd);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int FileControl(int fd, int command, int argument);
    }

    /// <summary>The system could not put a file's data on the disk (fsync failed); HResult is the OS error number, as in .NET's own I/O exceptions on Unix.</summary>
    public sealed class DiskSyncException : IOException
    {
        public DiskSyncException(string message, int error) : base(message, error)
        {
        }
    }
}
