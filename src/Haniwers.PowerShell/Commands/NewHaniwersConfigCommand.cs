using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using Haniwers.Configuration;
using Haniwers.PowerShell.Completers;
using Haniwers.PowerShell.Validation;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Writes a commented starting config.toml that haniwers and this module both accept; an existing
    /// file is kept unless -Force says otherwise.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "HaniwersConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PathSet)]
    [OutputType(typeof(FileInfo))]
    public sealed class NewHaniwersConfigCommand : HaniwersCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>The file to write; [ ] * ? are wildcards, as in Set-Content, and must match one file (a new file with such a name is given by -LiteralPath).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        /// <summary>The file to write, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = "";

        [Parameter]
        [ArgumentCompleter(typeof(PortNameCompleter))]
        [ValidateNotNullOrEmpty]
        public string PortName { get; set; } = "auto";

        [Parameter]
        [ValidatePerChannel]
        [ValidateRange(1, 1023)]
        public int[] Center { get; set; } = HaniwersConfig.DefaultCenters;

        [Parameter]
        [ValidateRange(1, 511)]
        public int NSteps { get; set; } = 10;

        [Parameter]
        [ValidateRange(1, 1023)]
        public int StepSize { get; set; } = 2;

        [Parameter]
        [ValidateRange(0.001, ConfigValidator.MaxWindowSeconds)]
        public double Duration { get; set; } = 10;

        /// <summary>The folder the runs' date folders go into; relative ones are taken from the current folder when a run starts.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Workspace { get; set; } = ".";

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            string path = Target();
            if (!string.Equals(System.IO.Path.GetExtension(path), ".toml", StringComparison.OrdinalIgnoreCase))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{path}': the file written is TOML, which haniwers reads as config.toml or hnw.toml; name it ...toml."),
                    "ConfigPathNotToml", ErrorCategory.InvalidArgument, path));
            }
            if (Directory.Exists(path))
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' is a folder; give the file to write, e.g. {System.IO.Path.Combine(path, "config.toml")}."),
                    "ConfigPathIsFolder", ErrorCategory.InvalidArgument, path));
            }
            if (File.Exists(path) && !Force.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' exists and is kept as it is. Give -Force to replace it, or another path."),
                    "ConfigFileExists", ErrorCategory.ResourceExists, path));
            }
            string text = ConfigTemplate.Render(PortName, Center, NSteps, StepSize, Duration, Workspace);
            if (!ShouldProcess(path, File.Exists(path) ? "Replace the configuration file" : "Write a configuration file")) return;
            try
            {
                string? folder = System.IO.Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
                File.WriteAllText(path, text, new UTF8Encoding(false));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                var failure = Output.OutputException.From(ex, path, "writing");
                ThrowTerminatingError(new ErrorRecord(failure, "Output" + failure.Problem, ErrorCategory.WriteError, path));
            }
            // the provider's item, as New-Item gives: it pipes into Get-Content and Test-HaniwersThresholdConfig
            WriteObject(SessionState.InvokeProvider.Item.Get(new[] { path }, force: true, literalPath: true), enumerateCollection: true);
        }

        /// <summary>The file to write: -LiteralPath as written; -Path as PowerShell's file cmdlets read it, which must name one file.</summary>
        private string Target()
        {
            if (ParameterSetName == LiteralPathSet) return ResolveUserPath(LiteralPath);
            var matches = ExpandPath(Path, literal: false);
            if (matches.Count == 1) return matches[0];
            ThrowTerminatingError(matches.Count == 0
                ? new ErrorRecord(new ItemNotFoundException($"{NothingMatches(Path)} To write a new file whose name has [ ] * ? in it, give it with -LiteralPath. Nothing was written."),
                    "ConfigPathNotFound", ErrorCategory.ObjectNotFound, Path)
                : new ErrorRecord(new ArgumentException($"-Path '{Path}' matches {matches.Count} files ({string.Join(", ", matches)}); name the one to write. Nothing was written."),
                    "ConfigPathAmbiguous", ErrorCategory.InvalidArgument, Path));
            return "";
        }
    }
}
