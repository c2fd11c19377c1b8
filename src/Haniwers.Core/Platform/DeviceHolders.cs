using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Haniwers.Platform
{
    /// <summary>A process that has a serial device open.</summary>
    /// <param name="IsHaniwers">It has this module loaded: a Haniwers session.</param>
    public sealed record DeviceHolder(int ProcessId, string Name, bool IsHaniwers)
    {
        public override string ToString() => IsHaniwers
            ? $"a Haniwers session (process {ProcessId}, {Name})"
            : $"process {ProcessId} ({Name})";
    }

    /// <summary>
    /// Which other processes have a device open, from /proc on Linux (docs/platforms.md, "One lock per
    /// device"): each process's fd links name the files it holds. A process that holds the master of a
    /// pseudo-terminal (its /dev/ptmx fd's fdinfo says tty-index: N) is the far end of /dev/pts/N, the
    /// "device" itself (socat, a simulator), not a competitor. Processes of other accounts are visible
    /// to root only; elsewhere (macOS, Windows) nothing is found.
    /// </summary>
    public static class DeviceHolders
    {
        private static readonly Regex PtySlave = new Regex(@"^/dev/pts/(\d+)$", RegexOptions.CultureInvariant);

        public static IReadOnlyList<DeviceHolder> Find(string device, bool includeSelf)
        {
            if (OperatingSystem.IsMacOS()) return FromLsof(MacSystem.OpenFiles(device), Environment.ProcessId, includeSelf);
            if (!OperatingSystem.IsLinux() || !IsTerminal(device, "/sys/class/tty")) return Array.Empty<DeviceHolder>();
            return Find(device, "/proc", Environment.ProcessId, includeSelf);
        }

        /// <summary>
        /// The holders lsof names on macOS (no /proc there): its field output, `lsof -F pc -- DEVICE`, one "p&lt;pid&gt;" line
        /// and one "c&lt;command&gt;" line per process. Null output (no lsof, a timeout) finds none.
        /// </summary>
        public static IReadOnlyList<DeviceHolder> FromLsof(string? output, int selfPid, bool includeSelf)
        {
            var holders = new List<DeviceHolder>();
            if (output is null) return holders;
            int? pid = null;
            foreach (var line in output.Split('\n'))
            {
                if (line.StartsWith("p", StringComparison.Ordinal) && int.TryParse(line.Substring(1), out int p)) pid = p;
                else if (line.StartsWith("c", StringComparison.Ordinal) && pid is int current && (current != selfPid || includeSelf))
                {
                    string name = line.Substring(1).Trim();
                    holders.Add(new DeviceHolder(current, name, name is "pwsh" or "dotnet" && current == selfPid));
                    pid = null;
                }
            }
            return holders.OrderBy(h => h.ProcessId).ToList();
        }

        /// <summary>
        /// Whether <paramref name="device"/> is a terminal (a serial port, a pty): the kernel lists every tty
        /// it has in /sys/class/tty, ptys aside (/dev/pts). Anything else (/dev/null, a file) is open in many
        /// processes for reasons of its own, and is no port to compete for.
        /// </summary>
        public static bool IsTerminal(string device, string ttyClass) =>
            PtySlave.IsMatch(device) || device.StartsWith("/dev/", StringComparison.Ordinal) && Directory.Exists(Path.Combine(ttyClass, Path.GetFileName(device)));

        /// <param name="procRoot">/proc, or a fixture laid out as /proc is.</param>
        public static IReadOnlyList<DeviceHolder> Find(string device, string procRoot, int selfPid, bool includeSelf)
        {
            var pty = PtySlave.Match(device);
            var holders = new List<DeviceHolder>();
            IEnumerable<string> processes;
            try { processes = Directory.EnumerateDirectories(procRoot).ToList(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return holders; }
            foreach (var folder in processes)
            {
                if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
                if (pid == selfPid && !includeSelf) continue;
                var targets = OpenFiles(folder);
                if (!targets.Any(t => t.Target == device)) continue;
                if (pty.Success && targets.Any(t => t.Target == "/dev/ptmx" && HoldsMaster(folder, t.Fd, pty.Groups[1].Value))) continue;
                holders.Add(new DeviceHolder(pid, ReadName(folder), HasHaniwersLoaded(folder)));
            }
            return holders.OrderBy(h => h.ProcessId).ToList();
        }

        private static List<(string Fd, string Target)> OpenFiles(string processFolder)
        {
            var files = new List<(string, string)>();
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(processFolder, "fd")))
                {
                    string? target = null;
                    try { target = new FileInfo(fd).LinkTarget; }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // closed meanwhile
                    if (target is not null) files.Add((Path.GetFileName(fd), target));
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { } // another account's, or gone
            return files;
        }

        private static bool HoldsMaster(string processFolder, string fd, string ptyIndex)
        {
            try
            {
                return File.ReadLines(Path.Combine(processFolder, "fdinfo", fd))
                    .Any(line => line.StartsWith("tty-index:", StringComparison.Ordinal) && line.Substring("tty-index:".Length).Trim() == ptyIndex);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
        }

        private static string ReadName(string processFolder)
        {
            try { return File.ReadAllText(Path.Combine(processFolder, "comm")).Trim(); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return "name unknown"; }
        }

        private static bool HasHaniwersLoaded(string processFolder)
        {
            try { return File.ReadLines(Path.Combine(processFolder, "maps")).Any(line => line.EndsWith("/Haniwers.Core.dll", StringComparison.Ordinal)); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
        }

        /// <summary>Who holds the device, for a message: the holders found, or what can be said without them.</summary>
        public static string Describe(IReadOnlyList<DeviceHolder> holders) => holders.Count switch
        {
            0 => OperatingSystem.IsLinux()
                ? "another program (one of another account, which only root can see)"
                : "another program",
            _ => string.Join(" and ", holders.OrderByDescending(h => h.IsHaniwers).Select(h => h.ToString())),
        };
    }
}
