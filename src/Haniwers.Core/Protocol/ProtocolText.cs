using System.Globalization;

namespace Haniwers.Protocol
{
    /// <summary>
    /// The literal commands and answers of the text firmware (docs/protocol.md), written once: the
    /// host's firmware classes send them and the simulator answers them.
    /// </summary>
    public static class ProtocolText
    {
        public const string SetStream = "SET_STREAM";
        public const string SetThreshold = "SET_THRESHOLD";
        /// <summary>Asks the board for its MAC address; the answer is one line XX:XX:XX:XX:XX:XX (haniwers' GET_MAC).</summary>
        public const string GetMac = "GET_MAC";
        public const string PauseStream = SetStream + " 0";
        public const string ResumeStream = SetStream + " 1";
        /// <summary>The binary firmware's refusal.</summary>
        public const string BinaryRefused = "dame";
        /// <summary>The longest line the protocol allows; a longer one is malformed, never cut into an event.</summary>
        public const int MaxLineLength = Transport.StreamLink.MaxLineLength;

        public static string SetThresholdCommand(int channel, int threshold) =>
            string.Format(CultureInfo.InvariantCulture, "{0} {1} {2}", SetThreshold, channel, threshold);

        public static string OkAnswer(int channel, int threshold) =>
            string.Format(CultureInfo.InvariantCulture, "{{\"type\":\"response\",\"status\":\"ok\",\"channel\":{0},\"threshold\":{1}}}", channel, threshold);

        public static string ErrorAnswer(int? channel, string message) => channel is int ch
            ? string.Format(CultureInfo.InvariantCulture, "{{\"type\":\"response\",\"status\":\"error\",\"channel\":{0},\"message\":\"{1}\"}}", ch, message)
            : $"{{\"type\":\"response\",\"status\":\"error\",\"message\":\"{message}\"}}";
    }
}
