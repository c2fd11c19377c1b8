using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.Win32;

namespace Haniwers.Platform
{
    /// <summary>The Windows calls the module makes, in one place, each guarded by the platform check.</summary>
    public static class WindowsSystem
    {
        /// <summary>The live registry (HKEY_LOCAL_MACHINE, read only); throws PlatformNotSupportedException elsewhere.</summary>
        public static IRegistrySource Registry()
        {
            if (!OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The Windows registry exists only on Windows.");
            return new LiveRegistry();
        }

        [System.Runtime.Versioning.SupportedOSPlatform("windows")]
        private sealed class LiveRegistry : IRegistrySource
        {
            public IReadOnlyList<string> SubKeyNames(string path)
            {
                using var key = Open(path);
                return key?.GetSubKeyNames() ?? Array.Empty<string>();
            }

            public IReadOnlyDictionary<string, string> Values(string path)
            {
                using var key = Open(path);
                if (key is null) return new Dictionary<string, string>();
                return key.GetValueNames().Select(n => (n, v: key.GetValue(n) as string)).Where(x => x.v is not null)
                    .ToDictionary(x => x.n, x => x.v!, StringComparer.OrdinalIgnoreCase);
            }

            private static RegistryKey? Open(string path)
            {
                try { return Microsoft.Win32.Registry.LocalMachine.OpenSubKey(path, writable: false); }
                catch (Exception ex) when (ex is System.Security.SecurityException or UnauthorizedAccessException) { return null; }
            }
        }

        private delegate bool ConsoleCtrlHandler(int controlType);
        private const int CtrlLogoffEvent = 5;

        [DllImport("kernel32", SetLastError = true)]
        private static extern bool SetConsoleCtrlHandler(ConsoleCtrlHandler handler, bool add);

        /// <summary>
        /// CTRL_LOGOFF_EVENT, which .NET's PosixSignalRegistration does not map (it maps console close
        /// to SIGHUP and shutdown to SIGTERM): calls <paramref name="onLogoff"/> and returns its answer
        /// (true = handled). Null where there is no Windows console API.
        /// </summary>
        public static IDisposable? OnLogoff(Func<bool> onLogoff)
        {
            if (!OperatingSystem.IsWindows()) return null;
            ConsoleCtrlHandler handler = type => type == CtrlLogoffEvent && onLogoff();
            try
            {
                if (!SetConsoleCtrlHandler(handler, true)) return null;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
            return new Registration(handler);
        }

        private sealed class Registration : IDisposable
        {
            private ConsoleCtrlHandler? _handler; // kept alive while registered: the OS calls it

            public Registration(ConsoleCtrlHandler handler) => _handler = handler;

            public void Dispose()
            {
                if (_handler is null) return;
                SetConsoleCtrlHandler(_handler, false);
                _handler = null;
            }
        }
    }
}
