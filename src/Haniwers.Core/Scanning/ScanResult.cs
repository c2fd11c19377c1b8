using System;
using Haniwers.Configuration;

namespace Haniwers.Scanning
{
    /// <summary>
    /// One channel's count in one completed step: a pipeline object, and a row of
    /// scan_results_ch&lt;N&gt;.csv with the same column names.
    /// </summary>
    public sealed class ScanResult
    {
        public DateTimeOffset Timestamp { get; set; }
        public string RunId { get; set; } = "";
        public ScanMode Mode { get; set; }
        public int Step { get; set; }
        public int Channel { get; set; }
        public int Threshold { get; set; }
        /// <summary>The window as measured by the host's monotonic clock.</summary>
        public double DurationSeconds { get; set; }
        /// <summary>Events in the window with a hit on this channel.</summary>
        public long Events { get; set; }
        /// <summary>Events / DurationSeconds, in Hz.</summary>
        public double Rate { get; set; }
        /// <summary>Poisson error of the rate: sqrt(Events) / DurationSeconds.</summary>
        public double RateError { get; set; }
        /// <summary>Event lines in the window, any channel.</summary>
        public long Triggers { get; set; }
        /// <summary>Mean temperature of the window's events (degrees Celsius); empty when there were none.</summary>
        public double? Temperature { get; set; }
        /// <summary>Mean air pressure (Pa).</summary>
        public double? Pressure { get; set; }
        /// <summary>Mean relative humidity (%).</summary>
        public double? Humidity { get; set; }

        public override string ToString() => $"step {Step} ch{Channel} @ {Threshold}: {Events} events, {Rate:0.###} Hz";
    }
}
