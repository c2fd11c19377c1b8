using System;
using System.Collections.Concurrent;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Haniwers.Transport;
using Xunit;

using Haniwers.Protocol;
namespace Haniwers.Tests.Transport
{
    /// <summary>
    /// How the reader stamps lines and when "nothing before the deadline" may be said
    /// (docs/window-checks.md, "What the host knows about time"), on a stream whose every read the
    /// test decides and a clock the test moves.
    /// </summary>
    public class StreamLinkTests
    {
        /// <summary>A stream whose reads return exactly what the test releases, at the clock's time the test sets first.</summary>
        private sealed class GatedStream : IOpenedStream
        {
            private readonly BlockingCollection<(byte[] bytes, TimeSpan at)> _reads = new BlockingCollection<(byte[], TimeSpan)>();
            private readonly ManualClock _clock;
            public GatedStream(ManualClock clock) => _clock = clock;

            /// <summary>The next read returns <paramref name="text"/> (empty: a read that timed out) once the clock says <paramref name="at"/>.</summary>
            public void Release(string text, double at) => _reads.Add((Encoding.ASCII.GetBytes(text), TimeSpan.FromSeconds(at)));

            public int Read(byte[] buffer)
            {
                var (bytes, at) = _reads.Take();
                if (at > _clock.Elapsed) _clock.Advance(at - _clock.Elapsed);
                if (bytes.Length == 0) return 0;
                bytes.CopyTo(buffer, 0);
                return bytes.Length;
            }

            public void Write(byte[] data) { }
            public void DiscardPending() { }
            public void Dispose() => _reads.Add((new byte[0], TimeSpan.Zero));
        }

        private static (StreamLink link, GatedStream stream, ManualClock clock) Open()
        {
            var clock = new ManualClock();
            var stream = new GatedStream(clock);
            var link = new StreamLink("gated", _ => stream, BootText.IsBootLine, clock);
            link.Open(CancellationToken.None);
            return (link, stream, clock);
        }

        private static ReceivedLine Next(StreamLink link, double deadline)
        {
            Assert.True(link.TryReadLine(TimeSpan.FromSeconds(deadline), CancellationToken.None, out var line));
            return line;
        }

        [Fact]
        public async Task AReaderThatHasNotReadUpToTheDeadlineIsWaitedFor()
        {
            var (link, stream, clock) = Open();
            using (link)
            {
                // the host did not run the reader from 0.2 s to 1.4 s; a line the device sent in that time comes
                // after the deadline (0.5 s) has passed on the host's clock, and must not be missed
                stream.Release("", 0.2);
                var reading = Task.Run(() => Next(link, 0.5));
                stream.Release("1 0 0 10 24.0 100000.0 30.0\n", 1.4);
                var line = await reading;
                Assert.Equal("1 0 0 10 24.0 100000.0 30.0", line.Text);
                Assert.Equal(TimeSpan.FromSeconds(1.4), line.Arrived);
                Assert.Equal(TimeSpan.FromSeconds(0.2), line.Earliest);
                Assert.True(line.Backlogged);
                // once the reader has come back past the deadline with nothing, there is nothing more before it
                stream.Release("", 1.45);
                Assert.False(link.TryReadLine(TimeSpan.FromSeconds(0.5), CancellationToken.None, out _));
            }
        }

        [Fact]
        public void LinesThatCameTogetherOrLateAreBackloggedAndALoneLineOnTimeIsNot()
        {
            var (link, stream, _) = Open();
            using (link)
            {
                stream.Release("1 0 0 10 24.0 100000.0 30.0\n", 0.03);
                stream.Release("0 1 0 10 24.0 100000.0 30.0\n0 0 1 10 24.0 100000.0 30.0\n", 0.06);
                stream.Release("", 0.11);
                stream.Release("1 1 1 10 24.0 100000.0 30.0\n", 0.5);
                var alone = Next(link, 1);
                Assert.False(alone.Backlogged);
                Assert.Equal(TimeSpan.Zero, alone.Earliest);
                var first = Next(link, 1);
                var second = Next(link, 1);
                Assert.True(first.Backlogged && second.Backlogged);
                Assert.Equal(TimeSpan.FromSeconds(0.03), first.Earliest);
                var late = Next(link, 1);
                Assert.True(late.Backlogged); // 0.39 s after the read before it: the reader was not running
                Assert.Equal(TimeSpan.FromSeconds(0.11), late.Earliest);
                Assert.Equal(1, link.Counters.Backlogs);
                Assert.Equal(TimeSpan.FromSeconds(0.39), link.Counters.LongestBacklog);
            }
        }

        [Fact]
        public void TheEndOfTheStreamIsALostLinkNotAQuietOne()
        {
            var clock = new ManualClock();
            var link = new StreamLink("closing", _ => new ClosedStream(), BootText.IsBootLine, clock);
            link.Open(CancellationToken.None);
            using (link)
            {
                var ex = Assert.Throws<LinkLostException>(() => link.TryReadLine(TimeSpan.FromSeconds(1), CancellationToken.None, out _));
                Assert.Contains("closed the connection", ex.Message);
            }
        }

        [Fact]
        public void ADeviceThatResetsItsTcpConnectionClosedIt()
        {
            // a bridge that closes with our bytes unread sends a reset (RST), not an end: the read fails with "Connection
            // reset by peer". Found as a flaky test (a DAQ run against a bridge that closes at once): the same close is
            // told the same way, whichever of the two the race gives
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var clock = new ManualClock();
            // a generous connect timeout: the test host runs other tests at once (CI once took more than 5 s to see a loopback connect complete)
            var link = new StreamLink("tcp", _ => StreamOpeners.OpenTcp("tcp", new Uri($"tcp://127.0.0.1:{port}"), TimeSpan.FromSeconds(60), CancellationToken.None),
                BootText.IsBootLine, clock);
            link.Open(CancellationToken.None);
            using (link)
            {
                using (var server = listener.AcceptSocket())
                {
                    link.WriteLine("SET_STREAM 1");
                    while (server.Available == 0) Thread.Sleep(1); // our bytes are in its receive buffer, unread
                    server.LingerState = new System.Net.Sockets.LingerOption(true, 0); // and it closes abortively: a reset
                }
                var ex = Assert.Throws<LinkLostException>(() => link.TryReadLine(TimeSpan.FromSeconds(5), CancellationToken.None, out _));
                Assert.Contains("the device closed the connection", ex.Message);
                Assert.DoesNotContain("reset by peer", ex.Message);
            }
        }

        /// <summary>
        /// A Windows USB serial port after an unplug, as .NET reports it (docs/platforms.md, "Unplugging"):
        /// reads fail with IOException, and disposing the port throws UnauthorizedAccessException.
        /// </summary>
        private sealed class UnpluggedOnWindows : IOpenedStream
        {
            public int DisposeAttempts;
            public int Read(byte[] buffer) => throw new IOException("The device does not recognize the command.");
            public void Write(byte[] data) => throw new IOException("The device does not recognize the command.");
            public void DiscardPending() { }
            public void Dispose()
            {
                DisposeAttempts++;
                throw new UnauthorizedAccessException("Access to the port 'COM3' is denied.");
            }
        }

        [Fact]
        public void AWindowsUnplugIsReconnectedThoughClosingThrowsAndTheReplugIsBusyAWhile()
        {
            var clock = new ManualClock();
            var unplugged = new UnpluggedOnWindows();
            var replugged = new GatedStream(clock);
            int opens = 0;
            IOpenedStream Open(CancellationToken _) => ++opens switch
            {
                1 => unplugged,
                // Windows says "in use" for a while after the replug: System.IO.Ports' UnauthorizedAccessException, as OpenSerial reports it
                2 or 3 => throw new PortAccessDeniedException("COM3", new UnauthorizedAccessException("Access to the port 'COM3' is denied.")),
                _ => replugged,
            };
            var link = new StreamLink("COM3", Open, BootText.IsBootLine, clock);
            link.Open(CancellationToken.None);
            using (link)
            {
                Assert.Throws<LinkLostException>(() => link.TryReadLine(TimeSpan.FromSeconds(1), CancellationToken.None, out _));
                var reconnector = new LinkReconnector(link, TimeSpan.FromSeconds(30));
                reconnector.Lost("unplugged");
                var notices = new System.Collections.Generic.List<string>();
                string? failure = reconnector.Reconnect(CancellationToken.None, (_, _, _) => { }, notices.Add);
                Assert.Null(failure);
                Assert.Equal(4, opens);
                Assert.Equal(1, unplugged.DisposeAttempts);
                replugged.Release("1 0 0 10 24.0 100000.0 30.0\n", clock.Elapsed.TotalSeconds + 0.01);
                Assert.Equal("1 0 0 10 24.0 100000.0 30.0", Next(link, clock.Elapsed.TotalSeconds + 1).Text);
            }
        }

        private sealed class ClosedStream : IOpenedStream
        {
            public int Read(byte[] buffer) => throw new EndOfStreamException();
            public void Write(byte[] data) { }
            public void DiscardPending() { }
            public void Dispose() { }
        }
    }
}
