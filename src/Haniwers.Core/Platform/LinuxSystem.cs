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

        [DllImport("libc", EntryPoint = "realpath", CharSet = CharSet.Ansi)]
        private static extern IntPtr NativeRealPath(string path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        private static extern void Free(IntPtr pointer);
    }
}
