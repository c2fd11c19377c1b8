using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Haniwers.Output;

namespace Haniwers.Analysis
{
    /// <summary>
    /// threshold_fits.csv, the history of fits in a folder (docs/formats.md): rows appended by one writer at a time (the
    /// folder's lock, so two fits at once lose no row), never after a row a crash cut short (it is cut back first, and
    /// said), each on the disk before the append returns, the file closed with its close's failure told.
    /// </summary>
    public static class FitHistory
    {
        /// <summary>Appends <paramref name="rows"/>; returns what was repaired first. Throws <see cref="OutputException"/>, <see cref="RunFolderInUseException"/>, <see cref="CsvHeaderMismatchException"/>.</summary>
        public static IReadOnlyList<string> Append(string folder, IEnumerable<ThresholdFitRecord> rows)
        {
            var repaired = new List<string>();
            string path = Path.Combine(folder, ThresholdFitRecord.FileName);
            using (RunFolder.LockForShortWrite(folder, "appending to the fit history", TimeSpan.FromSeconds(5)))
            {
                if (File.Exists(path))
                {
                    using var stream = Platform.NoFollow.Open(path, FileMode.Open, FileAccess.ReadWrite);
                    if (WriteAheadRepair.LastLineStart(stream) is long keep)
                    {
                        stream.Seek(keep, SeekOrigin.Begin);
                        var cut = new byte[stream.Length - keep];
                        int n = stream.Read(cut, 0, cut.Length);
                        stream.SetLength(keep);
                        Platform.DiskSync.Flush(stream);
                        Platform.DiskSync.Close(stream);
                        repaired.Add($"{path}: removed a row cut off by a crash (\"{ScanFileReader.Excerpt(Encoding.UTF8.GetString(cut, 0, n))}\") before the new rows");
                    }
                }
                using var appender = CsvAppender<ThresholdFitRecord>.Open(path);
                appender.Append(rows);
                appender.Close();
            }
            return repaired;
        }
    }
}
