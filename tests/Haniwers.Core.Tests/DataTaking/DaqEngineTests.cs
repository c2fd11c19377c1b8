using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Haniwers.DataTaking;
using Haniwers.Scanning;
using Haniwers.Transport;
using Xunit;

using Haniwers.Output;
namespace Haniwers.Tests.DataTaking
{
    public class DaqEngineTests
    {
        private static string Event(System.Text.Json.JsonElement r) => r.GetProperty("event").GetString()!;

        [Fact]
        public void Count_based_files_hold_every_numbered_event_once_in_order()
        {
            using var fixture = new DaqFixture();
            var summary = fixture.Run(new DaqSettings { EventsPerFile = 250, FileCount = 4, StreamMode = false });

            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            var files = fixture.RawFiles();
            Assert.Equal(4, files.Count);
            Assert.All(files, f => Assert.Equal(250, File.ReadAllLines(f).Length));
            var numbers = fixture.Rows().Select(r => (long)r.Fields.Adc).ToList();
            Assert.Equal(1000, numbers.Count);
            // the simulator numbers its event lines: the files hold a run of consecutive numbers, none missing or doubled
            Assert.Equal(Enumerable.Range((int)numbers[0], 1000).Select(n => (long)n), numbers);
            Assert.Equal(1000, summary.Events);
        }

        [Fact]
        public void A_name_taken_in_the_same_second_is_refused_before_the_journal_names_it_and_the_file_is_untouched()
        {
            using var fixture = new DaqFixture();
            var settings = new DaqSettings { EventsPerFile = 5, FileCount = 1 };
            // an earlier run in this folder, in the same second: haniwers' names have the time to the second
            Directory.CreateDirectory(fixture.Folder);
            string taken = Path.Combine(fixture.Folder, settings.FileName(fixture.Clock.Now, 0));
            File.WriteAllText(taken, "an earlier run's row\n");

            var failure = Assert.Throws<Output.OutputException>(() => fixture.Run(settings));

            Assert.Equal(Output.OutputProblem.FileExists, failure.Problem);
            Assert.Equal("an earlier run's row\n", File.ReadAllText(taken));
            // no file-opened record names it: the next run's recovery would close it off as this run's, and count its rows twice
            Assert.DoesNotContain(fixture.Journal(), r => r.GetProperty("event").GetString() == "file-opened");
        }

        [Fact]
        public void A_name_the_journal_gave_a_killed_run_is_not_taken_again_even_when_its_file_is_gone()
        {
            // found by an independent tester: a run killed after its file-opened record, before the file existed, and the next
            // run in the same second: both runs claimed the one file
            using var fixture = new DaqFixture();
            var settings = new DaqSettings { EventsPerFile = 5, FileCount = 1 };
            Directory.CreateDirectory(fixture.Folder);
            string name = settings.FileName(fixture.Clock.Now, 0);
            File.WriteAllText(Path.Combine(fixture.Folder, DaqRun.JournalFileName),
                "{\"event\":\"start\",\"timestamp\":\"2026-11-27T09:00:00+09:00\",\"runId\":\"killed\"}\n" +
                $"{{\"event\":\"file-opened\",\"timestamp\":\"2026-11-27T09:00:00+09:00\",\"runId\":\"killed\",\"file\":\"{name}\",\"fileId\":0}}\n");

            var failure = Assert.Throws<Output.OutputException>(() => fixture.Run(settings));

            Assert.Equal(Output.OutputProblem.FileExists, failure.Problem);
            Assert.False(File.Exists(Path.Combine(fixture.Folder, name)));
            // the killed run's record of the file stays its own: recovered, missing, with no event
            Assert.Single(fixture.Journal(), r => r.GetProperty("event").GetString() == "file-opened");
        }

        [Fact]
        public void Files_are_named_as_haniwers_v1_names_them()
        {
            using var fixture = new DaqFixture();
            fixture.Run(new DaqSettings { EventsPerFile = 10, FileCount = 2, Prefix = "osechi_data", Mac = "0248414e4957" });
            var names = fixture.RawFiles().Select(Path.GetFileName).ToList();
            Assert.Matches(new Regex(@"^osechi_data_0248414e4957_2026-11-27_09h00m0\ds_0000000\.csv$"), names[0]);
            Assert.EndsWith("_0000001.csv", names[1]);
        }

        [Fact]
        public void Rows_are_haniwers_v1_rows_with_offset_and_microseconds()
        {
            using var fixture = new DaqFixture();
            fixture.Run(new DaqSettings { EventsPerFile = 5, FileCount = 1 });
            var text = File.ReadAllText(fixture.RawFiles()[0]);
            Assert.Matches(new Regex(@"^(2026-11-27T09:00:\d\d\.\d{6}\+09:00,\d+,\d+,\d+,\d+,\d+\.\d\d,\d+\.\d\d,\d+\.\d\d\r\n){5}$"), text);
        }

        [Fact]
        public void Time_based_files_cover_their_duration_and_live_time_adds_up()
        {
            using var fixture = new DaqFixture("seed=2,noise-rate=50");
            var summary = fixture.Run(new DaqSettings { Mode = DaqMode.TimeBased, FileDuration = TimeSpan.FromSeconds(10), FileCount = 3 });
            var closed = fixture.Journal().Where(r => Event(r) == "file-closed").ToList();
            Assert.Equal(3, closed.Count);
            Assert.All(closed, r => Assert.InRange(r.GetProperty("seconds").GetDouble(), 10, 10.3));
            Assert.InRange(summary.LiveSeconds, 30, 31);
            Assert.Equal(summary.Events, closed.Sum(r => r.GetProperty("events").GetInt64()));
            // every row lies inside its file's span
            var rows = fixture.Rows();
            Assert.True(rows.Zip(rows.Skip(1), (a, b) => a.UtcTicks <= b.UtcTicks).All(x => x), "rows are in time order");
        }

        [Fact]
        public void A_lost_link_is_reopened_and_its_dead_time_recorded()
        {
            using var fixture = new DaqFixture("seed=4,numbered,noise-rate=100,drop-after=3,restore-after=2");
            var summary = fixture.Run(new DaqSettings { Mode = DaqMode.TimeBased, FileDuration = TimeSpan.FromSeconds(8), FileCount = 1 });
            Assert.Equal(RunOutcome.Completed, summary.Outcome);
            Assert.Equal(1, summary.Reconnects);
            var lost = fixture.Journal().Single(r => Event(r) == "link-lost");
            var back = fixture.Journal().Single(r => Event(r) == "reconnected");
            Assert.InRange(back.GetProperty("deadSeconds").GetDouble(), 2, 4);
            Assert.InRange(summary.DeadSeconds, 2, 4);
            Assert.InRange(summary.LiveSeconds + summary.DeadSeconds, 7.9, 8.5);
            Assert.Contains(fixture.Observer.Warnings, w => w.Contains("was lost"));
            Assert.False(string.IsNullOrEmpty(lost.GetProperty("reason").GetString()));
        }

        [Fact]
        public void A_link_that_never_comes_back_ends_the_run_with_the_wait_as_dead_time()
        {
            using var fixture = new DaqFixture("seed=4,numbered,noise-rate=100,drop-after=1,restore-after=-1");
            var failure = Assert.Throws<DaqFailedException>(() => fixture.Run(new DaqSettings { Mode = DaqMode.TimeBased, FileDuration = TimeSpan.FromSeconds(60), FileCount = 1 }));
            Assert.Equal("LinkLost", failure.Problem);
            var end = fixture.Journal().Last();
            Assert.Equal("Failed", end.GetProperty("outcome").GetString());
            // about 1 s of data, then the 30 s of reopening: live time is the data's, the wait is dead
            Assert.InRange(end.GetProperty("liveSeconds").GetDouble(), 0.5, 1.5);
            Assert.InRange(end.GetProperty("deadSeconds").GetDouble(), 29.5, 31);
            var closed = fixture.Journal().Single(r => Event(r) == "file-closed");
            Assert.InRange(closed.GetProperty("liveSeconds").GetDouble(), 0.5, 1.5);
        }

        [Fact]
        public void A_board_reset_gets_its_thresholds_written_again()
        {
            using var fixture = new DaqFixture("seed=6,noise-rate=100,reset-after=2");
            var summary = fixture.Run(new DaqSettings { Mode = DaqMode.TimeBased, FileDuration = TimeSpan.FromSeconds(5), FileCount = 1 });
            Assert.Equal(1, summary.Resets);
            Assert.Equal(2, fixture.Journal().Count(r => Event(r) == "thresholds-set"));
            Assert.Equal(new[] { 250, 250, 250 }, new[] { 1, 2, 3 }.Select(ch => fixture.Link.Detector.Threshold(ch)));
            Assert.True(summary.DeadSeconds > 0.5, $"the banner and the rewrite are dead time ({summary.DeadSeconds} s)");
        }

        [Fact]
        public void Cancelled_run_closes_its_file_and_says_interrupted()
        {
            using var fixture = new DaqFixture();
            using var cancel = new CancellationTokenSource();
            fixture.Observer.CancelAfter = cancel;
            fixture.Observer.CancelAtEvent = 123;
            var summary = fixture.Run(new DaqSettings { EventsPerFile = 100, FileCount = 0, StreamMode = false }, cancellation: cancel.Token);
            Assert.Equal(RunOutcome.Interrupted, summary.Outcome);
            Assert.Equal(123, fixture.Rows().Count);
            var journal = fixture.Journal();
            Assert.Equal("Interrupted", journal.Last().GetProperty("outcome").GetString());
            Assert.Equal(2, journal.Count(r => Event(r) == "file-closed"));
            Assert.Equal(23, journal.Last(r => Event(r) == "file-closed").GetProperty("events").GetInt64());
        }

        [Fact]
        public void A_file_deleted_under_the_run_is_noticed_within_a_second()
        {
            using var fixture = new DaqFixture();
            fixture.Observer.OnEvent = n => { if (n == 50) foreach (var f in fixture.RawFiles()) File.Delete(f); };
            var ex = Assert.Throws<Haniwers.Output.OutputException>(() => fixture.Run(new DaqSettings { EventsPerFile = 100_000, FileCount = 1, StreamMode = false }));
            Assert.Equal(Haniwers.Output.OutputProblem.FolderRemoved, ex.Problem);
            Assert.Contains("was deleted", ex.Message);
            Assert.InRange(fixture.Observer.Events.Count, 50, 50 + 400 * 3 * 1.5); // at most about a second more at 1200 Hz
            Assert.Equal("Failed", fixture.Journal().Last().GetProperty("outcome").GetString());
        }

        [Fact]
        public void A_replayed_recording_that_ends_ends_the_run()
        {
            using var recorded = new DaqFixture();
            recorded.Run(new DaqSettings { EventsPerFile = 100, FileCount = 1 });
            using var replayed = new DaqFixture();
            var clock = new ManualClock();
            using var link = new ReplayLink($"replay:{recorded.Folder},speed=max", clock);
            using var run = DaqRun.Open(replayed.Folder, new DaqSettings { EventsPerFile = 1000, FileCount = 5 }, clock, new Dictionary<string, object?>());
            var writer = new Haniwers.Protocol.ThresholdWriter(new Haniwers.Protocol.TextFirmware(), new Haniwers.Protocol.RetryPolicy(1, TimeSpan.Zero, TimeSpan.Zero), TimeSpan.FromSeconds(1));
            var summary = new DaqEngine(link, new Haniwers.Protocol.TextFirmware(), writer, run, replayed.Observer, new KeyValuePair<int, int>[0], TimeSpan.FromSeconds(30)).Run(CancellationToken.None);
            Assert.Equal(RunOutcome.Interrupted, summary.Outcome);
            Assert.Contains("recording ended after 100 event(s)", summary.FailureReason);
            Assert.Equal(100, summary.Events);
        }

        [Fact]
        public void A_run_that_never_streamed_has_no_live_time()
        {
            using var fixture = new DaqFixture("seed=1,refuse-channel=3");
            Assert.Throws<DaqFailedException>(() => fixture.Run(new DaqSettings { EventsPerFile = 10, FileCount = 1 }));
            Assert.Equal(0, fixture.Journal().Last().GetProperty("liveSeconds").GetDouble());
        }

        [Fact]
        public void Rows_never_go_back_in_time()
        {
            using var fixture = new DaqFixture("seed=12,noise-rate=3000");
            fixture.Run(new DaqSettings { EventsPerFile = 5000, FileCount = 2 });
            var rows = fixture.Rows();
            Assert.True(rows.Zip(rows.Skip(1), (a, b) => a.UtcTicks <= b.UtcTicks).All(x => x));
        }

        [Fact]
        public void Thresholds_the_device_refuses_keep_every_event_out()
        {
            using var fixture = new DaqFixture("seed=1,refuse-channel=2");
            var ex = Assert.Throws<DaqFailedException>(() => fixture.Run(new DaqSettings { EventsPerFile = 10, FileCount = 1 }));
            Assert.Equal("ThresholdNotSet", ex.Problem);
            Assert.Contains("channel 2", ex.Message);
            Assert.Empty(fixture.RawFiles());
            Assert.Equal("Failed", fixture.Journal().Last().GetProperty("outcome").GetString());
        }

        [Fact]
        public void Malformed_lines_are_counted_never_written()
        {
            using var fixture = new DaqFixture("seed=8,noise-rate=300,garbage-every=7");
            var summary = fixture.Run(new DaqSettings { EventsPerFile = 300, FileCount = 1 });
            Assert.True(summary.MalformedLines > 20, $"{summary.MalformedLines} malformed");
            Assert.Equal(300, fixture.Rows().Count); // Rows() throws on any malformed row in a file
            Assert.Equal(summary.MalformedLines, fixture.Journal().Single(r => Event(r) == "file-closed").GetProperty("malformedLines").GetInt64());
        }
    }
}
