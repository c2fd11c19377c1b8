using System;
using System.Management.Automation;
using System.Threading;
using Haniwers.Configuration;
using Haniwers.Output;
using Haniwers.Platform;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Base of every Haniwers cmdlet: owns the CancellationTokenSource that Ctrl+C / Stop-Job cancel
    /// (StopProcessing), and the conversions from core results to PowerShell streams.
    /// </summary>
    public abstract class HaniwersCmdlet : PSCmdlet
    {
        // Not disposed: StopProcessing can arrive on another thread after the command ended, and a
        // CancellationTokenSource without timers holds nothing that needs releasing.
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
        protected CancellationToken Cancellation => _cancellation.Token;

        protected override void StopProcessing()
        {
            _cancellation.Cancel();
            base.StopProcessing();
        }

        /// <summary>
        /// While the returned object lives, SIGTERM and SIGHUP cancel this command as Ctrl+C does
        /// instead of killing the process with its files open.
        /// </summary>
        protected TerminationSignals TrapTerminationSignals() => TerminationSignals.Register(() => _cancellation.Cancel());

        /// <summary>
        /// After a command stopped for SIGTERM or SIGHUP and closed its files: stops the pipeline as
        /// Ctrl+C does (finally blocks run, the commands after this one close their output), and asks
        /// the host to exit with the conventional code (143, 129) as the signal meant.
        /// </summary>
        protected void ExitIfSignalled(TerminationSignals signals)
        {
            if (signals.Received is null) return;
            try { Host.SetShouldExit(signals.ExitCode); }
            // Deliberate, not unfinished: hosts that cannot exit (a custom or hosted runspace) throw
            // NotImplementedException here; the exit code is then theirs to choose, and the pipeline
            // still stops below as the signal asked.
            catch (NotImplementedException) { }
            throw new PipelineStoppedException();
        }

        /// <summary>A path as the user means it: relative to PowerShell's current location, not the process's.</summary>
        protected string ResolveUserPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        /// <summary>
        /// The file-system paths one -Path or -LiteralPath item names, as PowerShell's own file cmdlets read them:
        /// a -Path item with wildcards is expanded (empty when nothing matches), any other item is taken as written
        /// (made absolute), so the caller tells a missing file in its own words.
        /// </summary>
        protected System.Collections.Generic.IReadOnlyList<string> ExpandPath(string path, bool literal)
        {
            if (literal) return new[] { ResolveUserPath(path) };
            // a -Path without an unescaped wildcard names one file; its escapes (`[ `]) are taken off, as Get-Item's are
            if (!WildcardPattern.ContainsWildcardCharacters(path)) return new[] { ResolveUserPath(WildcardPattern.Unescape(path)) };
            try
            {
                return SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException)
            {
                return Array.Empty<string>();
            }
        }

        /// <summary>
        /// The message for a -Path that matches nothing; when the path as written exists (a name with [ ] in it, which
        /// -Path reads as wildcards), it says to give it with -LiteralPath.
        /// </summary>
        protected string NothingMatches(string path)
        {
            string literal = ResolveUserPath(path);
            return System.IO.File.Exists(literal) || System.IO.Directory.Exists(literal)
                ? $"-Path '{path}' matches nothing: -Path reads [ ] * ? as wildcards, and '{literal}' exists as written; give it with -LiteralPath '{path}'."
                : $"-Path '{path}' matches nothing.";
        }

        /// <summary>
        /// A file the command will write, refused before any work is done: a folder (ErrorId &lt;Parameter&gt;IsFolder), or a
        /// name without the extension its format needs (PlotFormatNotSupported for a plot, which is SVG).
        /// </summary>
        protected void CheckOutputFile(string? path, string parameter, string example, string? extension, string nothingDone)
        {
            if (path is null) return;
            if (System.IO.Directory.Exists(ResolveUserPath(path)))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-{parameter} '{path}' is a folder: name the file to write, e.g. {System.IO.Path.Combine(path, example)}. {nothingDone}"),
                    parameter + "IsFolder", ErrorCategory.InvalidArgument, path));
            }
            if (extension is not null && !string.Equals(System.IO.Path.GetExtension(path), extension, StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-{parameter} '{path}': the plot is an SVG drawing, so its file name must end in .svg (a browser opens it; Inkscape or rsvg-convert make a PNG of it). {nothingDone}"),
                    "PlotFormatNotSupported", ErrorCategory.InvalidArgument, path));
            }
        }

        /// <summary>Names each key and table of <paramref name="config"/> that no one reads, with what it most likely means (a typo leaves a default in force).</summary>
        protected HaniwersConfig WarnUnknownKeys(HaniwersConfig config)
        {
            foreach (var unknown in config.UnknownKeys) WriteWarning($"{config.Source}: {unknown.Message} Fix: {unknown.Fix}");
            return config;
        }

        /// <summary>Reads -ConfigPath / -Config, or the defaults (the simulated detector) when neither is given.</summary>
        protected HaniwersConfig LoadConfig(string? configPath, object? config)
        {
            try
            {
                if (configPath is not null) return WarnUnknownKeys(ConfigInput.ReadFile(ResolveUserPath(configPath)));
                // a config from Import-HaniwersConfig was warned about when it was imported
                if (config is not null) return config is HaniwersConfig || (config as PSObject)?.BaseObject is HaniwersConfig
                    ? ConfigInput.FromObject(config) : WarnUnknownKeys(ConfigInput.FromObject(config));
                return HaniwersConfig.CreateDefault();
            }
            catch (ConfigFileException ex)
            {
                ThrowTerminatingError(ConfigFileError(ex));
                throw; // not reached
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidConfigArgument", ErrorCategory.InvalidArgument, config));
                throw;
            }
        }

        /// <summary>A run's files could not be written: ErrorId Output&lt;Problem&gt;, the path as target.</summary>
        protected static ErrorRecord OutputError(OutputException ex) => new ErrorRecord(ex, "Output" + ex.Problem,
            ex.Problem switch
            {
                OutputProblem.DiskFull => ErrorCategory.WriteError,
                OutputProblem.NotWritable => ErrorCategory.PermissionDenied,
                OutputProblem.PathIsFile => ErrorCategory.InvalidArgument,
                OutputProblem.LockUnsupported => ErrorCategory.NotImplemented,
                OutputProblem.DeviceRemoved => ErrorCategory.ResourceUnavailable,
                OutputProblem.NotDurable => ErrorCategory.WriteError,
                OutputProblem.PathIsLink => ErrorCategory.SecurityError,
                OutputProblem.FileExists => ErrorCategory.ResourceExists,
                _ => ErrorCategory.WriteError,
            }, ex.Path);

        /// <summary>A configuration -Path pattern that matches no file, in the words of <see cref="NothingMatches"/> (which say -LiteralPath when the name exists as written).</summary>
        protected ErrorRecord ConfigPatternMatchesNothing(string pattern) => ConfigFileError(ConfigFileException.NothingMatches(pattern, NothingMatches(pattern)));

        protected static ErrorRecord ConfigFileError(ConfigFileException ex)
        {
            return new ErrorRecord(ex, ex.FileMissing ? "ConfigFileNotFound" : "ConfigFileUnreadable",
                ex.FileMissing ? ErrorCategory.ObjectNotFound : ErrorCategory.ParserError, ex.Path);
        }

        /// <summary>One configuration problem as a non-terminating error: ErrorId = problem kind, target = the channel's settings.</summary>
        protected ErrorRecord ConfigProblemError(ConfigProblem problem, HaniwersConfig config)
        {
            object target = (object?)(problem.Channel is int ch ? config.Sensor(ch) : null)
                ?? (problem.Key.StartsWith("device", StringComparison.Ordinal) ? config.Device
                    : problem.Key.StartsWith("sampler", StringComparison.Ordinal) ? (object)config.Sampler : config);
            string where = config.Source is null ? "" : $" in {config.Source}";
            var record = new ErrorRecord(new ConfigValueException($"{problem.Key}{where}: {problem.Message}"),
                problem.Kind.ToString(), ErrorCategory.InvalidData, target)
            {
                ErrorDetails = new ErrorDetails($"{problem.Key}{where}: {problem.Message}") { RecommendedAction = problem.Fix },
            };
            return record;
        }
    }

    /// <summary>A configuration value that a scan cannot use.</summary>
    public sealed class ConfigValueException : Exception
    {
        public ConfigValueException(string message) : base(message) { }
    }
}
