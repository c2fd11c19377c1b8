using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Haniwers.Scanning
{
    /// <summary>Why an adaptive scan stopped measuring before every channel had settled.</summary>
    public enum AdaptiveStop
    {
        /// <summary>It did not stop early: every channel reached its target or has its edge out of reach.</summary>
        None,
        /// <summary>The next window would have taken it past the fixed grid's wall time.</summary>
        GridTime,
        /// <summary>The next window would have passed -MaxDuration.</summary>
        MaxDuration,
        /// <summary>-MaxSteps windows were measured.</summary>
        MaxSteps,
    }

    /// <summary>
    /// The adaptive scan's wall time against the equivalent fixed grid (docs/adaptive-scan.md, "Never slower than the
    /// grid"): the time spent is the clock's, from the first window's opening to the last one's close (so windows measured
    /// again and waits for a quiet device count); the grid measures every value of the range once at the configured window
    /// length, each window costing its length, the settle time and the overhead of its writes and checks, which is
    /// measured (the median gap between one window's close and the next one's opening, less the settle time). The
    /// adaptive scan never begins a window that would take it past the grid's time, or past -MaxDuration when given.
    /// </summary>
    public sealed class AdaptiveBudget
    {
        private readonly double _window, _settle;
        private readonly TimeSpan? _maxDuration;
        private readonly List<double> _overheads = new List<double>();
        private DateTimeOffset? _sessionStart, _lastClose;
        /// <summary>Windows an earlier part of the run measured (a resume): their count and lengths.</summary>
        private int _earlierWindows;
        private double _earlierSeconds;

        public AdaptiveBudget(int gridWindows, TimeSpan window, TimeSpan settle, TimeSpan? maxDuration)
        {
            GridWindows = gridWindows;
            _window = window.TotalSeconds;
            _settle = settle.TotalSeconds;
            _maxDuration = maxDuration;
        }

        /// <summary>The settle time before each window, in seconds.</summary>
        public double Settle => _settle;

        /// <summary>The windows of the equivalent fixed grid: every value of the longest range, once.</summary>
        public int GridWindows { get; }

        /// <summary>The overhead of one window measured so far (writes, the window's checks), in seconds; 0 before two windows.</summary>
        public double Overhead
        {
            get
            {
                if (_overheads.Count == 0) return 0;
                var sorted = _overheads.OrderBy(o => o).ToArray();
                return sorted[sorted.Length / 2];
            }
        }

        /// <summary>What one window of <paramref name="seconds"/> costs in wall time.</summary>
        public double Cost(double seconds) => seconds + _settle + Overhead;

        /// <summary>The fixed grid's wall time at the same cost per window.</summary>
        public double GridSeconds => GridWindows * Cost(_window);

        /// <summary>The most wall time the scan may take: -MaxDuration when given, else the grid's.</summary>
        public double LimitSeconds => _maxDuration?.TotalSeconds ?? GridSeconds;

        /// <summary>
        /// The wall time spent so far: from this run's first window's opening to its last one's close as the clock says
        /// (windows measured again and waits for a quiet device included), the setting up of the first window, and the
        /// windows an earlier part of the run measured, at the cost per window.
        /// </summary>
        public double SpentSeconds =>
            _earlierSeconds + _earlierWindows * (_settle + Overhead)
            + (_sessionStart is DateTimeOffset start && _lastClose is DateTimeOffset close ? (close - start).TotalSeconds + _settle + Overhead : 0);

        /// <summary>The next window, of <paramref name="seconds"/>, still fits: the reason it does not, else None.</summary>
        public AdaptiveStop Allows(double seconds) =>
            SpentSeconds + Cost(seconds) <= LimitSeconds * (1 + 1e-9) ? AdaptiveStop.None
            : _maxDuration is null ? AdaptiveStop.GridTime : AdaptiveStop.MaxDuration;

        /// <summary>A window measured in this run: its length, and the gap since the window before (the overhead).</summary>
        public void Measured(DateTimeOffset opened, double seconds)
        {
            if (_lastClose is DateTimeOffset close)
            {
                double gap = (opened - close).TotalSeconds - _settle;
                if (gap >= 0) _overheads.Add(gap); // the median keeps a window measured again, or a wait, from counting as overhead
            }
            _sessionStart ??= opened;
            _lastClose = opened + TimeSpan.FromSeconds(seconds);
        }

        /// <summary>Windows an earlier run of the same scan measured (a resume): counted, with no gap to learn from.</summary>
        public void MeasuredBefore(IEnumerable<double> windows)
        {
            foreach (double seconds in windows)
            {
                _earlierWindows++;
                _earlierSeconds += seconds;
            }
        }

        /// <summary>How a planner stopped by this budget says so.</summary>
        public string Describe(AdaptiveStop stop) => stop switch
        {
            AdaptiveStop.GridTime => string.Format(CultureInfo.InvariantCulture,
                "the fixed grid's time was spent ({0} windows of {1:0.###} s: {2:0.#} s with settle time and writes), which the adaptive scan never exceeds; give -MaxDuration to allow more (with -Resume, the whole run's seconds)",
                GridWindows, _window, GridSeconds),
            AdaptiveStop.MaxDuration => string.Format(CultureInfo.InvariantCulture, "the time limit (-MaxDuration {0:0.###} s) was reached", _maxDuration!.Value.TotalSeconds),
            _ => "",
        };
    }
}
