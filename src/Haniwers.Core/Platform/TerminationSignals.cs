using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

namespace Haniwers.Platform
{
    /// <summary>
    /// Turns SIGTERM and SIGHUP (a closed ssh session, systemctl stop, a scheduler ending a task) into
    /// a cancellation, as Ctrl+C is, while a run is going (docs/crash-protocol.md, "Stopping"). On
    /// Windows .NET maps console close to SIGHUP and shutdown to SIGTERM, and a logoff is trapped
    /// here too; Windows ends the process once the handler returns, so there the handler waits
    /// (a few seconds at most) until the run has closed its files. A PowerShell started by the launcher of
    /// PowerShell's .NET tool also stops when that launcher ends (<see cref="PowerShellLauncher"/>).
    /// Uses .NET's PosixSignalRegistration (docs/platforms.md).
    /// </summary>
    public sealed class TerminationSignals : IDisposable
    {
        private readonly List<IDisposable> _registrations = new List<IDisposable>();
        private readonly Action _onSignal;
        private readonly ManualResetEventSlim _closed = new ManualResetEventSlim(false);
        private int _received;

        /// <summary>How long a Windows handler holds the process for the run to close its files (Windows allows about 5 s).</summary>
        private static readonly TimeSpan WindowsGrace = TimeSpan.FromSeconds(4);

        private readonly bool _holdsProcess;
        private readonly Func<TimeSpan> _now;
        private readonly Func<TimeSpan, bool> _waitClosed;
        private TimeSpan? _holdEnds;

        private TerminationSignals(Action onSignal) : this(onSignal, OperatingSystem.IsWindows(), null, null) { }

        /// <param name="holdsProcess">The process ends when a handler returns (Windows): a handler waits for the run to close its files.</param>
        /// <param name="now">A monotonic clock; <paramref name="waitClosed"/>: waits up to a time for the run to close its files.</param>
        internal TerminationSignals(Action onSignal, bool holdsProcess, Func<TimeSpan>? now, Func<TimeSpan, bool>? waitClosed)
        {
            _onSignal = onSignal;
            _holdsProcess = holdsProcess;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            _now = now ?? (() => clock.Elapsed);
            _waitClosed = waitClosed ?? (timeout => _closed.Wait(timeout));
        }

        /// <summary>The signal that arrived (its POSIX name), or null.</summary>
        public string? Received { get; private set; }

        /// <summary>The conventional exit code of a process ended by <see cref="Received"/>: 128 + the signal number.</summary>
        public int ExitCode => Received == "SIGHUP" ? 129 : 143;


        /// <summary>
        /// While the returned object lives, SIGTERM and SIGHUP call <paramref name="onSignal"/> instead
        /// of ending the process; the caller stops its run cleanly and then decides to exit.
        /// </summary>
        public static TerminationSignals Register(Action onSignal)
        {
            var trap = new TerminationSignals(onSignal);
            if (WindowsSystem.OnLogoff(trap.OnLogoff) is { } logoff) trap._registrations.Add(logoff);
            // a launcher that was ended (PowerShell's .NET tool) meant its SIGTERM for this process
            if (PowerShellLauncher.WatchParent(() => trap.OnSignal("SIGTERM")) is { } launcher) trap._registrations.Add(launcher);
            foreach (var (signal, name) in new[] { (PosixSignal.SIGTERM, "SIGTERM"), (PosixSignal.SIGHUP, "SIGHUP") })
            {
                try
                {
                    trap._registrations.Add(PosixSignalRegistration.Create(signal, context =>
                    {
                        context.Cancel = true;
                        trap.OnSignal(name);
                    }));
                }
                catch (PlatformNotSupportedException)
                {
                    // a platform without this signal keeps its default
                }
            }
            return trap;
        }

        /// <summary>Windows' logoff event: handled (true), once the run has closed its files or the grace has run out.</summary>
        internal bool OnLogoff()
        {
            OnSignal("logoff");
            HoldUntilClosed(); // a logoff after another signal holds too, within the same grace
            return true;
        }

        private void OnSignal(string name)
        {
            if (Interlocked.Exchange(ref _received, 1) == 1) return;
            Received = name;
            _onSignal();
            HoldUntilClosed();
        }

        /// <summary>
        /// On Windows the process ends when the handler returns: wait for the run to close its files, within
        /// one grace counted from the first hold, however many handlers wait (Windows allows about 5 s in all).
        /// </summary>
        private void HoldUntilClosed()
        {
            if (!_holdsProcess) return;
            TimeSpan ends;
            lock (_closed) ends = _holdEnds ??= _now() + WindowsGrace;
            var left = ends - _now();
            if (left > TimeSpan.Zero) _waitClosed(left);
        }

        /// <summary>Ends the trap: the run has closed its files (a waiting Windows handler returns now).</summary>
        public void Dispose()
        {
            foreach (var registration in _registrations) registration.Dispose();
            _registrations.Clear();
            _closed.Set();
        }
    }
}
