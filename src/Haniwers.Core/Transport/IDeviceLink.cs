using System;
using System.Threading;

namespace Haniwers.Transport
{
    /// <summary>
    /// One line from the device, stamped with the span in which the device sent it, on the link's
    /// monotonic clock (docs/window-checks.md, "What the host knows about time"): it was in the
    /// host's hands by <see cref="Arrived"/>, and not sent before <see cref="Earliest"/>, the return of
    /// the read before the one that brought it. A line that came alone, from a read that returned
    /// within <see cref="PromptSpan"/> of the one before, was read as it arrived: it was sent at about
    /// <see cref="Arrived"/>. One that came with others, or after a longer wait, is
    /// <see cref="Backlogged"/>: it waited in a buffer while the host was not reading (a busy
    /// computer, a pause of the whole process), and was sent somewhere in [Earliest, Arrived].
    /// </summary>
    public readonly struct ReceivedLine
    {
        /// <summary>
        /// The longest a healthy reader goes between two reads: its wake-up interval
        /// (<see cref="StreamLink.ReadWake"/>) with room for scheduling.
        /// </summary>
        public static readonly TimeSpan PromptSpan = TimeSpan.FromMilliseconds(80);

        /// <summary>A line whose time of sending is known exactly (the simulator, a replay).</summary>
        public ReceivedLine(string text, TimeSpan arrived, bool tooLong = false) : this(text, arrived, arrived, tooLong, backlogged: false) { }

        public ReceivedLine(string text, TimeSpan earliest, TimeSpan arrived, bool tooLong, bool backlogged)
        {
            Text = text;
            Earliest = earliest <= arrived ? earliest : arrived;
            Arrived = arrived;
            TooLong = tooLong;
            Backlogged = backlogged;
        }

        /// <summary>The line without its end; for a <see cref="TooLong"/> line, only its start.</summary>
        public string Text { get; }
        /// <summary>When the host had the line.</summary>
        public TimeSpan Arrived { get; }
        /// <summary>The earliest moment the device can have sent it.</summary>
        public TimeSpan Earliest { get; }
        /// <summary>The line waited in a buffer while the host was not reading: when it was sent is known only to lie in [Earliest, Arrived].</summary>
        public bool Backlogged { get; }
        /// <summary>The line was longer than the protocol allows (docs/protocol.md): malformed whatever it starts with.</summary>
        public bool TooLong { get; }
        public override string ToString() => Text;
    }

    /// <summary>
    /// A byte link to one detector: lines in, bytes out. Serial, TCP and the in-process simulator
    /// implement it. A lost link throws <see cref="LinkLostException"/> until <see cref="Reopen"/> succeeds.
    /// </summary>
    public interface IDeviceLink : IDisposable
    {
        string PortName { get; }
        IClock Clock { get; }
        bool IsLost { get; }
        /// <summary>What the link noticed on its own: boot text, lines it had to drop, reads that fell behind.</summary>
        LinkCounters Counters { get; }

        void Write(byte[] data);

        /// <summary>
        /// The next line; false once <paramref name="deadline"/> (on <see cref="Clock"/>) has passed and
        /// every line the device sent before it has been returned. A host that fell behind does not
        /// end the wait early: the reader catches up first, so "nothing before the deadline" is a
        /// statement about the device, not about this computer.
        /// </summary>
        bool TryReadLine(TimeSpan deadline, CancellationToken cancellation, out ReceivedLine line);

        /// <summary>Drops every line already received.</summary>
        void DiscardInput();

        /// <summary>Closes and opens the link again (after a loss).</summary>
        void Reopen(CancellationToken cancellation);
    }

    public static class DeviceLinkExtensions
    {
        public static void WriteLine(this IDeviceLink link, string text) =>
            link.Write(System.Text.Encoding.ASCII.GetBytes(text + "\n"));
    }
}
