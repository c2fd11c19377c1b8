using System;
using System.IO;
using System.Text;
using System.Threading;
using Haniwers.Transport;

namespace Haniwers.Simulation
{
    /// <summary>
    /// Serves a simulated detector on a byte stream (a serial device, a TCP connection) in real time:
    /// answers commands as they arrive and streams event lines at the simulated rates.
    /// </summary>
    public static class SimulatorServer
    {
        /// <summary>How a serving session ended.</summary>
        public enum EndReason { Cancelled, Dropped, StreamClosed }

        public static EndReason Serve(Stream stream, SimulatedDetector detector, CancellationToken cancellation, TimeSpan? dropAfter = null)
        {
            var clock = SystemClock.Instance;
            var writeLock = new object();
            // not disposed: the reader thread may still cancel it after Serve returns (its stream is closed by the caller)
            var session = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            bool closed = false;
            bool booting = detector.Options.BootText;

            void Send(string line)
            {
                var bytes = Encoding.ASCII.GetBytes(line + "\n");
                lock (writeLock)
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush();
                }
            }

            var thresholdsChanged = 0;
            Action<ReceivedWrite> onWrite = _ => Interlocked.Exchange(ref thresholdsChanged, 1);
            detector.WriteReceived += onWrite;
            var reader = new Thread(() =>
            {
                var buffer = new byte[256];
                try
                {
                    while (!session.IsCancellationRequested)
                    {
                        int n;
                        try { n = stream.Read(buffer, 0, buffer.Length); }
                        catch (TimeoutException) { continue; }
                        if (n == 0) { closed = true; break; }
                        if (booting) continue; // a board still booting hears nothing
                        foreach (var answer in detector.Receive(buffer, n)) Send(answer);
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    closed = true;
                }
                session.Cancel();
            }) { IsBackground = true, Name = "simulator reader" };
            reader.Start();

            var start = clock.Elapsed;
            try
            {
                if (booting)
                {
                    foreach (var line in detector.BootLines())
                    {
                        session.Token.WaitHandle.WaitOne(TimeSpan.FromTicks(SimulatorOptions.BootDuration.Ticks / 4));
                        Send(line);
                    }
                    session.Token.WaitHandle.WaitOne(TimeSpan.FromTicks(SimulatorOptions.BootDuration.Ticks / 4));
                    booting = false;
                }
                var next = clock.Elapsed + TimeSpan.FromSeconds(detector.NextInterval());
                while (!session.IsCancellationRequested)
                {
                    if (dropAfter is TimeSpan drop && clock.Elapsed - start >= drop) return EndReason.Dropped;
                    if (!detector.Streaming || Interlocked.Exchange(ref thresholdsChanged, 0) == 1)
                    {
                        // rates changed or the stream is paused: draw the next arrival afresh
                        if (!detector.Streaming) session.Token.WaitHandle.WaitOne(2);
                        next = clock.Elapsed + TimeSpan.FromSeconds(detector.NextInterval());
                        continue;
                    }
                    var wait = next - clock.Elapsed;
                    if (wait > TimeSpan.Zero)
                    {
                        session.Token.WaitHandle.WaitOne(wait < TimeSpan.FromMilliseconds(50) ? wait : TimeSpan.FromMilliseconds(50));
                        continue;
                    }
                    if (detector.NextEventLine() is { } line) Send(line);
                    next += TimeSpan.FromSeconds(detector.NextInterval());
                }
                return closed ? EndReason.StreamClosed : EndReason.Cancelled;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException)
            {
                return EndReason.StreamClosed;
            }
            finally
            {
                detector.WriteReceived -= onWrite;
                session.Cancel();
            }
        }
    }
}
