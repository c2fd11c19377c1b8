using System;
using System.IO;
using System.Management.Automation;
using Haniwers.DataTaking;
using Haniwers.Protocol;
using Haniwers.Scanning;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>Turns a DAQ run's reports into PowerShell streams, on the pipeline thread (the engine runs there).</summary>
    internal sealed class DaqObserver : IDaqObserver
    {
        private const int ActivityId = 0x4A12;
        private readonly PSCmdlet _cmdlet;
        private readonly string _activity;
        private string _status = "Opening the detector";

        public DaqObserver(PSCmdlet cmdlet, string activity, bool passThru)
        {
            _cmdlet = cmdlet;
            _activity = activity;
            WantsEvents = passThru;
        }

        public bool WantsEvents { get; }

        public void EventWritten(DateTimeOffset received, in EventFields fields)
        {
            var item = new DetectorEvent(received, fields);
            Tell(() => _cmdlet.WriteObject(item));
        }

        private static void Tell(Action write) => ConsumerStop.Tell(write);

        private bool _progressOff;

        public void Progress(DaqSummary soFar, TimeSpan elapsed, string? currentFile)
        {
            if (_progressOff) return;
            var started = System.Diagnostics.Stopwatch.StartNew();
            // short enough for an 80-column terminal: time, events, the three rates and the triple rate
            _status = $"{ScanPlan.Format(elapsed)}, {soFar.Events} ev, triple {soFar.TripleRate:0.##} Hz, ch {soFar.TopRate:0.#}/{soFar.MidRate:0.#}/{soFar.BtmRate:0.#} Hz";
            _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status)
            {
                CurrentOperation = currentFile is null ? "no open file" : $"writing {Path.GetFileName(currentFile)}",
            });
            if (started.Elapsed > TimeSpan.FromMilliseconds(500))
            {
                // a terminal that does not answer the host's cursor queries holds every progress update; the data come first
                _progressOff = true;
                Tell(() => _cmdlet.WriteWarning($"Drawing the progress bar took {started.Elapsed.TotalSeconds:0.#} s in this terminal; progress is off for the rest of this run so that no event waits for it (-ProgressAction SilentlyContinue avoids it from the start)."));
            }
        }

        public void Attempt(ThresholdAttempt attempt) => _cmdlet.WriteVerbose(attempt.ToString());

        public void Notice(string message) => Tell(() => _cmdlet.WriteVerbose(message));

        public void Warning(string message) => Tell(() => _cmdlet.WriteWarning(message));

        public void Complete() => _cmdlet.WriteProgress(new ProgressRecord(ActivityId, _activity, _status) { RecordType = ProgressRecordType.Completed });
    }
}
