using System;

namespace Haniwers.Output
{
    /// <summary>One threshold write attempt: a row of threshold_operations.csv.</summary>
    public sealed class ThresholdOperation
    {
        public const string FileName = "threshold_operations.csv";

        public DateTimeOffset Timestamp { get; set; }
        public string RunId { get; set; } = "";
        public int Channel { get; set; }
        public int Threshold { get; set; }
        public bool Success { get; set; }
        /// <summary>Which attempt this row records (1 = first).</summary>
        public int Attempts { get; set; }
        public string Reason { get; set; } = "";
    }
}
