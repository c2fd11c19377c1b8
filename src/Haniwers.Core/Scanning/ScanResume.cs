using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Haniwers.Configuration;
using Haniwers.Output;

namespace Haniwers.Scanning
{
    /// <summary>Why a run cannot be resumed; each is an ErrorId.</summary>
    public enum ResumeProblem
    {
        NothingToResume,
        ResumeModeMismatch,
        ResumePlanMismatch,
        ResumeFilesChanged,
        ResumeNotRecorded,
    }

    public sealed class ResumeRefusedException : Exception
    {
        public ResumeRefusedException(ResumeProblem problem, string message) : base(message) => Problem = problem;
        public ResumeProblem Problem { get; }
    }

    /// <summary>
    /// Decides whether a folder's latest run can go on (docs/crash-protocol.md, "Resuming"): it must be
    /// unfinished (steps of its plan without rows), a scan of the same mode, with the plan a command
    /// gives (if any) equal to the recorded one, and files that still hold exactly the committed rows.
    /// Reads only; run it on a repaired folder.
    /// </summary>
    public static class ScanResume
    {
        /// <param name="given">The plan the command line or config describes, when the user gave one; null to take the recorded plan.</param>
        public static (RecordedRun run, ScanPlan remaining) Plan(string folder, ScanMode mode, ScanPlan? given)
        {
            var run = LatestRun(folder);
            RefuseDamaged(run);
            if (!run.Unfinished)
                throw new ResumeRefusedException(ResumeProblem.NothingToResume,
                    $"The latest run in '{folder}', {run.RunId}, has every step of its plan measured ({run.Plan.Count} steps, ended {run.Outcome ?? "without an end record"}): there is nothing to resume. Start a new scan without -Resume.");
            if (run.DurationSeconds is not double duration || run.Plan.Count == 0)
                throw new ResumeRefusedException(ResumeProblem.ResumeNotRecorded,
                    $"{run.Describe()} was started by a Haniwers that did not record its window length, so it cannot be resumed exactly. Start a new scan.");
            CheckMode(run, mode);
            if (given is not null) ComparePlans(run, duration, given);
            CheckFiles(folder, run, run.Plan.SelectMany(s => s.Measured).Distinct(),
                channel => run.Plan.Where(s => run.Committed.Contains(s.Index) && s.Measured.Contains(channel)).Select(s => s.Index));
            var remaining = ScanPlan.Remaining(run.Mode, run.Plan, run.Missing, TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(run.SettleSeconds ?? 0));
            return (run, remaining);
        }

        /// <summary>
        /// An adaptive run goes on from the points it measured (its rows), with the plan the command gives,
        /// unless it ended Completed (its target or limit reached) or its window differs.
        /// </summary>
        /// <param name="limits">Limits the command gives anew (a target, -MaxSteps, -MaxDuration in seconds for the whole run): they replace the
        /// recorded ones, so a run that ended Incomplete at its limits can go on (docs/adaptive-scan.md); null: the recorded ones.</param>
        public static (RecordedRun run, ScanPlan plan) Adaptive(string folder, ScanPlan? given, (double? target, int? maxSteps, double? maxSeconds)? limits = null)
        {
            var run = LatestRun(folder);
            RefuseDamaged(run);
            CheckMode(run, ScanMode.Adaptive);
            if (run.Outcome == nameof(RunOutcome.Completed))
                throw new ResumeRefusedException(ResumeProblem.NothingToResume, $"The latest run in '{folder}', {run.RunId}, ended Completed (its target or its limit reached): there is nothing to resume.");
            if (run.Adaptive is not JsonElement settings || run.DurationSeconds is not double duration)
                throw new ResumeRefusedException(ResumeProblem.ResumeNotRecorded, $"{run.Describe()} was started by a Haniwers that did not record its adaptive settings: start a new scan.");
            // the recorded ranges, target and limits; a plan the command gives must be the same
            List<ThresholdRange> ranges;
            ScanPlan plan;
            try
            {
                ranges = settings.GetProperty("ranges").EnumerateArray().Select(r => new ThresholdRange(r.GetProperty("channel").GetInt32(), null,
                    r.GetProperty("stepSize").GetInt32(), r.GetProperty("values").EnumerateArray().Select(v => v.GetInt32()).ToArray())).ToList();
                double target = settings.GetProperty("targetError").GetDouble(), sigma = settings.GetProperty("sigma").GetDouble();
                int maxSteps = settings.GetProperty("maxSteps").GetInt32();
                double? maxSeconds = settings.TryGetProperty("maxDurationSeconds", out var md) && md.ValueKind == JsonValueKind.Number ? md.GetDouble() : (double?)null;
                // a run recorded before the free design measured on its grid only, and goes on so
                bool onGrid = !settings.TryGetProperty("onGrid", out var og) || og.ValueKind != JsonValueKind.False;
                string? wrong =
                    ranges.Count == 0 ? "it has no channel's range"
                    : ranges.FirstOrDefault(r => !ConfigValidator.Channels.Contains(r.Channel) || r.Values.Count == 0 || r.StepSize < 1
                        || r.Values.Any(v => v < ThresholdRange.DacMin || v > ThresholdRange.DacMax)) is { } bad ? $"the range of channel {bad.Channel} is not one a scan has"
                    : !(target > 0 && target < 1024) ? $"its target error {target} is not one"
                    : !(sigma > 0 && sigma < 100) ? $"its sigma multiple {sigma} is not one"
                    : maxSteps < 1 ? $"its step limit {maxSteps} allows no step"
                    : maxSeconds is double m && !(m > 0 && m <= ConfigValidator.MaxWindowSeconds * 1000) ? $"its time limit {m} s is not one"
                    : null;
                if (wrong is not null) throw new FormatException(wrong);
                if (limits is var (newTarget, newSteps, newSeconds))
                {
                    target = newTarget ?? target;
                    maxSteps = newSteps ?? maxSteps;
                    maxSeconds = newSeconds ?? maxSeconds;
                }
                plan = ScanPlan.Adaptive(ranges, TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(run.SettleSeconds ?? 0), target, maxSteps,
                    maxSeconds is double limit ? TimeSpan.FromSeconds(limit) : (TimeSpan?)null, new Haniwers.Analysis.FitOptions { SigmaMultiple = sigma }, onGrid);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
            {
                throw new ResumeRefusedException(ResumeProblem.ResumeNotRecorded,
                    $"{run.Describe()}: the adaptive settings in its start record are damaged ({ex.Message.TrimEnd('.')}), so it cannot be resumed exactly. Start a new scan.");
            }
            if (given is not null)
            {
                CompareDuration(run, duration, given);
                CompareRanges(run, ranges, given);
            }
            CheckFiles(folder, run, ranges.Select(r => r.Channel), _ => run.Committed);
            var points = new List<Haniwers.Analysis.ScanPoint>();
            foreach (var range in ranges)
            {
                string path = Path.Combine(folder, ScanFiles.ResultFileName(range.Channel));
                if (File.Exists(path)) points.AddRange(Haniwers.Analysis.ScanFileReader.Read(path).Where(p => p.RunId == run.RunId));
            }
            plan.Planner!.Continue(points, run.Committed.Count == 0 ? 0 : run.Committed.Max());
            return (run, plan);
        }

        /// <summary>A run whose start record holds values no scan of this module writes is not resumed from them.</summary>
        private static void RefuseDamaged(RecordedRun run)
        {
            if (run.Damage is string damage)
                throw new ResumeRefusedException(ResumeProblem.ResumeNotRecorded,
                    $"{run.Describe()}: its start record is damaged ({damage}), so it cannot be resumed exactly. Start a new scan.");
        }

        /// <summary>
        /// Every channel file must hold exactly the run's committed steps, each once: a row edited,
        /// deleted or duplicated since would put a step in a file twice or leave one out. Rows of the
        /// step a crash left uncommitted are not counted (the real resume cuts them back first).
        /// </summary>
        private static void CheckFiles(string folder, RecordedRun run, IEnumerable<int> channels, Func<int, IEnumerable<int>> committedSteps)
        {
            foreach (int channel in channels.OrderBy(c => c))
            {
                var committed = committedSteps(channel).OrderBy(s => s).ToList();
                var inFile = ScanRun.StepsOf(folder, channel, run.RunId).Where(s => s != run.Uncommitted).OrderBy(s => s).ToList();
                if (!committed.SequenceEqual(inFile))
                    throw new ResumeRefusedException(ResumeProblem.ResumeFilesChanged,
                        $"{ScanFiles.ResultFileName(channel)} holds {inFile.Count} row(s) of run {run.RunId} ({Differences(committed, inFile)}), but the journal committed {committed.Count}: the file was changed since the run, so resuming could put a step in it twice or leave one out. Move the files away, or start a new scan.");
            }
        }

        private static string Differences(List<int> committed, List<int> inFile)
        {
            var twice = inFile.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            var missing = committed.Except(inFile).ToList();
            var extra = inFile.Except(committed).ToList();
            var parts = new List<string>();
            if (twice.Count > 0) parts.Add("step " + string.Join(", ", twice) + " twice");
            if (missing.Count > 0) parts.Add("step " + string.Join(", ", missing.Take(5)) + " missing");
            if (extra.Count > 0) parts.Add("step " + string.Join(", ", extra.Take(5)) + " never committed");
            return parts.Count == 0 ? "in another order" : string.Join("; ", parts);
        }

        private static void ComparePlans(RecordedRun run, double duration, ScanPlan given)
        {
            CompareDuration(run, duration, given);
            if (run.SettleSeconds is double settle && Math.Abs(given.SettleTime.TotalSeconds - settle) > 1e-9)
                throw Mismatch(run, "sampler.settle_time", $"{settle:0.###} s", $"{given.SettleTime.TotalSeconds:0.###} s");
            CompareRanges(run, ScanPlan.Remaining(run.Mode, run.Plan, run.Plan, given.Duration, given.SettleTime).Ranges, given);
            if (given.Steps.Count != run.Plan.Count || given.Steps.Zip(run.Plan, (a, b) => a.Thresholds.SequenceEqual(b.Thresholds)).Any(same => !same))
                throw Mismatch(run, "steps", $"{run.Plan.Count} steps", $"{given.Steps.Count} steps in another order");
        }

        private static RecordedRun LatestRun(string folder) =>
            RunHistory.Read(folder).LastOrDefault()
            ?? throw new ResumeRefusedException(ResumeProblem.NothingToResume, $"'{folder}' holds no run journal with a run in it: there is nothing to resume.");

        private static void CheckMode(RecordedRun run, ScanMode mode)
        {
            if (run.Mode != mode)
                throw new ResumeRefusedException(ResumeProblem.ResumeModeMismatch,
                    $"{run.Describe()} is a {run.Mode} scan: resume it with the {run.Mode.ToString().ToLowerInvariant()} scan command.");
        }

        private static void CompareDuration(RecordedRun run, double duration, ScanPlan given)
        {
            if (Math.Abs(given.Duration.TotalSeconds - duration) > 1e-9)
                throw Mismatch(run, "sampler.duration", $"{duration:0.###} s", $"{given.Duration.TotalSeconds:0.###} s");
        }

        /// <summary>Each recorded channel's range must be the one the command gives, value for value.</summary>
        private static void CompareRanges(RecordedRun run, IEnumerable<ThresholdRange> recorded, ScanPlan given)
        {
            foreach (var range in recorded)
            {
                var other = given.Ranges.FirstOrDefault(r => r.Channel == range.Channel);
                if (other is null || !other.Values.SequenceEqual(range.Values))
                    throw Mismatch(run, $"sensors.ch{range.Channel} range", range.Describe(), other?.Describe() ?? "no range");
            }
        }

        private static ResumeRefusedException Mismatch(RecordedRun run, string key, string recorded, string given) =>
            new ResumeRefusedException(ResumeProblem.ResumePlanMismatch,
                $"{key} differs from the run being resumed ({run.RunId}): it recorded {recorded}, the command gives {given}. Resume without the plan's parameters (the recorded plan is used), or start a new scan.");
    }
}
