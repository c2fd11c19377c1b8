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
    [Cmdlet(VerbsCommon.New, "HaniwersConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class NewHaniwersConfigCommand : HaniwersCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

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
            string path = ResolveUserPath(Path);
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
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' exists and is kept as it is. Give -Force to replace it, or another -Path."),
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
    }
}
