using System.Collections.Generic;
using System;
using System.Linq;
using System.Text.Json;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Scanning;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    /// <summary>Windows that must not be trusted are measured again, once (docs/window-checks.md).</summary>
    public class WindowCheckTests
    {
        private static string[] JournalEvents(ScanFixture f) =>
            f.Lines(RunJournal.FileName).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()!).ToArray();

        private static void EachStepOnceInEveryFile(ScanFixture f, int steps)
        {
            foreach (int ch in new[] { 1, 2, 3 }) Assert.Equal(Enumerable.Range(1, steps), f.StepsIn(ch));
        }

        /// <summary>A channel's fewest triggers when they are below three quarters of its median row (a window a stall or a reset cut short), else null.</summary>
        private static (long fewest, double median)? ShortRow(ScanFixture f, int channel)
        {
            var triggers = f.Observer.Rows.Where(r => r.Channel == channel).Select(r => r.Triggers).OrderBy(t => t).ToList();
            if (triggers.Count == 0) return null;
            double median = triggers[triggers.Count / 2];
            return triggers[0] < 0.75 * median ? (triggers[0], median) : null;
        }

        [Fact]
        public void AResetAtAnyMomentOfTheCycleNeverLeavesARowAtThePowerOnThresholds()
        {
            // a stall spoils the window of step 3, which is measured again once the device sends again; a board reset, which
            // brings the thresholds back to 1000 (few events where the plan's values give hundreds), is slid in 10 ms steps
            // across the stall, the rejected window, the wait and the window measured again, the threshold writes included.
            // Before, a reset during the wait left the thresholds unwritten: the second window, at the power-on values, was
            // rejected too and step 3 lost (a stand-in detector without this simulator's yardstick committed such a window)
            var failures = new List<string>();
            int positions = 0;
            for (double reset = 1.10; reset <= 2.80; reset += 0.01)
            {
                using var f = new ScanFixture($"seed=3,midpoint=700,stall-after=1.2,stall-for=1.5,reset-after={reset:0.00},power-on=1000", nsteps: 2, duration: 0.5);
                var summary = f.Run();
                positions++;
                foreach (int ch in new[] { 1, 2, 3 })
                {
                    if (ShortRow(f, ch) is { } row)
                        failures.Add($"reset at {reset:0.00} s: channel {ch} kept a row of {row.fewest} triggers where the median is {row.median}; rows {string.Join(" ", f.Observer.Rows.Where(r => r.Channel == ch).Select(r => $"s{r.Step}:{r.Triggers}"))}; remeasured {string.Join("; ", f.Observer.Remeasured)}");
                }
                // a step is lost only when the reset spoiled the window measured again itself (a window is measured at most
                // twice): a reset before it, between the rejection and the second window, costs a rewrite, not the step
                foreach (var skipped in summary.SkippedSteps.Where(k => !k.Reason.Contains("then the device reset")))
                    failures.Add($"reset at {reset:0.00} s: skipped {skipped.Step}: {skipped.Reason}");
                // whatever the reset cost, the device ends at the plan's values when the scan completes
                if (summary.Outcome == RunOutcome.Completed && summary.SkippedSteps.Count == 0)
                    if (!f.Plan.Steps.Last().Thresholds.SequenceEqual(new[] { 1, 2, 3 }.Select(f.Link.Detector.Threshold)))
                        failures.Add($"reset at {reset:0.00} s: the device ends at {string.Join("/", new[] { 1, 2, 3 }.Select(f.Link.Detector.Threshold))}");
            }
            Assert.True(positions >= 170);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Fact]
        public void AResetAtTheEndOfAWindowNeverLeavesItsRow()
        {
            // a reset in a window's last moments prints its boot text after the window has closed, and the silence it leaves
            // is too short for the checks: the window must prove its thresholds before its rows are kept. The reset is slid in
            // 10 ms steps across the end of step 1's window, the next step's writes and the start of its window; a kept row
            // whose window holds the reset moment was counted partly at the power-on thresholds (1000). Before, resets in
            // the last ~0.3 s of a window left such rows.
            var failures = new List<string>();
            var start = new ManualClock().Now;
            int positions = 0;
            for (double reset = 0.20; reset <= 1.00; reset += 0.01)
            {
                using var f = new ScanFixture($"seed=3,midpoint=700,reset-after={reset:0.00},power-on=1000", nsteps: 1, duration: 0.5);
                var summary = f.Run();
                positions++;
                foreach (var row in f.Observer.Rows)
                {
                    double opened = (row.Timestamp - start).TotalSeconds, closed = opened + row.DurationSeconds;
                    if (reset >= opened && reset <= closed)
                        failures.Add($"reset at {reset:0.00} s: step {row.Step} ch{row.Channel} kept a row ({row.Triggers} triggers) of a window from {opened:0.000} to {closed:0.000} s");
                }
                // a reset costs the window it spoiled a second measuring, never the step: each of the three steps has its rows
                if (summary.Outcome != RunOutcome.Completed || f.Observer.Rows.Count != 9)
                    failures.Add($"reset at {reset:0.00} s: {summary.Outcome}, {f.Observer.Rows.Count} rows; skipped {string.Join("; ", summary.SkippedSteps.Select(s => s.Reason))}");
            }
            Assert.True(positions >= 80);
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        }

        [Fact]
        public void AResetMidWindowIsMeasuredAgainWithEveryThresholdRewritten()
        {
            // 3 s windows; the board resets 7.5 s in, inside step 3's window, and comes back at power-on thresholds
            using var f = new ScanFixture("seed=2,reset-after=7.5,power-on=100", nsteps: 2, duration: 3);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            var (step, reason) = Assert.Single(f.Observer.Remeasured);
            Assert.Equal(3, step);
            Assert.Contains("reset", reason);
            Assert.Equal(1, summary.RemeasuredSteps);
            EachStepOnceInEveryFile(f, 5);
            // after the reset all three channels were written again, and the device holds the plan's values
            var writesAfterReset = f.Link.Detector.Writes.Skip(9).Take(3).Select(w => w.Channel).OrderBy(c => c);
            Assert.Equal(new[] { 1, 2, 3 }, writesAfterReset);
            Assert.Equal(f.Plan.Steps.Last().Thresholds, new[] { 1, 2, 3 }.Select(f.Link.Detector.Threshold));
            Assert.Contains("remeasured", JournalEvents(f));
        }

        [Fact]
        public void AResetInASerialScanRewritesTheSuppressedChannelsToo()
        {
            using var f = new ScanFixture("seed=2,reset-after=4.2,power-on=100", ScanMode.Serial, nsteps: 1, duration: 2);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Single(f.Observer.Remeasured);
            // the step measured again is in channel 1's part: channels 2 and 3 went back to 1000 after the reset
            var resetStep = f.Observer.Remeasured[0].step;
            Assert.True(resetStep <= 3);
            var rewrites = f.Link.Detector.Writes.SkipWhile((w, i) => i < 3 + (resetStep - 1)).ToList();
            Assert.Contains(rewrites, w => w.Channel == 2 && w.Threshold == 1000);
            Assert.Contains(rewrites, w => w.Channel == 3 && w.Threshold == 1000);
            Assert.Equal(9, summary.CompletedSteps);
        }

        [Fact]
        public void AStallInsideABusyWindowIsMeasuredAgain()
        {
            // thresholds well below the noise edges: about 600 events/s; the board stalls 1.5 s inside step 2's 3 s window
            using var f = new ScanFixture("seed=3,midpoint=700,stall-after=4.0,stall-for=1.5", nsteps: 1, duration: 3);
            var summary = f.Run();
            var (step, reason) = Assert.Single(f.Observer.Remeasured);
            Assert.Equal(2, step);
            Assert.Contains("silent for 1.5", reason);
            Assert.Equal(3, summary.CompletedSteps);
            // the row that was kept has the steady rate, not a third of it missing
            var kept = f.Observer.Rows.Where(r => r.Step == 2 && r.Channel == 1).Single();
            var neighbour = f.Observer.Rows.Where(r => r.Step == 1 && r.Channel == 1).Single();
            Assert.InRange(kept.Triggers, 0.8 * neighbour.Triggers, 1.25 * neighbour.Triggers);
        }

        [Fact]
        public void AWindowInsideAStallIsNotARowOfZeros()
        {
            // about 600 events/s; step 4's window is [3.2 s, 4.2 s), and the board stalls from 3.17 s to 5.67 s,
            // just after it answered step 4's writes: the whole window is silent. It answers nothing while
            // stalled, so the write that must prove it alive is answered only at 5.67 s.
            using var f = new ScanFixture("seed=3,midpoint=700,stall-after=3.17,stall-for=2.5", nsteps: 2, duration: 1);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Equal(5, summary.CompletedSteps);
            Assert.DoesNotContain(f.Observer.Rows, r => r.Triggers < 300);
            var (step, reason) = Assert.Single(f.Observer.Remeasured);
            Assert.Equal(4, step);
            Assert.Contains("stalled", reason);
            // the window measured again waited for the board to send again
            Assert.True(f.Observer.Rows.Single(r => r.Step == 4 && r.Channel == 1).Timestamp >= f.Clock.Now.AddSeconds(-f.Clock.Elapsed.TotalSeconds + 5.67));
            EachStepOnceInEveryFile(f, 5);
        }

        [Fact]
        public void AStallThatLeavesAWindowAFewEventsIsNotKept()
        {
            // about 600 events/s in 0.5 s windows; a 0.6 s stall is slid across a window's opening in 5 ms steps, so
            // at some positions the window keeps only the few events sent just before the stall began or after it ended:
            // too few for their spread to convict the silence, but not at the rate they came at
            var failures = new List<string>();
            int caught = 0;
            for (double after = 1.100; after <= 1.300; after += 0.005)
            {
                using var f = new ScanFixture($"seed=3,midpoint=700,stall-after={after:0.000},stall-for=0.6", nsteps: 2, duration: 0.5);
                var summary = f.Run();
                caught += f.Observer.Remeasured.Count;
                if (summary.CompletedSteps != 5 || ShortRow(f, 1) is not null)
                    failures.Add($"stall at {after:0.000} s: {summary.CompletedSteps} steps, rows {string.Join(" ", f.Observer.Rows.Select(r => $"s{r.Step}c{r.Channel}:{r.Triggers}@{(r.Timestamp - f.Observer.Rows[0].Timestamp).TotalSeconds:0.###}"))}; remeasured {string.Join("; ", f.Observer.Remeasured)}");
            }
            Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
            Assert.True(caught > 0);
        }

        [Fact]
        public void ADeviceThatStopsForGoodEndsTheScanWithoutARowOfZeros()
        {
            // the board stalls for longer than the reconnect timeout: no step after the stall may be written
            using var f = new ScanFixture("seed=3,midpoint=700,stall-after=2.5,stall-for=1000", nsteps: 3, duration: 1, reconnectTimeout: 5, maxConsecutiveFailures: 2);
            var ex = Assert.Throws<ScanAbortedException>(() => f.Run());
            Assert.DoesNotContain(f.Observer.Rows, r => r.Triggers < 300);
            Assert.Contains("sent nothing for", ex.Summary.SkippedSteps[0].Reason);
        }

        [Fact]
        public void QuietWindowsAtHighThresholdsAreNeverRejected()
        {
            // about 1 event/s (muons only): long gaps are normal and must not look like a stall
            using var f = new ScanFixture("seed=9,midpoint=100", nsteps: 20, duration: 3);
            var summary = f.Run();
            Assert.Empty(f.Observer.Remeasured);
            Assert.Equal(41, summary.CompletedSteps);
        }

        [Fact]
        public void AFloodOfMalformedLinesIsMeasuredAgainAndCountsNoEvent()
        {
            using var f = new ScanFixture("seed=4,flood-after=2.2,flood-for=0.5", nsteps: 1, duration: 2);
            var summary = f.Run();
            var (step, reason) = Assert.Single(f.Observer.Remeasured);
            Assert.Equal(2, step);
            Assert.Contains("malformed", reason);
            Assert.Equal(3, summary.CompletedSteps);
            Assert.True(summary.MalformedLines > 1000);
        }

        [Fact]
        public void AFloodAcrossAWindowsCloseIsWaitedOutBeforeTheWindowIsMeasuredAgain()
        {
            // a 0.6 s flood slid across the close of step 2's window in 20 ms steps: wherever it ends, the window
            // measured again opens after it, so no step is lost to one flood
            var lost = new List<string>();
            for (double after = 1.5; after <= 2.3; after += 0.02)
            {
                using var f = new ScanFixture($"seed=4,flood-after={after:0.00},flood-for=0.6", nsteps: 1, duration: 1);
                var summary = f.Run();
                if (summary.CompletedSteps != 3) lost.Add($"flood at {after:0.00} s: {string.Join("; ", summary.SkippedSteps)}");
            }
            Assert.True(lost.Count == 0, string.Join(Environment.NewLine, lost));
        }

        [Fact]
        public void AWindowRejectedTwiceSkipsTheStepWhole()
        {
            // floods every second from 2.2 s: the window and the one measured again (which waits for a clean line,
            // and opens in the half second between two floods) are both spoiled, for step 2 and for step 3
            using var f = new ScanFixture("seed=4,flood-after=2.2,flood-for=0.5,flood-every=1", nsteps: 1, duration: 2);
            var summary = f.Run();
            Assert.Equal(new[] { 2, 3 }, summary.SkippedSteps.Select(s => s.Step));
            Assert.All(summary.SkippedSteps, s => Assert.Contains("measured twice and rejected both times", s.Reason));
            foreach (int ch in new[] { 1, 2, 3 }) Assert.Equal(new[] { 1 }, f.StepsIn(ch));
        }

        [Fact]
        public void AReplugWithinTheReconnectTimeoutContinuesTheScan()
        {
            using var f = new ScanFixture("seed=4,drop-after=3.5,restore-after=3", duration: 1, reconnectTimeout: 10);
            var summary = f.Run();
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Empty(summary.SkippedSteps);
            Assert.Equal(1, summary.Reconnects);
            var reconnected = f.Lines(RunJournal.FileName).Select(l => JsonDocument.Parse(l).RootElement)
                .Single(r => r.GetProperty("event").GetString() == "reconnected");
            Assert.InRange(reconnected.GetProperty("deadSeconds").GetDouble(), 3, 4);
            EachStepOnceInEveryFile(f, 11);
        }

        [Fact]
        public void ALinkThatStaysAwayPastTheReconnectTimeoutFailsItsStep()
        {
            using var f = new ScanFixture("seed=4,drop-after=3.5,restore-after=20", duration: 1, reconnectTimeout: 5, maxConsecutiveFailures: 3);
            var ex = Assert.Throws<ScanAbortedException>(() => f.Run());
            Assert.Contains("could not be reopened within 5 s", ex.Summary.SkippedSteps.First().Reason);
            Assert.Equal(0, ex.Summary.Reconnects);
            // about 5 s of reopening after the loss, then the remaining failures come at once: a dead device ends the scan
            Assert.InRange(f.Clock.Elapsed.TotalSeconds, 3.5 + 4, 3.5 + 5.5);
        }

        [Theory]
        [InlineData(450, 1.5, 3.0, true)]    // 150 Hz, half the window silent: a stall
        [InlineData(3, 1.5, 3.0, false)]     // 1 Hz: gaps like this are normal
        [InlineData(0, 3.0, 3.0, false)]     // nothing at all: no rate to contradict
        [InlineData(900, 0.05, 3.0, false)]  // 300 Hz, 50 ms: a normal fluctuation
        public void TheSilenceTestRejectsOnlyImplausibleGaps(long events, double gap, double window, bool rejected)
        {
            double p = MeasurementWindow.SilenceProbability(events, TimeSpan.FromSeconds(gap), TimeSpan.FromSeconds(window));
            Assert.Equal(rejected, p < MeasurementWindow.SilenceFalseAlarm);
        }

        [Fact]
        public void TheRateSilenceTestRarelyMeasuresASteadyWindowAgain()
        {
            // 20,000 windows of a steady Poisson stream at rates from 0.5 to 500 Hz, each after a step as busy as itself:
            // the rate test may send a window to be measured once more, but seldom (docs/window-checks.md gives the figure)
            var random = new Random(2);
            int again = 0;
            for (int i = 0; i < 20000; i++)
            {
                double rate = Math.Exp(random.NextDouble() * Math.Log(1000)) * 0.5, t = 0, last = 0, longest = 0;
                long n = 0;
                while ((t += -Math.Log(1 - random.NextDouble()) / rate) < 2)
                {
                    longest = Math.Max(longest, t - last);
                    last = t;
                    n++;
                }
                longest = Math.Max(longest, 2 - last);
                if (n > 0 && rate * 2 >= MeasurementWindow.BusyBeforeEvents && longest >= MeasurementWindow.ShortestSilence.TotalSeconds
                    && MeasurementWindow.RateSilenceConvicts(n, TimeSpan.FromSeconds(longest), TimeSpan.FromSeconds(2), rate, out _)) again++;
            }
            Assert.InRange(again, 0, 4); // at most 1 in 5,000
        }

        [Fact]
        public void TheRateSilenceTestRarelyMeasuresAWindowAgainAfterTheRateFell()
        {
            // 20,000 windows of 0.5 s of a steady Poisson stream whose step before was three times as busy (an S-curve's
            // edge: 56 events/s and then 18 on the README's path, where a window of 9 events with a 0.33 s gap among them
            // was sent to be measured again): the rate outside the largest gap overstates the rate, so the count decides
            var random = new Random(3);
            int again = 0;
            for (int i = 0; i < 20000; i++)
            {
                double rate = Math.Exp(random.NextDouble() * Math.Log(1000)) * 0.5, before = 3 * rate, t = 0, last = 0, longest = 0;
                long n = 0;
                while ((t += -Math.Log(1 - random.NextDouble()) / rate) < 0.5)
                {
                    longest = Math.Max(longest, t - last);
                    last = t;
                    n++;
                }
                longest = Math.Max(longest, 0.5 - last);
                if (before * 0.5 < MeasurementWindow.BusyBeforeEvents || longest < MeasurementWindow.ShortestSilence.TotalSeconds) continue;
                if (MeasurementWindow.RateSilenceConvicts(n, TimeSpan.FromSeconds(longest), TimeSpan.FromSeconds(0.5), before, out _)) again++;
            }
            Assert.InRange(again, 0, 2); // at most 1 in 10,000
        }

        [Fact]
        public void TheSilenceTestHasItsStatedFalseAlarmRateOnSteadyStreams()
        {
            // 20,000 windows of a steady Poisson stream at rates from 0.5 to 500 Hz: none may be rejected
            var random = new Random(1);
            int rejected = 0;
            for (int i = 0; i < 20000; i++)
            {
                double rate = Math.Exp(random.NextDouble() * Math.Log(1000)) * 0.5, t = 0, last = 0, longest = 0;
                long n = 0;
                while ((t += -Math.Log(1 - random.NextDouble()) / rate) < 2)
                {
                    longest = Math.Max(longest, t - last);
                    last = t;
                    n++;
                }
                longest = Math.Max(longest, 2 - last);
                if (MeasurementWindow.SilenceProbability(n, TimeSpan.FromSeconds(longest), TimeSpan.FromSeconds(2)) < MeasurementWindow.SilenceFalseAlarm) rejected++;
            }
            Assert.Equal(0, rejected);
        }
    
        [Fact]
        public void ReconnectTriesUntilTheTimeoutItself()
        {
            // the device is back 2.5 s after the loss; a 3 s timeout must reach it, not give up at the last backoff
            using var f = new ScanFixture("seed=4,drop-after=3.5,restore-after=2.5", duration: 1, reconnectTimeout: 3);
            var summary = f.Run();
            Assert.Equal(1, summary.Reconnects);
            Assert.Empty(summary.SkippedSteps);
        }

        [Fact]
        public void AScanThatMeasuredNothingIsNotCompleted()
        {
            // one step, a dead device: fewer failures than the limit, but nothing measured
            using var f = new ScanFixture("seed=4,drop-after=0.01,restore-after=-1", nsteps: 1, duration: 1, reconnectTimeout: 1, maxConsecutiveFailures: 5);
            var ex = Assert.Throws<ScanAbortedException>(() => f.Run());
            Assert.Equal(RunOutcome.Aborted, ex.Summary.Outcome);
            Assert.Equal(0, ex.Summary.CompletedSteps);
            Assert.Contains("no step could be measured", ex.Summary.FailureReason);
        }
    }
}
