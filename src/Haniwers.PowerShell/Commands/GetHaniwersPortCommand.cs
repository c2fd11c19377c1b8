using System.Management.Automation;
using Haniwers.Transport;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>Lists the serial ports, with what the operating system says about each device.</summary>
    [Cmdlet(VerbsCommon.Get, "HaniwersPort")]
    [OutputType(typeof(PortInfo))]
    public sealed class GetHaniwersPortCommand : HaniwersCmdlet
    {
        [Parameter]
        public SwitchParameter DetectorOnly { get; set; }

        protected override void EndProcessing()
        {
            foreach (var port in PortCatalog.List())
            {
                if (!DetectorOnly.IsPresent || port.LooksLikeDetector) WriteObject(port);
            }
        }
    }
}
