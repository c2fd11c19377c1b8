using System.Collections.Generic;

namespace Haniwers.Output
{
    /// <summary>
    /// A journal record as written: its event (one of <see cref="JournalEvents"/>) and its fields, which follow the
    /// event, time and run id on its line. Each event has one record type, which both writes it and reads it back
    /// (a static <c>From(JournalEntry)</c> that returns null for another event or a record without its key fields):
    /// the step protocol's here (<see cref="IntentRecord"/>, <see cref="CommitRecord"/>, <see cref="RolledBackRecord"/>,
    /// the repairs, <see cref="StartRecord"/>, <see cref="ReconnectedRecord"/>), a scan's in Haniwers.Scanning, a DAQ run's
    /// in Haniwers.DataTaking. docs/formats.md and docs/daq.md list them.
    /// </summary>
    public abstract class JournalRecord
    {
        public abstract string Event { get; }

        /// <summary>The fields in the order they are written.</summary>
        public abstract IReadOnlyDictionary<string, object?> Fields();
    }

    /// <summary>A run began (<c>start</c>) or went on in the folder of an unfinished one (<c>resumed</c>): the run's description, as its kind of run gives it.</summary>
    public sealed class StartRecord : JournalRecord
    {
        private readonly IReadOnlyDictionary<string, object?> _details;
        private readonly JournalEntry? _entry;

        public StartRecord(IReadOnlyDictionary<string, object?> details, bool resumed = false)
        {
            _details = details;
            Resumed = resumed;
        }

        private StartRecord(JournalEntry entry)
        {
            _entry = entry;
            _details = new Dictionary<string, object?>();
            Resumed = entry.Is(JournalEvents.Resumed);
        }

        public bool Resumed { get; }
        public override string Event => Resumed ? JournalEvents.Resumed : JournalEvents.Start;
        public override IReadOnlyDictionary<string, object?> Fields() => _details;

        public static StartRecord? From(JournalEntry entry) =>
            entry.Is(JournalEvents.Start) || entry.Is(JournalEvents.Resumed) ? new StartRecord(entry) : null;

        /// <summary>Parallel, Serial, Adaptive; CountBased, TimeBased (a DAQ run).</summary>
        public string? Mode => _entry?.Text("mode");

        /// <summary>The port the run was given: its own field (a DAQ run) or the config's [device] port.</summary>
        public string? Port => _entry?.Text("port")
            ?? (_entry?.Object("config") is { } config && config.TryGetProperty("device", out var device) ? JournalFields.Text(device, "port") : null);

        /// <summary>A scan's steps (step, thresholds, measured), as written.</summary>
        public IReadOnlyList<System.Text.Json.JsonElement> Plan => _entry?.Items("plan") ?? System.Array.Empty<System.Text.Json.JsonElement>();

        /// <summary>Whether the record has a plan (an adaptive scan's is empty: it is open-ended).</summary>
        public bool HasPlan => _entry?.HasList("plan") ?? false;

        public double? DurationSeconds => _entry?.Number("durationSeconds");
        public double? SettleSeconds => _entry?.Number("settleSeconds");

        /// <summary>An adaptive scan's settings (ranges, target, limits), as written.</summary>
        public System.Text.Json.JsonElement? Adaptive => _entry?.Object("adaptive");
    }

    /// <summary>The link came back after it was lost (both kinds of run): the dead time; a scan adds the attempts and the reason, a DAQ run the raw file.</summary>
    public sealed class ReconnectedRecord : JournalRecord
    {
        public ReconnectedRecord(double deadSeconds, int? attempts = null, string? reason = null, string? file = null)
        {
            DeadSeconds = deadSeconds;
            Attempts = attempts;
            Reason = reason;
            File = file;
        }

        public double DeadSeconds { get; }
        public int? Attempts { get; }
        public string? Reason { get; }
        public string? File { get; }
        public override string Event => JournalEvents.Reconnected;

        public override IReadOnlyDictionary<string, object?> Fields()
        {
            var fields = new Dictionary<string, object?> { ["deadSeconds"] = DeadSeconds };
            if (Attempts is not null) fields["attempts"] = Attempts;
            if (Reason is not null) fields["reason"] = Reason;
            if (File is not null) fields["file"] = File;
            return fields;
        }

        public static ReconnectedRecord? From(JournalEntry entry) =>
            entry.Is(JournalEvents.Reconnected) ? new ReconnectedRecord(entry.Number("deadSeconds") ?? 0, entry.Int("attempts"), entry.Text("reason"), entry.Text("file")) : null;
    }
}
