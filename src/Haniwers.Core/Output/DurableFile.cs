using System;
using System.IO;

namespace Haniwers.Output
{
    /// <summary>
    /// The durable append (docs/crash-protocol.md): a file written only at its end, each write whole or
    /// not at all. A write that fails cuts the file back to where it was before the write; when even
    /// that fails, the file is marked broken and takes no more writes (the next opener's recovery cuts
    /// it back). Used by the CSV appenders, the journals and the DAQ's raw files alike.
    /// </summary>
    public sealed class DurableFile : IDisposable
    {
        private readonly FileStream _stream;

        private DurableFile(string path, FileStream stream)
        {
            Path = path;
            _stream = stream;
        }

        public string Path { get; }

        /// <summary>The file's length: what the operating system holds (on the disk once <see cref="Sync"/> or a synced <see cref="Append"/> returned).</summary>
        public long Length => _stream.Length;

        /// <summary>A write failed and the file could not be cut back: it takes no more writes.</summary>
        public bool Broken { get; private set; }

        /// <summary>
        /// A sync failed (the write was cut back): nothing more is trusted to the file, except a run's last record, which
        /// says how it ended (<see cref="Append"/> with lastWords), so a reader finds the failure rather than a silence.
        /// </summary>
        public bool SyncFailed { get; private set; }

        /// <summary>Opens (or creates) <paramref name="path"/> for appending; an I/O failure is an <see cref="OutputException"/>.</summary>
        /// <param name="mode">How the file is found: opened or created (a journal, a CSV), or always new (a raw file: <see cref="FileMode.CreateNew"/>).</param>
        public static DurableFile Open(string path, FileMode mode = FileMode.OpenOrCreate)
        {
            FileStream? stream = null;
            try
            {
                bool created = mode == FileMode.CreateNew || !File.Exists(path);
                // no buffer of its own: what Append wrote is in the OS, and Sync puts it on the disk
                stream = Platform.NoFollow.Open(path, mode, FileAccess.ReadWrite); // never through a link planted in the folder
                stream.Seek(0, SeekOrigin.End);
                // the new file's name is on the disk before anything is trusted to the file (docs/crash-protocol.md)
                if (created) Platform.DiskSync.FlushFolder(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                stream?.Dispose();
                throw OutputException.From(ex, path, mode == FileMode.CreateNew ? "creating" : "opening");
            }
            return new DurableFile(path, stream);
        }

        /// <summary>
        /// Writes <paramref name="count"/> bytes at the end, and puts them on the disk when <paramref name="sync"/>.
        /// On failure the file is as it was and <see cref="OutputException"/> says why (<paramref name="doing"/>: "writing a row to").
        /// </summary>
        public void Append(byte[] bytes, int count, string doing, bool sync = true, bool lastWords = false)
        {
            if (Broken || (SyncFailed && !lastWords)) throw new OutputException(OutputProblem.IoError, Path, $"'{Path}' is not written to after an earlier failure.");
            long before = _stream.Length;
            try
            {
                _stream.Write(bytes, 0, count);
                if (sync) Platform.DiskSync.Flush(_stream);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                CutBack(before);
                // after a failed fsync the system may have dropped what it held: nothing more is trusted to this file
                if (ex is Platform.DiskSyncException) SyncFailed = true;
                throw OutputException.From(ex, Path, doing);
            }
        }

        /// <summary>Puts what was written on the disk.</summary>
        public void Sync(string doing)
        {
            try
            {
                Platform.DiskSync.Flush(_stream);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (ex is Platform.DiskSyncException) SyncFailed = true;
                throw OutputException.From(ex, Path, doing);
            }
        }

        /// <summary>Cuts the file back to <paramref name="length"/> (a step rolled back); a failure marks it broken, for the next opener's recovery.</summary>
        public void TruncateTo(long length)
        {
            if (_stream.Length > length) CutBack(length);
        }

        private void CutBack(long length)
        {
            try
            {
                _stream.SetLength(length); // shrinking needs no space: the file ends where it did
                _stream.Seek(length, SeekOrigin.Begin);
                Platform.DiskSync.Flush(_stream);
            }
            catch (Exception inner) when (inner is IOException or UnauthorizedAccessException)
            {
                Broken = true; // the next run's recovery cuts the file back (docs/crash-protocol.md)
            }
        }

        /// <summary>
        /// Closes the file and fails when the system reports an error at its close (docs/crash-protocol.md, "A sync that
        /// fails"): what was written was synced before, but a file system that fails there is not trusted with the run.
        /// </summary>
        public void Close(string doing)
        {
            if (_closed) return;
            _closed = true;
            try
            {
                Platform.DiskSync.Close(_stream);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw OutputException.From(ex, Path, doing);
            }
        }

        private bool _closed;

        /// <summary>Closes the file on a path that is failing already (its close's own failure would hide the first).</summary>
        public void Dispose()
        {
            if (_closed) return;
            _closed = true;
            _stream.Dispose();
        }
    }
}
