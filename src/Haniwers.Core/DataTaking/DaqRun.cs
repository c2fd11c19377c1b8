using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Haniwers.Output;
using Haniwers.Protocol;
using Haniwers.Transport;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// One DAQ run and everything it owns (docs/daq.md): its id, its folder and the folder's lock, the
    /// repair of what a killed run left, the rotating raw files and the journal (daq_journal.jsonl,
    /// its only writer). Rows reach the operating system as they come (stream mode) or at least every
    /// second; files are put on the disk every second and when they close.
    /// </summary>
    public sealed class DaqRun : IDisposable
    {
        public const string JournalFileName = "daq_journal.jsonl";
        private readonly RunFolder _folder;
        private readonly RunJournal _journal;
        private readonly IClock _clock;
        private readonly DaqSettings _settings;
        private readonly List<string> _files = new List<string>();
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _buffered, _bufferedRows;
        private DurableFile? _file;
        private string? _path;
        private int _fileId;
        private long _fileEvents, _fileMalformed;
        private TimeSpan _fileOpenedAt, _fileDead, _lastFlush, _lastSync;
        private DateTimeOffset _fileOpenedWall;
        private readonly HashSet<string> _namesTaken;
        private bool _unsynced;

        private DaqRun(RunFolder runFolder, DaqSettings settings, IClock clock, IReadOnlyDictionary<string, object?> startDetails)
        {
            string folder = runFolder.Path;
            Folder = folder;
            _settings = settings;
            _clock = clock;
            _folder = runFolder;
            RunId = RunFolder.NewRunId(clock.Now);
            // every raw file name the journal has given out, to a run that made the file or to one killed before it could
            _namesTaken = RunJournal.Read(Path.Combine(folder, JournalFileName)).Select(FileOpenedRecord.From).OfType<FileOpenedRecord>().Select(f => f.File).ToHashSet();
            _journal = new RunJournal(Path.Combine(folder, JournalFileName), RunId);
            try
            {
                _journal.Write(new StartRecord(startDetails), clock.Now);
            }
            catch
            {
                _journal.Dispose(); // the run never starts: nothing of it stays open
                throw;
            }
        }

        /// <summary>
        /// Opens a run in <paramref name="folder"/> before any device is touched: takes the folder's lock,
        /// proves it writable, closes off what a killed run left, and journals the start. Throws
        /// <see cref="OutputException"/> or <see cref="RunFolderInUseException"/>.
        /// </summary>
        public static DaqRun Open(string folder, DaqSettings settings, IClock clock, IReadOnlyDictionary<string, object?> startDetails)
        {
            var runFolder = RunFolder.Open(folder, "a Haniwers DAQ run", f => DaqRecovery.Recover(f, clock.Now));
            try
            {
                return new DaqRun(runFolder, settings, clock, startDetails);
            }
            catch
            {
                runFolder.Dispose();
                throw;
            }
        }

        public string RunId { get; }
        public string Folder { get; }
        public IReadOnlyList<FolderRepair> Repairs => _folder.Repairs;
        /// <summary>Every raw file of this run so far, the open one last.</summary>
        public IReadOnlyList<string> Files => _files;
        public string? CurrentFile => _path;
        /// <summary>The run wrote its number of files.</summary>
        public bool Done => _settings.FileCount > 0 && _fileId >= _settings.FileCount && _file is null;

        /// <summary>When a time-based file is due to close (on the clock's elapsed time); null for count-based runs.</summary>
        public TimeSpan? RotatesAt => _settings.Mode == DaqMode.TimeBased && _file is not null ? _fileOpenedAt + _settings.FileDuration : (TimeSpan?)null;

        /// <summary>Opens the first file: acquisition starts now.</summary>
        public void Start() => OpenFile();

        /// <summary>Writes one event's row into the current file, rotating by count.</summary>
        public void Append(DateTimeOffset received, in EventFields fields)
        {
            if (_file is null) throw new InvalidOperationException("The run has no open file.");
            string row = RawEventLine.Format(received, fields);
            if (_buffered + row.Length > _buffer.Length) WriteBuffer();
            _buffered += Encoding.ASCII.GetBytes(row, 0, row.Length, _buffer, _buffered);
            _bufferedRows++;
            _fileEvents++;
            if (_settings.StreamMode || _bufferedRows >= _settings.FlushEvents) WriteBuffer();
            if (_settings.Mode == DaqMode.CountBased && _fileEvents >= _settings.EventsPerFile) Rotate();
        }

        /// <summary>A line of the current file's time that was not an event.</summary>
        public void Malformed() => _fileMalformed++;

        /// <summary>Called often (each read): writes rows due, syncs, and rotates by time.</summary>
        public void Tick()
        {
            if (_file is null) return;
            var now = _clock.Elapsed;
            if (_bufferedRows > 0 && now - _lastFlush >= _settings.FlushInterval) WriteBuffer();
            if (now - _lastSync >= _settings.SyncInterval) Sync();
            if (_settings.Mode == DaqMode.TimeBased && now - _fileOpenedAt >= _settings.FileDuration) Rotate();
        }

        /// <summary>Dead time (a lost link) within the current file, for its live time.</summary>
        public void AddDeadTime(TimeSpan dead) => _fileDead += dead;

        /// <summary>The link was lost while taking data (docs/daq.md).</summary>
        public void LinkLost(string reason) => _journal.Write(DaqIncidentRecord.LinkLost(reason, CurrentFileName), _clock.Now);

        /// <summary>The detector restarted: its boot line and the time no event could be taken.</summary>
        public void DeviceReset(string bootLine, TimeSpan dead) => _journal.Write(DaqIncidentRecord.DeviceReset(bootLine, dead.TotalSeconds, CurrentFileName), _clock.Now);

        /// <summary>The link came back after <paramref name="dead"/>.</summary>
        public void Reconnected(TimeSpan dead) => _journal.Write(new ReconnectedRecord(dead.TotalSeconds, file: CurrentFileName), _clock.Now);

        /// <summary>The thresholds written before taking data, each with its outcome.</summary>
        public void ThresholdsSet(IEnumerable<Haniwers.Protocol.ThresholdWriteResult> results) =>
            _journal.Write(new ThresholdsSetRecord(results.Select(r => (r.Channel, r.Threshold, r.Success, r.Attempts, (string?)r.Reason))), _clock.Now);

        /// <summary>The computer's clock moved by <paramref name="by"/> against the run's own clock.</summary>
        public void ClockAdjusted(TimeSpan by) => _journal.Write(new ClockAdjustedRecord(by.TotalSeconds), _clock.Now);

        /// <summary>The raw file being written, as the journal names it (an incident's record says in which file it happened).</summary>
        private string? CurrentFileName => Path.GetFileName(CurrentFile);

        /// <summary>
        /// Closes the current file and journals the end of the run, then closes the journal. A failure at the file's last
        /// write, sync or close makes a run that was completing end Failed, in its end record too; it is thrown after the record.
        /// </summary>
        public void Finish(DaqSummary summary)
        {
            Exception? failure = null;
            try
            {
                CloseFile();
            }
            catch (Exception ex) when (ex is OutputException or IOException)
            {
                failure = ex;
                if (summary.Outcome == RunOutcome.Completed)
                {
                    summary.Outcome = RunOutcome.Failed;
                    summary.FailureReason = ex.Message;
                }
            }
            _journal.Write(DaqEndRecord.Of(summary, UnwrittenEvents), _clock.Now);
            _journal.Close();
            if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        private void Rotate()
        {
            CloseFile();
            if (_settings.FileCount == 0 || _fileId < _settings.FileCount) OpenFile();
        }

        private void OpenFile()
        {
            _fileOpenedWall = _clock.Now;
            _fileOpenedAt = _lastFlush = _lastSync = _clock.Elapsed;
            string path = Path.Combine(Folder, _settings.FileName(_fileOpenedWall, _fileId));
            // a name taken already (a run that started in the same second, haniwers' names have seconds) is refused before the journal names it:
            // a file-opened record for another run's file would make the next recovery close that file off as this run's
            if (File.Exists(path) || Directory.Exists(path) || !_namesTaken.Add(Path.GetFileName(path)))
                throw new OutputException(OutputProblem.FileExists, path, $"'{Path.GetFileName(path)}' is taken in {Folder} already (a file, or a name its journal gave an earlier run): the raw file names have the time to the second, and a run in this folder took this name in the same second. Nothing was written over it; start the run again, or give it another folder.");
            // the journal names the file before it exists: a killed run's files are found and closed off from it
            _journal.Write(new FileOpenedRecord(Path.GetFileName(path), _fileId), _fileOpenedWall);
            _file = DurableFile.Open(path, FileMode.CreateNew);
            _path = path;
            _files.Add(path);
            _fileId++;
            _fileEvents = _fileMalformed = 0;
            _fileDead = TimeSpan.Zero;
        }

        /// <summary>Events the run took but could not write (a write that failed again at the file's close); the end record says how many.</summary>
        public long UnwrittenEvents { get; private set; }

        /// <summary>
        /// Writes what the buffer holds (a row whose write failed is still there: this is its second chance), syncs and
        /// closes the file; its record counts the rows the file holds, and the rows that could not be written are told
        /// apart, so the journal, the file and the summary agree (docs/daq.md, "Nothing lost, nothing invented").
        /// </summary>
        private void CloseFile()
        {
            if (_file is null) return;
            Exception? failure = null;
            try
            {
                WriteBuffer();
                Sync();
                _file.Close("closing"); // a failure reported only at the close is the file's failure too
            }
            catch (Exception ex) when (ex is OutputException or IOException)
            {
                failure = ex;
            }
            finally
            {
                _file.Dispose();
                _file = null;
            }
            var closed = _clock.Elapsed;
            long unwritten = _bufferedRows;
            UnwrittenEvents += unwritten;
            _buffered = _bufferedRows = 0;
            var record = new FileClosedRecord(Path.GetFileName(_path!), recovered: false, _fileEvents - unwritten)
            {
                FileId = _fileId - 1, MalformedLines = _fileMalformed, Opened = _fileOpenedWall, Seconds = (closed - _fileOpenedAt).TotalSeconds,
                LiveSeconds = (closed - _fileOpenedAt - _fileDead).TotalSeconds, UnwrittenEvents = unwritten,
            };
            _path = null;
            if (failure is null)
            {
                _journal.Write(record, _clock.Now);
                return;
            }
            try { _journal.Write(record, _clock.Now); }
            catch (OutputException) { } // the write's own failure is the one to tell
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        /// <summary>Hands the buffered rows to the operating system; a failed write leaves the file at its last whole row.</summary>
        private void WriteBuffer()
        {
            _lastFlush = _clock.Elapsed;
            if (_buffered == 0 || _file is null) return;
            _file.Append(_buffer, _buffered, "writing", sync: false);
            _buffered = _bufferedRows = 0;
            _unsynced = true;
        }

        private void Sync()
        {
            _lastSync = _clock.Elapsed;
            if (_file is null) return;
            // a deleted file (or folder) still takes writes on Unix, into nothing: found here, every second
            if (!File.Exists(_path))
            {
                throw new OutputException(OutputProblem.FolderRemoved, _path!,
                    $"The run's file '{_path}' was deleted while the run wrote into it (its folder removed?): the {_fileEvents} event(s) of this file are gone. Give the run a folder nothing else cleans up.");
            }
            if (!_unsynced) return;
            _file.Sync("writing");
            _unsynced = false;
        }

        public void Dispose()
        {
            try { _file?.Dispose(); } catch (IOException) { }
            _journal.Dispose();
            _folder.Dispose();
        }
    }
}
