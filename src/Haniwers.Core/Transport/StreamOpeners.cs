using System;
using System.IO;
using System.IO.Ports;
using System.Linq;
using System.Net.Sockets;
using System.Threading;

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
                ReadTimeout = 200,
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

            public SerialStream(SerialPort port, NamedLock portLock)
            {
                _port = port;
                _lock = portLock;
                Stream = port.BaseStream;
            }

            public Stream Stream { get; }
            public bool ZeroReadMeansEnd => false;

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

            public TcpStream(TcpClient client)
            {
                _client = client;
                Stream = client.GetStream();
            }

            public Stream Stream { get; }
            public bool ZeroReadMeansEnd => true;
            public void DiscardPending() { } // a socket has no driver buffer of the device's own

            public void Dispose() => _client.Dispose();
        }
    }
}
