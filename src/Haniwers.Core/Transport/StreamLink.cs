using System;
using System.Collections.Concurrent;
using System.IO;
using System.Text;
using System.Threading;
using Haniwers.Protocol;

namespace Haniwers.Transport
{
    /// <summary>
    /// A link over a byte stream (serial port, TCP socket). A background thread reads the stream,
    /// splits lines (\n, \r\n; blank lines dropped) and stamps each with its arrival time, so a
    /// measurement window can tell lines that arrived before it opened from those inside it.
    /// Bounded under floods (docs/protocol.md, "Link"): the queue holds at most <see cref="QueueCapacity"/>
    /// lines (more are dropped and counted), a line longer than <see cref="ProtocolText.MaxLineLength"/>
    /// is passed on marked <see cref="ReceivedLine.TooLong"/>, never cut into something that parses.
    /// </summary>
    public sealed class StreamLink : IDeviceLink
    {
        private readonly Func<CancellationToken, IOpenedStream> _open;
        private readonly object _writeLock = new object();
        private IOpenedStream? _stream;
        private Session _session = new Session();
        private Thread? _reader;
        private volatile bool _disposed;

        /// <summary>Lines the reader keeps for the consumer; a full queue means the consumer fell behind.</summary>
        public const int QueueCapacity = 100_000;

        /// <summary>What one opening of the stream shares with its reader thread; a reopen starts a new one.</summary>
        private sealed class Session
        {
            public readonly BlockingCollection<ReceivedLine?> Lines = new BlockingCollection<ReceivedLine?>(QueueCapacity);
            public volatile string? LostReason;
        }

        public StreamLink(string portName, Func<CancellationToken, IOpenedStream> open, IClock? clock = null)
        {
            PortName = portName;
            _open = open;
            Clock = clock ?? SystemClock.Instance;
        }

        public string PortName { get; }
        public IClock Clock { get; }
        public bool IsLost => _session.LostReason is not null;
        public LinkCounters Counters { get; } = new LinkCounters();

        public void Open(CancellationToken cancellation)
        {
            var stream = _open(cancellation);
            stream.DiscardPending(); // what waited in the driver was sent before anyone listened
            _stream = stream;
            var session = new Session();
            _session = session;
            _reader = new Thread(() => ReadLoop(stream, session)) { IsBackground = true, Name = "Haniwers reader " + PortName };
            _reader.Start();
        }

        public void Reopen(CancellationToken cancellation)
        {
            Close();
            Open(cancellation);
        }

        public void Write(byte[] data)
        {
            ThrowIfLost();
            try
            {
                lock (_writeLock)
                {
                    _stream!.Stream.Write(data, 0, data.Length);
                    _stream.Stream.Flush();
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
            {
                _session.LostReason = ex.Message;
                throw new LinkLostException(PortName, ex.Message, ex);
            }
        }

        public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
        {
            var remaining = deadline - Clock.Elapsed;
            int ms = remaining <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(remaining.TotalMilliseconds);
            var session = _session;
            if (!session.Lines.TryTake(out var item, ms, cancellation))
            {
                line = default;
                ThrowIfLost();
                return false;
            }
            if (item is null)
            {
                // the reader's end-of-stream marker
                throw new LinkLostException(PortName, session.LostReason ?? "the stream ended");
            }
            line = item.Value;
            return true;
        }

        public void DiscardInput()
        {
            var session = _session;
            while (session.Lines.TryTake(out var item))
            {
                if (item is null)
                {
                    throw new LinkLostException(PortName, session.LostReason ?? "the stream ended");
                }
            }
        }

        private void ThrowIfLost()
        {
            if (_stream is null) throw new LinkLostException(PortName, "the link is not open");
            var session = _session;
            if (session.LostReason is { } reason && session.Lines.Count == 0) throw new LinkLostException(PortName, reason);
        }

        private void ReadLoop(IOpenedStream opened, Session session)
        {
            var lines = session.Lines;
            var buffer = new byte[4096];
            var pending = new StringBuilder();
            bool tooLong = false;
            try
            {
                while (!_disposed)
                {
                    int n;
                    try
                    {
                        n = opened.Stream.Read(buffer, 0, buffer.Length);
                    }
                    catch (TimeoutException)
                    {
                        continue; // serial ports wake up regularly so a close is noticed
                    }
                    if (n == 0)
                    {
                        if (opened.ZeroReadMeansEnd) { session.LostReason ??= "the device closed the connection"; break; }
                        continue;
                    }
                    var arrived = Clock.Elapsed;
                    if (n == buffer.Length) Counters.LateRead(); // more was waiting: these stamps are late
                    for (int i = 0; i < n; i++)
                    {
                        char c = (char)buffer[i];
                        if (c == '\n')
                        {
                            int length = pending.Length;
                            if (length > 0 && pending[length - 1] == '\r') length--;
                            if (length > 0 || tooLong) Deliver(lines, new ReceivedLine(pending.ToString(0, length), arrived, tooLong));
                            pending.Clear();
                            tooLong = false;
                        }
                        else if (pending.Length < ProtocolText.MaxLineLength)
                        {
                            pending.Append(c);
                        }
                        else
                        {
                            tooLong = true; // the rest of the line is dropped; the line is malformed
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                session.LostReason ??= ex.Message;
            }
            finally
            {
                session.LostReason ??= "the stream ended";
                // the end marker must reach the consumer even when the queue is full
                try { lines.TryAdd(null, TimeSpan.FromSeconds(5)); } catch (InvalidOperationException) { }
            }
        }

        private void Deliver(BlockingCollection<ReceivedLine?> lines, ReceivedLine line)
        {
            if (!line.TooLong && line.Text.Length > 0 && !char.IsDigit(line.Text[0])) Counters.Observe(line.Text);
            if (!lines.TryAdd(line)) Counters.LineDropped();
        }

        private void Close()
        {
            var stream = _stream;
            _stream = null;
            try { stream?.Dispose(); } catch (IOException) { }
            _reader?.Join(TimeSpan.FromSeconds(2));
            _reader = null;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            Close();
        }
    }

    /// <summary>An open stream and what owns it (port, socket, lock), disposed together.</summary>
    public interface IOpenedStream : IDisposable
    {
        Stream Stream { get; }
        /// <summary>True for sockets, where a read of 0 bytes means the peer closed.</summary>
        bool ZeroReadMeansEnd { get; }
        /// <summary>Drops what the driver holds that nobody has read yet (a serial port's input buffer).</summary>
        void DiscardPending();
    }
}
