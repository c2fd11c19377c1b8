using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using Haniwers.Transport;

using Haniwers.Platform;
namespace Haniwers.PowerShell.Completers
{
    /// <summary>Tab completion for -PortName: the serial ports present, then auto and sim.</summary>
    public sealed class PortNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string prefix = wordToComplete.Trim('\'', '"');
            var ports = PortCatalog.List().Select(p => new CompletionResult(p.PortName, p.PortName, CompletionResultType.ParameterValue,
                $"{p.PortName}: {p.Description}{(p.LooksLikeDetector ? " (looks like a detector)" : "")}"));
            var special = new[]
            {
                new CompletionResult("sim", "sim", CompletionResultType.ParameterValue, "The simulated detector built into Haniwers"),
                new CompletionResult("auto", "auto", CompletionResultType.ParameterValue, "The one port that looks like a detector"),
            };
            return ports.Concat(special).Where(c => c.CompletionText.StartsWith(prefix, System.StringComparison.OrdinalIgnoreCase));
        }
    }
}
