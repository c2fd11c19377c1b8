using System;
using System.Collections.Generic;
using System.IO;
using Haniwers.Platform;

namespace Haniwers.Output
{
    /// <summary>Another run (a scan or data taking) is writing into the same folder.</summary>
    public sealed class RunFolderInUseException : Exception
    {
        public RunFolderInUseException(string folder, string owner)
            : base($"Another run is writing into '{folder}': {owner}. Wait for it to finish, or write this run into another folder.")
        {
            Folder = folder;
            Owner = owner;
        }

        public string Folder { get; }
        public string Owner { get; }
    }

    /// <summary>
    /// The one owner of a run folder while a run writes into it (docs/architecture.md): the folder is
    /// made, locked (one run at a time, scan or DAQ), proved writable and repaired, in that order and
    /// before any device is touched; the run's id is made here. Scans and DAQ runs both open their
    /// folder through <see cref="Open"/>; the lock is released on <see cref="Dispose"/>.
    /// </summary>
    public sealed class RunFolder : IDisposable
    {
        public const string LockFileName = ".haniwers-run.lock";
        private const string ProbeFileName = ".haniwers-write-test";
        private readonly NamedLock _lock;

        private RunFolder(string path, NamedLock folderLock)
        {
            Path = path;
            _lock = folderLock;
        }

        public string Path { get; }

        /// <summary>What recovery changed in the folder before this run started (also in the journal).</summary>
        public IReadOnlyList<FolderRepair> Repairs { get; private set; } = Array.Empty<FolderRepair>();

        /// <summary>
        /// A new run id: local date and time, and four random hex digits. Gregorian and ASCII whatever the
        /// culture: a Thai culture's calendar would make the year 2569, an Arabic one's a Hijri date.
        /// </summary>
        public static string NewRunId(DateTimeOffset now) =>
            now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N").Substring(0, 4);

        /// <summary>The day folder a run without -OutputDirectory writes into: the local date, as <see cref="NewRunId"/> writes it.</summary>
        public static string DayFolderName(DateTimeOffset now) => now.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>
        /// Creates and locks <paramref name="folder"/>, proves it writable, and runs <paramref name="recover"/>
        /// (the repair of what a killed run of this kind left) with the lock held. Throws
        /// <see cref="RunFolderInUseException"/> or <see cref="OutputException"/>, having written nothing.
        /// </summary>
        /// <param name="purpose">Who holds the lock, as another run that finds it held is told ("a Haniwers scan").</param>
        public static RunFolder Open(string folder, string purpose, Func<string, IReadOnlyList<FolderRepair>> recover)
        {
            var folderLock = Lock(folder, purpose);
            var run = new RunFolder(folder, folderLock);
            try
            {
                ProveWritable(folder);
                run.Repairs = recover(folder);
                return run;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && ex is not OutputException)
            {
                run.Dispose();
                throw OutputException.From(ex, folder, "repairing the run folder"); // a failed sync or close of a repair is told as itself
            }
            catch
            {
                run.Dispose();
                throw;
            }
        }

        /// <summary>The path of a file of this folder.</summary>
        public string File(string name) => System.IO.Path.Combine(Path, name);

        /// <summary>Whether a run holds <paramref name="folder"/> now.</summary>
        public static bool IsHeld(string folder)
        {
            try
            {
                using (NamedLock.Acquire(System.IO.Path.Combine(folder, LockFileName), "checking whether a run writes here")) return false;
            }
            catch (LockHeldException) { return true; }
            catch (LockUnavailableException) { return false; }
        }

        /// <summary>
        /// The folder's lock for a reader that repairs it; null while a run holds it (its last step may be in
        /// progress, not cut short). Throws <see cref="LockUnavailableException"/> where the folder cannot be locked.
        /// </summary>
        internal static NamedLock? TryLockForRepair(string folder)
        {
            try
            {
                return NamedLock.Acquire(System.IO.Path.Combine(folder, LockFileName), "repairing the run folder");
            }
            catch (LockHeldException)
            {
                return null;
            }
        }

        /// <summary>
        /// The folder's lock alone, for a short write that is no run (a fit appended to the folder's history): waited for up to
        /// <paramref name="wait"/> while another short writer holds it; a run that holds it longer is <see cref="RunFolderInUseException"/>.
        /// </summary>
        public static IDisposable LockForShortWrite(string folder, string purpose, TimeSpan wait)
        {
            var deadline = DateTime.UtcNow + wait;
            while (true)
            {
                try
                {
                    return Lock(folder, purpose);
                }
                catch (RunFolderInUseException) when (DateTime.UtcNow < deadline)
                {
                    System.Threading.Thread.Sleep(20); // another fit's append takes milliseconds
                }
            }
        }

        private static NamedLock Lock(string folder, string purpose)
        {
            Prepare(folder);
            try
            {
                return NamedLock.Acquire(System.IO.Path.Combine(folder, LockFileName), purpose);
            }
            catch (LockHeldException ex)
            {
                throw new RunFolderInUseException(folder, ex.Owner);
            }
            catch (LockUnavailableException ex) when (ex.Unsupported)
            {
                throw new OutputException(OutputProblem.LockUnsupported, folder,
                    $"The folder '{folder}' cannot be locked: {ex.InnerException?.Message}. Two runs could then mix their rows, so none starts. Unset DOTNET_SYSTEM_IO_DISABLEFILELOCKING, or give the run a folder on a local disk.", ex);
            }
            catch (LockUnavailableException ex)
            {
                throw OutputException.From(ex.InnerException ?? ex, folder, "locking the folder");
            }
        }

        private static void Prepare(string folder)
        {
            if (System.IO.File.Exists(folder))
                throw new OutputException(OutputProblem.PathIsFile, folder, $"'{folder}' is a file, not a folder. Give the run a folder (it is created when missing).");
            // a link to nothing, or a file where a parent folder should be, is told as itself
            for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
            {
                if (System.IO.File.Exists(dir.FullName))
                    throw new OutputException(OutputProblem.PathIsFile, folder, $"'{dir.FullName}' is a file, so the folder '{folder}' cannot be made inside it. Give the run another folder.");
                if (!dir.Exists && (dir.Attributes & FileAttributes.ReparsePoint) != 0 && (int)dir.Attributes != -1)
                    throw new OutputException(OutputProblem.PathIsFolder, folder, $"'{dir.FullName}' is a link to something that does not exist. Fix or remove the link, or give the run another folder.");
            }
            // a run folder that is a link, in a folder others may write into (a shared workspace), may have been planted
            // there to send the run's files elsewhere; a link the user made in a folder of their own is theirs to follow
            if (Platform.NoFollow.IsLink(folder) && OthersMayWrite(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(folder).TrimEnd(System.IO.Path.DirectorySeparatorChar))))
                throw new OutputException(OutputProblem.PathIsLink, folder, $"'{folder}' is a symbolic link in a folder others can write into; the run does not follow it (it may have been planted there). Give the run a folder of your own.");
            try
            {
                // every folder made here has its name put on the disk, in its parent, from the top down
                var made = new List<string>();
                for (var level = new DirectoryInfo(folder); level is not null && !level.Exists; level = level.Parent) made.Add(level.FullName);
                Directory.CreateDirectory(folder);
                for (int i = made.Count - 1; i >= 0; i--) Platform.DiskSync.FlushFolder(System.IO.Path.GetDirectoryName(made[i])!);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw OutputException.From(ex, folder, "creating the folder");
            }
        }

        /// <summary>Whether users other than the owner may add entries to <paramref name="folder"/> (group or others may write).</summary>
        private static bool OthersMayWrite(string? folder)
        {
            if (folder is null || OperatingSystem.IsWindows()) return false;
            try { return (System.IO.File.GetUnixFileMode(folder) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0; }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
        }

        /// <summary>Writes, flushes and deletes a small file: a folder that cannot take a row fails here, before the port opens.</summary>
        private static void ProveWritable(string folder)
        {
            string probe = System.IO.Path.Combine(folder, ProbeFileName);
            try
            {
                // a link planted under the probe's name is not followed; it is removed (the link, never its target)
                if (Platform.NoFollow.IsLink(probe)) System.IO.File.Delete(probe);
                var stream = Platform.NoFollow.Open(probe, FileMode.Create, FileAccess.Write);
                try
                {
                    var bytes = new byte[512];
                    stream.Write(bytes, 0, bytes.Length);
                    Platform.DiskSync.Flush(stream);
                    Platform.DiskSync.Close(stream); // a folder whose file system fails at close fails the proof too
                }
                finally
                {
                    stream.Dispose();
                }
                System.IO.File.Delete(probe);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                try { System.IO.File.Delete(probe); } catch (Exception inner) when (inner is IOException or UnauthorizedAccessException) { }
                throw OutputException.From(ex, folder, "writing into");
            }
        }

        public void Dispose() => _lock.Dispose();
    }
}
