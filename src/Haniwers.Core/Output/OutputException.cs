using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Haniwers.Output
{
    /// <summary>What went wrong with a run's files, each told as itself (docs/crash-protocol.md, "Failures").</summary>
    public enum OutputProblem
    {
        /// <summary>The disk (or the quota) is full.</summary>
        DiskFull,
        /// <summary>The folder cannot be written: a read-only file system or no permission.</summary>
        NotWritable,
        /// <summary>The output path names a file, not a folder.</summary>
        PathIsFile,
        /// <summary>The folder's file system cannot hold a lock (some network shares).</summary>
        LockUnsupported,
        /// <summary>The disk went away (a USB stick pulled, a network share gone).</summary>
        DeviceRemoved,
        /// <summary>The run's folder or files were deleted while it wrote into them.</summary>
        FolderRemoved,
        /// <summary>A file the run writes is a folder, or a link to nothing.</summary>
        PathIsFolder,
        /// <summary>The system could not put written data on the disk (fsync failed): the data may be lost.</summary>
        NotDurable,
        /// <summary>A file or folder of the run is a symbolic link where someone else could have planted it; it is not followed.</summary>
        PathIsLink,
        /// <summary>A new file's name is taken already (a DAQ run started in the same second as the last one, in the same folder); nothing was written over it.</summary>
        FileExists,
        /// <summary>Any other I/O error, with the system's message.</summary>
        IoError,
    }

    /// <summary>A run's output could not be written. The message says what happened and where.</summary>
    public sealed class OutputException : IOException
    {
        public OutputException(OutputProblem problem, string path, string message, Exception? inner = null) : base(message, inner)
        {
            Problem = problem;
            Path = path;
        }

        public OutputProblem Problem { get; }
        public string Path { get; }

        /// <summary>The exception for a failed file operation on <paramref name="path"/>, named by its cause.</summary>
        public static OutputException From(Exception error, string path, string doing)
        {
            var problem = Classify(error);
            string what = problem switch
            {
                OutputProblem.DiskFull => $"the disk is full ({doing} '{path}'). Free some space, or give the run another folder",
                OutputProblem.NotWritable => $"'{path}' cannot be written ({error.Message.TrimEnd('.')}): the folder is read-only or belongs to someone else. Give the run a folder you can write to",
                OutputProblem.LockUnsupported => $"the file system of '{path}' cannot hold a lock ({error.Message.TrimEnd('.')}), so two runs could mix their rows. Give the run a folder on a local disk",
                OutputProblem.DeviceRemoved => $"the disk holding '{path}' went away ({error.Message.TrimEnd('.')}). Plug it back in, or give the run another folder",
                OutputProblem.NotDurable => $"the system could not put what was written to '{path}' on the disk ({error.Message.TrimEnd('.')}): what was written last may be lost, so the run stops. Check the disk (the system log says more), or give the run another folder",
                _ => $"could not finish {doing} '{path}': {error.Message.TrimEnd('.')}",
            };
            return new OutputException(problem, path, char.ToUpperInvariant(what[0]) + what.Substring(1) + ".", error);
        }

        /// <summary>The cause of an I/O error, from the OS error number .NET keeps in HResult.</summary>
        public static OutputProblem Classify(Exception error) => Classify(error, Platform.HostPlatforms.Current);

        /// <summary>
        /// The cause of an I/O error on <paramref name="platform"/>: .NET puts the OS's own error number in
        /// HResult (the raw errno on Unix, HRESULT_FROM_WIN32 on Windows), and the numbers differ between
        /// Linux and macOS (docs/platforms.md, "Error numbers").
        /// </summary>
        public static OutputProblem Classify(Exception error, Platform.HostPlatform platform)
        {
            if (error is OutputException known) return known.Problem;
            if (error is UnauthorizedAccessException) return OutputProblem.NotWritable;
            int code = error.HResult;
            if (platform == Platform.HostPlatform.Windows)
            {
                code &= 0xFFFF; // HRESULT_FROM_WIN32
                var windows = code switch
                {
                    0x70 or 0x27 => OutputProblem.DiskFull,         // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL
                    0x13 or 0x05 => OutputProblem.NotWritable,      // ERROR_WRITE_PROTECT, ERROR_ACCESS_DENIED
                    0x15 or 0x37 or 0x40 => OutputProblem.DeviceRemoved, // ERROR_NOT_READY, ERROR_DEV_NOT_EXIST, ERROR_NETNAME_DELETED
                    _ => OutputProblem.IoError,
                };
                return error is Platform.DiskSyncException && windows != OutputProblem.DiskFull ? OutputProblem.NotDurable : windows;
            }
            var errno = platform == Platform.HostPlatform.MacOS ? Errno.MacOS : Errno.Linux;
            var problem =
                code == errno.NoSpace || code == errno.QuotaExceeded ? OutputProblem.DiskFull
                : code == errno.ReadOnlyFileSystem || code == errno.AccessDenied || code == errno.NotPermitted ? OutputProblem.NotWritable
                : code == errno.InputOutput || code == errno.NoSuchDeviceOrAddress || code == errno.NoSuchDevice || code == errno.StaleHandle ? OutputProblem.DeviceRemoved
                : code == errno.NoLocks || code == errno.NotSupported || code == errno.OtherNotSupported ? OutputProblem.LockUnsupported
                : OutputProblem.IoError;
            // a failed fsync is its own problem, unless it says the disk is full (a network or thin disk can)
            return error is Platform.DiskSyncException && problem != OutputProblem.DiskFull ? OutputProblem.NotDurable : problem;
        }

        /// <summary>The errno values the classification reads, from each system's errno.h.</summary>
        private sealed record Errno(int NoSpace, int QuotaExceeded, int ReadOnlyFileSystem, int AccessDenied, int NotPermitted,
            int InputOutput, int NoSuchDeviceOrAddress, int NoSuchDevice, int StaleHandle, int NoLocks, int NotSupported, int OtherNotSupported)
        {
            // ENOSPC 28, EDQUOT 122, EROFS 30, EACCES 13, EPERM 1, EIO 5, ENXIO 6, ENODEV 19, ESTALE 116, ENOLCK 37, EOPNOTSUPP 95 (= ENOTSUP)
            public static readonly Errno Linux = new(28, 122, 30, 13, 1, 5, 6, 19, 116, 37, 95, 95);
            // ENOSPC 28, EDQUOT 69, EROFS 30, EACCES 13, EPERM 1, EIO 5, ENXIO 6, ENODEV 19, ESTALE 70, ENOLCK 77, EOPNOTSUPP 102, ENOTSUP 45
            public static readonly Errno MacOS = new(28, 69, 30, 13, 1, 5, 6, 19, 70, 77, 102, 45);
        }
    }
}
