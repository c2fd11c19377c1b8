using Haniwers.Transport;

using Haniwers.Configuration;

namespace Haniwers.Protocol
{
    /// <summary>
    /// Counts received lines by kind (docs/protocol.md, "Device to host"): events with their hits per
    /// channel and sums of the environment fields, malformed lines (too long included), DEBUG lines and
    /// boot text. A scan window and an event reader classify lines through the same tally.
    /// </summary>
    public sealed class LineTally
    {
        private readonly long[] _hits = new long[ConfigValidator.ChannelCount];
        private double _temperature, _pressure, _humidity;
        private long _temperatures, _pressures, _humidities; // values that are numbers (a failed sensor sends nan)

        public long Events { get; private set; }
        public long Malformed { get; private set; }
        public long Debug { get; private set; }
        public long Boot { get; private set; }

        /// <summary>Events with a hit on <paramref name="channel"/> (its field greater than 0).</summary>
        public long Hits(int channel) => _hits[channel - 1];

        public double? MeanTemperature => _temperatures > 0 ? _temperature / _temperatures : (double?)null;
        public double? MeanPressure => _pressures > 0 ? _pressure / _pressures : (double?)null;
        public double? MeanHumidity => _humidities > 0 ? _humidity / _humidities : (double?)null;

        /// <summary>Classifies and counts one line; <paramref name="fields"/> holds the event when the kind is Event.</summary>
        public LineKind Add(in ReceivedLine line, out EventFields fields)
        {
            var kind = EventLineParser.Classify(line, out fields);
            switch (kind)
            {
                case LineKind.Event:
                    Events++;
                    if (fields.Top > 0) _hits[0]++;
                    if (fields.Mid > 0) _hits[1]++;
                    if (fields.Btm > 0) _hits[2]++;
                    if (!double.IsNaN(fields.Temperature)) { _temperature += fields.Temperature; _temperatures++; }
                    if (!double.IsNaN(fields.Pressure)) { _pressure += fields.Pressure; _pressures++; }
                    if (!double.IsNaN(fields.Humidity)) { _humidity += fields.Humidity; _humidities++; }
                    break;
                case LineKind.Debug:
                    Debug++;
                    break;
                case LineKind.Boot:
                    Boot++;
                    break;
                case LineKind.Malformed:
                case LineKind.Token:
                    Malformed++;
                    break;
            }
            return kind;
        }
    }
}
