using System;
using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>
    /// The few libc calls the module makes itself, and the numbers that differ between Linux and macOS and between
    /// Linux's architectures, once (docs/toolchain.md, "libc"): open with flags .NET does not offer (O_NOFOLLOW, a
    /// device opened as System.IO.Ports opens it, a folder for fsync), flock on such a descriptor, fsync whose failure
    /// .NET does not report (<see cref="DiskSync"/>), close. Each call is retried while it is interrupted by a signal
    /// (EINTR); a failed call returns -1 and <see cref="LastError"/> says why.
    /// </summary>
    internal static class Posix
    {
        /// <summary>The numbers of one system: open(2) flags and errno values (Linux: asm-generic and arch/x86 fcntl.h, errno-base.h; macOS: sys/fcntl.h, sys/errno.h).</summary>
        internal sealed record Numbers(
            int Create, int Exclusive, int Truncate, int CloseOnExec, int NoControllingTerminal, int NonBlocking, int NoFollow, int Directory,
            int Interrupted, int WouldBlock, int Loop, int Busy, int AccessDenied, int NotPermitted, int NoSuchFile, int Exists, int NoSuchDevice, int NoSuchDeviceOrAddress);

        public static readonly Numbers LinuxX86 = new(0x40, 0x80, 0x200, 0x80000, 0x100, 0x800, 0x20000, 0x10000, 4, 11, 40, 16, 13, 1, 2, 17, 19, 6);
        /// <summary>Linux on arm64 and arm: O_NOFOLLOW 0x8000 and O_DIRECTORY 0x4000 (0x10000 is O_DIRECT there).</summary>
        public static readonly Numbers LinuxArm = LinuxX86 with { NoFollow = 0x8000, Directory = 0x4000 };
        public static readonly Numbers MacOS = new(0x200, 0x800, 0x400, 0x1000000, 0x20000, 0x4, 0x100, 0x100000, 4, 35, 62, 16, 13, 1, 2, 17, 19, 6);

        public static Numbers Current =>
            OperatingSystem.IsMacOS() ? MacOS
            : RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? LinuxArm : LinuxX86;

        public const int ReadOnly = 0, WriteOnly = 1, ReadWrite = 2;
        /// <summary>flock(2)'s LOCK_EX and LOCK_NB: the same on Linux and macOS.</summary>
        public const int LockExclusive = 2, LockNonBlocking = 4;
        /// <summary>fcntl(2)'s F_FULLFSYNC (macOS).</summary>
        public const int FullFileSync = 51;

        public static int LastError => Marshal.GetLastPInvokeError();

        public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

        /// <summary>open(2) without a mode: a file that exists, a device, a folder. Safe on every architecture.</summary>
        public static int Open(string path, int flags) => Retry(() => OpenExisting(path, flags));

        /// <summary>
        /// open(2) with a mode, for files it may create. Linux only: open is variadic, and on macOS arm64 a variadic
        /// argument goes on the stack, where a plain P/Invoke does not put it.
        /// </summary>
        public static int Create(string path, int flags, int mode) => Retry(() => OpenWithMode(path, flags, mode));

        public static int Flock(int fd, int operation) => Retry(() => FlockCall(fd, operation));

        public static int FileSync(int fd) => Retry(() => FsyncCall(fd));

        public static int FileControl(int fd, int command, int argument) => Retry(() => FcntlCall(fd, command, argument));

        public static int Close(int fd) => CloseCall(fd); // not retried: after EINTR the descriptor is already closed on Linux

        private static int Retry(Func<int> call)
        {
            int result;
            while ((result = call()) < 0 && LastError == Current.Interrupted) { }
            return result;
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int OpenExisting([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int OpenWithMode([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        private static extern int FlockCall(int fd, int operation);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        private static extern int FsyncCall(int fd);

        [DllImport("libc", EntryPoint = "fcntl", SetLastError = true)]
        private static extern int FcntlCall(int fd, int command, int argument);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int CloseCall(int fd);
    }
}
