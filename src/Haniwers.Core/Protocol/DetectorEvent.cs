using System;

namespace Haniwers.Protocol
{
    /// <summary>The seven fields of one event line (docs/protocol.md), without allocation.</summary>
    public struct EventFields
    {
        public int Top;
        public int Mid;
        public int Btm;
        public int Adc;
        public double Temperature;
        public double Pressure;
        public double Humidity;

        /// <summary>Whether the event hit channel 1, 2 or 3 (its field is greater than 0).</summary>
        public bool Hit(int channel) => channel switch { 1 => Top > 0, 2 => Mid > 0, 3 => Btm > 0, _ => false };
    }

    /// <summary>One trigger from the detector, as Receive-HaniwersEvent writes it.</summary>
    public sealed class DetectorEvent
    {
        public DetectorEvent(DateTimeOffset timestamp, in EventFields fields)
        {
            Timestamp = timestamp;
            Top = fields.Top;
            Mid = fields.Mid;
            Btm = fields.Btm;
            Adc = fields.Adc;
            Temperature = fields.Temperature;
            Pressure = fields.Pressure;
            Humidity = fields.Humidity;
        }

        /// <summary>When the host received the line.</summary>
        public DateTimeOffset Timestamp { get; }
        public int Top { get; }
        public int Mid { get; }
        public int Btm { get; }
        public int Adc { get; }
        public double Temperature { get; }
        public double Pressure { get; }
        public double Humidity { get; }
    }
}
