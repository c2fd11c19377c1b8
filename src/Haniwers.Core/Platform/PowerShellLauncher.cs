using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace Haniwers.Platform
{
    /// <summary>
    /// The launcher that PowerShell's .NET tool installs (<c>~/.dotnet/tools/pwsh</c>, and <c>dotnet pwsh</c>
    /// from a tool manifest): it starts the real PowerShell as a child, <c>dotnet …/pwsh.dll</c>, waits for
    /// it, and passes no signal on (PowerShell's Microsoft.PowerShell.GlobalTool.Shim). A scheduler that
    /// stops the process it started (cron's kill, launchd, a Task Scheduler "End") ends only the launcher,
    /// and the real PowerShell goes on. While a run is going, its end is taken for the SIGTERM that was
    /// meant for this process (docs/platforms.md, "Stopping a run").
    /// </summary>
    public static class PowerShellLauncher
    {
        private const string ShimAssembly = "Microsoft.PowerShell.GlobalTool.Shim.dll";

        /// <summary>
        /// Calls <paramref name="onEnded"/> (once, on another thread) when this process's launcher ends, if
        /// it was started by one; the returned object stops watching. Null when there is no launcher.
        /// </summary>
        public static IDisposable? WatchParent(Action onEnded)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return null;
            int parent;
            try { parent = GetParentProcessId(); }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException) { return null; }
            if (parent <= 1 || !IsLauncher(parent)) return null;
            var stop = new ManualResetEventSlim(false);
            var watcher = new Thread(() =>
            {
                // a launcher that ends leaves this process to init (or a subreaper): its parent changes
                while (!stop.Wait(200))
                {
                    if (GetParentProcessId() == parent) continue;
                    onEnded();
                    return;
                }
            }) { IsBackground = true, Name = "Haniwers launcher watch" };
            watcher.Start();
            return new Stopper(stop);
        }

        /// <summary>Whether process <paramref name="parent"/> is PowerShell's tool launcher and this process the PowerShell it started.</summary>
        public static bool IsLauncher(int parent)
        {
            // the launched PowerShell runs as `dotnet …/pwsh.dll`: a pwsh of its own (an installed one) has no launcher
            string self = Path.GetFileNameWithoutExtension(Environment.GetCommandLineArgs()[0] ?? "");
            if (!string.Equals(Path.GetFileName(Process.GetCurrentProcess().MainModule?.FileName ?? ""), "dotnet", StringComparison.OrdinalIgnoreCase)
                || !string.Equals(self, "pwsh", StringComparison.OrdinalIgnoreCase)) return false;
            if (File.Exists($"/proc/{parent}/cmdline"))
            {
                // Linux: the shim is named on the launcher's command line (dotnet …Shim.dll) or mapped into it (the apphost)
                string cmdline = Encoding.UTF8.GetString(File.ReadAllBytes($"/proc/{parent}/cmdline"));
                if (cmdline.IndexOf(ShimAssembly, StringComparison.OrdinalIgnoreCase) >= 0) return true;
                try { return File.ReadAllText($"/proc/{parent}/maps").IndexOf(ShimAssembly, StringComparison.OrdinalIgnoreCase) >= 0; }
                catch (IOException) { return false; }
                catch (UnauthorizedAccessException) { return false; }
            }
            // macOS: the launcher is the apphost named pwsh (a real pwsh would not run this process as dotnet)
            try { return string.Equals(Path.GetFileName(Process.GetProcessById(parent).MainModule?.FileName ?? ""), "pwsh", StringComparison.Ordinal); }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return false; }
        }

        [DllImport("libc", EntryPoint = "getppid")]
        private static extern int GetParentProcessId();

        private sealed class Stopper : IDisposable
        {
            private readonly ManualResetEventSlim _stop;
            public Stopper(ManualResetEventSlim stop) => _stop = stop;
            public void Dispose() => _stop.Set();
        }
    }
}
