using System;
using Haniwers.Configuration;

namespace Haniwers.DataTaking
{
    /// <summary>How raw files rotate (haniwers' sampler.mode).</summary>
    public enum DaqMode
    {
        /// <summary>events_per_file events per file.</summary>
        CountBased,
        /// <summary>duration seconds per file.</summary>
        TimeBased,
    }

    /// <summary>What a DAQ run writes and when it ends (docs/daq.md).</summary>
    public sealed class DaqSettings
    {
        public DaqMode Mode { get; set; } = DaqMode.CountBased;
        public int EventsPerFile { get; set; } = 10000;
        public TimeSpan FileDuration { get; set; } = DefaultFileDuration;

        /// <summary>A time-based run's seconds per file when the config gives none a run can use.</summary>
        public static readonly TimeSpan DefaultFileDuration = TimeSpan.FromSeconds(600);
        /// <summary>Files the run writes before it ends; 0 = until stopped.</summary>
        public int FileCount { get; set; }
        public string Prefix { get; set; } = "data";
        public string Suffix { get; set; } = ".csv";
        /// <summary>The device's MAC address as 12 lowercase hex digits, or "unknown".</summary>
        public string Mac { get; set; } = "unknown";
        /// <summary>Each row goes to the operating system as it is written (haniwers' stream_mode).</summary>
        public bool StreamMode { get; set; } = true;
        /// <summary>Without stream mode: rows are handed to the operating system at least this often...</summary>
        public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
        /// <summary>...or every this many rows, whichever comes first.</summary>
        public int FlushEvents { get; set; } = 1000;
        /// <summary>The file is put on the disk (fsync) at least this often, and when it closes.</summary>
        public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(1);

        public static DaqSettings From(SamplerSettings sampler) => new DaqSettings
        {
            Mode = sampler.Mode == "time_based" ? DaqMode.TimeBased : DaqMode.CountBased,
            EventsPerFile = sampler.EventsPerFile,
            // a count-based run does not use it; a time-based one was refused above 30 days (ConfigValidator.ValidateDaq)
            FileDuration = sampler.Duration > 0 && sampler.Duration <= Configuration.ConfigValidator.MaxFileSeconds ? TimeSpan.FromSeconds(sampler.Duration) : DefaultFileDuration,
            FileCount = sampler.NumberOfFiles,
            Prefix = sampler.FilenamePrefix,
            Suffix = sampler.FilenameSuffix,
            StreamMode = sampler.StreamMode,
        };

        /// <summary>
        /// haniwers v1's file name: <c>{prefix}_{mac}_{yyyy-MM-dd_HHhmmmsss}_{fid:0000000}{suffix}</c>, the time the
        /// file's acquisition starts, local.
        /// </summary>
        public string FileName(DateTimeOffset opened, int fileId) =>
            $"{Prefix}_{Mac}_{opened.ToString("yyyy-MM-dd_HH'h'mm'm'ss's'", System.Globalization.CultureInfo.InvariantCulture)}_{fileId:0000000}{Suffix}";

        public string Describe() => (Mode == DaqMode.CountBased ? $"{EventsPerFile} events per file" : $"{FileDuration.TotalSeconds:0.###} s per file")
            + (FileCount > 0 ? $", {FileCount} file(s)" : ", until stopped")
            + (StreamMode ? "; each row written as it comes" : $"; rows written every {FlushInterval.TotalSeconds:0.###} s or {FlushEvents} events");

        /// <summary>A MAC address as haniwers puts it in file names: 12 lowercase hex digits, else "unknown".</summary>
        public static string FormatMac(string? mac)
        {
            if (string.IsNullOrWhiteSpace(mac)) return "unknown";
            string cleaned = mac!.Trim().Replace(":", "").Replace("-", "").ToLowerInvariant();
            if (cleaned.Length != 12) return "unknown";
            foreach (char c in cleaned) if (!Uri.IsHexDigit(c)) return "unknown";
            return cleaned;
        }
    }
}
