using System;
using System.Diagnostics;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Haniwers.Transport
{
    /// <summary>
    /// An exclusive lock on a name (a port, an output folder), held by an open file with no sharing:
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
                stream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
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
                try { owner = File.ReadAllText(ownerFile).Trim(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new LockHeldException(lockFile, owner);
            }
            using var process = Process.GetCurrentProcess();
            // the side file is a courtesy for the next user's message; a folder that takes the lock but not it still locks
            try { File.WriteAllText(ownerFile, $"{purpose} (process {process.Id}, {process.ProcessName}, since {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz})"); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return new NamedLock(stream, ownerFile);
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
            return code == 11 || code == 35; // EAGAIN/EWOULDBLOCK on Linux, on macOS
        }

        /// <summary>
        /// The lock file for a port, in the temp folder (ports live outside any workspace), named after
        /// the device's identity, so every name of one device takes the same lock (docs/platforms.md).
        /// </summary>
        public static string PortLockFile(string portName)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(Platform.PortIdentity.LockKey(portName)));
            var id = BitConverter.ToString(hash, 0, 8).Replace("-", "").ToLowerInvariant();
            string dir = Path.Combine(Path.GetTempPath(), "haniwers-locks");
            Directory.CreateDirectory(dir);
            return Path.Combine(dir, "port-" + id + ".lock");
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

namespace Haniwers.Transport
{
    /// <summary>No lock could be taken at all (not: someone else holds it); the inner exception says why.</summary>
    public sealed class LockUnavailableException : Exception
    {
        public LockUnavailableException(string lockFile, Exception inner) : base($"Cannot lock '{lockFile}': {inner.Message}", inner) => LockFile = lockFile;
        public string LockFile { get; }
    }
}
