using System.Management.Automation;
using Haniwers.Configuration;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>Reads a haniwers config.toml (or .psd1) into the configuration object a scan will use.</summary>
    [Cmdlet(VerbsData.Import, "HaniwersConfig")]
    [OutputType(typeof(HaniwersConfig))]
    public sealed class ImportHaniwersConfigCommand : HaniwersCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName", "PSPath")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = "";

        protected override void ProcessRecord()
        {
            string fullPath = ResolveUserPath(Path);
            HaniwersConfig config;
            try
            {
                config = ConfigInput.ReadFile(fullPath);
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
