using System;
using System.Globalization;
using System.IO;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Haniwers.DataTaking
{
    /// <summary>Which columns Measure-HaniwersRate writes to its CSV.</summary>
    public enum RateFileFormat
    {
        /// <summary>This module's bins: one row per bin (docs/daq.md, "Rates").</summary>
        Rates,
        /// <summary>haniwers v1's resampled.csv: one row per (bin, hit_type), its columns and numbers.</summary>
        Haniwers,
    }

    /// <summary>Writes rate bins to CSV through CsvHelper, row by row as they are made.</summary>
    public sealed class RateCsvWriter : IDisposable
    {
        private static readonly string[] RateColumns =
        {
            "Time", "IntervalSeconds", "LiveSeconds", "LiveFromJournal", "Events", "Top", "Mid", "Btm", "Twofold", "Triple",
            "Pattern0", "Pattern1", "Pattern2", "Pattern3", "Pattern4", "Pattern5", "Pattern6", "Pattern7",
            "EventRate", "EventRateError", "TopRate", "TopRateError", "MidRate", "MidRateError", "BtmRate", "BtmRateError",
            "TwofoldRate", "TwofoldRateError", "TripleRate", "TripleRateError", "CorrectedTripleRate", "CorrectedTripleRateError",
            "AdcMean", "AdcStd", "TemperatureMean", "TemperatureStd", "PressureMean", "PressureStd", "HumidityMean", "HumidityStd",
        };

        private readonly StreamWriter _text;
        private readonly CsvWriter _csv;

        public RateCsvWriter(string path, RateFileFormat format)
        {
            Format = format;
            // pandas writes os.linesep, and so does this
            _text = new StreamWriter(path, append: false, new UTF8Encoding(false)) { NewLine = Environment.NewLine };
            _csv = new CsvWriter(_text, new CsvConfiguration(CultureInfo.InvariantCulture) { NewLine = Environment.NewLine });
            foreach (var column in format == RateFileFormat.Haniwers ? HaniwersRateRow.Columns : RateColumns) _csv.WriteField(column);
            _csv.NextRecord();
        }

        public RateFileFormat Format { get; }

        public void Write(HaniwersRateRow row)
        {
            foreach (var field in row.Fields()) _csv.WriteField(field);
            _csv.NextRecord();
        }

        public void Write(RateBin bin)
        {
            string F(double v) => PythonFloat.Repr(v);
            _csv.WriteField(bin.Time.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
            _csv.WriteField(bin.IntervalSeconds);
            _csv.WriteField(F(bin.LiveSeconds));
            _csv.WriteField(bin.LiveFromJournal);
            foreach (var n in new[] { bin.Events, bin.Top, bin.Mid, bin.Btm, bin.Twofold, bin.Triple }) _csv.WriteField(n);
            foreach (var n in bin.Patterns) _csv.WriteField(n);
            foreach (var v in new[] { bin.EventRate, bin.EventRateError, bin.TopRate, bin.TopRateError, bin.MidRate, bin.MidRateError, bin.BtmRate, bin.BtmRateError,
                bin.TwofoldRate, bin.TwofoldRateError, bin.TripleRate, bin.TripleRateError, bin.CorrectedTripleRate ?? double.NaN, bin.CorrectedTripleRateError ?? double.NaN,
                bin.AdcMean, bin.AdcStd, bin.TemperatureMean, bin.TemperatureStd, bin.PressureMean, bin.PressureStd, bin.HumidityMean, bin.HumidityStd })
            {
                _csv.WriteField(F(v));
            }
            _csv.NextRecord();
        }

        public void Dispose()
        {
            _csv.Dispose();
            _text.Dispose();
        }
    }
}
