using System;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// One time bin of raw events (Measure-HaniwersRate): counts per channel and per hit pattern, true
    /// rates over the live time with Poisson errors, and the environment's means and spreads.
    /// </summary>
    public sealed class RateBin
    {
        /// <summary>The bin's start, in the time zone asked for.</summary>
        public DateTimeOffset Time { get; set; }
        public int IntervalSeconds { get; set; }
        /// <summary>Seconds the detector could record in this bin: from the DAQ journal where there is one, else the interval.</summary>
        public double LiveSeconds { get; set; }
        public bool LiveFromJournal { get; set; }
        public long Events { get; set; }
        /// <summary>Events with a hit on channel 1 (top), 2 (mid), 3 (btm).</summary>
        public long Top { get; set; }
        public long Mid { get; set; }
        public long Btm { get; set; }
        /// <summary>Events with a hit on all three layers (hit pattern 7): the muons.</summary>
        public long Triple { get; set; }
        /// <summary>Events with hits on at least two layers.</summary>
        public long Twofold { get; set; }
        /// <summary>Events per hit pattern, indexed by haniwers' hit_type = 4·top + 2·mid + btm.</summary>
        public long[] Patterns { get; set; } = new long[8];
        public double EventRate => Rate(Events);
        public double EventRateError => Error(Events);
        public double TopRate => Rate(Top);
        public double TopRateError => Error(Top);
        public double MidRate => Rate(Mid);
        public double MidRateError => Error(Mid);
        public double BtmRate => Rate(Btm);
        public double BtmRateError => Error(Btm);
        public double TwofoldRate => Rate(Twofold);
        public double TwofoldRateError => Error(Twofold);
        public double TripleRate => Rate(Triple);
        public double TripleRateError => Error(Triple);
        public double AdcMean { get; set; }
        public double AdcStd { get; set; }
        public double TemperatureMean { get; set; }
        public double TemperatureStd { get; set; }
        public double PressureMean { get; set; }
        public double PressureStd { get; set; }
        public double HumidityMean { get; set; }
        public double HumidityStd { get; set; }
        /// <summary>With -PressureCorrection: the triple rate corrected to the mean pressure of the data.</summary>
        public double? CorrectedTripleRate { get; set; }
        public double? CorrectedTripleRateError { get; set; }

        private double Rate(long count) => LiveSeconds > 0 ? count / LiveSeconds : double.NaN;
        private double Error(long count) => LiveSeconds > 0 ? Math.Sqrt(count) / LiveSeconds : double.NaN;

        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Time:yyyy-MM-dd HH:mm:ss zzz}: {Events} events, triple {TripleRate:0.###} ± {TripleRateError:0.###} Hz");
    }

    /// <summary>One row of haniwers v1's resampled.csv: one (bin, hit_type) with events, as its aggregator writes it.</summary>
    public sealed class HaniwersRateRow
    {
        public DateTimeOffset Time { get; set; }
        public int HitType { get; set; }
        public long Events { get; set; }
        public double AdcMean { get; set; }
        public double AdcStd { get; set; }
        public double TmpMean { get; set; }
        public double TmpStd { get; set; }
        public double AtmMean { get; set; }
        public double AtmStd { get; set; }
        public double HmdMean { get; set; }
        public double HmdStd { get; set; }
        public double EventRate { get; set; }
        public double EventRateTop { get; set; }
        public double EventRateMid { get; set; }
        public double EventRateBtm { get; set; }

        public static readonly string[] Columns =
        {
            "time", "hit_type", "events", "adc_mean", "adc_std", "tmp_mean", "tmp_std", "atm_mean", "atm_std",
            "hmd_mean", "hmd_std", "event_rate", "event_rate_top", "event_rate_mid", "event_rate_btm",
        };

        /// <summary>The row's fields as pandas' to_csv writes them.</summary>
        public string[] Fields()
        {
            string time = Time.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)
                + (Time.Ticks % TimeSpan.TicksPerSecond != 0 ? Time.ToString(".ffffff", System.Globalization.CultureInfo.InvariantCulture) : "")
                + Time.ToString("zzz", System.Globalization.CultureInfo.InvariantCulture);
            return new[]
            {
                time, HitType.ToString(System.Globalization.CultureInfo.InvariantCulture), Events.ToString(System.Globalization.CultureInfo.InvariantCulture),
                PythonFloat.Repr(AdcMean), PythonFloat.Repr(AdcStd), PythonFloat.Repr(TmpMean), PythonFloat.Repr(TmpStd),
                PythonFloat.Repr(AtmMean), PythonFloat.Repr(AtmStd), PythonFloat.Repr(HmdMean), PythonFloat.Repr(HmdStd),
                PythonFloat.Repr(EventRate), PythonFloat.Repr(EventRateTop), PythonFloat.Repr(EventRateMid), PythonFloat.Repr(EventRateBtm),
            };
        }
    }
}
