using System.Management.Automation;
using Haniwers.Configuration;

using Haniwers.Scanning;
namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Checks scan configurations: $true/$false per input, every problem also a non-terminating
    /// error; -Detailed writes a report object instead.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "HaniwersThresholdConfig", DefaultParameterSetName = ConfigSet)]
    [OutputType(typeof(bool))]
    [OutputType(typeof(ThresholdConfigReport))]
    public sealed class TestHaniwersThresholdConfigCommand : HaniwersCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string ConfigSet = "Config";

        /// <summary>Config files, or wildcards naming them.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("ConfigPath")]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Config files taken as they are written (no wildcards); also Get-ChildItem's output.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        [Parameter(Mandatory = true, ParameterSetName = ConfigSet, ValueFromPipeline = true)]
        public object Config { get; set; } = null!;

        [Parameter]
        public ScanMode Mode { get; set; } = ScanMode.Parallel;

        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void ProcessRecord()
        {
            // Whatever is piped binds to -Config (so a config object is never turned into a path);
            // a piped string or file (Get-ChildItem) is read as a path.
            object piped = Config is PSObject pso ? pso.BaseObject : Config;
            bool literal = ParameterSetName == LiteralPathSet;
            string[] paths = literal ? LiteralPath : Path;
            if (ParameterSetName == ConfigSet && piped is string or System.IO.FileSystemInfo)
            {
                literal = piped is System.IO.FileSystemInfo;
                paths = new[] { piped is System.IO.FileSystemInfo file ? file.FullName : (string)piped };
            }
            else if (ParameterSetName == ConfigSet)
            {
                HaniwersConfig config;
                try
                {
                    config = ConfigInput.FromObject(Config);
                }
                catch (System.ArgumentException ex)
                {
                    WriteError(new ErrorRecord(ex, "InvalidConfigArgument", ErrorCategory.InvalidArgument, Config));
                    WriteResult(null);
                    return;
                }
                Report(config);
                return;
            }
            foreach (string given in paths)
            {
                var expanded = ExpandPath(given, literal);
                if (expanded.Count == 0)
                {
                    WriteError(ConfigPatternMatchesNothing(given));
                    WriteResult(null);
                }
                foreach (string fullPath in expanded)
                {
                    try
                    {
                        Report(ConfigInput.ReadFile(fullPath));
                    }
                    catch (ConfigFileException ex)
                    {
                        WriteError(ConfigFileError(ex));
                        WriteResult(null);
                    }
                }
            }
        }

        private void Report(HaniwersConfig config)
        {
            WarnUnknownKeys(config);
            var report = ThresholdConfigReport.Create(config, Mode);
            foreach (var problem in report.Problems)
            {
                WriteError(ConfigProblemError(problem, config));
            }
            WriteResult(report);
        }

        private void WriteResult(ThresholdConfigReport? report)
        {
            if (Detailed.IsPresent)
            {
                if (report is not null) WriteObject(report);
                return;
            }
            WriteObject(report?.IsValid ?? false);
        }
    }
}
