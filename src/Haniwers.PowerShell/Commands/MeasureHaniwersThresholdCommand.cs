using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Haniwers.Analysis;
using Haniwers.Output;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Fits each channel's S-curve (rate against threshold) and writes the thresholds it suggests,
    /// ready to pipe into Set-HaniwersThreshold.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "HaniwersThreshold", DefaultParameterSetName = PipelineSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ThresholdFit))]
    public sealed class MeasureHaniwersThresholdCommand : HaniwersCmdlet
    {
        private const string PipelineSet = "Pipeline";
        private const string PathSet = "Path";
        private readonly List<ScanPoint> _points = new List<ScanPoint>();

        private const string LiteralPathSet = "LiteralPath";

        /// <summary>Scan files, run folders, or wildcards naming them.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Scan files or run folders taken as they are written (no wildcards); also Get-ChildItem's output.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, 3)]
        public int Channel { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipelineByPropertyName = true)]
        public double Threshold { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipelineByPropertyName = true)]
        public new double Events { get; set; } // the CSV column; hides PSCmdlet.Events, which a binary cmdlet does not use

        [Parameter(Mandatory = true, ParameterSetName = PipelineSet, ValueFromPipelineByPropertyName = true)]
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(1e-6, 31_536_000.0)]
        public double DurationSeconds { get; set; } = 1;

        /// <summary>When a point was measured (by property name): tells which run is the latest.</summary>
        [Parameter(ParameterSetName = PipelineSet, ValueFromPipelineByPropertyName = true)]
        public DateTimeOffset? Timestamp { get; set; }

        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [ValidateRange(1, 1023)]
        public int SuppressThreshold { get; set; } = 1000;

        [Parameter(ParameterSetName = PipelineSet, ValueFromPipelineByPropertyName = true)]
        public string? RunId { get; set; }

        [Parameter]
        [ValidateRange(0.0, 20.0)]
        public double Sigma { get; set; } = 3;

        [Parameter]
        public ThresholdConvention Convention { get; set; } = ThresholdConvention.Native;

        [Parameter]
        public SwitchParameter Unweighted { get; set; }

        [Parameter]
        public SwitchParameter ByRun { get; set; }

        [Parameter]
        public SwitchParameter AllRuns { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PlotPath { get; set; }

        [Parameter]
        public SwitchParameter LogScale { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        private bool _pathFailed;
        private int _filesRead;

        /// <summary>A plot it cannot write is refused before any fit runs: the fits are never lost to it.</summary>
        protected override void BeginProcessing()
        {
            CheckOutputFile(PlotPath, nameof(PlotPath), "scurves.svg", ".svg", "Nothing was fitted.");
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName == PipelineSet)
            {
                _points.Add(new ScanPoint(Channel, Threshold, Events, DurationSeconds, RunId, Timestamp));
                return;
            }
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string given in literal ? LiteralPath : Path)
            {
                var expanded = ExpandPath(given, literal);
                if (expanded.Count == 0)
                {
                    _pathFailed = true;
                    WriteError(new ErrorRecord(new FileNotFoundException(NothingMatches(given), given), "ScanFileNotFound", ErrorCategory.ObjectNotFound, given));
                }
                foreach (string full in expanded) Read(full);
            }
        }

        /// <summary>One scan file, or the scan files of one folder (repaired first when a run left it).</summary>
        private void Read(string full)
        {
            try
            {
                RepairRunFolder(Directory.Exists(full) ? full : System.IO.Path.GetDirectoryName(full) ?? ".");
                var files = Directory.Exists(full) ? ScanFileReader.FilesIn(full) : new[] { full };
                foreach (var file in files)
                {
                    if (!File.Exists(file)) throw new FileNotFoundException($"Scan file not found: '{file}'.", file);
                    var points = ScanFileReader.Read(file, DurationSeconds, SuppressThreshold);
                    if (ScanFileReader.CutLine(file) is long cutLine)
                        WriteWarning($"Line {cutLine} of {file} has no line end (a write cut short, or a file still being written): it was not read.");
                    _filesRead++;
                    WriteVerbose($"{points.Count} point(s) from {file}.");
                    _points.AddRange(points);
                }
            }
            catch (FileNotFoundException ex)
            {
                _pathFailed = true;
                WriteError(new ErrorRecord(ex, "ScanFileNotFound", ErrorCategory.ObjectNotFound, full));
            }
            catch (InvalidDataException ex)
            {
                _pathFailed = true;
                WriteError(new ErrorRecord(ex, "UnknownScanFile", ErrorCategory.InvalidData, full));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                _pathFailed = true;
                WriteError(new ErrorRecord(new InvalidDataException($"'{full}' could not be read as a scan: {ex.Message}", ex), "ScanFileUnreadable", ErrorCategory.ReadError, full));
            }
        }

        /// <summary>
        /// A run folder that a crashed scan left is repaired before it is read (docs/crash-protocol.md);
        /// one that a scan is writing into now is read as it is.
        /// </summary>
        private void RepairRunFolder(string folder)
        {
            if (!File.Exists(System.IO.Path.Combine(folder, RunJournal.FileName))) return;
            if (!ShouldProcess(folder, "Repair what a crashed scan left in the run folder, if anything"))
            {
                return; // -WhatIf changes no file: the folder is read as it is
            }
            IReadOnlyList<FolderRepair>? repairs;
            try
            {
                repairs = RunFolderRecovery.TryRecover(folder, DateTimeOffset.Now);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteWarning($"{folder} could not be checked for a crashed scan's half-written step ({ex.Message}); it is read as it is.");
                return;
            }
            if (repairs is null)
            {
                WriteVerbose($"A scan is writing into {folder}: its current step may not be in every file yet.");
                return;
            }
            foreach (var repair in repairs) WriteWarning($"Repaired {folder} after a crash: {repair}.");
        }

        /// <summary>
        /// Runs are never mixed by accident: points of several runs are fitted as the latest run alone,
        /// unless -ByRun (each run) or -AllRuns (pooled, deliberately) says otherwise.
        /// </summary>
        private List<ScanPoint> SelectRuns(List<ScanPoint> points)
        {
            var runs = points.Select(p => p.RunId).Where(r => !string.IsNullOrEmpty(r)).Distinct().OrderBy(r => r, StringComparer.Ordinal).ToList();
            if (runs.Count <= 1 || ByRun.IsPresent || AllRuns.IsPresent)
            {
                if (runs.Count > 1 && AllRuns.IsPresent) WriteVerbose($"Pooling {runs.Count} runs, as -AllRuns asks: {string.Join(", ", runs)}.");
                return points;
            }
            // the latest run is the one measured last; without times, run ids begin with the date and time they started
            string latest = points.Where(p => !string.IsNullOrEmpty(p.RunId)).GroupBy(p => p.RunId!)
                .OrderBy(g => g.Max(p => p.Timestamp) ?? DateTimeOffset.MinValue).ThenBy(g => g.Key, StringComparer.Ordinal).Last().Key;
            WriteVerbose($"The input holds {runs.Count} runs ({string.Join(", ", runs)}); fitting the latest, {latest}. -ByRun fits each run, -AllRuns pools them.");
            return points.Where(p => p.RunId == latest).ToList();
        }

        private static string? RunsOf(IEnumerable<ScanPoint> points)
        {
            var runs = points.Select(p => p.RunId).Where(r => !string.IsNullOrEmpty(r)).Distinct().ToList();
            return runs.Count == 0 ? null : string.Join(", ", runs);
        }

        protected override void EndProcessing()
        {
            var options = new FitOptions { Weighted = !Unweighted.IsPresent, SigmaMultiple = Sigma, Convention = Convention };
            if (ByRun.IsPresent && AllRuns.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-ByRun fits each run on its own and -AllRuns pools them: give one of them."),
                    "ConflictingRunSelection", ErrorCategory.InvalidArgument, null));
            }
            var points = SelectRuns(_points);
            var groups = points.GroupBy(p => (p.Channel, Run: ByRun.IsPresent ? p.RunId : null)).OrderBy(g => g.Key.Run).ThenBy(g => g.Key.Channel);
            var fits = new List<ThresholdFit>();
            foreach (var group in groups)
            {
                ThresholdFit fit;
                try
                {
                    fit = SCurveFitter.Fit(group.ToList(), options);
                }
                catch (FitException ex)
                {
                    WriteError(new ErrorRecord(ex, "FitFailed", ErrorCategory.InvalidData, group.Key.Channel)
                    {
                        ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = "Scan a wider range around the channel's noise edge, or check that the channel counts at all." },
                    });
                    continue;
                }
                fit.RunId = ByRun.IsPresent ? group.Key.Run : RunsOf(group);
                foreach (var warning in fit.Warnings) WriteWarning($"ch{fit.Channel}{(fit.RunId is null ? "" : " " + fit.RunId)}: {warning}");
                fits.Add(fit);
                WriteObject(fit);
            }
            if (_points.Count == 0 && !_pathFailed)
            {
                WriteWarning(_filesRead > 0
                    ? $"The {_filesRead} file(s) read hold no point of channel 1, 2 or 3 that can be fitted."
                    : "No scan points were given: pipe scan results or Import-Csv rows, or use -Path.");
            }
            if (fits.Count == 0) return;
            if (PlotPath is not null)
            {
                string plot = ResolveUserPath(PlotPath);
                if (ShouldProcess(plot, $"Write the S-curve plot of {fits.Count} fit(s)"))
                {
                    try
                    {
                        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(plot) ?? ".");
                        FitPlot.WriteSvg(fits, plot, LogScale.IsPresent);
                        WriteVerbose($"Plot written to {plot}.");
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        // the fits are already on the pipeline: a plot that cannot be written loses nothing else
                        var failure = OutputException.From(ex, plot, "writing the plot");
                        WriteError(new ErrorRecord(failure, "PlotNotWritten", ErrorCategory.WriteError, plot));
                    }
                }
            }
            if (OutputDirectory is not null)
            {
                string folder = ResolveUserPath(OutputDirectory);
                string history = System.IO.Path.Combine(folder, ThresholdFitRecord.FileName);
                if (ShouldProcess(history, $"Append {fits.Count} fit(s)"))
                {
                    try
                    {
                        if (File.Exists(folder)) throw new OutputException(OutputProblem.PathIsFile, folder, $"-OutputDirectory '{folder}' is a file, not a folder: the fit history was not written (the fits are above).");
                        Directory.CreateDirectory(folder);
                        var now = DateTimeOffset.Now;
                        foreach (var repair in FitHistory.Append(folder, fits.Select(f => ThresholdFitRecord.From(f, now)))) WriteWarning(repair + ".");
                    }
                    catch (RunFolderInUseException ex)
                    {
                        WriteError(new ErrorRecord(ex, "RunInProgress", ErrorCategory.ResourceBusy, folder));
                    }
                    catch (CsvHeaderMismatchException ex)
                    {
                        WriteError(new ErrorRecord(ex, "CsvHeaderMismatch", ErrorCategory.InvalidData, history));
                    }
                    catch (OutputException ex)
                    {
                        WriteError(new ErrorRecord(ex, "Output" + ex.Problem, ErrorCategory.WriteError, ex.Path));
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        var failure = OutputException.From(ex, history, "writing the fit history");
                        WriteError(new ErrorRecord(failure, "Output" + failure.Problem, ErrorCategory.WriteError, history));
                    }
                }
            }
        }
    }
}
