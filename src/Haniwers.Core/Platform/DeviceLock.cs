using System;
using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>
    /// The lock that keeps two sessions off one detector, taken on the device itself (docs/platforms.md,
    /// "One lock per device"): an advisory flock on a descriptor of the device node. Every name of the
    /// device (a by-id link, /dev/tty.X beside /dev/cu.X) is one node, so one lock; only an account that
    /// may open the device can take it; no file outside the device is made or changed, so no link or name
    /// that another account controls can be turned against the session. The descriptor is opened as
    /// System.IO.Ports opens a port (no controlling terminal, no wait for carrier) and read only; it is held
    /// until the port is closed. Windows needs none: a COM port opens for one handle only.
    /// </summary>
    public sealed class DeviceLock : IDisposable
    {
        private int _fd;

        private DeviceLock(int fd) => _fd = fd;

        /// <summary>Locks the device <paramref name="device"/> (as <see cref="PortIdentity.Device(string)"/> names it); null on Windows.</summary>
        /// <exception cref="DeviceLockException">The device cannot be opened or locked; <see cref="DeviceLockException.Reason"/> says why.</exception>
        public static DeviceLock? Take(string device)
        {
            if (OperatingSystem.IsWindows()) return null;
            var flags = UnixFlags.Current;
            int fd;
            do { fd = Open(device, flags.ReadOnlyNoTtyNonBlockCloseOnExec); } while (fd < 0 && Marshal.GetLastPInvokeError() == flags.Interrupted);
            if (fd < 0) throw DeviceLockException.FromErrno(device, Marshal.GetLastPInvokeError(), flags, opening: true);
            int result;
            do { result = Flock(fd, LockExclusive | LockNonBlocking); } while (result < 0 && Marshal.GetLastPInvokeError() == flags.Interrupted);
            if (result < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                Close(fd);
                throw DeviceLockException.FromErrno(device, errno, flags, opening: false);
            }
            return new DeviceLock(fd);
        }

        public void Dispose()
        {
            int fd = System.Threading.Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0) Close(fd); // the lock goes with the descriptor
        }

        private const int LockExclusive = 2, LockNonBlocking = 4; // LOCK_EX, LOCK_NB: the same on Linux and macOS

        /// <summary>The open(2) flags and errno values that differ between Linux and macOS (their headers).</summary>
        internal sealed record UnixFlags(int ReadOnlyNoTtyNonBlockCloseOnExec, int Interrupted, int WouldBlock, int Busy, int AccessDenied, int NotPermitted, int NoSuchFile, int NoSuchDevice, int NoSuchDeviceOrAddress)
        {
            // Linux (asm-generic): O_NOCTTY 0x100, O_NONBLOCK 0x800, O_CLOEXEC 0x80000; EAGAIN 11
            public static readonly UnixFlags Linux = new(0x100 | 0x800 | 0x80000, 4, 11, 16, 13, 1, 2, 19, 6);
            // macOS (sys/fcntl.h): O_NOCTTY 0x20000, O_NONBLOCK 0x4, O_CLOEXEC 0x1000000; EWOULDBLOCK 35
            public static readonly UnixFlags MacOS = new(0x20000 | 0x4 | 0x1000000, 4, 35, 16, 13, 1, 2, 19, 6);
            public static UnixFlags Current => OperatingSystem.IsMacOS() ? MacOS : Linux;
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
        private static extern int Flock(int fd, int operation);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        private static extern int Close(int fd);
    }

    /// <summary>Why a device's lock could not be taken.</summary>
    public enum DeviceLockFailure
    {
        /// <summary>Another descriptor holds the lock: another Haniwers session, or a program that locks ports (picocom, flock).</summary>
        Held,
        /// <summary>A program opened the device for itself alone (TIOCEXCL, as System.IO.Ports does): only root could open it now.</summary>
        Exclusive,
        /// <summary>This account may not open the device.</summary>
        AccessDenied,
        /// <summary>No such device (any more).</summary>
        NotFound,
        /// <summary>Anything else; the message says what.</summary>
        Other,
    }

    public sealed class DeviceLockException : Exception
    {
        public DeviceLockException(string device, DeviceLockFailure reason, string detail) : base($"Cannot lock '{device}': {detail}")
        {
            Device = device;
            Reason = reason;
            Detail = detail;
        }

        public string Device { get; }
        public DeviceLockFailure Reason { get; }
        public string Detail { get; }

        internal static DeviceLockException FromErrno(string device, int errno, DeviceLock.UnixFlags flags, bool opening)
        {
            string text = Marshal.GetPInvokeErrorMessage(errno);
            DeviceLockFailure reason =
                !opening && errno == flags.WouldBlock ? DeviceLockFailure.Held
                : opening && errno == flags.Busy ? DeviceLockFailure.Exclusive
                : opening && (errno == flags.AccessDenied || errno == flags.NotPermitted) ? DeviceLockFailure.AccessDenied
                : opening && (errno == flags.NoSuchFile || errno == flags.NoSuchDevice || errno == flags.NoSuchDeviceOrAddress) ? DeviceLockFailure.NotFound
                : DeviceLockFailure.Other;
            return new DeviceLockException(device, reason, (opening ? "open: " : "flock: ") + text);
        }
    }
}
