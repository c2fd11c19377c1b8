using System;
using System.Threading;

namespace Haniwers.Transport
{
    /// <summary>One line from the device, stamped with the monotonic time it arrived.</summary>
    public readonly struct ReceivedLine
    {
        public ReceivedLine(string text, TimeSpan arrived, bool tooLong = false)
        {
            Text = text;
            Arrived = arrived;
            TooLong = tooLong;
        }

        /// <summary>The line without its end; for a <see cref="TooLong"/> line, only its start.</summary>
        public string Text { get; }
        public TimeSpan Arrived { get; }
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

        /// <summary>The next line, or false when <paramref name="deadline"/> (on <see cref="Clock"/>) passes first.</summary>
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
