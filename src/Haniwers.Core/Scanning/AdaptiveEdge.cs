using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Haniwers.Analysis;
using Haniwers.Configuration;

namespace Haniwers.Scanning
{
    /// <summary>Whether a channel's edge lies outside its range (docs/adaptive-scan.md, "When it cannot succeed").</summary>
    internal static class AdaptiveEdge
    {
        /// <summary>Fits in a row that must put a channel's edge outside its range before the channel stops.</summary>
        public const int FitsOutsideToStop = 3;

        /// <summary>
        /// After the coarse sweep: a channel not at its target whose data put its edge outside its range
        /// <see cref="FitsOutsideToStop"/> fits in a row stops, with the side and a range that would contain it
        /// (docs/adaptive-scan.md, "When it cannot succeed"). Outside: the fit puts the threshold beyond the range by
        /// more than twice its error and a step; or no edge stands out at all (a flat rate, both ends of the range
        /// measured), the side then told by the rate: a plateau as high as the other channels' rate below their edges
        /// means the edge is above.
        /// </summary>
        /// <returns>True when this fit settled it: <see cref="AdaptiveChannel.EdgeOutside"/> has just been set.</returns>
        public static bool Check(AdaptiveChannel channel, IReadOnlyList<AdaptiveChannel> channels, double targetError, int coarse, double sigmaMultiple)
        {
            if (channel.EdgeOutside is not null) return false;
            var grid = channel.Range.Values;
            var fit = channel.Fit;
            if (channel.Reached(targetError) || channel.Points.Count < coarse || grid.Count < 2)
            {
                channel.FitsOutside = 0;
                return false;
            }
            int step = grid[1] - grid[0];
            int nsteps = (grid.Count - 1) / 2;
            string? found = null;
            if (NoEdgeSeen(fit))
            {
                channel.FitsOutside++;
                if (channel.FitsOutside < FitsOutsideToStop) return false;
                var (ends, _) = CompareEnds(channel, channels);
                if (ends == EndsVerdict.Differ) { channel.FitsOutside = 0; return false; } // the rate falls across the range: the edge is in it
                if (ends != EndsVerdict.Flat) return false;
                var usable = channel.Points.Where(p => p.IsUsable).ToList();
                double rate = usable.Sum(p => p.Events) / Math.Max(usable.Sum(p => p.DurationSeconds), 1e-9);
                var references = channels.Where(c => c != channel && c.Fit is { Threshold: not null } f && !double.IsNaN(f.Height)).Select(c => c.Fit!).ToList();
                if (references.Count > 0)
                {
                    double below = references.Average(f => f.Height + f.Baseline), above = references.Average(f => f.Baseline);
                    channel.EdgeAbove = Math.Abs(rate - below) < Math.Abs(rate - above);
                    int shift = 2 * nsteps * step;
                    int center = Math.Clamp(channel.EdgeAbove ? grid[grid.Count - 1] + nsteps * step : grid[0] - nsteps * step, ThresholdRange.DacMin + nsteps * step, ThresholdRange.DacMax - nsteps * step);
                    found = string.Format(CultureInfo.InvariantCulture,
                        "ch{0}: the edge lies {1} the range {2}..{3} (the rate is flat at {4:0.#} Hz across it, as the other channels' {5} their edges); a range that may contain it: center = {6}, nsteps = {7}, step_size = {8}, or wider",
                        channel.Channel, channel.EdgeAbove ? "above" : "below", grid[0], grid[grid.Count - 1], rate, channel.EdgeAbove ? "below" : "above", center, nsteps, step);
                }
                else
                {
                    found = string.Format(CultureInfo.InvariantCulture,
                        "ch{0}: no edge in the range {1}..{2} (the rate is flat at {3:0.#} Hz across it: a range beside the edge, or a dead channel); scan a wider range (a larger nsteps or step_size), or check the channel",
                        channel.Channel, grid[0], grid[grid.Count - 1], rate);
                }
            }
            else
            {
                int estimate = SCurveFitter.ThresholdAt(fit!, sigmaMultiple);
                double margin = 2 * fit.ThresholdError + step;
                bool above = estimate > grid[grid.Count - 1] + margin, below = estimate < grid[0] - margin;
                channel.FitsOutside = above || below ? channel.FitsOutside + 1 : 0;
                if (channel.FitsOutside < FitsOutsideToStop) return false;
                channel.EdgeAbove = above;
                // a range that holds the whole edge, from two Sigmas below its Mean to two above the threshold (a wide edge
                // centred on its threshold was missed again: a tester), on the same step
                double low = fit!.Mean - 2 * fit.Sigma, high = estimate + 2 * fit.Sigma;
                nsteps = Math.Max(nsteps, (int)Math.Ceiling((high - low) / 2 / step));
                int center = Math.Clamp((int)Math.Round((low + high) / 2), ThresholdRange.DacMin + nsteps * step, ThresholdRange.DacMax - nsteps * step);
                found = string.Format(CultureInfo.InvariantCulture,
                    "ch{0}: the edge lies {1} the range {2}..{3} (the fit puts the threshold at {4} ± {5:0.0}); a range that contains it: center = {6}, nsteps = {7}, step_size = {8}",
                    channel.Channel, above ? "above" : "below", grid[0], grid[grid.Count - 1], estimate, fit!.ThresholdError, center, nsteps, step);
            }
            channel.EdgeOutside = found;
            return true;
        }

        /// <summary>
        /// The fit shows no edge: no fall of the rate stands out of the noise (the fit's own test,
        /// <see cref="FitAcceptance.MinimumEdgeSignificance"/>), or the data do not let its errors be computed.
        /// Whether there is none in the range is then for the range's ends to tell (<see cref="CompareEnds"/>).
        /// </summary>
        public static bool NoEdgeSeen(ThresholdFit? fit) =>
            fit is null || fit.Covariance is null || !(fit.HeightError > 0) || !(fit.ThresholdError > 0)
            || fit.Height < FitAcceptance.MinimumEdgeSignificance * fit.HeightError;

        public enum EndsVerdict { Unknown, Flat, Differ }

        /// <summary>
        /// The rates at the two ends of the range: Differ when they differ by more than three standard errors (the
        /// edge is in the range); Flat when they agree to half of their rate, or of the other channels' noise plateau, at
        /// three standard errors (an edge in the range could not hide: the plateau below an edge is many times the rate
        /// above it), or a dead channel
        /// counted nothing in ten seconds at each end; else Unknown, with the end that needs measuring.
        /// </summary>
        public static (EndsVerdict verdict, int? measure) CompareEnds(AdaptiveChannel channel, IReadOnlyList<AdaptiveChannel>? channels = null)
        {
            var grid = channel.Range.Values;
            (double events, double seconds) At(int threshold)
            {
                var points = channel.Points.Where(p => p.IsUsable && p.Threshold == threshold).ToList();
                return (points.Sum(p => (double)p.Events), points.Sum(p => p.DurationSeconds));
            }
            var (nLow, tLow) = At(grid[0]);
            var (nHigh, tHigh) = At(grid[grid.Count - 1]);
            if (tLow <= 0) return (EndsVerdict.Unknown, grid[0]);
            if (tHigh <= 0) return (EndsVerdict.Unknown, grid[grid.Count - 1]);
            double low = nLow / tLow, high = nHigh / tHigh;
            double sigma = Math.Sqrt(nLow / (tLow * tLow) + nHigh / (tHigh * tHigh));
            if (Math.Abs(low - high) > 3 * sigma) return (EndsVerdict.Differ, null);
            double mean = (low + high) / 2;
            // an edge inside the range would make the ends differ by the noise plateau (the other channels' rate below their
            // edges, hundreds of times the rate above): agreeing to half of that, or of the rate itself, at three standard
            // errors is proof enough (10 % of the rate, before, took the whole grid's time on a flat channel: a tester)
            double plateau = channels?.Where(c => c != channel && c.Fit is { Threshold: not null } f && !double.IsNaN(f.Height)).Select(c => c.Fit!.Height + c.Fit.Baseline).DefaultIfEmpty(0).Max() ?? 0;
            double scale = Math.Max(mean, plateau);
            bool precise = scale > 0 ? 3 * sigma <= 0.5 * scale : tLow >= 10 && tHigh >= 10;
            if (precise) return (EndsVerdict.Flat, null);
            return (EndsVerdict.Unknown, nLow <= nHigh ? grid[0] : grid[grid.Count - 1]);
        }
    }
}
