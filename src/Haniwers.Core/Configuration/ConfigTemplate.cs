using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Haniwers.Configuration
{
    /// <summary>
    /// A commented starting config.toml that haniwers (v1) and this module both accept: every key
    /// haniwers requires (<see cref="HaniwersCompatibility"/>), and this module's own keys marked as such.
    /// </summary>
    public static class ConfigTemplate
    {
        /// <summary>A TOML basic string: backslashes, quotes and control characters escaped.</summary>
        public static string Quote(string value)
        {
            var text = new System.Text.StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '\\': text.Append("\\\\"); break;
                    case '"': text.Append("\\\""); break;
                    case '\n': text.Append("\\n"); break;
                    case '\r': text.Append("\\r"); break;
                    case '\t': text.Append("\\t"); break;
                    default:
                        if (char.IsControl(c)) text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                        else text.Append(c);
                        break;
                }
            }
            return text.Append('"').ToString();
        }

        public static string Render(string port, IReadOnlyList<int> centers, int nsteps, int stepSize, double duration, string workspace = ".")
        {
            string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
            string[] layers = { "top", "mid", "btm" };
            var sensors = ConfigValidator.Channels.Select(ch => $@"
[sensors.ch{ch}]
id = {ch}
name = ""ch{ch}""              # haniwers names its parallel.csv columns after this: keep ch1, ch2, ch3
label = ""{layers[ch - 1]}""
center = {centers[centers.Count == 1 ? 0 : ch - 1]}              # the middle of the scan (DAC units, 1..1023)
nsteps = {nsteps}                # steps on each side: the scan has 2*nsteps+1 values
step_size = {stepSize}             # DAC units between two steps (about 4 mV each)
threshold = ""none""          # the threshold for data taking; ""none"" leaves the channel as it is
");
            return $@"# A configuration for OSECHI cosmic-ray detectors, read as it is by the Python tool haniwers (v1)
# and by Haniwers for PowerShell. Keys marked (Haniwers) are read by the PowerShell module only;
# haniwers ignores them. Check it with: Test-HaniwersThresholdConfig -Path <this file> -Detailed

[device]
label = ""osechi""          # a name for this detector
port = {Quote(port)}{new string(' ', System.Math.Max(1, 18 - Quote(port).Length))}# COM3, /dev/ttyUSB0, ""auto""; ""sim"" is the PowerShell module's simulated detector
baudrate = 115200
timeout = 2.0             # seconds to wait for the detector to answer
firmware = ""text""         # (Haniwers) ""text"" = kurikintons v1.6 and later, ""binary"" = legacy OSECHI

[sampler]
label = ""osechi""
workspace = {Quote(workspace)}{new string(' ', System.Math.Max(1, 14 - Quote(workspace).Length))}# results go to <workspace>/<yyyyMMdd>/; a relative one is taken from the current folder: give an absolute one for scheduled runs
filename_prefix = ""osechi_data""   # raw data files: <prefix>_<mac>_<time>_<fid><suffix> (Invoke-HaniwersDaq)
filename_suffix = "".csv""
events_per_file = 10000    # a data file holds this many events (mode = ""count_based"")
number_of_files = 10      # a DAQ run writes this many files, then ends
stream_mode = true        # each event goes to the operating system as it is written
mode = ""count_based""      # or ""time_based"": a data file covers duration seconds
duration = {F(duration)}              # seconds per scan window (and per data file, time_based)
suppress_threshold = 1000 # keeps a channel quiet while a serial scan measures another
max_retry = 3             # attempts per threshold write
settle_time = 0.1         # (Haniwers) seconds between setting thresholds and opening the window
max_consecutive_failures = 5  # (Haniwers) a scan stops after this many failed steps in a row
reconnect_timeout = {SamplerSettings.DefaultReconnectTimeout}    # (Haniwers) seconds to keep reopening a lost link (a replugged cable)
{string.Concat(sensors)}
[mocker]                  # haniwers' own simulated detector (every key optional, the table required)
shuffle = false
speed = 1.0
jitter = 0.0
loop = true
";
        }
    }
}
