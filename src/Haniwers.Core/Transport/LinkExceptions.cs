using System;
using System.Collections.Generic;

namespace Haniwers.Transport
{
    /// <summary>Base of every failure to reach the detector.</summary>
    public class DeviceLinkException : Exception
    {
        public DeviceLinkException(string portName, string message, Exception? inner = null) : base(message, inner) => PortName = portName;
        public string PortName { get; }
    }

    /// <summary>The link was open and is gone: device unplugged, bridge closed, port error. It can be reopened.</summary>
    public sealed class LinkLostException : DeviceLinkException
    {
        public LinkLostException(string portName, string reason, Exception? inner = null)
            : base(portName, $"The link to {portName} was lost: {reason}", inner) { }
    }

    /// <summary>The port does not exist. Lists the ports that do.</summary>
    public sealed class PortNotFoundException : DeviceLinkException
    {
        public PortNotFoundException(string portName, IReadOnlyList<string> available, string? detail = null)
            : base(portName, Describe(portName, available, detail)) => Available = available;

        public IReadOnlyList<string> Available { get; }

        private static string Describe(string portName, IReadOnlyList<string> available, string? detail)
        {
            string ports = available.Count == 0 ? "no serial port was found" : "the ports that exist are: " + string.Join(", ", available);
            return $"Serial port '{portName}' does not exist{(detail is null ? "" : " (" + detail + ")")}; {ports}.";
        }
    }

    /// <summary>The port exists but this user may not open it.</summary>
    public sealed class PortAccessDeniedException : DeviceLinkException
    {
        public PortAccessDeniedException(string portName, Exception inner)
            : base(portName, $"Permission denied opening '{portName}'. " +
                   Advice(Haniwers.Platform.HostPlatforms.Current, portName), inner) { }

        /// <summary>What to do about a refusal, per OS: the group that owns serial devices is a Linux notion.</summary>
        public static string Advice(Haniwers.Platform.HostPlatform platform, string portName) => platform switch
        {
            Haniwers.Platform.HostPlatform.Linux => "On Linux, add yourself to the dialout group (sudo usermod -aG dialout $USER; uucp on Arch), then log out and back in.",
            Haniwers.Platform.HostPlatform.MacOS => $"On macOS every account may open a serial device (crw-rw-rw-), so something changed this one's permissions or a security tool refuses it: check with ls -l {portName}, and whether a driver or an app asks for approval in System Settings, Privacy & Security.",
            _ => "Windows refuses a second open of a COM port this way: close any other program that holds the port (Arduino IDE, serial monitor, another PowerShell) and try again.",
        };
    }

    /// <summary>Another program or session already has the port open.</summary>
    public sealed class PortInUseException : DeviceLinkException
    {
        public PortInUseException(string portName, string owner, string? hint = null)
            : base(portName, $"Port '{portName}' is in use by {owner}. {hint ?? "Wait for it to finish, or stop it, and try again."}") => Owner = owner;
        public string Owner { get; }
    }

    /// <summary>The link could not be opened for another reason (tcp refused, serial error).</summary>
    public sealed class LinkOpenException : DeviceLinkException
    {
        public LinkOpenException(string portName, string message, Exception? inner = null) : base(portName, message, inner) { }
    }

    /// <summary>A replayed recording has no more events (docs/daq.md, "Replay").</summary>
    public sealed class RecordingEndedException : DeviceLinkException
    {
        public RecordingEndedException(string portName, string message) : base(portName, message) { }
    }
}
