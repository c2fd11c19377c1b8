using System;
using System.Linq;
using System.Text;
using System.Threading;
using Haniwers.Protocol;
using Haniwers.Simulation;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.Simulation
{
    public class SimulatorTests
    {
        private static (SimulatedLink link, ManualClock clock) Open(string options = "seed=7")
        {
            var clock = new ManualClock();
            return (new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse(options)), clock), clock);
        }

        private static long CountHits(SimulatedLink link, int channel, TimeSpan window)
        {
            long hits = 0;
            var end = link.Clock.Elapsed + window;
            while (link.TryReadLine(end, CancellationToken.None, out var line))
            {
                if (EventLineParser.TryParse(line.Text, out var e) && e.Hit(channel)) hits++;
            }
            return hits;
        }

        [Theory]
        [InlineData(1, 260)]
        [InlineData(1, 280)]
        [InlineData(2, 300)]
        [InlineData(3, 270)]
        [InlineData(3, 320)]
        public void CountRatesFollowTheModelWithinPoissonError(int channel, int threshold)
        {
            var (link, _) = Open();
            var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), TimeSpan.FromSeconds(1));
            writer.Write(link, new[] { new System.Collections.Generic.KeyValuePair<int, int>(channel, threshold) }, null, CancellationToken.None);
            link.DiscardInput();
            var window = TimeSpan.FromSeconds(60);
            long hits = CountHits(link, channel, window);
            double expected = link.Detector.Options.ExpectedRate(channel, threshold) * window.TotalSeconds;
            Assert.InRange(hits, expected - 4 * Math.Sqrt(expected), expected + 4 * Math.Sqrt(expected));
        }

        [Fact]
        public void NoiseFallsAsAnSCurveOfTheThreshold()
        {
            var options = new SimulatorOptions();
            double low = options.ExpectedRate(1, 250), mid = options.ExpectedRate(1, 280), high = options.ExpectedRate(1, 320);
            Assert.True(low > mid && mid > high);
            Assert.Equal(options.NoiseRate[0] / 2 + options.MuonRate * options.MuonEfficiency, mid, 6);
        }

        [Fact]
        public void TheSameSeedGivesTheSameEvents()
        {
            string Run()
            {
                var (link, _) = Open("seed=3");
                var sb = new StringBuilder();
                var end = TimeSpan.FromSeconds(2);
                while (link.TryReadLine(end, CancellationToken.None, out var line)) sb.AppendLine(line.Text);
                return sb.ToString();
            }
            Assert.Equal(Run(), Run());
        }

        [Fact]
        public void PausedStreamSendsNoEvents()
        {
            var (link, _) = Open();
            link.WriteLine("SET_STREAM 0");
            link.DiscardInput();
            Assert.False(link.TryReadLine(link.Clock.Elapsed + TimeSpan.FromSeconds(10), CancellationToken.None, out _));
            link.WriteLine("SET_STREAM 1");
            Assert.True(link.TryReadLine(link.Clock.Elapsed + TimeSpan.FromSeconds(10), CancellationToken.None, out _));
        }

        [Fact]
        public void SpeaksBothDialectsAndRecordsWhatItReceived()
        {
            var (link, _) = Open();
            var writer = new ThresholdWriter(new TextFirmware(), new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), TimeSpan.FromSeconds(1));
            Assert.True(writer.Write(link, new[] { new System.Collections.Generic.KeyValuePair<int, int>(1, 281) }, null, CancellationToken.None)[0].Success);
            var binary = new ThresholdWriter(new BinaryFirmware(), new RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), TimeSpan.FromSeconds(1));
            Assert.True(binary.Write(link, new[] { new System.Collections.Generic.KeyValuePair<int, int>(3, 1023) }, null, CancellationToken.None)[0].Success);
            Assert.Equal(new[] { "SET 1 281 ok", "SET 3 1023 ok" }, link.Detector.Writes.Select(w => w.ToString()));
            Assert.Equal(281, link.Detector.Threshold(1));
            Assert.Equal(1023, link.Detector.Threshold(3));
        }

        [Theory]
        [InlineData("refuse-every=1", "refused")]
        [InlineData("silent-every=1", "no answer")]
        [InlineData("wrong-echo-every=1", "wrong echo")]
        public void InjectedWriteFaultsFailTheAttempt(string fault, string reason)
        {
            var (link, _) = Open("seed=1," + fault);
            var attempt = new TextFirmware().Attempt(link, 2, 300, TimeSpan.FromSeconds(2), CancellationToken.None);
            Assert.False(attempt.Success);
            Assert.Contains(reason, attempt.Reason);
        }

        [Fact]
        public void GarbageLinesAreMalformedNeverEvents()
        {
            var (link, _) = Open("seed=1,garbage-every=5");
            int garbage = 0, events = 0;
            var end = TimeSpan.FromSeconds(300);
            while (link.TryReadLine(end, CancellationToken.None, out var line))
            {
                if (EventLineParser.Classify(line.Text, out _) == LineKind.Event) events++; else garbage++;
            }
            Assert.True(garbage > 0);
            Assert.InRange(garbage, events / 5, events / 3);
        }

        [Fact]
        public void ADroppedLinkThrowsUntilReopened()
        {
            var (link, clock) = Open("seed=1,drop-after=2,restore-after=1");
            void ReadUntilLost()
            {
                for (int i = 0; i < 100000; i++) link.TryReadLine(clock.Elapsed + TimeSpan.FromSeconds(5), CancellationToken.None, out _);
            }
            Assert.Throws<LinkLostException>(ReadUntilLost);
            Assert.Equal(TimeSpan.FromSeconds(2), clock.Elapsed);
            Assert.True(link.IsLost);
            Assert.Throws<LinkOpenException>(() => link.Reopen(CancellationToken.None));   // not restored yet
            clock.Advance(TimeSpan.FromSeconds(1));
            link.Reopen(CancellationToken.None);
            Assert.False(link.IsLost);
            Assert.True(link.TryReadLine(clock.Elapsed + TimeSpan.FromSeconds(30), CancellationToken.None, out _));
        }

        [Fact]
        public void UnknownOptionsNameTheKnownOnes()
        {
            var ex = Assert.Throws<ArgumentException>(() => SimulatorOptions.Parse("seed=1,explode=3"));
            Assert.Contains("refuse-every", ex.Message);
        }
    }
}

namespace Haniwers.Tests.Simulation
{
    public class BootTextTests
    {
        [Fact]
        public void AFirstWriteToABootingBoardIsRetriedAndItsBootTextIsNotAnAnswer()
        {
            var clock = new ManualClock();
            var link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse("seed=1,boot-text")), clock);
            var attempts = new System.Collections.Generic.List<ThresholdAttempt>();
            var writer = new ThresholdWriter(new BinaryFirmware(), new RetryPolicy(3, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(1));
            var result = writer.Write(link, new[] { new System.Collections.Generic.KeyValuePair<int, int>(2, 300) }, attempts.Add, CancellationToken.None).Single();
            Assert.True(result.Success);
            Assert.Equal(2, result.Attempts);
            Assert.Contains("no answer", attempts[0].Reason); // boot lines ("ready", ...) arrived during it and were skipped
            Assert.Equal("2", result.LastAnswer);
            Assert.Equal(new[] { "SET 2 300 ok" }, link.Detector.Writes.Select(w => w.ToString()));
        }
            [Fact]
        public void AFloodThatComesBackFloodsTheLinkInEachPeriodAndOnlyThen()
        {
            var link = new SimulatedLink(new SimulatedDetector(SimulatorOptions.Parse("seed=5,flood-after=1,flood-for=0.2,flood-every=2")), new ManualClock());
            var malformedAt = new System.Collections.Generic.List<double>();
            while (link.TryReadLine(TimeSpan.FromSeconds(6), CancellationToken.None, out var line))
                if (EventLineParser.Classify(line, out _) != LineKind.Event) malformedAt.Add(line.Arrived.TotalSeconds);
            // three floods, at 1, 3 and 5 s, each 0.2 s long at the flood rate (3000 lines/s); nothing but events in between
            Assert.All(malformedAt, t => Assert.True(t >= 1 && t < 1.2 || t >= 3 && t < 3.2 || t >= 5 && t < 5.2, $"malformed line at {t:0.###} s"));
            foreach (double start in new[] { 1.0, 3.0, 5.0 })
                Assert.InRange(malformedAt.Count(t => t >= start && t < start + 0.2), 500, 700);
        }
}
}
