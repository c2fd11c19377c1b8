using System;
using System.Management.Automation;
using Haniwers.Scanning;

namespace Haniwers.PowerShell.Commands
{
    /// <summary>
    /// Write calls of a run's observer (scan or DAQ): the pipeline stopping under one is the consumer
    /// stopping (Select-Object -First, -ErrorAction Stop), not a fault of the run. The core tells it as
    /// an interruption and rethrows the original exception, so PowerShell stops the pipeline as it means to.
    /// </summary>
    internal static class ConsumerStop
    {
        public static void Tell(Action write)
        {
            try { write(); }
            catch (PipelineStoppedException ex) { throw new RunStoppedByConsumerException(ex); }
            catch (ActionPreferenceStopException ex) { throw new RunStoppedByConsumerException(ex); }
        }
    }
}
