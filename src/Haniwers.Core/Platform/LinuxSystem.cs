using System;
using System.IO;
using System.Runtime.InteropServices;

namespace Haniwers.Platform
{
    /// <summary>The Linux (and Unix) calls the module makes, in one place, each guarded by the platform check.</summary>
    public static class LinuxSystem
    {
        /// <summary>
        /// The canonical path, every symlink along it resolved by the C library (.NET resolves only a path's
        /// last link: FileSystemInfo.ResolveLinkTarget);
        /// the path itself where there is no libc (Windows) or it cannot be resolved.
        /// </summary>
        public static string RealPath(string path)
        {
            if (OperatingSystem.IsWindows()) return path;
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
