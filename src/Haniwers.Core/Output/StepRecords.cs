using System.Collections.Generic;
using System.Linq;

namespace Haniwers.Output
{
    /// <summary>A step's write-ahead record (docs/crash-protocol.md): the length of every channel file before its rows.</summary>
    public sealed class IntentRecord : JournalRecord
    {
        public IntentRecord(int step, IReadOnlyDictionary<string, long> files)
        {
            Step = step;
            Files = files;
        }

        public int Step { get; }
        /// <summary>Each file's name and its length before the step.</summary>
        public IReadOnlyDictionary<string, long> Files { get; }
        public override string Event => JournalEvents.Intent;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?>
        {
            ["step"] = Step, ["files"] = Files.ToDictionary(f => f.Key, f => (object?)f.Value),
        };

        /// <summary>An intent, with the files whose length it gives as a number (a damaged entry is left out).</summary>
        public static IntentRecord? From(JournalEntry entry)
        {
            if (!entry.Is(JournalEvents.Intent) || entry.Int("step") is not int step) return null;
            var files = new Dictionary<string, long>();
            if (entry.Object("files") is { } lengths)
            {
                foreach (var file in lengths.EnumerateObject())
                {
                    if (file.Value.ValueKind == System.Text.Json.JsonValueKind.Number && file.Value.TryGetInt64(out long length) && length >= 0) files[file.Name] = length;
                }
            }
            return new IntentRecord(step, files);
        }
    }

    /// <summary>A step whose rows are all on the disk.</summary>
    public sealed class CommitRecord : JournalRecord
    {
        public CommitRecord(int step) { Step = step; }
        public int Step { get; }
        public override string Event => JournalEvents.Commit;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?> { ["step"] = Step };
        public static CommitRecord? From(JournalEntry entry) => entry.Is(JournalEvents.Commit) && entry.Int("step") is int step ? new CommitRecord(step) : null;
    }

    /// <summary>A step whose rows a repair took back from every file it had reached: settles its intent (written after the cuts).</summary>
    public sealed class RolledBackRecord : JournalRecord
    {
        public RolledBackRecord(int step) { Step = step; }
        public int Step { get; }
        public override string Event => JournalEvents.RolledBack;
        public override IReadOnlyDictionary<string, object?> Fields() => new Dictionary<string, object?> { ["step"] = Step };
        public static RolledBackRecord? From(JournalEntry entry) => entry.Is(JournalEvents.RolledBack) && entry.Int("step") is int step ? new RolledBackRecord(step) : null;
    }

    /// <summary>
    /// A repair (docs/crash-protocol.md, "Repairs are written ahead"): <c>repairing</c>, on the disk before the cut, names the
    /// file, the length it is cut to and the text that goes; <c>repaired</c> follows the cut (or records a repair that removed nothing).
    /// </summary>
    public sealed class RepairRecord : JournalRecord
    {
        /// <param name="keepLength">The length the file is cut to: given for <c>repairing</c>, null for <c>repaired</c>.</param>
        public RepairRecord(FolderRepair repair, long? keepLength)
        {
            Repair = repair;
            KeepLength = keepLength;
        }

        public FolderRepair Repair { get; }
        public long? KeepLength { get; }
        /// <summary>Whether the repair is only begun (<c>repairing</c>).</summary>
        public bool Begun => KeepLength is not null;
        public override string Event => Begun ? JournalEvents.Repairing : JournalEvents.Repaired;

        public override IReadOnlyDictionary<string, object?> Fields()
        {
            var fields = new Dictionary<string, object?>
            {
                ["file"] = System.IO.Path.GetFileName(Repair.File), ["step"] = Repair.Step, ["action"] = Repair.Action, ["removedText"] = Repair.RemovedText,
            };
            if (KeepLength is long length) fields["keepLength"] = length;
            return fields;
        }

        /// <summary>
        /// A repairing or repaired record; <see cref="FolderRepair.File"/> is the name as recorded. A repairing record
        /// without a length it can use (missing, negative) is read as one that removed nothing it could redo.
        /// </summary>
        public static RepairRecord? From(JournalEntry entry)
        {
            if (!entry.Is(JournalEvents.Repairing) && !entry.Is(JournalEvents.Repaired)) return null;
            var repair = new FolderRepair(entry.Text("file") ?? "", entry.RunId, entry.Int("step"), entry.Text("action") ?? "", entry.Text("removedText") ?? "");
            long? keep = entry.Is(JournalEvents.Repairing) ? entry.Long("keepLength") is long k && k >= 0 ? k : -1 : (long?)null;
            return new RepairRecord(repair, keep);
        }

        /// <summary>What makes a repairing record and its repaired record, as read, the same repair: run, file as recorded, removed text.</summary>
        public (string RunId, string File, string RemovedText) Key => (Repair.RunId, Repair.File, Repair.RemovedText);
    }
}
