using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Haniwers.Output
{
    /// <summary>A channel's threshold as this module last left it on a device: when, by which command, and whether a scan restored it.</summary>
    /// <param name="Threshold">The value; null when it is not known (a scan that did not end, or lost the link, left one of its steps).</param>
    /// <param name="LeftByScan">The value is a scan's step, left because the scan could not write back what it found (or was told not to).</param>
    public sealed record RememberedThreshold(int Channel, int? Threshold, DateTimeOffset At, string By, bool LeftByScan = false)
    {
        /// <summary>Who left the value there and when, for messages: "written by Set-HaniwersThreshold, 2026-12-07 15:02".</summary>
        public string Source => $"{(LeftByScan ? "left by" : "written by")} {By}, {At.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)}";

        public override string ToString() =>
            $"ch{Channel}={(Threshold is int t ? t.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unknown")} ({Source})";
    }

    /// <summary>
    /// The thresholds this module last wrote to each device, per user, across sessions (docs/formats.md,
    /// "device-thresholds.json"): what a scan restores when the config gives no threshold, and what a DAQ
    /// run with threshold = "none" believes the detector has. Kept in the user's own application-data
    /// folder; written whole to a new file that replaces the old one, under a lock, so two sessions never
    /// lose each other's entries and a crash never leaves half a file.
    /// </summary>
    public sealed class ThresholdMemory
    {
        public const string FileName = "device-thresholds.json";
        private readonly string _folder;

        public ThresholdMemory(string folder) => _folder = folder;

        /// <summary>The user's: LocalApplicationData/haniwers (~/.local/share/haniwers on Linux, ~/Library/Application Support/haniwers on macOS, %LOCALAPPDATA%\haniwers on Windows).</summary>
        public static ThresholdMemory ForUser() =>
            new ThresholdMemory(System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "haniwers"));

        public string Path => System.IO.Path.Combine(_folder, FileName);

        /// <summary>What is remembered for <paramref name="device"/>, by channel; empty when nothing (or the file cannot be read).</summary>
        public IReadOnlyDictionary<int, RememberedThreshold> For(string device)
        {
            var all = Read();
            return all.TryGetValue(device, out var channels) ? channels : new Dictionary<int, RememberedThreshold>();
        }

        /// <summary>Remembers <paramref name="thresholds"/> for <paramref name="device"/>. Throws <see cref="OutputException"/> when the file cannot be written.</summary>
        public void Remember(string device, IEnumerable<KeyValuePair<int, int>> thresholds, DateTimeOffset at, string by, bool leftByScan = false) =>
            Put(device, thresholds.Select(t => new RememberedThreshold(t.Key, t.Value, at, by, leftByScan)));

        /// <summary>Remembers these entries as they are (a scan puts back what it found, or marks what it left). Throws <see cref="OutputException"/>.</summary>
        public void Put(string device, IEnumerable<RememberedThreshold> entries)
        {
            var list = entries.ToList();
            if (list.Count == 0) return;
            try
            {
                Directory.CreateDirectory(_folder);
                using var folderLock = Platform.NamedLock.Acquire(System.IO.Path.Combine(_folder, ".device-thresholds.lock"), "remembering thresholds");
                var all = Read();
                if (!all.TryGetValue(device, out var channels)) all[device] = channels = new Dictionary<int, RememberedThreshold>();
                foreach (var entry in list) channels[entry.Channel] = entry;
                Write(all);
            }
            catch (Platform.LockHeldException ex)
            {
                throw new OutputException(OutputProblem.IoError, Path, $"'{Path}' is being written by {ex.Owner}; the thresholds were not remembered.");
            }
            catch (Platform.LockUnavailableException ex)
            {
                throw OutputException.From(ex.InnerException ?? ex, Path, "remembering thresholds in");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw OutputException.From(ex, Path, "remembering thresholds in");
            }
        }

        /// <summary>Forgets what is remembered of these channels of <paramref name="device"/> (a mark put for a write that never came).</summary>
        public void Forget(string device, IEnumerable<int> channels)
        {
            var list = channels.ToList();
            if (list.Count == 0) return;
            try
            {
                using var folderLock = Platform.NamedLock.Acquire(System.IO.Path.Combine(_folder, ".device-thresholds.lock"), "remembering thresholds");
                var all = Read();
                if (!all.TryGetValue(device, out var entries)) return;
                foreach (int channel in list) entries.Remove(channel);
                Write(all);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Platform.LockHeldException or Platform.LockUnavailableException)
            {
                throw OutputException.From(ex as IOException ?? new IOException(ex.Message, ex), Path, "remembering thresholds in");
            }
        }

        private Dictionary<string, Dictionary<int, RememberedThreshold>> Read()
        {
            var all = new Dictionary<string, Dictionary<int, RememberedThreshold>>(StringComparer.Ordinal);
            try
            {
                if (!File.Exists(Path)) return all;
                var fileInfo = new FileInfo(Path);
                if (fileInfo.Length > 1 << 20) return all; // not ours: a memory of a few devices is a few KB
                using var document = JsonDocument.Parse(File.ReadAllText(Path));
                if (!document.RootElement.TryGetProperty("devices", out var devices) || devices.ValueKind != JsonValueKind.Object) return all;
                foreach (var device in devices.EnumerateObject())
                {
                    var channels = new Dictionary<int, RememberedThreshold>();
                    if (device.Value.ValueKind != JsonValueKind.Array) continue;
                    foreach (var entry in device.Value.EnumerateArray())
                    {
                        if (entry.TryGetProperty("channel", out var ch) && ch.TryGetInt32(out int channel)
                            && entry.TryGetProperty("threshold", out var th) && (th.ValueKind == JsonValueKind.Null || th.TryGetInt32(out _))
                            && entry.TryGetProperty("at", out var at) && at.TryGetDateTimeOffset(out var when))
                        {
                            int? threshold = th.ValueKind == JsonValueKind.Null ? null : th.GetInt32();
                            string by = entry.TryGetProperty("by", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
                            bool left = entry.TryGetProperty("leftByScan", out var l) && l.ValueKind == JsonValueKind.True;
                            channels[channel] = new RememberedThreshold(channel, threshold, when, by, left);
                        }
                    }
                    all[device.Name] = channels;
                }
            }
            catch (JsonException)
            {
                // a memory that cannot be read is no memory (the scan warns that it does not know what to restore); the
                // next write keeps it beside, under another name, rather than overwriting it (Write)
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a memory that cannot be read is no memory: the scan warns that it does not know what to restore
            }
            return all;
        }

        private void Write(Dictionary<string, Dictionary<int, RememberedThreshold>> all)
        {
            var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                json.WriteStartObject();
                json.WriteNumber("version", 1);
                json.WriteStartObject("devices");
                foreach (var device in all.OrderBy(d => d.Key, StringComparer.Ordinal))
                {
                    json.WriteStartArray(device.Key);
                    foreach (var t in device.Value.Values.OrderBy(t => t.Channel))
                    {
                        json.WriteStartObject();
                        json.WriteNumber("channel", t.Channel);
                        if (t.Threshold is int value) json.WriteNumber("threshold", value);
                        else json.WriteNull("threshold");
                        json.WriteString("at", t.At);
                        json.WriteString("by", t.By);
                        if (t.LeftByScan) json.WriteBoolean("leftByScan", true);
                        json.WriteEndObject();
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            // a file that could not be read is kept for whoever wants to see what it was
            if (File.Exists(Path))
            {
                try { using var _ = JsonDocument.Parse(File.ReadAllText(Path)); }
                catch (JsonException) { File.Move(Path, Path + ".unreadable", overwrite: true); }
            }
            // a new file, on the disk, then renamed over the old one: a crash leaves the old or the new, never half
            string temporary = Path + ".new";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                Platform.DiskSync.Flush(file);
            }
            File.Move(temporary, Path, overwrite: true);
            Platform.DiskSync.FlushFolder(_folder);
        }
    }
}
