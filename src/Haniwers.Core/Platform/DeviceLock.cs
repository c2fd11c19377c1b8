using System;

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
            var numbers = Posix.Current;
            int fd = Posix.Open(device, Posix.ReadOnly | numbers.NoControllingTerminal | numbers.NonBlocking | numbers.CloseOnExec);
            if (fd < 0) throw DeviceLockException.FromErrno(device, Posix.LastError, numbers, opening: true);
            if (Posix.Flock(fd, Posix.LockExclusive | Posix.LockNonBlocking) < 0)
            {
                int errno = Posix.LastError;
                Posix.Close(fd);
                throw DeviceLockException.FromErrno(device, errno, numbers, opening: false);
            }
            return new DeviceLock(fd);
        }

        public void Dispose()
        {
            int fd = System.Threading.Interlocked.Exchange(ref _fd, -1);
            if (fd >= 0) Posix.Close(fd); // the lock goes with the descriptor
        }
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

        internal static DeviceLockException FromErrno(string device, int errno, Posix.Numbers flags, bool opening)
        {
            string text = Posix.Describe(errno);
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
