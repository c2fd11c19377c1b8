using System;
using System.Collections.Generic;
using Haniwers.Configuration;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.Scanning
{
    /// <summary>Where a received line falls with respect to a window.</summary>
    public enum WindowPlace { Before, Inside, After }

    /// <summary>
    /// One measurement window [opened, closes) on the link's monotonic clock: counts the lines the
    /// device sent inside it, and checks it before its rows may be written (docs/window-checks.md).
    /// Its edges follow the evidence of when lines were sent (<see cref="ReceivedLine"/>): a backlog
    /// that waited across the opening moves the opening after it; one that waited across the close
    /// is counted whole and the window ends when it was read, so a computer that stopped reading for
    /// a while changes neither the count nor the rate.
    /// </summary>
    public sealed class MeasurementWindow
    {
        /// <summary>The chance that the silence check rejects a window of a steady Poisson stream.</summary>
        public const double SilenceFalseAlarm = 1e-6;

        /// <summary>
        /// The silence a window's own count must make implausible before it convicts the device: shorter
        /// gaps are within the reader's own timing resolution (docs/window-checks.md).
        /// </summary>
        public static readonly TimeSpan ShortestSilence = TimeSpan.FromMilliseconds(250);

        private readonly TimeSpan _duration;
        private TimeSpan _lastEvent;
        private TimeSpan _longestGap;
        // backlogs read in one go after this computer was away: (span, events) of each long one
        private readonly List<(TimeSpan span, long events)> _backlogs = new List<(TimeSpan, long)>();
        private TimeSpan _chunkEarliest, _chunkArrived;
        private long _chunkEvents;

        public MeasurementWindow(TimeSpan opened, TimeSpan closes, DateTimeOffset timestamp)
        {
            Opened = opened;
            Closes = closes;
            Ends = closes;
            Timestamp = timestamp;
            _duration = closes - opened;
            _lastEvent = opened;
        }

        public TimeSpan Opened { get; private set; }
        /// <summary>The planned close: lines read before it are inside.</summary>
        public TimeSpan Closes { get; private set; }
        /// <summary>When counting ended: <see cref="Closes"/>, or later when a backlog that waited across the close was counted whole.</summary>
        public TimeSpan Ends { get; private set; }
        /// <summary>Wall-clock time when the window opened: the rows' Timestamp.</summary>
        public DateTimeOffset Timestamp { get; private set; }
        /// <summary>Times the opening moved past a backlog that waited across it.</summary>
        public int Reopenings { get; private set; }
        public LineTally Tally { get; } = new LineTally();

        /// <summary>The seconds counted: the rows' DurationSeconds.</summary>
        public double Seconds => (Ends - Opened).TotalSeconds;

        /// <summary>
        /// The longest time in which the device certainly sent no event line, the window's edges
        /// included: measured from one event's arrival to the earliest the next can have been sent.
        /// </summary>
        public TimeSpan LongestGap => Max(_longestGap, Closes - _lastEvent);

        /// <summary>
        /// Where <paramref name="line"/> belongs. A backlog that straddles the opening (sent partly
        /// before it, read after it) moves the opening to when it was read, keeping the window's length;
        /// a backlog that straddles the close is inside, and the window ends when it was read.
        /// </summary>
        public WindowPlace Place(in ReceivedLine line)
        {
            if (line.Arrived < Opened) return WindowPlace.Before;
            if (line.Earliest < Opened && line.Backlogged && Tally.Events + Tally.Malformed == 0)
            {
                var shift = line.Arrived - Opened;
                Opened = line.Arrived;
                Closes = Opened + _duration;
                Ends = Closes;
                Timestamp += shift;
                _lastEvent = Opened;
                Reopenings++;
                return WindowPlace.Before;
            }
            if (line.Arrived < Closes) return WindowPlace.Inside;
            if (line.Earliest < Closes && line.Backlogged)
            {
                if (line.Arrived > Ends) Ends = line.Arrived;
                return WindowPlace.Inside;
            }
            return WindowPlace.After;
        }

        /// <summary>Counts a line that is inside the window; returns its kind.</summary>
        public LineKind Add(in ReceivedLine line)
        {
            var kind = Tally.Add(line, out _);
            if (kind == LineKind.Event)
            {
                _longestGap = Max(_longestGap, line.Earliest - _lastEvent);
                if (line.Arrived > _lastEvent) _lastEvent = line.Arrived;
                // one backlog is every line the host read after one absence: they share their Earliest
                if (line.Backlogged && _chunkEvents > 0 && line.Earliest == _chunkEarliest)
                {
                    _chunkEvents++;
                    if (line.Arrived > _chunkArrived) _chunkArrived = line.Arrived;
                }
                else
                {
                    EndBacklog();
                    if (line.Backlogged) (_chunkEarliest, _chunkArrived, _chunkEvents) = (line.Earliest, line.Arrived, 1);
                }
            }
            return kind;
        }

        /// <summary>Keeps the backlog read last if this computer was away long enough for it to hold a silence.</summary>
        private void EndBacklog()
        {
            if (_chunkEvents > 0 && _chunkArrived - _chunkEarliest >= ShortestSilence) _backlogs.Add((_chunkArrived - _chunkEarliest, _chunkEvents));
            _chunkEvents = 0;
        }

        /// <summary>
        /// The smallest chance, over the long backlogs, that a steady stream puts no more than the backlog's
        /// events into the time it spans (each of the window's n events falls there with the probability
        /// span/length, conditional on n, as in the silence test), times the number of backlogs tested.
        /// </summary>
        private (double chance, TimeSpan span, long events) SparsestBacklog()
        {
            EndBacklog();
            var worst = (chance: 1.0, span: TimeSpan.Zero, events: 0L);
            double length = Seconds;
            foreach (var (span, events) in _backlogs)
            {
                double share = Math.Min(1, span.TotalSeconds / length);
                double chance = Math.Min(1, _backlogs.Count * MathNet.Numerics.Distributions.Binomial.CDF(share, (int)Math.Min(Tally.Events, int.MaxValue), events));
                if (chance < worst.chance) worst = (chance, span, events);
            }
            return worst;
        }

        /// <summary>The events counted on the given channels.</summary>
        public long Hits(IReadOnlyList<int> channels)
        {
            long hits = 0;
            foreach (int channel in channels) hits += Tally.Hits(channel);
            return hits;
        }

        /// <summary>
        /// Why the window cannot be trusted, or null: boot text (a reset), lines lost by this computer,
        /// too many malformed lines, a silence its own rate makes implausible, or fewer events than
        /// <paramref name="expected"/> allows.
        /// </summary>
        /// <param name="stepStart">The link's counters when the step began writing (a reset then spoils the window too).</param>
        /// <param name="opened">The counters when the window opened.</param>
        /// <param name="closed">The counters when it closed.</param>
        /// <param name="measured">The channels the window measures.</param>
        /// <param name="expected">A lower bound on the events the device should have sent on those channels, or null.</param>
        /// <param name="busyBefore">Events per second of the window measured just before this step's first window; null for a window measured again.</param>
        public WindowRejection? Rejection(LinkSnapshot stepStart, LinkSnapshot opened, LinkSnapshot closed, double maxMalformedFraction,
            IReadOnlyList<int> measured, ExpectedCount? expected, TimeSpan longestBacklog, double? busyBefore = null)
        {
            if (closed.BootLines > stepStart.BootLines)
                return new WindowRejection(WindowProblem.Reset, "the device reset (it printed its boot text): every threshold is back at its power-on value");
            if (closed.DroppedLines > opened.DroppedLines)
                return new WindowRejection(WindowProblem.LinesLost,
                    $"this computer fell behind: {closed.DroppedLines - opened.DroppedLines} line(s) were dropped because they were not taken in time" +
                    (longestBacklog > ReceivedLine.PromptSpan ? $" (it went up to {longestBacklog.TotalSeconds:0.###} s without reading the port)" : ""));
            long malformed = Tally.Malformed;
            long lines = malformed + Tally.Events;
            if (malformed >= 3 && malformed > maxMalformedFraction * lines)
                return new WindowRejection(WindowProblem.Malformed, $"{malformed} of {lines} lines were malformed (more than {maxMalformedFraction:P0}): a flood or a bad connection");
            var length = Closes - Opened;
            double p = SilenceProbability(Tally.Events, LongestGap, length);
            if (LongestGap >= ShortestSilence && p < SilenceFalseAlarm)
            {
                var live = length - LongestGap;
                double rate = live > TimeSpan.Zero ? Hits(measured) / live.TotalSeconds : 0;
                return new WindowRejection(WindowProblem.Silence,
                    $"the device was silent for {LongestGap.TotalSeconds:0.###} s of a {length.TotalSeconds:0.###} s window that had {Tally.Events} events (chance {p:0.#e+0} for a steady rate): a stall or a USB hiccup",
                    rate);
            }
            // a silence among too few events for their spread to convict it (above) is judged by the rate they came at,
            // once the step before was busy: improbable at that rate, the window is measured once more (docs/window-checks.md,
            // "A silence among few events"); a window measured again is kept, so a sparse step is never lost to this rule
            if (busyBefore is double before && before * length.TotalSeconds >= BusyBeforeEvents && LongestGap >= ShortestSilence
                && RateSilenceConvicts(Tally.Events, LongestGap, length, before, out double atRate))
            {
                return new WindowRejection(WindowProblem.Silence, Tally.Events == 0
                    ? $"the device sent no event line in the whole {length.TotalSeconds:0.###} s window, where the step before had {before:0.#} events/s (chance {atRate:0.#e+0} at that rate): a stall or a USB hiccup"
                    : $"the device was silent for {LongestGap.TotalSeconds:0.###} s of a {length.TotalSeconds:0.###} s window and sent its {Tally.Events} event(s) in the other {(length - LongestGap).TotalSeconds:0.###} s (chance {atRate:0.#e+0} at that rate; the step before had {before:0.#} events/s): a stall or a USB hiccup",
                    null);
            }
            // a pause of the device that this computer slept through shows as a backlog too thin for its span
            var (sparse, backlogSpan, backlogEvents) = SparsestBacklog();
            if (sparse < SilenceFalseAlarm)
                return new WindowRejection(WindowProblem.Silence,
                    $"the device sent only {backlogEvents} of the window's {Tally.Events} events in the {backlogSpan.TotalSeconds:0.###} s this computer did not read the port (chance {sparse:0.#e+0} for a steady rate): it was silent for much of that time, a stall or a USB hiccup",
                    null);
            long hits = Hits(measured);
            if (expected is { } e && Poisson.LowerTail(hits, e.Events) < SilenceFalseAlarm)
            {
                return new WindowRejection(WindowProblem.TooFewEvents,
                    $"the device sent {hits} event(s) in {Seconds:0.###} s where {e.Basis} gives at least {e.Events:0.#} (chance {Poisson.LowerTail(hits, e.Events):0.#e+0}): it stopped sending");
            }
            return null;
        }

        /// <summary>The events the step before must have given in a window of this length before <see cref="RateSilenceProbability"/> is asked.</summary>
        public const double BusyBeforeEvents = 10;

        /// <summary>The fall of the rate from one step to the next that the rate-silence rule allows a window before it doubts its count.</summary>
        public const double MaxStepDrop = 4;

        /// <summary>How improbable the count must be at a rate <see cref="MaxStepDrop"/>-fold below the step before's.</summary>
        public const double StepDropFalseAlarm = 1e-3;

        /// <summary>
        /// The rule for a silence among few events after a busy step (docs/window-checks.md, "A silence among few events"):
        /// the gap is improbable at the rate the events came at outside it (<see cref="RateSilenceProbability"/>; for no event,
        /// at the step before's rate), and the count is improbable even at a rate <see cref="MaxStepDrop"/>-fold below the step
        /// before's (that rate estimate is biased high: the gap was chosen for being the largest, and a rate may fall between steps).
        /// </summary>
        public static bool RateSilenceConvicts(long events, TimeSpan gap, TimeSpan length, double rateBefore, out double atRate)
        {
            atRate = events == 0 ? Math.Exp(-rateBefore * length.TotalSeconds) : RateSilenceProbability(events, gap, length);
            return atRate < SilenceFalseAlarm && Poisson.LowerTail(events, rateBefore * length.TotalSeconds / MaxStepDrop) < StepDropFalseAlarm;
        }

        /// <summary>
        /// The chance of a gap of at least g at the rate the window's n events came at outside it, r = n / (T - g):
        /// (n + 1) e^(-r g). Smaller than <see cref="SilenceProbability"/>, which asks nothing of the rate: used only
        /// where the step before was busy, and only to measure a window once more (docs/window-checks.md).
        /// </summary>
        public static double RateSilenceProbability(long events, TimeSpan gap, TimeSpan window)
        {
            if (events == 0 || window <= TimeSpan.Zero) return 1;
            double live = Math.Max((window - gap).TotalSeconds, 1e-3);
            return Math.Min(1, (events + 1) * Math.Exp(-events / live * gap.TotalSeconds));
        }

        /// <summary>
        /// An upper bound on the chance that n events spread by chance over a window of length T leave
        /// a gap of at least g: (n + 1)(1 - g/T)^n (a union bound over the n + 1 spacings of n uniform
        /// points, conditional on n, so no rate has to be estimated).
        /// </summary>
        public static double SilenceProbability(long events, TimeSpan gap, TimeSpan window)
        {
            if (events == 0 || window <= TimeSpan.Zero) return 1;
            double share = Math.Min(1, gap.TotalSeconds / window.TotalSeconds);
            if (share >= 1) return 0;
            double log = Math.Log(events + 1) + events * Math.Log(1 - share);
            return Math.Min(1, Math.Exp(log));
        }

        /// <summary>The window's rows: one per measured channel, rates over the time actually counted.</summary>
        public IReadOnlyList<ScanResult> Rows(ScanStep step, string runId, ScanMode mode)
        {
            double seconds = Seconds;
            var rows = new List<ScanResult>(step.Measured.Count);
            foreach (int channel in step.Measured)
            {
                long events = Tally.Hits(channel);
                rows.Add(new ScanResult
                {
                    Timestamp = Timestamp,
                    RunId = runId,
                    Mode = mode,
                    Step = step.Index,
                    Channel = channel,
                    Threshold = step.Threshold(channel),
                    DurationSeconds = Math.Round(seconds, 6),
                    Events = events,
                    Rate = events / seconds,
                    RateError = Math.Sqrt(events) / seconds,
                    Triggers = Tally.Events,
                    Temperature = Round(Tally.MeanTemperature),
                    Pressure = Round(Tally.MeanPressure),
                    Humidity = Round(Tally.MeanHumidity),
                });
            }
            return rows;
        }

        private static double? Round(double? value) => value is double v ? Math.Round(v, 3) : (double?)null;
        private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
    }

    /// <summary>What spoiled a window.</summary>
    public enum WindowProblem { Reset, LinkLost, LinesLost, Malformed, Silence, TooFewEvents, NoAnswer }

    /// <summary>Why a window was not trusted, and for a silence the rate the device had while it sent (the next window's yardstick).</summary>
    public sealed class WindowRejection
    {
        public WindowRejection(WindowProblem problem, string reason, double? rateWhileSending = null)
        {
            Problem = problem;
            Reason = reason;
            RateWhileSending = rateWhileSending;
        }

        public WindowProblem Problem { get; }
        public string Reason { get; }
        /// <summary>Events per second on the measured channels outside the silence.</summary>
        public double? RateWhileSending { get; }
        /// <summary>The device went quiet (a stall, a pause): measure again only once it sends again.</summary>
        public bool DeviceWentQuiet => Problem is WindowProblem.Silence or WindowProblem.TooFewEvents or WindowProblem.NoAnswer;
        public override string ToString() => Reason;
    }

    /// <summary>A lower bound on the events a window should count, and where it comes from (for the message).</summary>
    public readonly struct ExpectedCount
    {
        public ExpectedCount(double events, string basis)
        {
            Events = events;
            Basis = basis;
        }

        public double Events { get; }
        public string Basis { get; }
    }

    /// <summary>The Poisson distribution's lower tail, as the window checks need it.</summary>
    public static class Poisson
    {
        /// <summary>P(X ≤ k) for X ~ Poisson(mean).</summary>
        public static double LowerTail(long k, double mean) =>
            mean <= 0 ? 1 : MathNet.Numerics.Distributions.Poisson.CDF(mean, k);
    }
}
