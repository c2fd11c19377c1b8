using System;
using System.IO;
using System.IO.Ports;
using System.Linq;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

using Haniwers.Platform;
namespace Haniwers.Transport
{
    /// <summary>Opens the real transports: a serial port through System.IO.Ports, or tcp://host:port.</summary>
    public static class StreamOpeners
    {
        /// <summary>
        /// Opens a serial port, after taking the device's lock and making sure no other program has the
        /// device open to take the detector's answers (docs/platforms.md, "One lock per device").
        /// </summary>
        public static IOpenedStream OpenSerial(string portName, int baudRate)
        {
            string device = PortIdentity.Device(portName);
            if (!OperatingSystem.IsWindows() && !File.Exists(device))
            {
                throw new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList());
            }
            DeviceLock? deviceLock = TakeLock(portName, device);
            var others = DeviceHolders.Find(device, includeSelf: false);
            if (others.Count > 0)
            {
                deviceLock?.Dispose();
                throw new PortInUseException(portName, DeviceHolders.Describe(others),
                    "It would take the detector's answers: close it (a serial monitor, cat, screen, another PowerShell) and try again.");
            }
            // System.IO.Ports opens Windows ports by the COM<n> name only (dotnet/runtime, SerialStream.Windows.cs)
            portName = OperatingSystem.IsWindows() ? device : portName;
            var port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One)
            {
                Handshake = Handshake.None,
                ReadTimeout = SerialPort.InfiniteTimeout, // reads are waited for in slices instead: see SerialStream.Read
                WriteTimeout = 2000,
                NewLine = "\n",
            };
            try
            {
                port.Open();
            }
            catch (UnauthorizedAccessException ex)
            {
                deviceLock?.Dispose();
                port.Dispose();
                // root may open anything: a refusal then means the device is not a serial port, not a missing group
                if (Environment.OSVersion.Platform == PlatformID.Unix && Environment.UserName == "root")
                {
                    throw new LinkOpenException(portName, $"'{portName}' exists but is not a serial port this session can use ({ex.Message.TrimEnd('.')}; as root, permissions are not the cause). " +
                        $"The serial ports present are: {string.Join(", ", PortCatalog.List().Select(p => p.PortName).DefaultIfEmpty("none"))}.", ex);
                }
                throw new PortAccessDeniedException(portName, ex);
            }
            catch (IOException ex)
            {
                deviceLock?.Dispose();
                port.Dispose();
                if (!PortCatalog.List().Any(p => string.Equals(p.PortName, portName, StringComparison.OrdinalIgnoreCase)) && !File.Exists(portName))
                    throw new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList(), ex.Message);
                throw new LinkOpenException(portName, $"Could not open '{portName}': {ex.Message}", ex);
            }
            catch (ArgumentException ex)
            {
                deviceLock?.Dispose();
                port.Dispose();
                throw new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList(), ex.Message);
            }
            return new SerialStream(port, deviceLock);
        }

        private static DeviceLock? TakeLock(string portName, string device)
        {
            try
            {
                return DeviceLock.Take(device);
            }
            catch (DeviceLockException ex)
            {
                throw ex.Reason switch
                {
                    DeviceLockFailure.Held or DeviceLockFailure.Exclusive =>
                        new PortInUseException(portName, DeviceHolders.Describe(DeviceHolders.Find(device, includeSelf: true))),
                    DeviceLockFailure.AccessDenied => new PortAccessDeniedException(portName, ex),
                    DeviceLockFailure.NotFound => new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList(), ex.Detail),
                    _ => new LinkOpenException(portName, $"Could not open '{portName}': {ex.Detail}", ex),
                };
            }
        }

        public static IOpenedStream OpenTcp(string portName, Uri uri, TimeSpan timeout, CancellationToken cancellation)
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                var connect = client.ConnectAsync(uri.Host, uri.Port);
                if (!connect.Wait((int)timeout.TotalMilliseconds, cancellation))
                {
                    throw new LinkOpenException(portName, $"No answer from {uri.Host}:{uri.Port} within {timeout.TotalSeconds:0.#} s. Is the serial-to-network bridge running?");
                }
            }
            catch (AggregateException ex) when (ex.InnerException is SocketException se)
            {
                client.Dispose();
                throw new LinkOpenException(portName, $"Could not connect to {uri.Host}:{uri.Port}: {se.Message}. Is the serial-to-network bridge running?", se);
            }
            catch
            {
                client.Dispose();
                throw;
            }
            return new TcpStream(client);
        }

        private sealed class SerialStream : IOpenedStream
        {
            private readonly SerialPort _port;
            private readonly DeviceLock? _lock;
            private readonly Stream _stream;

            public SerialStream(SerialPort port, DeviceLock? portLock)
            {
                _port = port;
                _lock = portLock;
                _stream = port.BaseStream;
            }

            private Task<int>? _pending;

            /// <summary>
            /// Waits for the read in slices of <see cref="StreamLink.ReadWake"/> and leaves it pending
            /// between them. A read that times out would lose data: on Unix, SerialStream's read is a
            /// request that its I/O loop fills and then completes; a timeout cancels the request, and
            /// when the cancellation wins the race against the completion, the bytes already read into
            /// it are dropped (dotnet/runtime, src/libraries/System.IO.Ports/src/System/IO/Ports/
            /// SerialStream.Unix.cs: SerialStreamIORequest registers TrySetCanceled on the token,
            /// ProcessRead reads, then Complete calls TrySetResult, which does nothing on a cancelled
            /// request). Seen here as lines missing after the process was paused.
            /// </summary>
            /// <remarks>
            /// "Nothing came" is said only when the driver holds nothing either: the read is filled by
            /// SerialStream's own I/O thread, and after a pause of the process that thread may not yet have
            /// looked while this one already woke up; then the bytes are waiting, and a wake would date
            /// them after the pause (docs/window-checks.md).
            /// </remarks>
            public int Read(byte[] buffer)
            {
                var read = _pending ??= _stream.ReadAsync(buffer, 0, buffer.Length, CancellationToken.None);
                while (Task.WaitAny(new Task[] { read }, StreamLink.ReadWake) < 0)
                {
                    if (BytesWaiting() == 0) return 0;
                }
                _pending = null;
                return read.GetAwaiter().GetResult();
            }

            private int BytesWaiting()
            {
                try { return _port.BytesToRead; }
                catch (Exception ex) when (ex is IOException or InvalidOperationException) { return 0; } // the read itself tells what went wrong
            }

            public void Write(byte[] data)
            {
                _stream.Write(data, 0, data.Length);
                _stream.Flush();
            }

            public void DiscardPending()
            {
                try { _port.DiscardInBuffer(); } catch (IOException) { } catch (InvalidOperationException) { }
            }

            public void Dispose()
            {
                // an unplugged port on Windows throws UnauthorizedAccessException here (docs/platforms.md, "Unplugging")
                try { _port.Dispose(); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException) { }
                finally { _lock?.Dispose(); } // after the port: the lock outlives every descriptor of this session
            }
        }

        private sealed class TcpStream : IOpenedStream
        {
            private readonly TcpClient _client;
            private readonly NetworkStream _stream;

            public TcpStream(TcpClient client)
            {
                _client = client;
                _stream = client.GetStream();
            }

            public int Read(byte[] buffer)
            {
                // wait for the first byte without a socket timeout, which would leave the socket unusable on some platforms
                if (!_client.Client.Poll((int)(StreamLink.ReadWake.Ticks / 10), SelectMode.SelectRead)) return 0;
                int n;
                try
                {
                    n = _stream.Read(buffer, 0, buffer.Length);
                }
                catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
                {
                    // a peer that closes with our bytes unread resets the connection (RST) instead of ending it: the same close
                    throw new EndOfStreamException("the device closed the connection", ex);
                }
                if (n == 0) throw new EndOfStreamException("the device closed the connection");
                return n;
            }

            public void Write(byte[] data)
            {
                _stream.Write(data, 0, data.Length);
                _stream.Flush();
            }

            public void DiscardPending() { } // a socket has no driver buffer of the device's own

            public void Dispose() => _client.Dispose();
        }
    }
}
