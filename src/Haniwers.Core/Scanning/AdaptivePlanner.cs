using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Haniwers.Analysis;
using Haniwers.Configuration;

namespace Haniwers.Scanning
{
    /// <summary>
    /// The adaptive scan's rule (docs/adaptive-scan.md): a short coarse sweep of each channel's range,
    /// then, every window and for every channel on its own, the threshold on the range's grid where one
    /// more window would shrink the variance of that channel's threshold estimate the most, from the
    /// Fisher information of the S-curve's Poisson model at the current fit. A channel without an
    /// accepted fit yet is explored where its rate changes most between measured neighbours. Stops when
    /// every channel's threshold error is at or below the target, or at the step or time limit.
    /// </summary>
    public sealed class AdaptivePlanner
    {
        private readonly TimeSpan _window;
        private readonly FitOptions _fit;
        private readonly int _coarse;
        private readonly int _maxSteps;
        private readonly bool _onGrid;
        private int _index;

        /// <summary>The coarse sweep's windows (and a prior's first windows) are this fraction of a full window.</summary>
        private const int CoarseShare = 4;

        /// <param name="onGrid">Measure only the range's grid values (as before); false: any integer DAC value within the range.</param>
        public AdaptivePlanner(IReadOnlyList<ThresholdRange> ranges, TimeSpan window, TimeSpan settle, double targetError, FitOptions fit,
            int maxSteps, TimeSpan? maxDuration, int coarseSteps = 5, bool onGrid = false)
        {
            Channels = ranges.Select(r => new AdaptiveChannel(r)).ToList();
            _window = window;
            TargetError = targetError;
            _fit = fit;
            _maxSteps = maxSteps;
            _coarse = coarseSteps;
            _onGrid = onGrid;
            Budget = new AdaptiveBudget(ranges.Max(r => r.Values.Count), window, settle, maxDuration);
        }

        public IReadOnlyList<AdaptiveChannel> Channels { get; }

        /// <summary>The scan's wall time against the fixed grid's, or -MaxDuration's.</summary>
        public AdaptiveBudget Budget { get; }

        /// <summary>Why the scan stopped before every channel settled; None while it has not, or when they all did.</summary>
        public AdaptiveStop StoppedBy { get; private set; }

        /// <summary>The length of the window at a step: the coarse sweep's are shorter.</summary>
        private double WindowSeconds(int index) => index < _coarse ? FullWindow / CoarseShare : FullWindow;

        /// <summary>
        /// A full window's length by wall time (docs/adaptive-scan.md, "Window lengths"): the configured duration, or longer
        /// where a window's settle time and overhead (measured) would take more than a fifth of its wall time: every window
        /// pays them, and a window's information grows with its length.
        /// </summary>
        private double FullWindow => Math.Max(_window.TotalSeconds, OverheadShare * (Budget.Settle + Budget.Overhead));

        /// <summary>A window is at least this many times its settle time and overhead (which are then at most a fifth of its wall time).</summary>
        private const double OverheadShare = 4;

        /// <summary>The most windows the limits allow before any is measured: -MaxSteps, and the time (the grid's, or -MaxDuration).</summary>
        public int MostSteps
        {
            get
            {
                double spent = 0;
                int n = 0;
                while (n < _maxSteps && spent + Budget.Cost(WindowSeconds(n)) <= Budget.LimitSeconds * (1 + 1e-9)) spent += Budget.Cost(WindowSeconds(n++));
                return n;
            }
        }
        public double TargetError { get; }
        public int StepsPlanned => _index;
        public bool AllReached => Channels.All(c => c.Reached(TargetError));
        /// <summary>No channel can improve: each reached its target or has its edge outside its range.</summary>
        public bool AllSettled => Channels.All(c => c.Settled(TargetError));

        /// <summary>Fits in a row that must put a channel's edge outside its range before the channel stops (docs/adaptive-scan.md).</summary>
        public const int FitsOutsideToStop = AdaptiveEdge.FitsOutsideToStop;

        /// <summary>
        /// Starts from earlier fits (docs/adaptive-scan.md, "A prior from the last scan"): each accepted fit of a scanned
        /// channel becomes its prior; returns, for each fit not used, why. Such a channel's first (short) windows go around
        /// its prior's edge instead of across its range. Before the first window only.
        /// </summary>
        public IReadOnlyList<string> UsePriors(IEnumerable<ThresholdFit> fits)
        {
            if (_index > 0) throw new InvalidOperationException("Priors are given before the first window.");
            var ignored = new List<string>();
            foreach (var fit in fits)
            {
                var channel = Channels.FirstOrDefault(c => c.Channel == fit.Channel);
                if (channel is null) ignored.Add($"ch{fit.Channel}: not a channel this scan measures");
                else if (!AdaptivePrior.Usable(fit)) ignored.Add($"ch{fit.Channel}: the fit recommends no threshold ({fit.Rejection ?? "no covariance"})");
                else if (channel.Prior is not null) ignored.Add($"ch{fit.Channel}: a second prior for the channel (the first one given is used)");
                else if (fit.Mean < channel.Range.Start || fit.Mean > channel.Range.Stop)
                    ignored.Add(string.Format(CultureInfo.InvariantCulture, "ch{0}: its edge (Mean {1:0.#}) lies outside this scan's range {2}..{3}", fit.Channel, fit.Mean, channel.Range.Start, channel.Range.Stop));
                else channel.Prior = new AdaptivePrior(fit);
            }
            return ignored;
        }

        /// <summary>A channel whose prior the first windows contradicted: the warning it gets, once.</summary>
        public event Action<AdaptiveChannel>? PriorDiscarded;

        /// <summary>A channel whose edge is now known to lie outside its range: the warning it gets, once.</summary>
        public event Action<AdaptiveChannel>? EdgeFoundOutside;

        /// <summary>Why the run has no complete result, channel by channel; null when every channel reached its target.</summary>
        public string? Shortfall => AllReached ? null : string.Join("; ", Channels.Where(c => !c.Reached(TargetError)).Select(c =>
            c.EdgeOutside ?? (c.Fit?.Threshold is int s && SCurveFitter.ScatterExceedsPoisson(c.Fit)
                ? string.Format(CultureInfo.InvariantCulture, "ch{0}: threshold {1} ± {2:0.00} not claimed: its windows scatter more than Poisson allows (chi-square/ndf = {3:0.##} for {4} degrees of freedom, a chance of {5:0.#e+0}; a detector whose counts drift, or events leaking between windows)",
                    c.Channel, s, c.Fit.ThresholdError, c.Fit.ReducedChiSquare, c.Fit.DegreesOfFreedom, SCurveFitter.ScatterChance(c.Fit.ChiSquare, c.Fit.DegreesOfFreedom))
                : c.Fit?.Threshold is int t
                ? string.Format(CultureInfo.InvariantCulture, "ch{0}: threshold {1} ± {2:0.00}, short of the target {3:0.##}", c.Channel, t, c.Fit.ThresholdError, TargetError)
                : $"ch{c.Channel}: no threshold ({c.Fit?.Rejection ?? "too few points to fit"})")))
            + (StoppedBy == AdaptiveStop.None ? "" : "; " + StopReason);

        /// <summary>Why the scan stopped before every channel settled, as a phrase ("-MaxSteps 200 was reached"); empty when it did not.</summary>
        public string StopReason => StoppedBy == AdaptiveStop.MaxSteps ? $"-MaxSteps {_maxSteps} was reached" : Budget.Describe(StoppedBy);

        /// <summary>Why the last step's thresholds were chosen, one phrase per channel (the journal's decision record).</summary>
        public string LastDecision { get; private set; } = "";

        /// <summary>Goes on from a run's measured points (a resumed adaptive scan): its fits and its step count.</summary>
        public void Continue(IEnumerable<ScanPoint> points, int lastStep)
        {
            var all = points.ToList();
            foreach (var channel in Channels)
            {
                channel.Points.AddRange(all.Where(p => p.Channel == channel.Channel));
                Refit(channel);
            }
            // every window has a row of the first channel: its lengths are the time already spent
            Budget.MeasuredBefore(all.Where(p => p.Channel == Channels[0].Channel).Select(p => p.DurationSeconds));
            _index = Math.Max(_index, lastStep);
        }

        /// <summary>The rows of a completed window: each channel's point at its threshold.</summary>
        public void Record(IReadOnlyList<ScanResult> rows)
        {
            if (rows.Count > 0) Budget.Measured(rows[0].Timestamp, rows[0].DurationSeconds);
            foreach (var row in rows)
            {
                var channel = Channels.FirstOrDefault(c => c.Channel == row.Channel);
                if (channel is null) continue;
                channel.Points.Add(new ScanPoint(row.Channel, row.Threshold, row.Events, row.DurationSeconds, row.RunId, row.Timestamp));
                Refit(channel);
            }
        }

        /// <summary>
        /// The fewest events a window at <paramref name="step"/> should count on the channels with an
        /// accepted fit: half the fitted rate three threshold errors further up the curve, where it is
        /// lower. Null while no channel has an accepted fit.
        /// </summary>
        public ExpectedCount? ExpectedEvents(ScanStep step, double seconds)
        {
            double events = 0;
            var fitted = new List<int>();
            foreach (var channel in Channels)
            {
                if (channel.Fit is not { Threshold: not null, Converged: true } fit || double.IsNaN(fit.ThresholdError)) continue;
                double x = step.Threshold(channel.Channel) + 3 * fit.ThresholdError;
                events += 0.5 * SCurve.Rate(x, fit.Height, fit.Mean, fit.Sigma, fit.Baseline) * seconds;
                fitted.Add(channel.Channel);
            }
            if (fitted.Count == 0) return null;
            return new ExpectedCount(events, $"this scan's fit of channel{(fitted.Count > 1 ? "s" : "")} {string.Join(", ", fitted)} (half its rate three threshold errors higher)");
        }

        /// <summary>Fits the channel's points again; a channel with no points, or whose points cannot be fitted, has no fit.</summary>
        private void Refit(AdaptiveChannel channel)
        {
            try { channel.Fit = channel.Points.Count > 0 ? SCurveFitter.Fit(channel.Points, _fit) : null; }
            catch (FitException) { channel.Fit = null; }
            // checked after every window once the first ones are in: more windows, more power to see an edge that moved
            if (channel.ActivePrior is { } prior && channel.Points.Select(p => p.Threshold).Distinct().Count() >= _coarse && prior.Check(channel.Points))
                PriorDiscarded?.Invoke(channel);
            if (AdaptiveEdge.Check(channel, Channels, TargetError, _coarse, _fit.SigmaMultiple)) EdgeFoundOutside?.Invoke(channel);
        }

        /// <summary>The windows to measure, each chosen after the previous one was recorded.</summary>
        public IEnumerable<ScanStep> Steps()
        {
            while (!(AllSettled && _index >= _coarse))
            {
                if (_index >= _maxSteps) { StoppedBy = AdaptiveStop.MaxSteps; yield break; }
                // never slower than the grid (or -MaxDuration): a window that would pass it is not begun
                if (Budget.Allows(WindowSeconds(_index)) is var stop and not AdaptiveStop.None) { StoppedBy = stop; yield break; }
                var reasons = new List<string>();
                var thresholds = new int[ConfigValidator.ChannelCount];
                foreach (var channel in Channels) thresholds[channel.Channel - 1] = Choose(channel, reasons);
                // channels outside the scan (none configured) keep the first channel's value: they are not measured
                for (int i = 0; i < thresholds.Length; i++) if (thresholds[i] == 0) thresholds[i] = Channels[0].Range.Values[0];
                if (_index >= _coarse && FullWindow > _window.TotalSeconds)
                    reasons.Add(string.Format(CultureInfo.InvariantCulture, "a window of {0:0.###} s: the settle time and writes ({1:0.###} s) would take more than a fifth of a shorter one", FullWindow, Budget.Settle + Budget.Overhead));
                _index++;
                LastDecision = string.Join("; ", reasons);
                yield return new ScanStep(_index, thresholds, Channels.Select(c => c.Channel).ToArray())
                {
                    Note = string.Join(" ", Channels.Select(c => c.Describe(TargetError))),
                    // the coarse sweep only finds the edge: a quarter window is enough, the time goes where it counts
                    Duration = _index <= _coarse || FullWindow > _window.TotalSeconds ? TimeSpan.FromSeconds(WindowSeconds(_index - 1)) : (TimeSpan?)null,
                };
            }
        }

        private int Choose(AdaptiveChannel channel, List<string> reasons)
        {
            var grid = channel.Range.Values;
            // a channel whose fit stays flat: its range's ends are measured until they differ or agree with enough precision
            if (channel.FitsOutside >= FitsOutsideToStop && AdaptiveEdge.NoEdgeSeen(channel.Fit) && AdaptiveEdge.CompareEnds(channel, Channels) is (AdaptiveEdge.EndsVerdict.Unknown, int end0))
            {
                reasons.Add($"ch{channel.Channel} {end0}: no edge stands out yet, measuring the range's end");
                return end0;
            }
            if (channel.EdgeOutside is not null)
            {
                // nothing in the range teaches this channel more: it waits at the end nearest its edge
                int end = channel.EdgeAbove ? grid[grid.Count - 1] : grid[0];
                reasons.Add($"ch{channel.Channel} {end}: its edge lies outside the range, not measured further");
                return end;
            }
            if (_index < _coarse && channel.ActivePrior is { } seeded)
            {
                int seed = seeded.Seed(_index, channel.Range.Start, channel.Range.Stop, new HashSet<double>(channel.Points.Select(p => p.Threshold)));
                reasons.Add($"ch{channel.Channel} {seed}: first window {_index + 1}/{_coarse} around the prior's edge ({seeded.Describe()})");
                return seed;
            }
            if (_index < _coarse)
            {
                // evenly over the middle 60 % of the range (20 %, 35 %, 50 %, 65 %, 80 % for five): the configured
                // centre is where the edge is expected, and the far ends teach the threshold the least;
                // a grid too short for five different values there is swept end to end
                bool wide = grid.Count >= 3 * _coarse;
                double at = _coarse == 1 ? 0.5 : wide ? 0.2 + 0.6 * _index / (_coarse - 1) : (double)_index / (_coarse - 1);
                int i = Math.Min(grid.Count - 1, (int)Math.Round(at * (grid.Count - 1)));
                reasons.Add($"ch{channel.Channel} {grid[i]}: coarse sweep {_index + 1}/{_coarse}");
                return grid[i];
            }
            // a fit that is not accepted yet (too few points across the edge, errors too large) still guides the
            // design; only without any usable fit is the edge searched for by bisection
            if (channel.Fit?.Covariance is null || !channel.Fit.Converged && channel.Fit.Rejection is null
                || double.IsNaN(channel.Fit.ThresholdError) || channel.Fit.Mean < channel.Range.Values[0] || channel.Fit.Mean > channel.Range.Values[channel.Range.Values.Count - 1])
            {
                // every other such window goes to a value not measured yet near the prior's edge, so that the run's own points
                // can soon be fitted (the prior's c-optimal points alone are too few: a tester found priors slowing scans down)
                if (channel.ActivePrior is { } near && ++channel.UnacceptedChoices % 2 == 0 && NearestUnmeasured(channel, near.Fit.Mean) is int unmeasured)
                {
                    reasons.Add(string.Format(CultureInfo.InvariantCulture, "ch{0} {1}: no usable fit of this run yet, a value not measured before, nearest the prior's edge (Mean {2:0.#})", channel.Channel, unmeasured, near.Fit.Mean));
                    return unmeasured;
                }
                if (channel.ActivePrior is { } prior)
                {
                    // the run's own points cannot be fitted yet: the prior's curve decides where one more window teaches most
                    var (guided, _) = MostInformative(channel, prior.Fit);
                    reasons.Add($"ch{channel.Channel} {guided}: no usable fit of this run yet ({channel.Fit?.Rejection ?? "too few points"}), where the prior's curve says one more window teaches most ({prior.Describe()})");
                    return guided;
                }
                int explore = Explore(channel);
                reasons.Add($"ch{channel.Channel} {explore}: no accepted fit yet ({channel.Fit?.Rejection ?? "too few points"}), measuring where the rate changes most between neighbours");
                return explore;
            }
            // a fit that stays unaccepted (an edge too sharp for the values measured, say) must not keep the search on the
            // same few values: every other such window goes to a value not measured yet, nearest the fitted edge
            if (channel.Fit.Threshold is null && ++channel.UnacceptedChoices % 2 == 0 && NearestUnmeasured(channel, channel.Fit.Mean) is int fresh)
            {
                reasons.Add(string.Format(CultureInfo.InvariantCulture, "ch{0} {1}: the fit is not accepted yet ({2}), measuring a value not measured before, nearest the edge (Mean {3:0.#})",
                    channel.Channel, fresh, channel.Fit.Rejection, channel.Fit.Mean));
                return fresh;
            }
            var (best, after) = MostInformative(channel, channel.Fit);
            reasons.Add(string.Format(CultureInfo.InvariantCulture, "ch{0} {1}: threshold {2}±{3:0.00}{4}, one more window here gives ±{5:0.00}{6}",
                channel.Channel, best, channel.Fit.Threshold?.ToString(CultureInfo.InvariantCulture) ?? SCurveFitter.ThresholdAt(channel.Fit, _fit.SigmaMultiple).ToString(CultureInfo.InvariantCulture),
                channel.Fit.ThresholdError, channel.Fit.Threshold is null ? " (not accepted yet: " + channel.Fit.Rejection + ")" : "",
                after, channel.Reached(TargetError) ? " (target reached; the window is free)" : ""));
            return best;
        }

        /// <summary>
        /// The values the design may choose for a channel: any integer DAC value within its range, or, with -OnGrid, the
        /// range's grid values only (docs/adaptive-scan.md, "Free design").
        /// </summary>
        private IReadOnlyList<int> Candidates(AdaptiveChannel channel) => _onGrid
            ? channel.Range.Values
            : Enumerable.Range(channel.Range.Start, channel.Range.Stop - channel.Range.Start + 1).ToArray();

        /// <summary>The candidate not measured yet nearest <paramref name="around"/>; null when every one has been.</summary>
        private int? NearestUnmeasured(AdaptiveChannel channel, double around)
        {
            var measured = new HashSet<double>(channel.Points.Select(p => p.Threshold));
            int? best = null;
            foreach (int x in Candidates(channel))
                if (!measured.Contains(x) && (best is not int b || Math.Abs(x - around) < Math.Abs(b - around))) best = x;
            return best;
        }

        /// <summary>
        /// The value between the measured neighbours whose rates differ most, where the gap allows one; when every gap is
        /// closed, the value not measured yet nearest that steepest pair (the search widens, it never stays put); when
        /// every value has been measured, the one of that pair measured least.
        /// </summary>
        private int Explore(AdaptiveChannel channel)
        {
            var candidates = Candidates(channel);
            var measured = channel.Points.Where(p => p.IsUsable).GroupBy(p => p.Threshold)
                .Select(g => (x: g.Key, rate: g.Sum(p => p.Events) / g.Sum(p => p.DurationSeconds), count: g.Count())).OrderBy(p => p.x).ToList();
            var pairs = measured.Zip(measured.Skip(1), (a, b) => (a, b)).OrderByDescending(p => Math.Abs(p.a.rate - p.b.rate)).ToList();
            foreach (var (a, b) in pairs)
            {
                int middle = Nearest(candidates, (a.x + b.x) / 2);
                if (middle > a.x && middle < b.x) return middle;
            }
            if (pairs.Count == 0) return candidates[candidates.Count / 2];
            var steepest = pairs[0];
            if (NearestUnmeasured(channel, (steepest.a.x + steepest.b.x) / 2) is int fresh) return fresh;
            return (int)(steepest.a.count <= steepest.b.count ? steepest.a.x : steepest.b.x);
        }

        /// <summary>
        /// The grid value that shrinks var(T) most: with C the fit's covariance and u = g(x)·sqrt(t/λ(x))
        /// the information one window of length t at x adds (g the rate's gradient, λ the rate),
        /// Sherman–Morrison gives var(T) after it as var(T) − (cᵀCu)² / (1 + uᵀCu).
        /// </summary>
        private (int best, double errorAfter) MostInformative(AdaptiveChannel channel, ThresholdFit fit)
        {
            var c = new double[4];
            double kw = _fit.SigmaMultiple * (_fit.Convention == ThresholdConvention.Haniwers ? Math.Sqrt(2) : 1);
            c[SCurve.Mean] = 1;
            c[SCurve.Sigma] = kw;
            var cov = fit.Covariance!;
            double variance = fit.ThresholdError * fit.ThresholdError;
            double seconds = FullWindow;
            var gradient = new double[4];
            int best = channel.Range.Values[0];
            double bestGain = double.NegativeInfinity;
            foreach (int x in Candidates(channel))
            {
                double rate = Math.Max(SCurve.Rate(x, fit.Height, fit.Mean, fit.Sigma, fit.Baseline), 1e-6);
                SCurve.Gradient(x, fit.Height, fit.Mean, fit.Sigma, gradient);
                double scale = Math.Sqrt(seconds / rate);
                double cCu = 0, uCu = 0;
                for (int i = 0; i < 4; i++)
                {
                    double cu = 0; // (C·u)ᵢ, shared by both quadratic forms
                    for (int j = 0; j < 4; j++) cu += cov[i, j] * gradient[j] * scale;
                    cCu += c[i] * cu;
                    uCu += gradient[i] * scale * cu;
                }
                double gain = cCu * cCu / (1 + uCu);
                if (gain > bestGain)
                {
                    bestGain = gain;
                    best = x;
                }
            }
            return (best, Math.Sqrt(Math.Max(variance - bestGain, 0)));
        }

        private static int Nearest(IReadOnlyList<int> values, double x) => values.OrderBy(v => Math.Abs(v - x)).First();
    }
}
