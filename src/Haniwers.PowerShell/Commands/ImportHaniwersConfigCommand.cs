using System.Management.Automation;
using Haniwers.Configuration;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>Reads a haniwers config.toml (or .psd1) into the configuration object a scan will use.</summary>
    [Cmdlet(VerbsData.Import, "HaniwersConfig", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(HaniwersConfig))]
    public sealed class ImportHaniwersConfigCommand : HaniwersCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>Config files, or wildcards naming them.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Config files taken as they are written (no wildcards); also Get-ChildItem's output.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = new string[0];

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string given in literal ? LiteralPath : Path)
            {
                var expanded = ExpandPath(given, literal);
                if (expanded.Count == 0) WriteError(ConfigPatternMatchesNothing(given));
                foreach (string fullPath in expanded) Import(fullPath);
            }
        }

        private void Import(string fullPath)
        {
            HaniwersConfig config;
            try
            {
                config = WarnUnknownKeys(ConfigInput.ReadFile(fullPath));
            }
            catch (ConfigFileException ex)
            {
                WriteError(ConfigFileError(ex));
                return;
            }
            int problems = ConfigValidator.Validate(config, ScanMode.Serial).Count;
            if (problems > 0)
            {
                WriteWarning($"{fullPath} has {problems} problem(s) a scan would refuse; Test-HaniwersThresholdConfig -Path '{fullPath}' lists them.");
            }
            WriteObject(config);
        }
    }
}
