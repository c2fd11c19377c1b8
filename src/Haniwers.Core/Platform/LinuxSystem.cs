using System;
using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>The Linux (and Unix) calls the module makes, in one place, each guarded by the platform check.</summary>
    public static class LinuxSystem
    {
        /// <summary>
        /// The canonical path, symlinks resolved by the C library (netstandard2.0 has no API for it);
        /// the path itself where there is no libc (Windows) or it cannot be resolved.
        /// </summary>
        public static string RealPath(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return path;
            try
            {
                IntPtr resolved = NativeRealPath(path, IntPtr.Zero);
                if (resolved == IntPtr.Zero) return path;
                try { return Marshal.PtrToStringAnsi(resolved) ?? path; }
                finally { Free(resolved); }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return path;
            }
        }

        /// <summary>
        /// Opens a file or folder that every user shares (the port locks in the temp folder) to everyone:
        /// a folder 1777 (anyone may add, only the owner remove), a file 0666. Nothing on Windows.
        /// </summary>
        public static void ShareWithEveryone(string path, bool folder)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            try { Chmod(path, folder ? 0x3FF : 0x1B6); } // 01777, 0666
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { }
        }

        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, int mode);

        [DllImport("libc", EntryPoint = "realpath", CharSet = CharSet.Ansi)]
        private static extern IntPtr NativeRealPath(string path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        private static extern void Free(IntPtr pointer);
    }
}
