using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using Haniwers.DataTaking;
using Haniwers.Protocol;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Bins raw event files (this module's, haniwers v1 and v0) or event objects into rates over time,
    /// as haniwers' preprocess does, with live time, Poisson errors and the environment (docs/daq.md, "Rates").
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Measure, "HaniwersRate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PathSet)]
    [OutputType(typeof(RateBin))]
    public sealed class MeasureHaniwersRateCommand : HaniwersCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string EventSet = "Event";

        /// <summary>Raw files, folders holding them, or wildcards.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Files or folders taken as they are written (no wildcards); also Get-ChildItem's output.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>Events from Invoke-HaniwersDaq -PassThru or Receive-HaniwersEvent.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = EventSet)]
        public DetectorEvent? InputObject { get; set; }

        /// <summary>Seconds per bin (haniwers' interval).</summary>
        [Parameter]
        [ValidateRange(1, 31_536_000)]
        public int Interval { get; set; } = 600;

        /// <summary>Seconds added to every timestamp before binning (haniwers' offset).</summary>
        [Parameter]
        public int Offset { get; set; }

        /// <summary>Where bins start at midnight, and the zone of the bin times: Local, UTC, UTC+09:00 (haniwers' default), or a zone id.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string TimeZone { get; set; } = "Local";

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputPath { get; set; }

        /// <summary>The columns of -OutputPath: Rates (this module's bins) or Haniwers (haniwers v1's resampled.csv).</summary>
        [Parameter]
        public RateFileFormat Format { get; set; } = RateFileFormat.Rates;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? PlotPath { get; set; }

        [Parameter]
        public SwitchParameter PressureCorrection { get; set; }

        private RateAggregator? _aggregator;
        private RateCsvWriter? _csv;
        private string? _csvPath;
        private readonly List<RateBin> _held = new List<RateBin>();
        private TimeZoneInfo _zone = TimeZoneInfo.Local;
        private bool _holdBins;

        protected override void BeginProcessing()
        {
            try
            {
                _zone = TimeZones.Parse(TimeZone);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "UnknownTimeZone", ErrorCategory.InvalidArgument, TimeZone));
            }
            // the pressure fit and the plot need every bin, and files are finished before any object goes out
            // (a consumer that stops early cuts no file short); otherwise each bin is written as it is made
            _holdBins = PressureCorrection.IsPresent || PlotPath is not null || OutputPath is not null;
            CheckOutputFile(PlotPath, nameof(PlotPath), "rates.svg", ".svg", "Nothing was read.");
            CheckOutputFile(OutputPath, nameof(OutputPath), "rates.csv", null, "Nothing was read.");
        }

        private readonly List<string> _literal = new List<string>();

        protected override void ProcessRecord()
        {
            if (ParameterSetName == LiteralPathSet)
            {
                foreach (var path in LiteralPath) _literal.Add(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
                return;
            }
            if (ParameterSetName != EventSet || InputObject is not { } e) return;
            // started with the first event: before it, the parameter set of pipeline input is not known yet
            if (_aggregator is null) Start(null);
            var row = new RawEvent
            {
                UtcTicks = e.Timestamp.UtcTicks, OffsetMinutes = (short)e.Timestamp.Offset.TotalMinutes,
                Fields = new EventFields { Top = e.Top, Mid = e.Mid, Btm = e.Btm, Adc = e.Adc, Temperature = e.Temperature, Pressure = e.Pressure, Humidity = e.Humidity },
            };
            Add(row, "the pipeline");
        }

        protected override void EndProcessing()
        {
            if (ParameterSetName != EventSet)
            {
                var files = ResolveFiles();
                if (files.Count == 0) return;
                var live = DaqLiveTime.For(files, out int covered);
                if (live is not null) WriteVerbose("Live time: from the DAQ journals of the files.");
                else if (covered > 0)
                    WriteWarning($"Live time: {files.Count - covered} of the {files.Count} files have no closed or recovered record in a DAQ journal, so bins count their whole interval (from the first event, to the last), not the journals' live time.");
                else WriteVerbose("Live time: no DAQ journal, so bins count their whole interval, the first from the first event and the last to the last event.");
                Start(live);
                ReadFiles(files);
            }
            Finish();
        }

        private void Start(DaqLiveTime? live)
        {
            if (OutputPath is not null && ShouldProcess(ResolveUserPath(OutputPath), $"Write the rates ({Format} columns)"))
            {
                // written under a temporary name and moved into place when complete: a stopped or failed command leaves no file that looks whole
                _csvPath = ResolveUserPath(OutputPath);
                try { _csv = new RateCsvWriter(_csvPath + ".partial", Format); }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "OutputNotWritable", ErrorCategory.WriteError, OutputPath));
                }
            }
            _aggregator = new RateAggregator(Interval, Offset, _zone, live is null ? null : (Func<DateTimeOffset, DateTimeOffset, double?>)((a, b) => live.Within(a, b)),
                bin =>
                {
                    if (_holdBins) _held.Add(bin);
                    else WriteObject(bin);
                },
                _csv?.Format == RateFileFormat.Haniwers ? _csv.Write : (Action<HaniwersRateRow>?)null);
        }

        private void Add(in RawEvent row, string source)
        {
            try
            {
                _aggregator!.Add(row);
            }
            catch (LateEventException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "EventsOutOfOrder", ErrorCategory.InvalidData, source)
                {
                    ErrorDetails = new ErrorDetails($"{ex.Message} In {source}.") { RecommendedAction = "Give the files of one detector, or measure each run on its own." },
                });
            }
        }

        /// <summary>The files are read and parsed on a second thread; bins are made and written here, on the pipeline thread.</summary>
        private void ReadFiles(IReadOnlyList<string> files)
        {
            using var stream = new RawFileStream(files);
            try
            {
                foreach (var batch in stream.ReadBatches())
                {
                    for (int i = 0; i < batch.Count; i++) Add(batch.Rows[i], batch.Path);
                    if (batch.Finished is { } reader)
                    {
                        WriteVerbose($"Read {reader.Rows} row(s) of {reader.Path} ({reader.Kind}).");
                        if (reader.Malformed > 0)
                            WriteWarning($"{reader.Malformed} line(s) of {reader.Path} are not raw rows and were not counted (the first: \"{reader.FirstMalformed}\").");
                        if (reader.CutLastLine is { } cut)
                            WriteWarning($"The last line of {reader.Path} has no line end (a write cut short, or a file still being written): it is one of those not counted (\"{cut}\").");
                    }
                    stream.Return(batch);
                    if (Stopping) return;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotRawFileException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "FileUnreadable", ErrorCategory.ReadError, files));
            }
        }

        private void Finish()
        {
            if (_aggregator is null) return;
            _aggregator.Complete();
            if (PressureCorrection.IsPresent)
            {
                try
                {
                    var fit = DataTaking.PressureCorrection.Fit(_held);
                    WriteInformation(new InformationRecord(new HostInformationMessage { Message = fit.ToString() }, "Measure-HaniwersRate") { Tags = { "PSHOST", "PressureCorrection" } });
                    WriteInformation(new InformationRecord(fit, "Measure-HaniwersRate") { Tags = { "PressureCorrection" } });
                }
                catch (PressureFitException ex)
                {
                    WriteError(new ErrorRecord(ex, "PressureFitNotPossible", ErrorCategory.InvalidData, _held.Count));
                }
            }
            foreach (var bin in _held)
            {
                if (_csv?.Format == RateFileFormat.Rates) _csv.Write(bin);
            }
            if (_csv is not null)
            {
                _csv.Dispose();
                _csv = null;
                try
                {
                    if (File.Exists(_csvPath)) File.Delete(_csvPath!);
                    File.Move(_csvPath + ".partial", _csvPath!);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(ex, "OutputNotWritable", ErrorCategory.WriteError, _csvPath));
                }
            }
            if (PlotPath is not null && _held.Count > 0 && ShouldProcess(ResolveUserPath(PlotPath), "Draw the rate against time"))
            {
                RatePlot.WriteSvg(_held, ResolveUserPath(PlotPath));
            }
            // the files are complete before the objects go out: a consumer that stops early cuts nothing short
            foreach (var bin in _held) WriteObject(bin);
            WriteVerbose($"{_aggregator.Events} event(s) in {(_holdBins ? _held.Count.ToString() : "their")} bin(s) of {Interval} s.");
        }

        /// <summary>A stopped or failed command leaves no CSV that looks complete: the partial one is removed.</summary>
        public void Dispose()
        {
            if (_csv is null) return;
            _csv.Dispose();
            try { File.Delete(_csvPath + ".partial"); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }

        /// <summary>The raw files the paths name, in time order; what is not a raw file is told (named files) or skipped (in folders).</summary>
        private List<string> ResolveFiles()
        {
            var files = new List<(string, long)>();
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (var given in literal ? _literal.ToArray() : Path)
            {
                var resolved = ExpandPath(given, literal);
                if (resolved.Count == 0)
                {
                    WriteError(new ErrorRecord(new ItemNotFoundException(NothingMatches(given)), "PathNotFound", ErrorCategory.ObjectNotFound, given));
                    continue;
                }
                foreach (var path in resolved)
                {
                    if (Directory.Exists(path))
                    {
                        foreach (var file in RawFileReader.FolderFiles(path))
                        {
                            if (First(file, quiet: true) is long first) files.Add((file, first));
                        }
                    }
                    else if (File.Exists(path))
                    {
                        if (First(path, quiet: false) is long first) files.Add((path, first));
                    }
                    else
                    {
                        WriteError(new ErrorRecord(new FileNotFoundException($"'{path}' does not exist.", path), "PathNotFound", ErrorCategory.ObjectNotFound, given));
                    }
                }
            }
            if (files.Count == 0) WriteWarning("No raw event file was found in " + string.Join(", ", literal ? _literal.ToArray() : Path) + ".");
            return RawFileReader.InTimeOrder(files);
        }

        /// <summary>The time of a file's first row (for the order), or null for a file that is not raw or is empty.</summary>
        private long? First(string path, bool quiet)
        {
            try
            {
                return RawFileReader.FirstRowTicks(path);
            }
            catch (NotRawFileException ex)
            {
                if (quiet) WriteVerbose($"Skipped {path}: not a raw event file.");
                else WriteError(new ErrorRecord(ex, "NotRawFile", ErrorCategory.InvalidData, path));
                return null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "FileUnreadable", ErrorCategory.ReadError, path));
                return null;
            }
        }
    }
}
