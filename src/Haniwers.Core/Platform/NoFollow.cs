using System;
using System.IO;
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
                if (!OperatingSystem.IsWindows() && IsLink(path)) throw Planted(path, errno: Posix.MacOS.Loop);
                return new FileStream(path, mode, access, exclusiveLock ? FileShare.None : FileShare.ReadWrite, bufferSize: 0);
            }
            var n = Posix.Current;
            int flags = (access switch { FileAccess.Read => Posix.ReadOnly, FileAccess.Write => Posix.WriteOnly, _ => Posix.ReadWrite }) | n.NoFollow | n.CloseOnExec | mode switch
            {
                FileMode.CreateNew => n.Create | n.Exclusive,
                FileMode.Create => n.Create | n.Truncate,
                FileMode.OpenOrCreate or FileMode.Append => n.Create,
                FileMode.Truncate => n.Truncate,
                _ => 0,
            };
            int fd = Posix.Create(path, flags, 0x1A4); // 0644
            if (fd < 0) throw FromErrno(path, Posix.LastError);
            var handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
            try
            {
                if (exclusiveLock)
                {
                    if (Posix.Flock(fd, Posix.LockExclusive | Posix.LockNonBlocking) < 0) throw FromErrno(path, Posix.LastError);
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

        private static IOException Planted(string path, int errno) => new IOException(Refusal(path), errno);

        /// <summary>What is said of a link found where a run's file is, by the open that refuses it and by the check before a repair.</summary>
        public static string Refusal(string path) =>
            $"'{path}' is a symbolic link where the run writes a file; the run writes and reads no file of its folder through a link (someone who can write into the folder may have planted it). Remove the link, or give the run a folder of your own.";

        /// <summary>The exception .NET itself gives for an errno, with the errno as HResult (OutputException.Classify reads it).</summary>
        private static Exception FromErrno(string path, int errno)
        {
            var n = Posix.Current;
            // O_EXCL or O_CREAT meeting a link (one that points nowhere, too) is a planted link as well
            if (errno == n.Loop || (errno == n.Exists || errno == n.NoSuchFile) && IsLink(path)) return Planted(path, errno);
            if (errno == n.NoSuchFile) return new FileNotFoundException($"Could not find file '{path}'.", path);
            if (errno == n.AccessDenied || errno == n.NotPermitted) return new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
            return new IOException($"{Posix.Describe(errno)} : '{path}'", errno);
        }
    }
}
