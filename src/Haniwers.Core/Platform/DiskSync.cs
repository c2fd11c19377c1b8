using System;
using System.IO;

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
                    result = Posix.FileControl(fd, Posix.FullFileSync, 0);
                    // F_FULLFSYNC is not offered by every file system: then fsync, as .NET does
                }
                if (result != 0) result = Posix.FileSync(fd);
                if (result != 0)
                {
                    int error = Posix.LastError;
                    throw new DiskSyncException($"fsync: {Posix.Describe(error)}", error);
                }
            }
            finally
            {
                if (added) handle.DangerousRelease();
            }
        }

        /// <summary>
        /// Closes a file and fails when close(2) does: a file system may report a write's failure only there (close(2):
        /// "errors on a previous write(2) operation are reported only on the final close()", as NFS and quotas do).
        /// .NET drops it: in dotnet/runtime's SafeFileHandle.Unix.cs, <c>ReleaseHandle</c> returns
        /// <c>Interop.Sys.Close(handle) == 0</c>, and SafeHandle ignores a false return, so FileStream.Dispose never
        /// throws for it. Here the descriptor is taken from the stream and closed by libc (Windows: .NET's own close,
        /// whose CloseHandle has nothing deferred to report). Throws <see cref="DiskSyncException"/>.
        /// </summary>
        public static void Close(FileStream stream)
        {
            if (OperatingSystem.IsWindows())
            {
                stream.Dispose();
                return;
            }
            stream.Flush(); // nothing with bufferSize 0; a stream with a buffer empties it while the descriptor is open
            var handle = stream.SafeFileHandle;
            int fd = (int)handle.DangerousGetHandle();
            handle.SetHandleAsInvalid(); // the stream lets go of the descriptor without closing it
            stream.Dispose();
            if (Posix.Close(fd) != 0)
            {
                int error = Posix.LastError;
                throw new DiskSyncException($"close: {Posix.Describe(error)}", error);
            }
        }

        /// <summary>
        /// Puts a folder's entries on the disk: after a file is created in it, fsync of the file alone does
        /// not make the file's name survive a power cut (fsync(2): "calling fsync() on a file descriptor for
        /// the directory is also needed"). Nothing on Windows, whose file systems journal names themselves and
        /// whose folders .NET cannot open as files. Throws <see cref="DiskSyncException"/>.
        /// </summary>
        public static void FlushFolder(string folder)
        {
            if (OperatingSystem.IsWindows()) return;
            int fd = Posix.Open(folder, Posix.ReadOnly | Posix.Current.Directory | Posix.Current.CloseOnExec);
            if (fd < 0)
            {
                int error = Posix.LastError;
                throw new DiskSyncException($"open of the folder for fsync: {Posix.Describe(error)}", error);
            }
            try
            {
                if (Posix.FileSync(fd) != 0)
                {
                    int error = Posix.LastError;
                    throw new DiskSyncException($"fsync of the folder: {Posix.Describe(error)}", error);
                }
            }
            finally
            {
                if (Posix.Close(fd) != 0)
                {
                    int error = Posix.LastError;
                    throw new DiskSyncException($"close of the folder after its fsync: {Posix.Describe(error)}", error);
                }
            }
        }
    }

    /// <summary>The system could not put a file's data on the disk (fsync failed); HResult is the OS error number, as in .NET's own I/O exceptions on Unix.</summary>
    public sealed class DiskSyncException : IOException
    {
        public DiskSyncException(string message, int error) : base(message, error)
        {
        }
    }
}
