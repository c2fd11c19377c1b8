using System.Management.Automation;
using Haniwers.Configuration;
using Haniwers.Scanning;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>The serial threshold scan: one channel at a time, the others held at the suppress threshold.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "HaniwersSerialScan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ScanResult))]
    public sealed class InvokeHaniwersSerialScanCommand : ScanCmdlet
    {
        protected override ScanMode Mode => ScanMode.Serial;
    }
}
