using System;
using System.Collections.Generic;
using Haniwers.Configuration;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.Scanning
{
    /// <summary>
    /// One measurement window [opened, closes) on the link's monotonic clock: counts the lines that
    /// arrived inside it, and checks it before its rows may be written (docs/window-checks.md).
    /// </summary>
    public sealed class MeasurementWindow
    {
        /// <summary>The chance that the silence check rejects a window of a steady Poisson stream.</summary>
        public const double SilenceFalseAlarm = 1e-6;

        /// <summary>
        /// Arrival stamps carry tens of milliseconds of jitter (USB latency timers, a reader thread that
        /// waits for a core), so a gap shorter than this is never called a silence.
        /// </summary>
        public static readonly TimeSpan ShortestSilence = TimeSpan.FromMilliseconds(250);

        private TimeSpan _lastEvent;
        private TimeSpan _longestGap;

        public MeasurementWindow(TimeSpan opened, TimeSpan closes, DateTimeOffset timestamp)
        {
            Opened = opened;
            Closes = closes;
            Timestamp = timestamp;
            Closed = closes;
            _lastEvent = opened;
        }

        public TimeSpan Opened { get; }
        public TimeSpan Closes { get; }
        /// <summary>Wall-clock time when the window opened: the rows' Timestamp.</summary>
        public DateTimeOffset Timestamp { get; }
        /// <summary>When counting stopped: <see cref="Closes"/>, or earlier when the window broke off.</summary>
        public TimeSpan Closed { get; set; }
        public LineTally Tally { get; } = new LineTally();

        /// <summary>The longest time without an event line, the window's edges included.</summary>
        public TimeSpan LongestGap => Max(_longestGap, Closes - _lastEvent);

        /// <summary>Counts a line that arrived inside the window; returns its kind.</summary>
        public LineKind Add(in ReceivedLine line)
        {
            var kind = Tally.Add(line, out _);
            if (kind == LineKind.Event)
            {
                _longestGap = Max(_longestGap, line.Arrived - _lastEvent);
                _lastEvent = line.Arrived;
            }
            return kind;
        }

        /// <summary>
        /// Why the window cannot be trusted, or null: boot text (a reset), lines dropped or read late,
        /// too many malformed lines, or a silence its own rate makes implausible.
        /// </summary>
        /// <param name="stepStart">The link's counters when the step began writing (a reset then spoils the window too).</param>
        /// <param name="opened">The counters when the window opened.</param>
        /// <param name="closed">The counters when it closed.</param>
        public string? Rejection(LinkSnapshot stepStart, LinkSnapshot opened, LinkSnapshot closed, double maxMalformedFraction)
        {
            if (closed.BootLines > stepStart.BootLines)
                return "the device reset (it printed its boot text): every threshold is back at its power-on value";
            if (closed.DroppedLines > opened.DroppedLines)
                return $"the reader fell behind: {closed.DroppedLines - opened.DroppedLines} line(s) were dropped";
            if (closed.LateReads > opened.LateReads)
                return "the reader fell behind: lines waited in the port's buffer, so their arrival times are late";
            long malformed = Tally.Malformed;
            long lines = malformed + Tally.Events;
            if (malformed >= 3 && malformed > maxMalformedFraction * lines)
                return $"{malformed} of {lines} lines were malformed (more than {maxMalformedFraction:P0}): a flood or a bad connection";
            double p = SilenceProbability(Tally.Events, LongestGap, Closes - Opened);
            if (LongestGap >= ShortestSilence && p < SilenceFalseAlarm)
                return $"the device was silent for {LongestGap.TotalSeconds:0.###} s of a {(Closes - Opened).TotalSeconds:0.###} s window that had {Tally.Events} events (chance {p:0.#e+0} for a steady rate): a stall or a USB hiccup";
            return null;
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
            double seconds = ((Closed < Closes ? Closed : Closes) - Opened).TotalSeconds;
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
}
