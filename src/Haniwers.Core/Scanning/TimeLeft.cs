using System;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Scanning
{
    /// <summary>
    /// The time a scan has left, from the pace of its recent steps: the median of the last
    /// <see cref="Recent"/> steps' times, so a step that took long for a reason of its own (a window
    /// measured again, a reconnect, a computer that paused) does not inflate every later estimate, and
    /// the estimate shrinks as the steps go. Before two steps are timed, the plan's time per step.
    /// </summary>
    public sealed class TimeLeft
    {
        public const int Recent = 21;
        private readonly TimeSpan _planned;
        private readonly Queue<double> _steps = new Queue<double>();
        private TimeSpan? _lastStart;

        public TimeLeft(TimeSpan plannedPerStep) => _planned = plannedPerStep;

        /// <summary>A step starts at <paramref name="elapsed"/> since the scan began.</summary>
        public void StepStarted(TimeSpan elapsed)
        {
            if (_lastStart is TimeSpan last && elapsed > last)
            {
                _steps.Enqueue((elapsed - last).TotalSeconds);
                if (_steps.Count > Recent) _steps.Dequeue();
            }
            _lastStart = elapsed;
        }

        /// <summary>The time per step the estimate uses.</summary>
        public TimeSpan PerStep
        {
            get
            {
                if (_steps.Count == 0) return _planned;
                var sorted = _steps.OrderBy(s => s).ToList();
                double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
                return TimeSpan.FromSeconds(median);
            }
        }

        /// <summary>The time <paramref name="steps"/> more steps take at that pace, in whole seconds.</summary>
        public TimeSpan For(int steps) => TimeSpan.FromSeconds(Math.Ceiling(PerStep.TotalSeconds * Math.Max(steps, 0)));
    }
}
