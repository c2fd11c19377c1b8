using System;
using System.Collections.Concurrent;
using System.IO;
using System.Text;
using System.Threading;

namespace Haniwers.Transport
{
    /// <summary>
    /// A link over a byte stream (serial port, TCP socket). A background thread reads the stream,
    /// splits lines (\n, \r\n; blank lines dropped) and stamps each with the span in which the device
    /// sent it (<see cref="ReceivedLine"/>), so a measurement window can tell lines before it from
    /// lines inside it even when this computer stopped reading for a while (docs/window-checks.md).
    /// Bounded under floods (docs/protocol.md, "Link"): the queue holds at most <see cref="QueueCapacity"/>
    /// lines (more are dropped and counted), a line longer than <see cref="MaxLineLength"/>
    /// is passed on marked <see cref="ReceivedLine.TooLong"/>, never cut into something that parses.
    /// </summary>
    public sealed class StreamLink : IDeviceLink
    {
        private readonly Func<CancellationToken, IOpenedStream> _open;
        private readonly object _writeLock = new object();
        private IOpenedStream? _stream;
        private Session _session = new Session(TimeSpan.Zero);
        private Thread? _reader;
        private volatile bool _disposed;

        /// <summary>Lines the reader keeps for the consumer; a full queue means the consumer fell behind.</summary>
        public const int QueueCapacity = 100_000;

        /// <summary>The longest a read waits for its first byte: a healthy reader returns at least this often.</summary>
        public static readonly TimeSpan ReadWake = TimeSpan.FromMilliseconds(50);

        /// <summary>
        /// How long past a deadline a consumer waits for a reader that has not yet read up to it. Only a
        /// process that is not being scheduled, or a driver whose read does not return, takes this long.
        /// </summary>
        public static readonly TimeSpan CatchUpLimit = TimeSpan.FromSeconds(10);

        private const int ReadBufferSize = 64 * 1024;

        /// <summary>
        /// A read this large found lines waiting: a reader that keeps up gets a line or two at a time, and
        /// an operating system hands over a backlog a buffer (4 KiB on Linux) at a time.
        /// </summary>
        private const int BacklogBytes = 1024;

        /// <summary>A reader that keeps up gets no more than this in a read (a few lines); a backlog ends with such a read.</summary>
        private const int KeptUpBytes = 256;

        /// <summary>A queue entry with no text: the reader returned from a read that brought nothing.</summary>
        private static readonly ReceivedLine Wake = default;

        /// <summary>What one opening of the stream shares with its reader thread; a reopen starts a new one.</summary>
        private sealed class Session
        {
            public Session(TimeSpan opened) => _readThrough = opened.Ticks;
            public readonly BlockingCollection<ReceivedLine?> Lines = new BlockingCollection<ReceivedLine?>(QueueCapacity);
            public volatile string? LostReason;
            private long _readThrough;
            /// <summary>Every line the device sent before this moment is in <see cref="Lines"/> (or was taken from it).</summary>
            public TimeSpan ReadThrough
            {
                get => TimeSpan.FromTicks(Interlocked.Read(ref _readThrough));
                set => Interlocked.Exchange(ref _readThrough, value.Ticks);
            }
        }

        /// <summary>The longest line the protocol allows (docs/protocol.md); a longer one is malformed, never cut into an event.</summary>
        public const int MaxLineLength = 512;

        /// <param name="isBootLine">Which lines are the board's boot text (<see cref="LinkCounters.BootLines"/>): the protocol's rule, given by who makes the link.</param>
        public StreamLink(string portName, Func<CancellationToken, IOpenedStream> open, Func<string, bool> isBootLine, IClock? clock = null)
        {
            PortName = portName;
            _open = open;
            Counters = new LinkCounters(isBootLine);
            Clock = clock ?? SystemClock.Instance;
        }

        public string PortName { get; }
        public IClock Clock { get; }
        public bool IsLost => _session.LostReason is not null;
        public LinkCounters Counters { get; }

        public void Open(CancellationToken cancellation)
        {
            var stream = _open(cancellation);
            stream.DiscardPending(); // what waited in the driver was sent before anyone listened
            _stream = stream;
            var session = new Session(Clock.Elapsed);
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
                lock (_writeLock) _stream!.Write(data);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException or TimeoutException)
            {
                _session.LostReason = ex.Message;
                throw new LinkLostException(PortName, ex.Message, ex);
            }
        }

        public bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line)
        {
            var session = _session;
            while (true)
            {
                var now = Clock.Elapsed;
                TimeSpan wait;
                if (now < deadline) wait = deadline - now;
                else if (session.ReadThrough >= deadline || session.LostReason is not null) wait = TimeSpan.Zero;
                else if (now - deadline < CatchUpLimit) wait = deadline + CatchUpLimit - now; // the reader is behind: its next return wakes us
                else wait = TimeSpan.Zero; // a reader that does not come back is not waited for any longer
                if (session.Lines.TryTake(out var item, ToMilliseconds(wait), cancellation))
                {
                    if (item is null) throw new LinkLostException(PortName, session.LostReason ?? "the stream ended"); // the reader's end-of-stream marker
                    if (item.Value.Text is null) continue; // a read that brought nothing: look at the deadline again
                    line = item.Value;
                    return true;
                }
                if (wait > TimeSpan.Zero) continue;
                line = default;
                ThrowIfLost();
                return false;
            }
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

        private static int ToMilliseconds(TimeSpan wait) =>
            wait <= TimeSpan.Zero ? 0 : (int)Math.Min(int.MaxValue - 1, Math.Ceiling(wait.TotalMilliseconds));

        private void ThrowIfLost()
        {
            if (_stream is null) throw new LinkLostException(PortName, "the link is not open");
            var session = _session;
            if (session.LostReason is { } reason && session.Lines.Count == 0) throw new LinkLostException(PortName, reason);
        }

        private void ReadLoop(IOpenedStream opened, Session session)
        {
            var lines = session.Lines;
            var buffer = new byte[ReadBufferSize];
            var pending = new StringBuilder();
            bool tooLong = false;
            // the bytes of a read were sent after the read before it returned, unless that read was part of a
            // backlog the host is still working through (docs/window-checks.md, "What the host knows about time")
            var chunkStart = session.ReadThrough;
            var previousReturn = chunkStart;
            var lineStart = chunkStart;
            bool inBacklog = false;
            var backlogBegan = chunkStart;
            var split = new System.Collections.Generic.List<(string text, TimeSpan earliest, bool tooLong)>();
            try
            {
                while (!_disposed)
                {
                    int n = opened.Read(buffer);
                    var returned = Clock.Elapsed;
                    // the read's lines are split first: whether they came alone decides how they are stamped
                    for (int i = 0; i < n; i++)
                    {
                        char c = (char)buffer[i];
                        if (pending.Length == 0 && !tooLong) lineStart = chunkStart;
                        if (c == '\n')
                        {
                            int length = pending.Length;
                            if (length > 0 && pending[length - 1] == '\r') length--;
                            if (length > 0 || tooLong) split.Add((pending.ToString(0, length), lineStart, tooLong));
                            pending.Clear();
                            tooLong = false;
                        }
                        else if (pending.Length < MaxLineLength)
                        {
                            pending.Append(c);
                        }
                        else
                        {
                            tooLong = true; // the rest of the line is dropped; the line is malformed
                        }
                    }
                    bool late = returned - previousReturn > ReceivedLine.PromptSpan;
                    if (late && n > 0) Counters.Backlog(returned - previousReturn);
                    // a read that found much waiting has not emptied the buffers; the backlog ends with a read that
                    // brings no more than a reader that keeps up gets, once the host has had PromptSpan to drain it
                    // (an operating system may hand a backlog over in small pieces at first)
                    bool wasInBacklog = inBacklog;
                    if (!inBacklog) backlogBegan = returned;
                    inBacklog = n >= BacklogBytes || n > 0 && late
                        || inBacklog && n > 0 && (n >= KeptUpBytes || returned - backlogBegan < ReceivedLine.PromptSpan);
                    bool backlogged = wasInBacklog || inBacklog || split.Count > 1;
                    foreach (var (text, earliest, cut) in split) Deliver(lines, new ReceivedLine(text, earliest, returned, cut, backlogged));
                    split.Clear();
                    previousReturn = returned;
                    if (inBacklog) continue; // nothing is read through until the backlog is
                    chunkStart = returned;
                    session.ReadThrough = returned;
                    if (n == 0 && lines.Count == 0) lines.TryAdd(Wake); // wakes a consumer waiting for the reader to catch up
                }
            }
            catch (EndOfStreamException)
            {
                session.LostReason ??= "the device closed the connection";
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
            if (!line.TooLong) Counters.Observe(line.Text);
            if (!lines.TryAdd(line)) Counters.LineDropped();
        }

        private void Close()
        {
            var stream = _stream;
            _stream = null;
            // a stream whose device is gone may fail to close: on Windows, UnauthorizedAccessException from an
            // unplugged port's disposal (docs/platforms.md, "Unplugging"); the link is closed all the same
            try { stream?.Dispose(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException) { }
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

    /// <summary>An open byte stream to a device and what owns it (port, socket, lock), disposed together.</summary>
    public interface IOpenedStream : IDisposable
    {
        /// <summary>
        /// Reads what has arrived, waiting at most about <see cref="StreamLink.ReadWake"/> for the first
        /// byte; 0 when nothing came in that time. Throws <see cref="EndOfStreamException"/> when the
        /// other end closed the connection, IOException when the device went away.
        /// </summary>
        int Read(byte[] buffer);
        /// <summary>Sends every byte (and waits until the driver has taken them).</summary>
        void Write(byte[] data);
        /// <summary>Drops what the driver holds that nobody has read yet (a serial port's input buffer).</summary>
        void DiscardPending();
    }
}
