using System;
using System.Diagnostics;
using System.IO;

namespace Haniwers.Platform
{
    /// <summary>
    /// An exclusive lock on a run folder, held by an open file in it with no sharing:
    /// a second opener in any process gets a clear "in use by ..." error instead of garbled data.
    /// The owner is described in a side file, since the locked file itself cannot be read by others.
    /// </summary>
    public sealed class NamedLock : IDisposable
    {
        private readonly FileStream _stream;
        private readonly string _ownerFile;

        private NamedLock(FileStream stream, string ownerFile)
        {
            _stream = stream;
            _ownerFile = ownerFile;
        }

        /// <summary>Locks <paramref name="lockFile"/>; throws <see cref="LockHeldException"/> naming the holder.</summary>
        public static NamedLock Acquire(string lockFile, string purpose)
        {
            string ownerFile = lockFile + ".owner";
            FileStream stream;
            try
            {
                stream = NoFollow.Open(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, exclusiveLock: true);
            }
            catch (IOException ex) when (!IsHeldByOther(ex))
            {
                throw new LockUnavailableException(lockFile, ex); // read-only, no such folder, no lock support: not "in use"
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new LockUnavailableException(lockFile, ex);
            }
            catch (IOException)
            {
                string owner = "another program";
                try
                {
                    using var side = NoFollow.Open(ownerFile, FileMode.Open, FileAccess.Read);
                    var text = new byte[4096];
                    owner = System.Text.Encoding.UTF8.GetString(text, 0, side.Read(text, 0, text.Length)).Trim();
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
                throw new LockHeldException(lockFile, owner);
            }
            // the lock must hold: with file locking switched off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING, some
            // network file systems) a second opener gets in, so two runs would interleave their rows
            if (!LockHolds(lockFile))
            {
                stream.Dispose();
                throw new LockUnavailableException(lockFile, new NotSupportedException(
                    "a second open of the lock file succeeded, so file locking does not work here (DOTNET_SYSTEM_IO_DISABLEFILELOCKING set, or a file system without locks)"), unsupported: true);
            }
            using var process = Process.GetCurrentProcess();
            // the side file is a courtesy for the next user's message; a folder that takes the lock but not it still locks
            try
            {
                using var side = NoFollow.Open(ownerFile, FileMode.Create, FileAccess.Write);
                side.Write(System.Text.Encoding.UTF8.GetBytes($"{purpose} (process {process.Id}, {process.ProcessName}, since {DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz", System.Globalization.CultureInfo.InvariantCulture)})"));
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return new NamedLock(stream, ownerFile);
        }

        private static bool LockHolds(string lockFile)
        {
            try
            {
                using var second = NoFollow.Open(lockFile, FileMode.Open, FileAccess.Read, exclusiveLock: true);
                return false;
            }
            catch (IOException)
            {
                return true;
            }
            catch (UnauthorizedAccessException)
            {
                return true;
            }
        }

        /// <summary>
        /// Whether an open failed because another handle holds the lock: EWOULDBLOCK from flock on Unix,
        /// a sharing or lock violation on Windows. Everything else is a failure to take any lock at all.
        /// </summary>
        private static bool IsHeldByOther(IOException ex)
        {
            int code = ex.HResult;
            if (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows))
            {
                code &= 0xFFFF;
                return code == 0x20 || code == 0x21; // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            }
            return code == (HostPlatforms.Current == HostPlatform.MacOS ? 35 : 11); // EWOULDBLOCK: 35 on macOS, EAGAIN 11 on Linux
        }

        public void Dispose()
        {
            try { File.Delete(_ownerFile); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            _stream.Dispose();
        }
    }

    public sealed class LockHeldException : Exception
    {
        public LockHeldException(string lockFile, string owner) : base($"'{lockFile}' is held by {owner}.")
        {
            LockFile = lockFile;
            Owner = owner;
        }

        public string LockFile { get; }
        public string Owner { get; }
    }
}

namespace Haniwers.Platform
{
    /// <summary>No lock could be taken at all (not: someone else holds it); the inner exception says why.</summary>
    public sealed class LockUnavailableException : Exception
    {
        public LockUnavailableException(string lockFile, Exception inner, bool unsupported = false) : base($"Cannot lock '{lockFile}': {inner.Message}", inner)
        {
            LockFile = lockFile;
            Unsupported = unsupported;
        }

        public string LockFile { get; }
        /// <summary>The file system or the runtime cannot lock at all (not: this folder is read-only).</summary>
        public bool Unsupported { get; }
    }
}
