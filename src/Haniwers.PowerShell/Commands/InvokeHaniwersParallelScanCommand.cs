using System.Management.Automation;
using Haniwers.Configuration;
using Haniwers.Scanning;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>The parallel threshold scan: all channels step together, one window per step.</summary>
    [Cmdlet(VerbsLifecycle.Invoke, "HaniwersParallelScan", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ScanResult))]
    public sealed class InvokeHaniwersParallelScanCommand : ScanCmdlet
    {
        protected override ScanMode Mode => ScanMode.Parallel;
    }
}
