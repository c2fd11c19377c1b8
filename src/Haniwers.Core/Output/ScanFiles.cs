using System.Collections.Generic;
using System.Linq;
using Haniwers.Configuration;

namespace Haniwers.Output
{
    /// <summary>The files a scan writes into its run folder (docs/formats.md), named once for writers, readers and recovery.</summary>
    public static class ScanFiles
    {
        /// <summary>A channel's results: scan_results_ch{channel}.csv.</summary>
        public static string ResultFileName(int channel) => $"scan_results_ch{channel}.csv";

        /// <summary>Every channel's result file name, channel 1 first.</summary>
        public static IEnumerable<string> ResultFileNames => ConfigValidator.Channels.Select(ResultFileName);
    }
}
