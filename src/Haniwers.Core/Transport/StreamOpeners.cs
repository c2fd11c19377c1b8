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
        public static IOpenedStream OpenSerial(string portName, int baudRate)
        {
            if (Environment.OSVersion.Platform == PlatformID.Unix && !File.Exists(portName))
            {
                throw new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList());
            }
            NamedLock portLock;
            try
            {
                portLock = NamedLock.Acquire(NamedLock.PortLockFile(portName), $"a Haniwers session on {portName}", shared: true);
            }
            catch (LockHeldException ex)
            {
                throw new PortInUseException(portName, ex.Owner);
            }
            catch (LockUnavailableException ex)
            {
                throw new LinkOpenException(portName, $"Could not take the lock that keeps two sessions off '{portName}': {ex.InnerException?.Message}", ex);
            }
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
                portLock.Dispose();
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
                portLock.Dispose();
                port.Dispose();
                if (!PortCatalog.List().Any(p => string.Equals(p.PortName, portName, StringComparison.OrdinalIgnoreCase)) && !File.Exists(portName))
                    throw new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList(), ex.Message);
                throw new LinkOpenException(portName, $"Could not open '{portName}': {ex.Message}", ex);
            }
            catch (ArgumentException ex)
            {
                portLock.Dispose();
                port.Dispose();
                throw new PortNotFoundException(portName, PortCatalog.List().Select(p => p.PortName).ToList(), ex.Message);
            }
            return new SerialStream(port, portLock);
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
            private readonly NamedLock _lock;
            private readonly Stream _stream;

            public SerialStream(SerialPort port, NamedLock portLock)
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
                try { _port.Dispose(); } catch (IOException) { }
                _lock.Dispose();
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
                int n = _stream.Read(buffer, 0, buffer.Length);
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
