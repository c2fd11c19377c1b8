using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Haniwers.Simulation
{
    /// <summary>
    /// The simulated detector's physics and faults. Written as a port name,
    /// <c>sim:seed=1,refuse-every=3,drop-after=5</c>, or as the served simulator's --options.
    /// </summary>
    public sealed class SimulatorOptions
    {
        public int? Seed { get; set; }
        /// <summary>Per channel: the threshold where the noise rate is half its maximum.</summary>
        public double[] NoiseMidpoint { get; set; } = { 280, 300, 260 };
        /// <summary>Per channel: the width (sigma) of the noise edge, in DAC units.</summary>
        public double[] NoiseWidth { get; set; } = { 8, 8, 8 };
        /// <summary>Per channel: the noise rate far below the edge, in Hz.</summary>
        public double[] NoiseRate { get; set; } = { 200, 200, 200 };
        /// <summary>Coincident muons through all three layers, in Hz.</summary>
        public double MuonRate { get; set; } = 1.0;
        /// <summary>Chance that a muon gives a hit in a layer.</summary>
        public double MuonEfficiency { get; set; } = 0.95;

        /// <summary>
        /// The simulated detector keeps its own clock (in process only): windows, settle times and waits pass
        /// in no time, so a scan of any length takes a moment and the same seed gives the same rows whatever
        /// the computer is doing. The rows' times are the simulated ones, counted from when the command started.
        /// </summary>
        public bool Instant { get; set; }

        /// <summary>Each event line carries its number (1, 2, ...) in the adc field, so a reader can prove none was lost or doubled.</summary>
        public bool Numbered { get; set; }

        /// <summary>Every k-th threshold write is refused (status error / dame). 0 = never.</summary>
        public int RefuseEvery { get; set; }
        /// <summary>Every k-th threshold write gets no answer at all. 0 = never.</summary>
        public int SilentEvery { get; set; }
        /// <summary>Every k-th threshold write is echoed with a wrong value. 0 = never.</summary>
        public int WrongEchoEvery { get; set; }
        /// <summary>Every k-th event line is garbage. 0 = never.</summary>
        public int GarbageEvery { get; set; }
        /// <summary>Every threshold write to this channel is refused (a broken channel). 0 = none.</summary>
        public int RefuseChannel { get; set; }
        /// <summary>The link drops this many seconds after it opens (once). Null = never.</summary>
        public double? DropAfter { get; set; }
        /// <summary>Seconds after a drop before the link can be reopened; negative = never (a dead device).</summary>
        public double RestoreAfter { get; set; }
        /// <summary>Boots when opened, as a freshly reset board does: prints boot text and ignores commands for <see cref="BootDuration"/>.</summary>
        public bool BootText { get; set; }
        /// <summary>Per channel: the threshold after power-on or a reset. Null = 4 widths above the noise edge (quiet).</summary>
        public double[]? PowerOn { get; set; }
        /// <summary>The board resets this many seconds after the link opens (once): boot text, power-on thresholds.</summary>
        public double? ResetAfter { get; set; }
        /// <summary>The board stalls (sends nothing) this many seconds after the link opens, once, for <see cref="StallFor"/> seconds.</summary>
        public double? StallAfter { get; set; }
        public double StallFor { get; set; } = 1.5;
        /// <summary>The stall comes back every this many seconds after the first (from start to start). Null = once.</summary>
        public double? StallEvery { get; set; }
        /// <summary>A flood of malformed lines (some longer than the protocol allows) starts this many seconds after the link opens, once.</summary>
        public double? FloodAfter { get; set; }
        public double FloodFor { get; set; } = 1.0;
        /// <summary>The flood comes back every this many seconds after the first (from start to start). Null = once.</summary>
        public double? FloodEvery { get; set; }
        /// <summary>Malformed lines per second during a flood.</summary>
        public double FloodRate { get; set; } = 3000;

        /// <summary>The power-on threshold of a channel.</summary>
        public int PowerOnThreshold(int channel) =>
            (int)Math.Round(PowerOn is { } p ? p[channel - 1] : NoiseMidpoint[channel - 1] + 4 * NoiseWidth[channel - 1]);

        /// <summary>Whether the board is stalled at <paramref name="sinceOpen"/>, and until when.</summary>
        public bool Stalled(TimeSpan sinceOpen, out TimeSpan until)
        {
            double start = StallAfter ?? 0, since = sinceOpen.TotalSeconds;
            if (StallAfter is not null && StallEvery is double every && every > StallFor && since > start)
                start += Math.Floor((since - start) / every) * every;
            until = TimeSpan.FromSeconds(start + StallFor);
            return StallAfter is not null && since >= start && sinceOpen < until;
        }

        /// <summary>Whether a flood is on at <paramref name="sinceOpen"/>.</summary>
        public bool Flooding(TimeSpan sinceOpen)
        {
            if (FloodAfter is not double start) return false;
            double since = sinceOpen.TotalSeconds;
            if (FloodEvery is double every && every > FloodFor && since > start) start += Math.Floor((since - start) / every) * every;
            return since >= start && since < start + FloodFor;
        }

        /// <summary>When the next flood starts at or after <paramref name="sinceOpen"/>; null when no flood comes again.</summary>
        public TimeSpan? NextFlood(TimeSpan sinceOpen)
        {
            if (FloodAfter is not double start) return null;
            double since = sinceOpen.TotalSeconds;
            if (since <= start) return TimeSpan.FromSeconds(start);
            if (FloodEvery is not double every || every <= FloodFor) return null;
            return TimeSpan.FromSeconds(start + Math.Ceiling((since - start) / every) * every);
        }

        public static readonly TimeSpan BootDuration = TimeSpan.FromSeconds(1);

        public double ExpectedRate(int channel, int threshold)
        {
            int i = channel - 1;
            double noise = NoiseRate[i] * 0.5 * MathNet.Numerics.SpecialFunctions.Erfc((threshold - NoiseMidpoint[i]) / (Math.Sqrt(2) * NoiseWidth[i]));
            return noise + MuonRate * MuonEfficiency;
        }

        /// <summary>Parses "seed=1,refuse-every=3,midpoint=280/300/260". Unknown keys are an error naming the known ones.</summary>
        public static SimulatorOptions Parse(string? text)
        {
            var options = new SimulatorOptions();
            if (string.IsNullOrWhiteSpace(text)) return options;
            foreach (var part in text!.Split(new[] { ',', '&', ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = part.Split(new[] { '=' }, 2);
                string key = kv[0].Trim().Replace("-", "").Replace("_", "").ToLowerInvariant();
                string value = kv.Length > 1 ? kv[1].Trim() : "true";
                switch (key)
                {
                    case "seed": options.Seed = Int(value, key); break;
                    case "midpoint": options.NoiseMidpoint = Triple(value, key); break;
                    case "width": options.NoiseWidth = Triple(value, key); break;
                    case "noiserate": options.NoiseRate = Triple(value, key); break;
                    case "muonrate": options.MuonRate = Double(value, key); break;
                    case "muonefficiency": options.MuonEfficiency = Double(value, key); break;
                    case "refuseevery": options.RefuseEvery = Int(value, key); break;
                    case "silentevery": options.SilentEvery = Int(value, key); break;
                    case "wrongechoevery": options.WrongEchoEvery = Int(value, key); break;
                    case "garbageevery": options.GarbageEvery = Int(value, key); break;
                    case "refusechannel": options.RefuseChannel = Int(value, key); break;
                    case "dropafter": options.DropAfter = Double(value, key); break;
                    case "restoreafter": options.RestoreAfter = Double(value, key); break;
                    case "numbered": options.Numbered = value != "false" && value != "0"; break;
                    case "instant": options.Instant = value != "false" && value != "0"; break;
                    case "boottext": options.BootText = value != "false" && value != "0"; break;
                    case "poweron": options.PowerOn = Triple(value, key); break;
                    case "resetafter": options.ResetAfter = Double(value, key); break;
                    case "stallafter": options.StallAfter = Double(value, key); break;
                    case "stallfor": options.StallFor = Double(value, key); break;
                    case "stallevery": options.StallEvery = Double(value, key); break;
                    case "floodafter": options.FloodAfter = Double(value, key); break;
                    case "floodfor": options.FloodFor = Double(value, key); break;
                    case "floodevery": options.FloodEvery = Double(value, key); break;
                    case "floodrate": options.FloodRate = Double(value, key); break;
                    default:
                        throw new ArgumentException($"Unknown simulator option '{kv[0]}'. Known: seed, instant, numbered, midpoint, width, noise-rate, muon-rate, muon-efficiency, refuse-every, silent-every, wrong-echo-every, garbage-every, refuse-channel, drop-after, restore-after, boot-text, power-on, reset-after, stall-after, stall-for, stall-every, flood-after, flood-for, flood-every, flood-rate.");
                }
            }
            return options;
        }

        private static int Int(string v, string key) =>
            int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int r) ? r : throw new ArgumentException($"Simulator option {key} needs a whole number, not '{v}'.");

        private static double Double(string v, string key) =>
            double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double r) ? r : throw new ArgumentException($"Simulator option {key} needs a number, not '{v}'.");

        private static double[] Triple(string v, string key)
        {
            var parts = v.Split('/').Select(p => Double(p, key)).ToArray();
            if (parts.Length == 1) return new[] { parts[0], parts[0], parts[0] };
            if (parts.Length == 3) return parts;
            throw new ArgumentException($"Simulator option {key} takes one value or three (ch1/ch2/ch3), not '{v}'.");
        }
    }
}
