using System.Management.Automation;
using Haniwers.Configuration;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// A command that runs a measurement into a run folder (the scans, Invoke-HaniwersDaq): the
    /// parameters they share, declared once, and how they override the config's [sampler].
    /// </summary>
    public abstract class RunCmdlet : DeviceCmdlet
    {
        /// <summary>The run folder; the config's workspace and today's date when not given.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        /// <summary>Seconds to keep reopening a lost link; the config's reconnect_timeout when not given.</summary>
        [Parameter]
        [ValidateRange(0.0, ConfigValidator.MaxReconnectSeconds)]
        public double? ReconnectTimeout { get; set; }

        /// <summary>The shared parameters given on the command line, over the config's [sampler].</summary>
        protected void ApplyRunParameters(SamplerSettings sampler)
        {
            if (ReconnectTimeout is double reconnect) sampler.ReconnectTimeout = reconnect;
        }
    }
}
