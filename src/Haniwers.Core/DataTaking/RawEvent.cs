using System;
using Haniwers.Protocol;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// One row of a raw event file (docs/daq.md, "Raw files"): when the host received the event, and
    /// its seven fields. The time is kept as UTC ticks and the offset it was written with, so that
    /// millions of rows parse without allocation.
    /// </summary>
    public struct RawEvent
    {
        public long UtcTicks;
        /// <summary>The UTC offset the row was written with, in minutes; null for a row without one.</summary>
        public short? OffsetMinutes;
        public EventFields Fields;

        /// <summary>The hit pattern as haniwers writes it: 4·top + 2·mid + btm, each 1 when its field is above 0.</summary>
        public int HitType => (Fields.Top > 0 ? 4 : 0) + (Fields.Mid > 0 ? 2 : 0) + (Fields.Btm > 0 ? 1 : 0);
    }
}
