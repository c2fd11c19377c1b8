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
            catch (IOException)
            {
                string owner = "another program";
                try { owner = File.ReadAllText(ownerFile).Trim(); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw new LockHeldException(lockFile, owner);
            }
            using var process = Process.GetCurrentProcess();
            File.WriteAllText(ownerFile, $"{purpose} (process {process.Id}, {process.ProcessName}, since {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz})");
            return new NamedLock(stream, ownerFile);
        }

        /// <summary>The lock file for a port, in the temp folder (ports live outside any workspace).</summary>
        public static string PortLockFile(string portName)
        {
            using var sha = SHA256.Create();
            var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(portName.ToUpperInvariant()));
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
