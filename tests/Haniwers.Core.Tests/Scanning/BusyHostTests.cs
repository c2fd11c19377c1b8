using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Scanning;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    /// <summary>
    /// A busy computer is not a broken detector (docs/window-checks.md, "What the host knows about
    /// time"): lines stamped as the reader stamps them, while the host stops reading at random
    /// moments, never convict a steady device and are counted exactly; a device that really pauses is
    /// still caught.
    /// </summary>
    public class BusyHostTests
    {
        private const string HitAll = "5 5 5 100 24.00 100000.00 30.00";
        private static readonly TimeSpan Wake = StreamLink.ReadWake;

        /// <summary>A span in which the host did not run: the reader only, or the whole process (the engine too).</summary>
        private readonly struct Freeze
        {
            public Freeze(double from, double to, bool wholeProcess) { From = from; To = to; WholeProcess = wholeProcess; }
            public double From { get; }
            public double To { get; }
            public bool WholeProcess { get; }
            public bool Covers(double t) => t >= From && t < To;
        }

        /// <summary>
        /// The lines of a device that sent at <paramref name="sent"/> (seconds), as the reader stamps them:
        /// it returns at each line and at least every ReadWake while it runs, not at all while frozen,
        /// and once at a freeze's end with everything that waited (backlogged when more than one line
        /// came, or after longer than a healthy reader waits).
        /// </summary>
        private static List<ReceivedLine> Stamp(IReadOnlyList<double> sent, IReadOnlyList<Freeze> freezes, double end)
        {
            var lines = new List<ReceivedLine>();
            double lastReturn = 0, t = 0;
            int next = 0;
            var pending = new List<double>();
            while (t < end)
            {
                var freeze = freezes.Where(f => f.Covers(t)).Select(f => (Freeze?)f).FirstOrDefault();
                double nextReturn;
                if (freeze is Freeze f) nextReturn = f.To;
                else
                {
                    double nextLine = next < sent.Count ? sent[next] : double.MaxValue;
                    double nextFreeze = freezes.Where(x => x.From > t).Select(x => x.From).DefaultIfEmpty(double.MaxValue).Min();
                    nextReturn = Math.Min(Math.Min(nextLine, lastReturn + Wake.TotalSeconds), nextFreeze);
                    if (nextReturn == nextFreeze)
                    {
                        t = nextFreeze; // the reader stops here; what it had read is delivered
                        continue;
                    }
                }
                while (next < sent.Count && sent[next] <= nextReturn) pending.Add(sent[next++]);
                bool backlogged = pending.Count > 1 || nextReturn - lastReturn > ReceivedLine.PromptSpan.TotalSeconds;
                foreach (var _ in pending) lines.Add(new ReceivedLine(HitAll, TimeSpan.FromSeconds(lastReturn), TimeSpan.FromSeconds(nextReturn), false, backlogged));
                pending.Clear();
                lastReturn = t = nextReturn;
            }
            return lines;
        }

        /// <summary>Counts a window as the engine does: it opens at <paramref name="open"/> (later if the process was frozen then) and reads on.</summary>
        private static MeasurementWindow Count(List<ReceivedLine> lines, double open, double duration, IReadOnlyList<Freeze> freezes)
        {
            foreach (var f in freezes) if (f.WholeProcess && f.Covers(open)) open = f.To; // the engine was frozen too
            var opened = TimeSpan.FromSeconds(open);
            var window = new MeasurementWindow(opened, opened + TimeSpan.FromSeconds(duration), DateTimeOffset.UnixEpoch);
            foreach (var line in lines.Where(l => l.Arrived > opened)) // what had been read before the opening was discarded
            {
                var place = window.Place(line);
                if (place == WindowPlace.After) break;
                if (place == WindowPlace.Inside) window.Add(line);
            }
            return window;
        }

        private static List<double> Poisson(Random random, double rate, double from, double to, (double from, double to)? pause = null)
        {
            var times = new List<double>();
            for (double t = from - Math.Log(1 - random.NextDouble()) / rate; t < to; t -= Math.Log(1 - random.NextDouble()) / rate)
            {
                if (pause is { } p && t >= p.from && t < p.to) continue;
                times.Add(t);
            }
            return times;
        }

        [Fact]
        public void FreezesOfTheHostNeverConvictASteadyDeviceAndTheCountIsExact()
        {
            // 3,000 windows of 0.2 to 5 s at 0.5 to 600 Hz, each with up to three freezes of 0.05 to 0.6 s
            // anywhere around it (across the opening, inside, across the close; the reader alone or the whole process)
            var random = new Random(18);
            int rejected = 0, moved = 0, extended = 0, inexact = 0;
            for (int i = 0; i < 3000; i++)
            {
                double rate = 0.5 * Math.Exp(random.NextDouble() * Math.Log(1200)), duration = 0.2 + 4.8 * random.NextDouble(), open = 2;
                var freezes = Enumerable.Range(0, random.Next(0, 4))
                    .Select(_ => { double from = open - 1 + (duration + 2) * random.NextDouble(); return new Freeze(from, from + 0.05 + 0.55 * random.NextDouble(), random.Next(2) == 0); })
                    .OrderBy(f => f.From).ToList();
                var sent = Poisson(random, rate, 0, open + duration + 4);
                var window = Count(Stamp(sent, freezes, open + duration + 4), open, duration, freezes);

                var rejection = window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, null, TimeSpan.Zero);
                if (rejection is not null) rejected++;
                // every line the device sent while the window counted, and no other
                // every line the device sent while the window counted, and no other; a line that came alone
                // after a short freeze across an edge is the one the rule cannot place (it was read as if on time)
                long truth = sent.Count(s => s >= window.Opened.TotalSeconds && s < window.Ends.TotalSeconds + 1e-12);
                Assert.True(Math.Abs(truth - window.Tally.Events) <= 1, $"window {i}: {window.Tally.Events} counted, {truth} sent in [{window.Opened.TotalSeconds}, {window.Ends.TotalSeconds}]");
                if (truth != window.Tally.Events) inexact++;
                Assert.InRange(window.Seconds, duration - 1e-6, duration + 1.3);
                if (window.Reopenings > 0) moved++;
                if (window.Ends > window.Closes) extended++;
            }
            Assert.Equal(0, rejected);
            Assert.True(inexact <= 3, $"{inexact} of 3000 windows off by one line");
            Assert.True(moved > 50 && extended > 50, $"the freezes must hit the edges: {moved} openings moved, {extended} closes extended");
        }

        [Fact]
        public void TheOldStampsWouldHaveConvictedThoseWindows()
        {
            // the same kind of freeze judged by arrival times alone: a 0.4 s freeze inside a 1 s window at 300 Hz
            var random = new Random(3);
            var freezes = new[] { new Freeze(2.3, 2.7, wholeProcess: true) };
            var sent = Poisson(random, 300, 0, 5);
            var lines = Stamp(sent, freezes, 5);
            var arrivalsOnly = lines.Select(l => new ReceivedLine(l.Text, l.Arrived)).ToList();
            var naive = Count(arrivalsOnly, 2, 1, freezes);
            Assert.NotNull(naive.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, null, TimeSpan.Zero));
            var window = Count(lines, 2, 1, freezes);
            Assert.Null(window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, null, TimeSpan.Zero));
            Assert.True(window.LongestGap < TimeSpan.FromMilliseconds(100), $"longest gap {window.LongestGap}");
        }

        [Theory]
        [InlineData(150, 3.0, 0.5)]
        [InlineData(300, 1.0, 0.5)]
        [InlineData(600, 0.5, 0.3)]
        public void ADevicePauseIsStillCaughtOnABusyHost(double rate, double duration, double pause)
        {
            // the device stops sending inside the window; the host also freezes, elsewhere, around the window
            var random = new Random((int)rate);
            int caught = 0;
            for (int i = 0; i < 200; i++)
            {
                double open = 2, pauseAt = open + 0.05 + (duration - pause - 0.1) * random.NextDouble();
                var freezes = new List<Freeze>();
                double freezeAt = open - 1 + (duration + 2) * random.NextDouble();
                if (freezeAt + 0.4 < pauseAt || freezeAt > pauseAt + pause) freezes.Add(new Freeze(freezeAt, freezeAt + 0.4, random.Next(2) == 0));
                var sent = Poisson(random, rate, 0, open + duration + 4, (pauseAt, pauseAt + pause));
                var window = Count(Stamp(sent, freezes, open + duration + 4), open, duration, freezes);
                var rejection = window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, null, TimeSpan.Zero);
                if (rejection?.Problem == WindowProblem.Silence) caught++;
            }
            Assert.Equal(200, caught);
        }

        [Theory]
        [InlineData(-0.10, 0.45)] // the host sleeps through the pause's start and most of it
        [InlineData(0.15, 0.40)]  // through its middle and end
        [InlineData(-0.20, 0.40)] // through its start: 0.3 s of it is left to see
        public void APauseTheHostPartlySleptThroughIsStillCaught(double freezeFrom, double freezeFor)
        {
            // 300 events/s; the device pauses 0.5 s inside a 2 s window; the whole process freezes across part of the pause
            var random = new Random(7);
            int caught = 0;
            for (int i = 0; i < 100; i++)
            {
                double open = 2, pauseAt = open + 0.6 + 0.4 * random.NextDouble();
                var freezes = new[] { new Freeze(pauseAt + freezeFrom, pauseAt + freezeFrom + freezeFor, wholeProcess: true) };
                var sent = Poisson(random, 300, 0, open + 6, (pauseAt, pauseAt + 0.5));
                var window = Count(Stamp(sent, freezes, open + 6), open, 2, freezes);
                if (window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, null, TimeSpan.Zero)?.Problem == WindowProblem.Silence) caught++;
            }
            Assert.Equal(100, caught);
        }

        [Fact]
        public void AWindowFarBelowWhatTheSameThresholdsGaveIsConvicted()
        {
            var window = new MeasurementWindow(TimeSpan.Zero, TimeSpan.FromSeconds(1), DateTimeOffset.UnixEpoch);
            var expected = new ExpectedCount(0.5 * 300 * 1, "half the rate the same thresholds gave a moment before");
            var rejection = window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, expected, TimeSpan.Zero);
            Assert.Equal(WindowProblem.TooFewEvents, rejection?.Problem);
            Assert.Contains("sent 0 event(s)", rejection!.Reason);
            // a quiet window without a yardstick is no evidence
            Assert.Null(window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, null, TimeSpan.Zero));
            // nor is a count within Poisson reach of the bound
            for (int i = 0; i < 120; i++) window.Add(new ReceivedLine(HitAll, TimeSpan.FromSeconds(i / 120.0)));
            Assert.Null(window.Rejection(default, default, default, 0.2, new[] { 1, 2, 3 }, expected, TimeSpan.Zero));
        }

        [Fact]
        public void TheTimeLeftFollowsTheUsualStepAndShrinksAsTheScanGoes()
        {
            // 1.1 s steps; step 5 takes 31 s (a reconnect), step 9 takes 2.2 s (measured again)
            var timeLeft = new TimeLeft(TimeSpan.FromSeconds(1.1));
            var elapsed = TimeSpan.Zero;
            var estimates = new System.Collections.Generic.List<double>();
            for (int step = 1; step <= 20; step++)
            {
                timeLeft.StepStarted(elapsed);
                estimates.Add(timeLeft.For(20 - step + 1).TotalSeconds);
                elapsed += TimeSpan.FromSeconds(step == 5 ? 31 : step == 9 ? 2.2 : 1.1);
            }
            Assert.Equal(22, estimates[0]); // the plan's pace before any step is timed
            for (int i = 1; i < estimates.Count; i++) Assert.True(estimates[i] <= estimates[i - 1], $"the estimate grew at step {i + 1}: {estimates[i - 1]} s, then {estimates[i]} s");
            Assert.Equal(3, estimates[18]); // two steps of 1.1 s, in whole seconds up: the long ones did not count
        }
    }
}