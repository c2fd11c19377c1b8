using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Haniwers.Output
{
    /// <summary>
    /// A repair is written ahead, like a step (docs/crash-protocol.md, "Repairs are written ahead"): a
    /// <c>repairing</c> record names the file, the length it is cut to and the text that goes, and is on the
    /// disk before the file is cut; a <c>repaired</c> record follows the cut. A repair killed at any point
    /// leaves the old state or a record of the change, and the next recovery finishes what a
    /// <c>repairing</c> record began. The journal's own cut-off last record is the one exception: it is
    /// overwritten, in one write, by the record of its removal.
    /// </summary>
    public static class WriteAheadRepair
    {
        /// <summary>
        /// Cuts <paramref name="path"/> back to <paramref name="keep"/> bytes, recorded ahead in the journal at
        /// <paramref name="journalPath"/>; <paramref name="describe"/> turns the removed text into the action told.
        /// Null when the file is no longer than <paramref name="keep"/>.
        /// </summary>
        public static FolderRepair? Cut(string journalPath, string path, long keep, string runId, int? step, Func<string, string> describe, DateTimeOffset now)
        {
            if (!File.Exists(path)) return null;
            string removed;
            using (var stream = Platform.NoFollow.Open(path, FileMode.Open, FileAccess.Read))
            {
                if (stream.Length <= keep) return null;
                removed = ReadFrom(stream, keep);
            }
            var repair = new FolderRepair(path, runId, step, describe(removed), removed);
            Write(journalPath, new RepairRecord(repair, keep), now);
            CutTo(path, keep);
            Write(journalPath, new RepairRecord(repair, null), now);
            return repair;
        }

        /// <summary>Records a repair that removed nothing (an intent no file had grown for).</summary>
        public static FolderRepair Note(string journalPath, FolderRepair repair, DateTimeOffset now)
        {
            Write(journalPath, new RepairRecord(repair, null), now);
            return repair;
        }

        /// <summary>
        /// Finishes every repair the journal began (a <c>repairing</c> record) and did not record as done:
        /// the file is cut to the recorded length if it is longer, and the <c>repaired</c> record written.
        /// </summary>
        /// <param name="own">The names of the files the run writes, the only ones a repair may cut: a record that names another file (the journal
        /// itself, a file of someone else's) is not followed.</param>
        public static IReadOnlyList<FolderRepair> FinishBegun(string folder, string journalPath, DateTimeOffset now, ISet<string> own)
        {
            var records = RunJournal.Read(journalPath).Select(RepairRecord.From).OfType<RepairRecord>().ToList();
            var done = new HashSet<(string, string, string)>(records.Where(r => !r.Begun).Select(r => r.Key));
            var finished = new List<FolderRepair>();
            foreach (var begun in records.Where(r => r.Begun && !done.Contains(r.Key)))
            {
                string file = begun.Repair.File;
                // a name with a folder in it is not one this module wrote: nothing outside the folder is touched
                if (!own.Contains(file) || begun.KeepLength is not long length || length < 0) continue;
                string path = System.IO.Path.Combine(folder, file);
                var repair = new FolderRepair(path, begun.Repair.RunId, begun.Repair.Step, begun.Repair.Action, begun.Repair.RemovedText);
                if (File.Exists(path) && new FileInfo(path).Length > length)
                {
                    // the cut removes what the record says it removes, or nothing: the text after the length must be the recorded text
                    if (!StartsWith(path, length, begun.Repair.RemovedText)) continue;
                    CutTo(path, length);
                }
                Write(journalPath, new RepairRecord(repair, null), now);
                done.Add(begun.Key);
                finished.Add(repair);
            }
            return finished;
        }

        /// <summary>
        /// A journal whose last record was cut off by a crash: that record is overwritten, in one write, by the
        /// record of its removal (a kill during the write leaves a cut-off last record again, for the next recovery).
        /// </summary>
        public static FolderRepair? CloseOffJournal(string journalPath, DateTimeOffset now)
        {
            if (!File.Exists(journalPath)) return null;
            // read first: a journal that ends whole is not opened for writing at all (a close of a descriptor that wrote nothing is no failure of the run)
            using (var reading = Platform.NoFollow.Open(journalPath, FileMode.Open, FileAccess.Read))
                if (LastLineStart(reading) is null) return null;
            using var stream = Platform.NoFollow.Open(journalPath, FileMode.Open, FileAccess.ReadWrite);
            if (LastLineStart(stream) is not long keep) return null;
            string removed = ReadFrom(stream, keep);
            var repair = new FolderRepair(journalPath, "", null, "removed a journal record cut off by a crash", removed);
            byte[] record = RunJournal.Format(new RepairRecord(repair, null), now, "");
            stream.Seek(keep, SeekOrigin.Begin);
            stream.Write(record, 0, record.Length);
            stream.SetLength(keep + record.Length);
            Platform.DiskSync.Flush(stream);
            Platform.DiskSync.Close(stream);
            return repair;
        }

        /// <summary>Where the last complete line of a file ends, when the file does not end on a line end; else null.</summary>
        public static long? LastLineStart(FileStream stream)
        {
            long length = stream.Length;
            if (length == 0) return null;
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() == '\n') return null;
            var buffer = new byte[4096];
            for (long end = length; end > 0;)
            {
                long start = Math.Max(0, end - buffer.Length);
                stream.Seek(start, SeekOrigin.Begin);
                int n = ReadFully(stream, buffer, (int)(end - start));
                for (int i = n - 1; i >= 0; i--)
                {
                    if (buffer[i] == '\n') return start + i + 1;
                }
                end = start;
            }
            return 0;
        }

        private static void Write(string journalPath, RepairRecord record, DateTimeOffset now)
        {
            using var journal = new RunJournal(journalPath, record.Repair.RunId);
            journal.Write(record, now);
            journal.Close(); // a failure the system reports only at the close is the repair's failure
        }

        private static bool StartsWith(string path, long offset, string text)
        {
            byte[] expected = Encoding.UTF8.GetBytes(text);
            using var stream = Platform.NoFollow.Open(path, FileMode.Open, FileAccess.Read);
            if (stream.Length - offset < expected.Length) return false;
            stream.Seek(offset, SeekOrigin.Begin);
            var found = new byte[expected.Length];
            return ReadFully(stream, found, found.Length) == found.Length && found.AsSpan().SequenceEqual(expected);
        }

        private static void CutTo(string path, long length)
        {
            using var stream = Platform.NoFollow.Open(path, FileMode.Open, FileAccess.ReadWrite);
            if (stream.Length <= length) return;
            stream.SetLength(length);
            Platform.DiskSync.Flush(stream);
            Platform.DiskSync.Close(stream);
        }

        private static string ReadFrom(FileStream stream, long offset)
        {
            stream.Seek(offset, SeekOrigin.Begin);
            var bytes = new byte[stream.Length - offset];
            int n = ReadFully(stream, bytes, bytes.Length);
            return Encoding.UTF8.GetString(bytes, 0, n);
        }

        private static int ReadFully(Stream stream, byte[] buffer, int count)
        {
            int read = 0;
            while (read < count)
            {
                int n = stream.Read(buffer, read, count - read);
                if (n == 0) break;
                read += n;
            }
            return read;
        }
    }
}
