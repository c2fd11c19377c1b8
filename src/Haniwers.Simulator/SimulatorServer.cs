using System;
using System.Collections.Generic;
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

        public static EndReason Serve(Stream stream, SimulatedDetector detector, CancellationToken cancellation, TimeSpan? dropAfter = null, Action<string>? log = null)
        {
            var clock = SystemClock.Instance;
            var options = detector.Options;
            // The timed faults (drop, reset, stall, flood) count from when the host first talks to the board,
            // as the in-process simulator's count from the link's opening: a host that is slow to start (a
            // busy machine) still meets them where its test expects them.
            long talkedAt = -1;
            TimeSpan? Since() => Interlocked.Read(ref talkedAt) is long t && t >= 0 ? clock.Elapsed - TimeSpan.FromTicks(t) : null;
            // not disposed: the reader thread may still cancel it after Serve returns (its stream is closed by the caller)
            var session = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            bool closed = false;
            bool booting = detector.Options.BootText;

            // The board's output goes through a deep buffer drained by its own thread, as a USB serial
            // driver's buffer does: the board keeps sending on time while nobody reads, and nothing is lost.
            var output = new System.Collections.Concurrent.BlockingCollection<byte[]>();
            var writer = new Thread(() =>
            {
                try
                {
                    foreach (var bytes in output.GetConsumingEnumerable(session.Token))
                    {
                        stream.Write(bytes, 0, bytes.Length);
                        stream.Flush();
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
                {
                    closed = closed || ex is not OperationCanceledException;
                }
                session.Cancel();
            }) { IsBackground = true, Name = "simulator writer" };
            writer.Start();

            void Send(string line) => output.Add(Encoding.ASCII.GetBytes(line + "\n"));

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
                        Interlocked.CompareExchange(ref talkedAt, clock.Elapsed.Ticks, -1);
                        if (booting) continue; // a board still booting hears nothing
                        // a stalled board reads its input only when it comes back
                        if (Since() is TimeSpan now && options.Stalled(now, out var stallEnd)) session.Token.WaitHandle.WaitOne(stallEnd - now);
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

            var lastStall = TimeSpan.MinValue;
            TimeSpan? resetAt = options.ResetAfter is double r ? TimeSpan.FromSeconds(r) : null;
            TimeSpan? floodNext = options.FloodAfter is double f ? TimeSpan.FromSeconds(f) : null;

            void BootSequence(IEnumerable<string> lines)
            {
                booting = true;
                foreach (var line in lines)
                {
                    session.Token.WaitHandle.WaitOne(TimeSpan.FromTicks(SimulatorOptions.BootDuration.Ticks / 4));
                    Send(line);
                }
                session.Token.WaitHandle.WaitOne(TimeSpan.FromTicks(SimulatorOptions.BootDuration.Ticks / 4));
                booting = false;
            }

            try
            {
                if (booting) BootSequence(detector.BootLines());
                var next = clock.Elapsed + TimeSpan.FromSeconds(detector.NextInterval());
                while (!session.IsCancellationRequested)
                {
                    var since = Since() ?? TimeSpan.MinValue;
                    if (dropAfter is TimeSpan drop && since >= drop) return EndReason.Dropped;
                    if (resetAt is TimeSpan reset && since >= reset)
                    {
                        resetAt = null; // resets once a session
                        BootSequence(detector.Reset());
                        next = clock.Elapsed + TimeSpan.FromSeconds(detector.NextInterval());
                        continue;
                    }
                    if (options.Stalled(since, out var stallEnd))
                    {
                        if (stallEnd != lastStall)
                        {
                            // once a stall, in wall time, so a test can set it beside the windows' timestamps
                            lastStall = stallEnd;
                            log?.Invoke($"STALL {DateTimeOffset.UtcNow.AddTicks(-(since - (stallEnd - TimeSpan.FromSeconds(options.StallFor))).Ticks):o} {options.StallFor.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                        }
                        session.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Ceiling((stallEnd - since).TotalMilliseconds)));
                        next = clock.Elapsed + TimeSpan.FromSeconds(detector.NextInterval());
                        continue;
                    }
                    if (floodNext is TimeSpan flood && since >= flood)
                    {
                        if (!options.Flooding(since)) floodNext = options.NextFlood(since);
                        else
                        {
                            // the flood's lines due by now, sent at once
                            var step = TimeSpan.FromSeconds(1 / options.FloodRate);
                            for (; floodNext <= since; floodNext += step) Send(detector.FloodLine());
                        }
                    }
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
                        var slice = floodNext is null ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromMilliseconds(2);
                        session.Token.WaitHandle.WaitOne(wait < slice ? wait : slice);
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
