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
    /// grid"): a window costs its length, the settle time and the overhead of its writes and checks, which is measured
    /// (the median gap between one window's close and the next one's opening, less the settle time). The grid measures
    /// every value of the range once at the configured window length, at the same cost per window; the adaptive scan
    /// never plans a window that would take it past that time, or past -MaxDuration when one is given instead.
    /// </summary>
    public sealed class AdaptiveBudget
    {
        private readonly double _window, _settle;
        private readonly TimeSpan? _maxDuration;
        private readonly List<double> _windows = new List<double>();
        private readonly List<double> _overheads = new List<double>();
        private DateTimeOffset? _lastClose;

        public AdaptiveBudget(int gridWindows, TimeSpan window, TimeSpan settle, TimeSpan? maxDuration)
        {
            GridWindows = gridWindows;
            _window = window.TotalSeconds;
            _settle = settle.TotalSeconds;
            _maxDuration = maxDuration;
        }

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

        /// <summary>The wall time of the windows measured so far, at the cost per window.</summary>
        public double SpentSeconds => _windows.Sum() + _windows.Count * (_settle + Overhead);

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
                if (gap >= 0 && gap < 60) _overheads.Add(gap); // a gap of a minute is a pause or a wait for the device, not overhead
            }
            _windows.Add(seconds);
            _lastClose = opened + TimeSpan.FromSeconds(seconds);
        }

        /// <summary>Windows an earlier run of the same scan measured (a resume): counted, with no gap to learn from.</summary>
        public void MeasuredBefore(IEnumerable<double> windows)
        {
            _windows.AddRange(windows);
            _lastClose = null;
        }

        /// <summary>How a planner stopped by this budget says so.</summary>
        public string Describe(AdaptiveStop stop) => stop switch
        {
            AdaptiveStop.GridTime => string.Format(CultureInfo.InvariantCulture,
                "the fixed grid's time was spent ({0} windows of {1:0.###} s: {2:0.#} s with settle time and writes), which the adaptive scan never exceeds; give -MaxDuration to allow more",
                GridWindows, _window, GridSeconds),
            AdaptiveStop.MaxDuration => string.Format(CultureInfo.InvariantCulture, "the time limit (-MaxDuration {0:0.###} s) was reached", _maxDuration!.Value.TotalSeconds),
            _ => "",
        };
    }
}
