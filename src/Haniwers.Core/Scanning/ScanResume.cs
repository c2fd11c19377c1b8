using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
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
            var run = RunHistory.Read(folder).LastOrDefault()
                      ?? throw new ResumeRefusedException(ResumeProblem.NothingToResume, $"'{folder}' holds no run journal with a run in it: there is nothing to resume.");
            if (!run.Unfinished)
                throw new ResumeRefusedException(ResumeProblem.NothingToResume,
                    $"The latest run in '{folder}', {run.RunId}, has every step of its plan measured ({run.Plan.Count} steps, ended {run.Outcome ?? "without an end record"}): there is nothing to resume. Start a new scan without -Resume.");
            if (run.DurationSeconds is not double duration)
                throw new ResumeRefusedException(ResumeProblem.ResumeNotRecorded,
                    $"{run.Describe()} was started by a Haniwers that did not record its window length, so it cannot be resumed exactly. Start a new scan.");
            if (run.Mode != mode)
                throw new ResumeRefusedException(ResumeProblem.ResumeModeMismatch,
                    $"{run.Describe()} is a {run.Mode} scan: resume it with the {run.Mode.ToString().ToLowerInvariant()} scan command.");
            if (given is not null) ComparePlans(run, duration, given);
            foreach (int channel in run.Plan.SelectMany(s => s.Measured).Distinct().OrderBy(c => c))
            {
                int committed = run.Plan.Count(s => run.Committed.Contains(s.Index) && s.Measured.Contains(channel));
                int rows = ScanRun.RowsOf(folder, channel, run.RunId);
                if (rows != committed)
                    throw new ResumeRefusedException(ResumeProblem.ResumeFilesChanged,
                        $"{ScanRun.ResultFileName(channel)} holds {rows} row(s) of run {run.RunId}, but the journal committed {committed}: the file was changed since the run, so resuming could put a step in it twice or not at all. Move the files away, or start a new scan.");
            }
            var remaining = ScanPlan.Remaining(run.Mode, run.Plan, run.Missing, TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(run.SettleSeconds ?? 0));
            return (run, remaining);
        }

        /// <summary>
        /// An adaptive run goes on from the points it measured (its rows), with the plan the command gives,
        /// unless it ended Completed (its target or limit reached) or its window differs.
        /// </summary>
        public static (RecordedRun run, ScanPlan plan) Adaptive(string folder, ScanPlan plan)
        {
            var run = RunHistory.Read(folder).LastOrDefault()
                      ?? throw new ResumeRefusedException(ResumeProblem.NothingToResume, $"'{folder}' holds no run journal with a run in it: there is nothing to resume.");
            if (run.Mode != ScanMode.Adaptive)
                throw new ResumeRefusedException(ResumeProblem.ResumeModeMismatch, $"{run.Describe()} is a {run.Mode} scan: resume it with the {run.Mode.ToString().ToLowerInvariant()} scan command.");
            if (run.Outcome == nameof(ScanOutcome.Completed))
                throw new ResumeRefusedException(ResumeProblem.NothingToResume, $"The latest run in '{folder}', {run.RunId}, ended Completed (its target or its limit reached): there is nothing to resume.");
            if (run.DurationSeconds is not double duration || Math.Abs(duration - plan.Duration.TotalSeconds) > 1e-9)
                throw Mismatch(run, "sampler.duration", run.DurationSeconds is double d ? $"{d:0.###} s" : "no window", $"{plan.Duration.TotalSeconds:0.###} s");
            var points = new List<Haniwers.Analysis.ScanPoint>();
            int lastStep = 0;
            foreach (int channel in plan.Ranges.Select(r => r.Channel))
            {
                string path = Path.Combine(folder, ScanRun.ResultFileName(channel));
                if (!File.Exists(path)) continue;
                var own = Haniwers.Analysis.ScanFileReader.Read(path).Where(p => p.RunId == run.RunId).ToList();
                points.AddRange(own);
            }
            lastStep = run.Committed.Count == 0 ? 0 : run.Committed.Max();
            plan.Planner!.Continue(points, lastStep);
            return (run, plan);
        }

        private static void ComparePlans(RecordedRun run, double duration, ScanPlan given)
        {
            if (Math.Abs(given.Duration.TotalSeconds - duration) > 1e-9)
                throw Mismatch(run, "sampler.duration", $"{duration:0.###} s", $"{given.Duration.TotalSeconds:0.###} s");
            var recorded = ScanPlan.Remaining(run.Mode, run.Plan, run.Plan, given.Duration, given.SettleTime).Ranges;
            foreach (var range in recorded)
            {
                var other = given.Ranges.FirstOrDefault(r => r.Channel == range.Channel);
                if (other is null || !other.Values.SequenceEqual(range.Values))
                    throw Mismatch(run, $"sensors.ch{range.Channel} range", range.Describe(), other?.Describe() ?? "no range");
            }
            if (given.Steps.Count != run.Plan.Count || given.Steps.Zip(run.Plan, (a, b) => a.Thresholds.SequenceEqual(b.Thresholds)).Any(same => !same))
                throw Mismatch(run, "steps", $"{run.Plan.Count} steps", $"{given.Steps.Count} steps in another order");
        }

        private static ResumeRefusedException Mismatch(RecordedRun run, string key, string recorded, string given) =>
            new ResumeRefusedException(ResumeProblem.ResumePlanMismatch,
                $"{key} differs from the run being resumed ({run.RunId}): it recorded {recorded}, the command gives {given}. Resume without the plan's parameters (the recorded plan is used), or start a new scan.");
    }
}
