using System;
using System.Collections.Generic;
using System.Linq;

namespace Haniwers.DataTaking
{
    /// <summary>An event came after its bin was already written: the input is not in time order.</summary>
    public sealed class LateEventException : Exception
    {
        public LateEventException(DateTimeOffset time, DateTimeOffset binWritten)
            : base(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"An event of {time:yyyy-MM-dd HH:mm:ss.ffffff zzz} comes after the bin of {binWritten:yyyy-MM-dd HH:mm:ss zzz} was written: the input is not in time order (two runs over the same time, or the host's clock stepped back)."))
        {
            Time = time;
        }

        public DateTimeOffset Time { get; }
    }

    /// <summary>
    /// Bins raw events in time as haniwers' preprocess does (docs/daq.md, "Rates"): the offset is added
    /// to each timestamp; bins of <see cref="IntervalSeconds"/> start at local midnight (in the time
    /// zone) of the first event's day; an event belongs to [start, start + interval). Streaming: only
    /// the last two bins are held, so memory does not grow with the input; events must come in time
    /// order within one bin's slack.
    /// </summary>
    public sealed class RateAggregator
    {
        /// <summary>A growing array of doubles (the statistics work on arrays, as numpy does).</summary>
        private sealed class Values
        {
            public double[] Items = new double[64];
            public int Count;

            /// <summary>Adds a value; NaN (a failed sensor) is left out, as haniwers' dropna() leaves it.</summary>
            public void Add(double value)
            {
                if (double.IsNaN(value)) return;
                if (Count == Items.Length) Array.Resize(ref Items, Items.Length * 2);
                Items[Count++] = value;
            }

            public void AddRange(Values other)
            {
                if (Count + other.Count > Items.Length) Array.Resize(ref Items, Math.Max(Items.Length * 2, Count + other.Count));
                Array.Copy(other.Items, 0, Items, Count, other.Count);
                Count += other.Count;
            }

            public double Mean() => NumpyStatistics.Mean(Items, Count);

            /// <summary>haniwers v1's spread: ddof 1, and 0.0 for a single value.</summary>
            public double Spread() => Count == 1 ? 0.0 : NumpyStatistics.StandardDeviation(Items, Count);
        }

        private sealed class Column
        {
            public readonly Values Adc = new Values(), Tmp = new Values(), Atm = new Values(), Hmd = new Values();
        }

        private sealed class OpenBin
        {
            public readonly long Index;
            public readonly Column?[] Types = new Column?[8];
            public OpenBin(long index) { Index = index; }
        }

        private readonly SortedDictionary<long, OpenBin> _open = new SortedDictionary<long, OpenBin>();
        private readonly TimeZoneInfo _zone;
        private readonly long _interval, _offset;
        private readonly Func<DateTimeOffset, DateTimeOffset, double?>? _liveSeconds;
        private readonly Action<RateBin> _onBin;
        private readonly Action<HaniwersRateRow>? _onHaniwersRow;
        private long? _originTicks;
        private OpenBin? _last; // most events go to the bin of the event before
        private long _lastWritten = long.MinValue;
        private long _firstUtc = long.MaxValue, _lastUtc = long.MinValue, _maxIndex = long.MinValue;
        private bool _completing;

        /// <param name="liveSeconds">Live seconds in a span (from DAQ journals), or null where none is known.</param>
        public RateAggregator(int intervalSeconds, int offsetSeconds, TimeZoneInfo zone, Func<DateTimeOffset, DateTimeOffset, double?>? liveSeconds,
            Action<RateBin> onBin, Action<HaniwersRateRow>? onHaniwersRow = null)
        {
            if (intervalSeconds < 1) throw new ArgumentOutOfRangeException(nameof(intervalSeconds), "The interval must be at least one second.");
            IntervalSeconds = intervalSeconds;
            _interval = intervalSeconds * TimeSpan.TicksPerSecond;
            _offset = offsetSeconds * TimeSpan.TicksPerSecond;
            _zone = zone;
            _liveSeconds = liveSeconds;
            _onBin = onBin;
            _onHaniwersRow = onHaniwersRow;
        }

        public int IntervalSeconds { get; }
        public long Events { get; private set; }

        public void Add(in RawEvent e, TimeZoneInfo? naiveZone = null)
        {
            long utc = e.UtcTicks;
            if (e.OffsetMinutes is null)
            {
                // a row without an offset is local time in the zone given (as haniwers v0 reads it)
                var zone = naiveZone ?? _zone;
                utc -= zone.GetUtcOffset(new DateTime(e.UtcTicks, DateTimeKind.Unspecified)).Ticks;
            }
            utc += _offset;
            _originTicks ??= StartOfDay(utc);
            long index = FloorDiv(utc - _originTicks.Value, _interval);
            if (utc < _firstUtc) _firstUtc = utc;
            if (utc > _lastUtc) _lastUtc = utc;
            if (index > _maxIndex) _maxIndex = index;
            OpenBin? bin = _last;
            if (bin is null || bin.Index != index) bin = Find(index, utc);
            var column = bin.Types[e.HitType] ??= new Column();
            column.Adc.Add(e.Fields.Adc);
            column.Tmp.Add(e.Fields.Temperature);
            column.Atm.Add(e.Fields.Pressure);
            column.Hmd.Add(e.Fields.Humidity);
            Events++;
        }

        private OpenBin Find(long index, long utc)
        {
            if (index <= _lastWritten) throw new LateEventException(ToZone(utc), ToZone(_originTicks!.Value + _lastWritten * _interval));
            if (!_open.TryGetValue(index, out var bin))
            {
                bin = new OpenBin(index);
                _open.Add(index, bin);
                // one bin of slack for events slightly out of order; older bins are complete
                while (_open.Count > 0 && _open.Keys.First() < index - 1) Write(_open.Keys.First());
            }
            _last = bin;
            return bin;
        }

        /// <summary>Writes the bins still open.</summary>
        public void Complete()
        {
            _completing = true;
            while (_open.Count > 0) Write(_open.Keys.First());
        }

        private void Write(long index)
        {
            var bin = _open[index];
            _open.Remove(index);
            if (ReferenceEquals(bin, _last)) _last = null;
            _lastWritten = index;
            long startUtc = _originTicks!.Value + index * _interval;
            var time = ToZone(startUtc);
            var result = new RateBin { Time = time, IntervalSeconds = IntervalSeconds };
            var all = new Column();
            for (int type = 0; type < 8; type++)
            {
                var c = bin.Types[type];
                if (c is null) continue;
                long n = c.Adc.Count;
                result.Patterns[type] = n;
                result.Events += n;
                if ((type & 4) != 0) result.Top += n;
                if ((type & 2) != 0) result.Mid += n;
                if ((type & 1) != 0) result.Btm += n;
                if (type is 3 or 5 or 6 or 7) result.Twofold += n;
                all.Adc.AddRange(c.Adc);
                all.Tmp.AddRange(c.Tmp);
                all.Atm.AddRange(c.Atm);
                all.Hmd.AddRange(c.Hmd);
                _onHaniwersRow?.Invoke(HaniwersRow(time, type, c));
            }
            result.Triple = result.Patterns[7];
            result.AdcMean = all.Adc.Mean();
            result.AdcStd = all.Adc.Spread();
            result.TemperatureMean = all.Tmp.Mean();
            result.TemperatureStd = all.Tmp.Spread();
            result.PressureMean = all.Atm.Mean();
            result.PressureStd = all.Atm.Spread();
            result.HumidityMean = all.Hmd.Mean();
            result.HumidityStd = all.Hmd.Spread();
            double? live = _liveSeconds?.Invoke(new DateTimeOffset(startUtc - _offset, TimeSpan.Zero), new DateTimeOffset(startUtc - _offset + _interval, TimeSpan.Zero));
            if (live is null)
            {
                // no journal: the interval, but the data's first and last bins only from the first event / to the last one
                long from = Math.Max(startUtc, _firstUtc), to = startUtc + _interval;
                if (_completing && index == _maxIndex) to = Math.Min(to, _lastUtc);
                live = Math.Max(0, to - from) / (double)TimeSpan.TicksPerSecond;
            }
            result.LiveSeconds = live.Value;
            result.LiveFromJournal = _liveSeconds is not null;
            _onBin(result);
        }

        /// <summary>haniwers v1's row: ddof-1 spread, 0.0 for a single value; per-layer rates divided by 3.0 as its aggregator does.</summary>
        private HaniwersRateRow HaniwersRow(DateTimeOffset time, int type, Column c)
        {
            long events = c.Adc.Count;
            return new HaniwersRateRow
            {
                Time = time, HitType = type, Events = events,
                AdcMean = c.Adc.Mean(), AdcStd = c.Adc.Spread(),
                TmpMean = c.Tmp.Mean(), TmpStd = c.Tmp.Spread(),
                AtmMean = c.Atm.Mean(), AtmStd = c.Atm.Spread(),
                HmdMean = c.Hmd.Mean(), HmdStd = c.Hmd.Spread(),
                EventRate = (double)events / IntervalSeconds,
                EventRateTop = (type / 4 * events) / 3.0 / IntervalSeconds,
                EventRateMid = (type % 4 / 2 * events) / 3.0 / IntervalSeconds,
                EventRateBtm = (type % 2 * events) / 3.0 / IntervalSeconds,
            };
        }

        private DateTimeOffset ToZone(long utcTicks)
        {
            var utc = new DateTimeOffset(utcTicks, TimeSpan.Zero);
            return TimeZoneInfo.ConvertTime(utc, _zone);
        }

        /// <summary>Local midnight, in the zone, of the day holding <paramref name="utcTicks"/> (pandas' origin "start_day").</summary>
        private long StartOfDay(long utcTicks)
        {
            var local = ToZone(utcTicks);
            var midnight = local.Date;
            return midnight.Ticks - _zone.GetUtcOffset(midnight).Ticks;
        }

        private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
    }
}
