using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Haniwers.Platform
{
    /// <summary>
    /// Opens the files of a run folder without following a symbolic link in their last component
    /// (docs/platforms.md, "Links in a run folder"): a folder that someone else can write into (a shared day
    /// folder, a world-writable workspace) may hold a link planted where a run's file will be, and a run that
    /// followed it would truncate, overwrite or quote the file it points to. On Linux the open itself refuses
    /// (O_NOFOLLOW: ELOOP); on macOS, whose open(2) is variadic in a way a plain P/Invoke cannot call on arm64, a
    /// link found at the path is refused before .NET opens it; Windows needs privileges to make links and is not
    /// guarded. An exclusive lock, when asked for, is flock on the same descriptor.
    /// </summary>
    public static class NoFollow
    {
        public static FileStream Open(string path, FileMode mode, FileAccess access, bool exclusiveLock = false)
        {
            if (!OperatingSystem.IsLinux())
            {
                if (!OperatingSystem.IsWindows() && IsLink(path)) throw Planted(path, errno: 62); // ELOOP on macOS
                return new FileStream(path, mode, access, exclusiveLock ? FileShare.None : FileShare.ReadWrite, bufferSize: 0);
            }
            int flags = (access switch { FileAccess.Read => 0, FileAccess.Write => 1, _ => 2 }) | NoFollowFlag | CloseOnExec | mode switch
            {
                FileMode.CreateNew => Create | Exclusive,
                FileMode.Create => Create | Truncate,
                FileMode.OpenOrCreate or FileMode.Append => Create,
                FileMode.Truncate => Truncate,
                _ => 0,
            };
            int fd;
            do { fd = OpenFile(path, flags, 0x1A4); } while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted); // 0644
            if (fd < 0) throw FromErrno(path, Marshal.GetLastPInvokeError());
            var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            try
            {
                if (exclusiveLock)
                {
                    int result;
                    do { result = Flock(fd, 2 | 4); } while (result < 0 && Marshal.GetLastPInvokeError() == Interrupted); // LOCK_EX | LOCK_NB
                    if (result < 0) throw FromErrno(path, Marshal.GetLastPInvokeError());
                }
                var stream = new FileStream(handle, access, bufferSize: 0);
                if (mode == FileMode.Append) stream.Seek(0, SeekOrigin.End);
                return stream;
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        /// <summary>Whether the path's last component is a symbolic link.</summary>
        public static bool IsLink(string path)
        {
            try { return (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0 || new FileInfo(path).LinkTarget is not null; }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
        }

        private static IOException Planted(string path, int errno) => new IOException(
            $"'{path}' is a symbolic link; a run writes and reads no file of its folder through a link (someone who can write into the folder may have planted it). Remove the link, or give the run a folder of your own.", errno);

        /// <summary>The exception .NET itself gives for an errno, with the errno as HResult (OutputException.Classify reads it).</summary>
        private static Exception FromErrno(string path, int errno) => errno switch
        {
            Loop => Planted(path, errno),
            // O_EXCL or O_CREAT meeting a link (one that points nowhere, too) is a planted link as well
            17 or 2 when IsLink(path) => Planted(path, errno),
            2 => new FileNotFoundException($"Could not find file '{path}'.", path),
            13 or 1 => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
            _ => new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} : '{path}'", errno),
        };

        // Linux: O_CREAT 0x40, O_EXCL 0x80, O_TRUNC 0x200, O_CLOEXEC 0x80000 on every architecture; ELOOP 40, EINTR 4
        private const int Create = 0x40, Exclusive = 0x80, Truncate = 0x200, CloseOnExec = 0x80000, Loop = 40, Interrupted = 4;

        /// <summary>O_NOFOLLOW: 0x20000 on x86 (arch/x86 fcntl.h), 0x8000 on ARM (asm-generic, arm64 and arm).</summary>
        private static int NoFollowFlag => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

        /// <summary>O_DIRECTORY on Linux: 0x10000 on x86, 0x4000 on ARM (where 0x10000 is O_DIRECT).</summary>
        internal static int LinuxDirectoryFlag => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int OpenFile([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        private static extern int Flock(int fd, int operation);
    }
}
