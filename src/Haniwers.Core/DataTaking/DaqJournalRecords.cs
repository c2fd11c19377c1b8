using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Output;

namespace Haniwers.DataTaking
{
    /// <summary>A raw file opened (docs/daq.md): named before it exists, so a killed run's files are found from the journal.</summary>
    public sealed class FileOpenedRecord : JournalRecord
    {
        public FileOpenedRecord(string file, int fileId)
        {
            File = file;
            FileId = fileId;
        }

        public string File { get; }
        public int FileId { get; }
        public override string Event => JournalEvents.FileOpened;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?> { ["file"] = File, ["fileId"] = FileId };

        public static FileOpenedRecord? From(JournalEntry entry) =>
            entry.Is(JournalEvents.FileOpened) && entry.Text("file") is string file ? new FileOpenedRecord(file, entry.Int("fileId") ?? 0) : null;
    }

    /// <summary>
    /// A raw file's account (docs/daq.md): <c>file-closed</c> by the run that wrote it, or <c>file-recovered</c> by the next
    /// run when a killed one left it open: its events, and its span and live time when they are known.
    /// </summary>
    public sealed class FileClosedRecord : JournalRecord
    {
        public FileClosedRecord(string file, bool recovered, long events)
        {
            File = file;
            Recovered = recovered;
            Events = events;
        }

        public string File { get; }
        /// <summary>Closed off by a later run (<c>file-recovered</c>).</summary>
        public bool Recovered { get; }
        public long Events { get; }
        public int? FileId { get; init; }
        public long? MalformedLines { get; init; }
        public DateTimeOffset? Opened { get; init; }
        public double? Seconds { get; init; }
        public double? LiveSeconds { get; init; }
        /// <summary>Events the run took but could not write (written only when there were some).</summary>
        public long? UnwrittenEvents { get; init; }
        /// <summary>A file the journal opened that is gone (a recovered record only).</summary>
        public bool Missing { get; init; }
        public override string Event => Recovered ? JournalEvents.FileRecovered : JournalEvents.FileClosed;

        public override IReadOnlyDictionary<string, object?> Fields()
        {
            var fields = new Dictionary<string, object?> { ["file"] = File };
            if (FileId is int id) fields["fileId"] = id;
            if (!Recovered) fields["events"] = Events;
            if (MalformedLines is long malformed) fields["malformedLines"] = malformed;
            if (Opened is DateTimeOffset opened) fields["opened"] = opened.ToString("o", System.Globalization.CultureInfo.InvariantCulture);
            if (Seconds is double seconds) fields["seconds"] = seconds;
            if (LiveSeconds is double live) fields["liveSeconds"] = live;
            if (UnwrittenEvents is long unwritten && unwritten > 0) fields["unwrittenEvents"] = unwritten;
            if (Missing) fields["missing"] = true;
            if (Recovered) fields["events"] = Events;
            return fields;
        }

        public static FileClosedRecord? From(JournalEntry entry) =>
            (entry.Is(JournalEvents.FileClosed) || entry.Is(JournalEvents.FileRecovered)) && entry.Text("file") is string file
                ? new FileClosedRecord(file, entry.Is(JournalEvents.FileRecovered), entry.Long("events") ?? 0)
                {
                    FileId = entry.Int("fileId"), MalformedLines = entry.Long("malformedLines"), Opened = entry.Time("opened"),
                    Seconds = entry.Number("seconds"), LiveSeconds = entry.Number("liveSeconds"), UnwrittenEvents = entry.Long("unwrittenEvents"),
                    Missing = entry.Flag("missing"),
                }
                : null;
    }

    /// <summary>The thresholds a DAQ run wrote before taking data, each with its outcome.</summary>
    public sealed class ThresholdsSetRecord : JournalRecord
    {
        public ThresholdsSetRecord(IEnumerable<(int Channel, int Threshold, bool Success, int Attempts, string? Reason)> writes) { Writes = writes.ToList(); }

        public IReadOnlyList<(int Channel, int Threshold, bool Success, int Attempts, string? Reason)> Writes { get; }
        public override string Event => JournalEvents.ThresholdsSet;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?>
        {
            ["thresholds"] = Writes.Select(w => new { channel = w.Channel, threshold = w.Threshold, success = w.Success, attempts = w.Attempts, reason = w.Reason }).ToList(),
        };

        public static ThresholdsSetRecord? From(JournalEntry entry) => entry.Is(JournalEvents.ThresholdsSet)
            ? new ThresholdsSetRecord(entry.Items("thresholds").Select(w => new JournalEntry(w)).Where(w => w.Int("channel") is not null)
                .Select(w => (w.Int("channel")!.Value, w.Int("threshold") ?? 0, w.Flag("success"), w.Int("attempts") ?? 1, w.Text("reason"))))
            : null;
    }

    /// <summary>What happened during a DAQ run, in the raw file it happened in: the link lost (<c>link-lost</c>: reason), the detector restarted (<c>device-reset</c>: boot line, dead time).</summary>
    public sealed class DaqIncidentRecord : JournalRecord
    {
        private DaqIncidentRecord(string journalEvent, string? file) { Event = journalEvent; File = file; }

        public static DaqIncidentRecord LinkLost(string reason, string? file) => new DaqIncidentRecord(JournalEvents.LinkLost, file) { Reason = reason };
        public static DaqIncidentRecord DeviceReset(string bootLine, double deadSeconds, string? file) =>
            new DaqIncidentRecord(JournalEvents.DeviceReset, file) { BootLine = bootLine, DeadSeconds = deadSeconds };

        public override string Event { get; }
        public string? File { get; }
        public string? Reason { get; private init; }
        public string? BootLine { get; private init; }
        public double? DeadSeconds { get; private init; }

        public override IReadOnlyDictionary<string, object?> Fields()
        {
            var fields = Event == JournalEvents.LinkLost
                ? new Dictionary<string, object?> { ["reason"] = Reason }
                : new Dictionary<string, object?> { ["bootLine"] = BootLine, ["deadSeconds"] = DeadSeconds };
            fields["file"] = File;
            return fields;
        }

        public static DaqIncidentRecord? From(JournalEntry entry) =>
            entry.Is(JournalEvents.LinkLost) || entry.Is(JournalEvents.DeviceReset)
                ? new DaqIncidentRecord(entry.Event, entry.Text("file")) { Reason = entry.Text("reason"), BootLine = entry.Text("bootLine"), DeadSeconds = entry.Number("deadSeconds") }
                : null;
    }

    /// <summary>The computer's clock moved against the run's own clock.</summary>
    public sealed class ClockAdjustedRecord : JournalRecord
    {
        public ClockAdjustedRecord(double bySeconds) { BySeconds = bySeconds; }
        public double BySeconds { get; }
        public override string Event => JournalEvents.ClockAdjusted;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?> { ["bySeconds"] = BySeconds };
        public static ClockAdjustedRecord? From(JournalEntry entry) => entry.Is(JournalEvents.ClockAdjusted) ? new ClockAdjustedRecord(entry.Number("bySeconds") ?? 0) : null;
    }

    /// <summary>A DAQ run's last record: outcome and counts (docs/daq.md); written by the next run, with what the disk holds, for a run that was killed.</summary>
    public sealed class DaqEndRecord : JournalRecord
    {
        public DaqEndRecord(string? outcome, long? events, string? reason)
        {
            Outcome = outcome;
            Events = events;
            Reason = reason;
        }

        /// <summary>The end of a run that finished, from its summary.</summary>
        public static DaqEndRecord Of(DaqSummary summary, long unwrittenEvents) => new DaqEndRecord(summary.Outcome.ToString(), summary.Events, summary.FailureReason)
        {
            Files = summary.Files.Count, LiveSeconds = summary.LiveSeconds, DeadSeconds = summary.DeadSeconds, MalformedLines = summary.MalformedLines,
            DroppedLines = summary.DroppedLines, Reconnects = summary.Reconnects, Resets = summary.Resets, UnwrittenEvents = unwrittenEvents,
        };

        /// <summary>The outcome's name (<see cref="RunOutcome"/>); null in a damaged record.</summary>
        public string? Outcome { get; }
        public long? Events { get; }
        public string? Reason { get; }
        public int? Files { get; private init; }
        public double? LiveSeconds { get; private init; }
        public double? DeadSeconds { get; private init; }
        public long? MalformedLines { get; private init; }
        public long? DroppedLines { get; private init; }
        public int? Reconnects { get; private init; }
        public int? Resets { get; private init; }
        public long? UnwrittenEvents { get; private init; }
        public override string Event => JournalEvents.End;

        public override IReadOnlyDictionary<string, object?> Fields() => Files is null
            // a killed run's end, written by the next run: what the disk holds, and why
            ? new Dictionary<string, object?> { ["outcome"] = Outcome, ["events"] = Events, ["reason"] = Reason }
            : new Dictionary<string, object?>
            {
                ["outcome"] = Outcome, ["events"] = Events, ["files"] = Files, ["liveSeconds"] = LiveSeconds, ["deadSeconds"] = DeadSeconds,
                ["malformedLines"] = MalformedLines, ["droppedLines"] = DroppedLines, ["reconnects"] = Reconnects, ["resets"] = Resets,
                ["reason"] = Reason, ["unwrittenEvents"] = UnwrittenEvents,
            };

        public static DaqEndRecord? From(JournalEntry entry) => entry.Is(JournalEvents.End)
            ? new DaqEndRecord(entry.Text("outcome"), entry.Long("events"), entry.Text("reason"))
            {
                Files = entry.Int("files"), LiveSeconds = entry.Number("liveSeconds"), DeadSeconds = entry.Number("deadSeconds"),
                MalformedLines = entry.Long("malformedLines"), DroppedLines = entry.Long("droppedLines"), Reconnects = (int?)entry.Long("reconnects"),
                Resets = (int?)entry.Long("resets"), UnwrittenEvents = entry.Long("unwrittenEvents"),
            }
            : null;
    }
}
