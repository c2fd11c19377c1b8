using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CsvHelper;
using CsvHelper.Configuration;
using Haniwers.Output;

namespace Haniwers.Analysis
{
    /// <summary>
    /// Reads scan points from files: this module's scan_results_ch&lt;N&gt;.csv (or anything with the
    /// columns Channel, Threshold, Events, DurationSeconds, such as Export-Csv of the scan objects),
    /// a run folder, or the Python tool's headerless parallel.csv / serial.csv.
    /// </summary>
    public static class ScanFileReader
    {
        /// <summary>The Python tool's columns: timestamp,event_count,ch1,ch2,ch3,top,mid,btm.</summary>
        public const int PythonColumns = 8;

        public static IEnumerable<string> FilesIn(string folder)
        {
            var ours = Enumerable.Range(1, 3).Select(ch => Path.Combine(folder, ScanRun.ResultFileName(ch))).Where(File.Exists).ToList();
            if (ours.Count > 0) return ours;
            var python = new[] { "parallel.csv", "serial.csv" }.Select(f => Path.Combine(folder, f)).Where(File.Exists).ToList();
            if (python.Count > 0) return python;
            throw new FileNotFoundException($"'{folder}' has no scan_results_ch1..3.csv and no haniwers parallel.csv or serial.csv.", folder);
        }

        /// <param name="pythonWindowSeconds">The window of a Python-tool file, which does not record it; rates are then counts per window when 1.</param>
        /// <param name="suppressThreshold">In a Python serial.csv, rows where a channel sits at or above this were not scanning it.</param>
        public static List<ScanPoint> Read(string path, double pythonWindowSeconds = 1, int suppressThreshold = 1000)
        {
            string first;
            using (var reader = new StreamReader(path))
            {
                first = reader.ReadLine() ?? "";
            }
            var header = first.Split(',').Select(h => h.Trim().Trim('"')).ToList();
            if (header.Contains("Channel") && header.Contains("Threshold")) return ReadOurs(path);
            if (header.Count == PythonColumns) return ReadPython(path, pythonWindowSeconds, suppressThreshold);
            throw new InvalidDataException($"'{path}' is neither a Haniwers scan file (columns Channel, Threshold, Events, DurationSeconds) nor a haniwers parallel.csv/serial.csv (8 columns without header): its first line is '{first}'.");
        }

        private static List<ScanPoint> ReadOurs(string path)
        {
            var points = new List<ScanPoint>();
            using var reader = new StreamReader(path);
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { MissingFieldFound = null, BadDataFound = null });
            csv.Read();
            csv.ReadHeader();
            foreach (var column in new[] { "Channel", "Threshold", "Events", "DurationSeconds" })
            {
                if (!csv.HeaderRecord!.Contains(column)) throw new InvalidDataException($"'{path}' has no {column} column.");
            }
            bool hasRun = csv.HeaderRecord!.Contains("RunId");
            while (csv.Read())
            {
                // a cut row (power loss) has empty or missing fields: it becomes NaN and the fit drops it with a warning
                points.Add(new ScanPoint(
                    csv.TryGetField<int>("Channel", out var channel) ? channel : 0,
                    csv.TryGetField<double>("Threshold", out var threshold) ? threshold : double.NaN,
                    csv.TryGetField<double>("Events", out var events) ? events : double.NaN,
                    csv.TryGetField<double>("DurationSeconds", out var duration) ? duration : double.NaN,
                    hasRun ? csv.GetField("RunId") : null));
            }
            return points.Where(p => p.Channel >= 1 && p.Channel <= 3).ToList();
        }

        private static List<ScanPoint> ReadPython(string path, double window, int suppressThreshold)
        {
            var points = new List<ScanPoint>();
            string run = Path.GetFileName(path);
            using var reader = new StreamReader(path);
            using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { HasHeaderRecord = false, MissingFieldFound = null, BadDataFound = null });
            while (csv.Read())
            {
                for (int channel = 1; channel <= 3; channel++)
                {
                    double threshold = csv.TryGetField<double>(1 + channel, out var t) ? t : double.NaN;
                    double hits = csv.TryGetField<double>(4 + channel, out var h) ? h : double.NaN;
                    if (threshold >= suppressThreshold) continue; // a serial scan held this channel quiet
                    points.Add(new ScanPoint(channel, threshold, hits, window, run));
                }
            }
            return points;
        }
    }
}
