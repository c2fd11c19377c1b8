using System.Linq;
using System.Management.Automation;
using Haniwers.Transport;

using Haniwers.Platform;
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
            var ports = PortCatalog.List();
            foreach (var port in ports)
            {
                WriteVerbose($"{port.PortName}: {port.Qualification}.");
                if (!DetectorOnly.IsPresent || port.LooksLikeDetector) WriteObject(port);
            }
            if (ports.Count == 0)
            {
                WriteWarning("No serial port was found. Plug the detector in (a USB cable that carries data, not only power), check that its driver is installed (CH340 boards need one on Windows and older macOS), or use -PortName sim for the simulated detector.");
            }
            else if (DetectorOnly.IsPresent && !ports.Any(p => p.LooksLikeDetector))
            {
                WriteWarning($"None of the {ports.Count} serial port(s) looks like a detector: {string.Join("; ", ports.Select(p => $"{p.PortName}: {p.Qualification}"))}.");
            }
        }
    }
}
