using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using CsCheck;
using Haniwers.DataTaking;
using Haniwers.Protocol;
using Haniwers.Transport;
using Xunit;

namespace Haniwers.Tests.DataTaking
{
    public class RawFileTests
    {
        private static bool Parse(string line, out RawEvent row) => RawEventLine.TryParse(Encoding.ASCII.GetBytes(line), out row);

        [Fact]
        public void Written_rows_read_back_to_the_same_event()
        {
            var gen = Gen.Select(Gen.Long[0, 3_000_000_000_000_000L], Gen.Int[-14 * 60, 14 * 60], Gen.Int[0, 5000], Gen.Int[0, 1023], Gen.Int[-4000, 6000], Gen.Int[8_000_000, 11_000_000]);
            gen.Sample(t =>
            {
                var (ticks, offsetMinutes, hit, adc, tmpCents, atmCents) = t;
                var time = new DateTimeOffset(630_000_000_000_000_000L + ticks / 10 * 10, TimeSpan.FromMinutes(offsetMinutes));
                var fields = new EventFields { Top = hit, Mid = hit / 2, Btm = 0, Adc = adc, Temperature = tmpCents / 100.0, Pressure = atmCents / 100.0, Humidity = 35.5 };
                string line = RawEventLine.Format(time, fields);
                Assert.EndsWith("\r\n", line);
                Assert.True(Parse(line.TrimEnd('\n'), out var row), line);
                Assert.Equal(time.UtcTicks, row.UtcTicks);
                Assert.Equal((short)offsetMinutes, row.OffsetMinutes);
                Assert.Equal(fields.Top, row.Fields.Top);
                Assert.Equal(fields.Adc, row.Fields.Adc);
                Assert.Equal(fields.Temperature, row.Fields.Temperature);
                Assert.Equal(fields.Pressure, row.Fields.Pressure);
            }, iter: 20_000);
        }

        [Theory]
        [InlineData("2024-05-21 08:44:20.389786+09:00,0,3,0,512,24.5,100594.35,34.0", 540)]   // haniwers v0: str() of the time, Python's floats
        [InlineData("2025-10-19T14:23:45+09:00,10,5,0,823,24.50,100204.50,34.50", 540)]         // v1 without microseconds
        [InlineData("2025-10-19T05:23:45.5Z,10,5,0,823,24.50,100204.50,34.50", 0)]               // pendulum writes Z for UTC
        [InlineData("2025-10-19T14:23:45.123456-0330,10,5,0,823,24.50,100204.50,34.50", -210)]
        public void Rows_of_every_haniwers_version_parse(string line, int offsetMinutes)
        {
            Assert.True(Parse(line, out var row));
            Assert.Equal((short)offsetMinutes, row.OffsetMinutes);
        }

        [Fact]
        public void A_row_without_offset_is_read_as_naive()
        {
            Assert.True(Parse("2024-05-21 08:44:20,0,3,0,512,24.5,100594.35,34.0", out var row));
            Assert.Null(row.OffsetMinutes);
            Assert.Equal(new DateTime(2024, 5, 21, 8, 44, 20).Ticks, row.UtcTicks);
        }

        [Theory]
        [InlineData("2025-10-19T14:23:45.123456+09:00,10,5,0,823,24.50,100204.5")]  // cut by a crash
        [InlineData("2025-10-19T14:23:45.123456+09:00,10,5,0,823,24.50,100204.50,34.50,7")]
        [InlineData("timestamp,top,mid,btm,adc,tmp,atm,hmd")]
        [InlineData("2025-10-19T14:23,10,5,0,823,24.50,100204.50,34.50")]
        [InlineData("2025-02-30T14:23:45+09:00,10,5,0,823,24.50,100204.50,34.50")]
        [InlineData("2025-10-19T14:23:45+09:00,-1,5,0,823,24.50,100204.50,34.50")]
        [InlineData("2025-10-19T14:23:45+09:00,1.0,5,0,823,24.50,100204.50,34.50")]
        [InlineData("10 5 0 823 24.50 100204.50 34.50")]
        [InlineData("")]
        public void Anything_else_is_not_a_row(string line) => Assert.False(Parse(line, out _));

        [Fact]
        public void The_reader_recognises_files_by_content_and_counts_what_is_not_a_row()
        {
            string dir = Path.Combine(Path.GetTempPath(), "haniwers-raw-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string v0 = Path.Combine(dir, "anything.txt");
                File.WriteAllText(v0, "datetime,top,mid,btm,adc,tmp,atm,hmd\n2024-05-21 08:44:20.389786+09:00,0,3,0,512,24.5,100594.35,34.0\n# a comment\n2024-05-21 08:44:21+09:00,1,3,0,512,24.5,100594.35,34.0\n2024-05-21 08:44:22+09:00,1,3");
                using (var reader = new RawFileReader(v0))
                {
                    Assert.Equal(RawFileKind.HaniwersV0, reader.Kind);
                    int rows = 0;
                    while (reader.Next(out _)) rows++;
                    Assert.Equal(2, rows);
                    Assert.Equal(2, reader.Malformed);
                    Assert.Equal("# a comment", reader.FirstMalformed);
                    Assert.Equal("2024-05-21 08:44:22+09:00,1,3", reader.CutLastLine);
                }
                // a last row cut inside its last field still parses: without its line end it is not a row
                string cut = Path.Combine(dir, "cut.csv");
                File.WriteAllText(cut, "2024-05-21T08:44:20.389786+09:00,0,3,0,512,24.5,100594.35,34.0\n2024-05-21T08:44:21+09:00,1,3,0,512,24.5,100594.35,34");
                using (var reader = new RawFileReader(cut))
                {
                    int rows = 0;
                    while (reader.Next(out _)) rows++;
                    Assert.Equal(1, rows);
                    Assert.Equal("2024-05-21T08:44:21+09:00,1,3,0,512,24.5,100594.35,34", reader.CutLastLine);
                }
                // a line of junk far longer than any row is skipped without being held: the rows after it are read
                string junk = Path.Combine(dir, "junk.csv");
                using (var writer = new StreamWriter(junk))
                {
                    writer.Write(new string('x', 5 << 20));
                    writer.Write("\n2024-05-21T08:44:20.389786+09:00,0,3,0,512,24.5,100594.35,34.0\n");
                }
                using (var reader = new RawFileReader(junk))
                {
                    int rows = 0;
                    while (reader.Next(out _)) rows++;
                    Assert.Equal(1, rows);
                    Assert.Equal(1, reader.Malformed);
                    Assert.Contains("a line of more than", reader.FirstMalformed);
                }
                string scan = Path.Combine(dir, "scan_results_ch1.csv");
                File.WriteAllText(scan, "Timestamp,RunId,Mode,Step\n");
                var ex = Assert.Throws<NotRawFileException>(() => new RawFileReader(scan));
                Assert.Contains("Timestamp,RunId,Mode,Step", ex.Message);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Theory]
        [InlineData(0.1, "0.1")]
        [InlineData(24.0, "24.0")]
        [InlineData(1e-05, "1e-05")]
        [InlineData(0.0001, "0.0001")]
        [InlineData(1e16, "1e+16")]
        [InlineData(1e15, "1000000000000000.0")]
        [InlineData(123456789012345678.0, "1.2345678901234568e+17")]
        [InlineData(1.0 / 3.0, "0.3333333333333333")]
        [InlineData(-2.5e-300, "-2.5e-300")]
        [InlineData(100199.49675675675, "100199.49675675675")]
        [InlineData(double.NaN, "")]
        public void Floats_are_written_as_python_writes_them(double value, string python) => Assert.Equal(python, PythonFloat.Repr(value));

        [Fact]
        public void Bins_start_at_midnight_of_the_first_day_in_the_zone_and_hold_their_events()
        {
            var bins = new List<RateBin>();
            var rows = new List<HaniwersRateRow>();
            var zone = TimeZones.Parse("UTC+09:00");
            var aggregator = new RateAggregator(600, 0, zone, null, bins.Add, rows.Add);
            foreach (var (time, top) in new[] { ("2026-11-26T23:58:00+09:00", 1), ("2026-11-26T14:59:59.5Z", 0), ("2026-11-27T00:03:00+09:00", 1), ("2026-11-27T00:09:59.999999+09:00", 1) })
            {
                Assert.True(Parse($"{time},{top},1,1,500,24.00,100000.00,30.00", out var row));
                aggregator.Add(row);
            }
            aggregator.Complete();
            Assert.Equal(new[] { "2026-11-26 23:50:00 +09:00", "2026-11-27 00:00:00 +09:00" }, bins.Select(b => b.Time.ToString("yyyy-MM-dd HH:mm:ss zzz")));
            Assert.Equal(new long[] { 2, 2 }, bins.Select(b => b.Events));
            Assert.Equal(new long[] { 1, 2 }, bins.Select(b => b.Triple));
            // no journal: the first bin counts from the first event (23:58), the last to the last event
            Assert.Equal(120, bins[0].LiveSeconds, 9);
            Assert.Equal(599.999999, bins[1].LiveSeconds, 9);
            Assert.Equal(2.0 / 599.999999, bins[1].TripleRate, 12);
            Assert.Equal(Math.Sqrt(2) / 599.999999, bins[1].TripleRateError, 12);
            Assert.Equal(new[] { 3, 7, 7 }, rows.Select(r => r.HitType));
            Assert.Equal(1.0 / 3.0 / 600, rows[0].EventRateMid, 15);
            Assert.Equal(0.0, rows[1].AdcStd); // one event: 0.0, as haniwers writes it
        }

        [Fact]
        public void A_failed_sensor_keeps_its_event_and_stays_out_of_the_means()
        {
            Assert.Equal(LineKind.Event, EventLineParser.Classify("5 0 3 412 nan NaN 35.25", out var fields));
            Assert.True(double.IsNaN(fields.Temperature) && double.IsNaN(fields.Pressure));
            string row = RawEventLine.Format(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero), fields);
            Assert.EndsWith(",5,0,3,412,nan,nan,35.25\r\n", row);
            var bins = new List<RateBin>();
            var rows = new List<HaniwersRateRow>();
            var aggregator = new RateAggregator(60, 0, TimeZoneInfo.Utc, null, bins.Add, rows.Add);
            Assert.True(Parse(row.TrimEnd(), out var a));
            Assert.True(Parse("2026-11-27T10:00:01+00:00,5,0,3,412,24.00,nan,35.75", out var b));
            aggregator.Add(a);
            aggregator.Add(b);
            aggregator.Complete();
            Assert.Equal(2, bins[0].Events);
            Assert.Equal(24.0, bins[0].TemperatureMean);   // the one number there is
            Assert.True(double.IsNaN(bins[0].PressureMean)); // none: NaN, as haniwers' mean of nothing
            Assert.Equal(35.5, bins[0].HumidityMean);
            Assert.Equal(0.0, rows[0].TmpStd);              // one value: 0.0
            Assert.Equal("", PythonFloat.Repr(rows[0].AtmMean));
        }

        [Fact]
        public void The_pressure_fit_is_not_pulled_by_bins_with_few_counts()
        {
            // 48 h at 1 Hz in 20 s bins (about 20 counts each), beta = -0.2 %/hPa around 1000 hPa, Poisson counts;
            // the first bin holds 3 s of data. Weights from each bin's own count pull such a fit several percent low.
            var random = new Random(3);
            var bins = new List<RateBin>();
            for (int i = 0; i < 8640; i++)
            {
                double live = i == 0 ? 3 : 20;
                double hPa = 1000 + 15 * Math.Sin(i / 600.0);
                double expected = 1.0 * (1 - 0.002 * (hPa - 1000)) * live;
                long n = Poisson(random, expected);
                bins.Add(new RateBin { Time = DateTimeOffset.UnixEpoch.AddSeconds(600 * i), IntervalSeconds = 600, LiveSeconds = live, Triple = n, Patterns = { [7] = n }, PressureMean = 100 * hPa });
            }
            var fit = PressureCorrection.Fit(bins);
            Assert.InRange(fit.Coefficient, -0.2 - 3 * fit.CoefficientError, -0.2 + 3 * fit.CoefficientError);
            Assert.InRange(fit.RateAtReference, 0.99, 1.01); // the statistical error is 0.0024
            Assert.InRange(fit.ChiSquare / fit.DegreesOfFreedom, 0.7, 1.3);
        }

        private static long Poisson(Random random, double mean)
        {
            // Knuth's method: exact, and fast enough at these means
            double limit = Math.Exp(-mean), product = random.NextDouble();
            long n = 0;
            while (product > limit) { n++; product *= random.NextDouble(); }
            return n;
        }

        [Fact]
        public void An_event_for_a_bin_already_written_is_refused()
        {
            var aggregator = new RateAggregator(60, 0, TimeZoneInfo.Utc, null, _ => { });
            foreach (var time in new[] { "2026-11-27T10:00:30Z", "2026-11-27T10:03:30Z" })
            {
                Assert.True(Parse($"{time},1,0,0,500,24.00,100000.00,30.00", out var row));
                aggregator.Add(row);
            }
            Assert.True(Parse("2026-11-27T10:02:59Z,1,0,0,500,24.00,100000.00,30.00", out var slightlyLate));
            aggregator.Add(slightlyLate); // one bin of slack
            Assert.True(Parse("2026-11-27T10:00:31Z,1,0,0,500,24.00,100000.00,30.00", out var late));
            Assert.Throws<LateEventException>(() => aggregator.Add(late));
        }

        [Fact]
        public void A_killed_run_is_closed_off_by_the_next_one()
        {
            using var fixture = new DaqFixture();
            var settings = new DaqSettings { EventsPerFile = 1000, StreamMode = true };
            string file;
            using (var run = DaqRun.Open(fixture.Folder, settings, fixture.Clock, new Dictionary<string, object?>()))
            {
                run.Start();
                for (int i = 0; i < 5; i++) run.Append(fixture.Clock.Now, new EventFields { Top = 1, Adc = i, Temperature = 24, Pressure = 100000, Humidity = 30 });
                file = run.CurrentFile!;
                // the process dies here: no close record, no end record, and half a row on the disk
            }
            File.AppendAllText(file, "2026-11-27T09:00:00.000000+09:00,1,0,");
            using (var next = DaqRun.Open(fixture.Folder, settings, fixture.Clock, new Dictionary<string, object?>()))
            {
                var repair = Assert.Single(next.Repairs, r => !r.ClosesOff);
                Assert.Equal(file, repair.File);
                Assert.Equal("2026-11-27T09:00:00.000000+09:00,1,0,", repair.RemovedText);
                // the close-off is told too (it was silent): the file, and the run ended as Failed with its events
                var closed = next.Repairs.Where(r => r.ClosesOff).Select(r => r.Action).ToList();
                Assert.Equal(2, closed.Count);
                Assert.Contains(closed, a => a.StartsWith("closed off " + Path.GetFileName(file)) && a.Contains("5 event row(s) kept"));
                Assert.Contains(closed, a => a.StartsWith("ended run ") && a.Contains("Failed, 5 event(s)"));
            }
            Assert.Equal(5, File.ReadAllLines(file).Length);
            Assert.EndsWith("\r\n", File.ReadAllText(file));
            var journal = fixture.Journal();
            Assert.Contains(journal, r => r.GetProperty("event").GetString() == "repaired" && r.GetProperty("removedText").GetString()!.EndsWith("1,0,"));
            var recovered = Assert.Single(journal, r => r.GetProperty("event").GetString() == "file-recovered");
            Assert.Equal(5, recovered.GetProperty("events").GetInt64());
            var end = journal.First(r => r.GetProperty("event").GetString() == "end");
            Assert.Equal("Failed", end.GetProperty("outcome").GetString());
            Assert.Equal(5, end.GetProperty("events").GetInt64());
        }

        [Fact]
        public void Replay_serves_a_recording_at_its_pace_divided_by_the_speed()
        {
            using var fixture = new DaqFixture("seed=3,numbered,noise-rate=20");
            fixture.Run(new DaqSettings { EventsPerFile = 40, FileCount = 2 });
            var recorded = fixture.Rows();
            var clock = new ManualClock();
            using var replay = new ReplayLink($"replay:{fixture.Folder},speed=4", clock);
            var served = new List<(TimeSpan at, EventFields fields)>();
            while (served.Count < recorded.Count && replay.TryReadLine(clock.Elapsed + TimeSpan.FromSeconds(30), CancellationToken.None, out var line))
            {
                Assert.Equal(LineKind.Event, EventLineParser.Classify(line.Text, out var fields));
                served.Add((line.Arrived, fields));
            }
            // then the recording has ended: the reader is told so, rather than waiting for ever
            Assert.Throws<RecordingEndedException>(() => replay.TryReadLine(clock.Elapsed + TimeSpan.FromSeconds(30), CancellationToken.None, out _));
            Assert.Equal(recorded.Select(r => r.Fields.Adc), served.Select(s => s.fields.Adc));
            for (int i = 1; i < served.Count; i++)
            {
                double recordedGap = (recorded[i].UtcTicks - recorded[i - 1].UtcTicks) / (double)TimeSpan.TicksPerSecond;
                Assert.Equal(recordedGap / 4, (served[i].at - served[i - 1].at).TotalSeconds, 6);
            }
        }

        [Fact]
        public void Replay_names_what_it_cannot_serve()
        {
            var ex = Assert.Throws<LinkOpenException>(() => new ReplayLink("replay:/nonexistent/folder"));
            Assert.Contains("/nonexistent/folder", ex.Message);
            Assert.Throws<ArgumentException>(() => ReplayLink.Parse("replay:./x,speed=-1"));
            Assert.Contains("Unknown replay option 'sped=2'", Assert.Throws<ArgumentException>(() => ReplayLink.Parse("replay:./x,sped=2")).Message);
            Assert.Equal(("./a,b", 0.0, true), ReplayLink.Parse("replay:./a,b,speed=max,loop"));
        }
    }
}
