using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Haniwers.Analysis;
using Xunit;

namespace Haniwers.Core.Tests.Analysis
{
    /// <summary>
    /// The fit plot's text keeps clear of other text: axis titles of their tick labels, the subtitle of the
    /// title. Extents are estimated from the SVG's positions and font sizes, wide enough for the usual
    /// sans-serif fonts (a digit about 0.62 em wide, ascent 0.75 em, descent 0.25 em).
    /// </summary>
    public class FitPlotLayoutTests
    {
        private const double Ascent = 0.75, Descent = 0.25, DigitWidth = 0.62, Clearance = 1.5;

        private sealed record Text(string Content, double X, double Y, double FontSize, bool Rotated, string Anchor);

        [Theory]
        [InlineData(false, 100.0)]
        [InlineData(false, 4000.0)]  // five-digit rate labels
        [InlineData(true, 100.0)]
        public void Axis_titles_and_subtitles_keep_clear_of_other_text(bool logScale, double height)
        {
            var fits = Enumerable.Range(1, 3)
                .Select(channel => SCurveFitter.Fit(SyntheticScan.Generate(seed: channel, height: height, channel: channel), new FitOptions()))
                .ToList();
            string path = Path.Combine(Path.GetTempPath(), "haniwers-plot-" + Guid.NewGuid().ToString("N") + ".svg");
            try
            {
                FitPlot.WriteSvg(fits, path, logScale);
                var panels = XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "g" && (string?)e.Attribute("class") == "panel").ToList();
                Assert.Equal(3, panels.Count);
                foreach (var panel in panels)
                {
                    var texts = panel.Descendants().Where(e => e.Name.LocalName == "text").Select(Parse).ToList();
                    var xTitle = Assert.Single(texts, t => t.Content == "threshold (DAC units)");
                    var yTitle = texts.First(t => t.Content == "rate (Hz)");
                    Assert.True(yTitle.Rotated);
                    var xTicks = texts.Where(t => !t.Rotated && t.Anchor == "middle" && IsNumber(t.Content) && t.Y > yTitle.Y).ToList();
                    var yTicks = texts.Where(t => !t.Rotated && t.Anchor == "end" && IsNumber(t.Content)).ToList();
                    Assert.NotEmpty(xTicks);
                    Assert.NotEmpty(yTicks);

                    // the threshold title's top below the tick labels' baseline
                    double xTitleTop = xTitle.Y - Ascent * xTitle.FontSize;
                    double xTicksBottom = xTicks.Max(t => t.Y); // digits have no descent
                    Assert.True(xTitleTop >= xTicksBottom + Clearance, $"{panel.Attribute("id")}: the threshold title (top {xTitleTop:0.0}) runs into its tick labels (baseline {xTicksBottom:0.0}).");

                    // the rate title, turned a quarter, ends left of the widest tick label
                    double yTitleRight = yTitle.X + Descent * yTitle.FontSize;
                    double yTicksLeft = yTicks.Min(t => t.X - DigitWidth * t.FontSize * t.Content.Length);
                    Assert.True(yTitleRight + Clearance <= yTicksLeft, $"{panel.Attribute("id")}: the rate title (right edge {yTitleRight:0.0}) runs into its tick labels (left edge {yTicksLeft:0.0}).");
                    Assert.True(yTitle.X - Ascent * yTitle.FontSize >= 0, $"{panel.Attribute("id")}: the rate title is cut at the left edge.");

                    // the subtitle below the title
                    var title = texts.First(t => t.Content.StartsWith("Channel ", StringComparison.Ordinal));
                    var subtitle = texts.First(t => t.Content.StartsWith("Mean ", StringComparison.Ordinal));
                    Assert.True(subtitle.Y - Ascent * subtitle.FontSize >= title.Y + Clearance - Descent * title.FontSize,
                        $"{panel.Attribute("id")}: the subtitle (baseline {subtitle.Y:0.0}) runs into the title (baseline {title.Y:0.0}).");
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void Fit_plot_legend_rows_keep_apart()
        {
            var fit = SCurveFitter.Fit(SyntheticScan.Generate(seed: 1, height: 100, channel: 1), new FitOptions());
            var texts = WritePlot(path => FitPlot.WriteSvg(new[] { fit }, path, false));
            AssertRowsApart(texts.Where(t => !t.Rotated && t.Anchor == "start" && !IsNumber(t.Content)).ToList());
        }

        [Fact]
        public void Rate_plot_legends_are_whole_and_apart_and_its_axis_titles_clear_of_their_ticks()
        {
            var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.FromHours(9));
            var bins = Enumerable.Range(0, 48).Select(i => new Haniwers.DataTaking.RateBin
            {
                Time = start.AddMinutes(10 * i), IntervalSeconds = 600, LiveSeconds = 600, Events = 60000, Top = 20000, Mid = 20000, Btm = 20000,
                Triple = 3000 + 10 * (i % 7), PressureMean = 100000 + 50 * i, TemperatureMean = 24, CorrectedTripleRate = 5.0 + 0.01 * (i % 5),
            }).ToList();
            var texts = WritePlot(path => Haniwers.DataTaking.RatePlot.WriteSvg(bins, path));
            var legend = texts.Where(t => !t.Rotated && t.Anchor == "start" && !IsNumber(t.Content)).ToList();
            Assert.Equal(new[] { "triple rate", "corrected to the mean pressure", "pressure" }, legend.Select(t => t.Content));
            // whole: each legend line ends inside the drawing
            foreach (var t in legend) Assert.True(t.X + DigitWidth * t.FontSize * t.Content.Length <= Haniwers.DataTaking.RatePlot.Width, $"'{t.Content}' runs past the right edge");
            AssertRowsApart(legend);
            // the rate title (left) ends left of its tick labels; the pressure title (right) starts right of its tick labels
            var rateTitle = texts.Single(t => t.Content == "rate (Hz)");
            var pressureTitle = texts.Single(t => t.Content == "pressure (hPa)");
            var leftTicks = texts.Where(t => !t.Rotated && t.Anchor == "end" && IsNumber(t.Content)).ToList();
            var rightTicks = texts.Where(t => !t.Rotated && t.Anchor == "start" && IsNumber(t.Content)).ToList();
            Assert.NotEmpty(leftTicks);
            Assert.NotEmpty(rightTicks);
            Assert.True(rateTitle.X + Descent * rateTitle.FontSize + Clearance <= leftTicks.Min(t => t.X - DigitWidth * t.FontSize * t.Content.Length), "the rate title runs into its tick labels");
            Assert.True(pressureTitle.X - Ascent * pressureTitle.FontSize - Clearance >= rightTicks.Max(t => t.X + DigitWidth * t.FontSize * t.Content.Length), "the pressure title runs into its tick labels");
            Assert.True(pressureTitle.X + Descent * pressureTitle.FontSize <= Haniwers.DataTaking.RatePlot.Width, "the pressure title is cut at the right edge");
        }

        private static void AssertRowsApart(IReadOnlyList<Text> rows)
        {
            var ordered = rows.OrderBy(t => t.Y).ToList();
            for (int i = 1; i < ordered.Count; i++)
            {
                if (Math.Abs(ordered[i].X - ordered[i - 1].X) > 1) continue; // side by side, not one above the other
                Assert.True(ordered[i].Y - ordered[i - 1].Y >= (Ascent + Descent) * ordered[i].FontSize,
                    $"'{ordered[i - 1].Content}' (baseline {ordered[i - 1].Y:0.0}) and '{ordered[i].Content}' (baseline {ordered[i].Y:0.0}) overlap");
            }
        }

        private static List<Text> WritePlot(Action<string> write)
        {
            string path = Path.Combine(Path.GetTempPath(), "haniwers-plot-" + Guid.NewGuid().ToString("N") + ".svg");
            try
            {
                write(path);
                return XDocument.Load(path).Descendants().Where(e => e.Name.LocalName == "text").Select(Parse).ToList();
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static bool IsNumber(string s) => double.TryParse(s.Replace("−", "-"), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

        private static Text Parse(XElement e)
        {
            string transform = (string?)e.Attribute("transform") ?? "";
            var translate = Regex.Match(transform, @"translate\(([-\d.]+),([-\d.]+)\)");
            double x = translate.Success ? double.Parse(translate.Groups[1].Value, CultureInfo.InvariantCulture) : double.Parse((string?)e.Attribute("x") ?? "0", CultureInfo.InvariantCulture);
            double y = translate.Success ? double.Parse(translate.Groups[2].Value, CultureInfo.InvariantCulture) : double.Parse((string?)e.Attribute("y") ?? "0", CultureInfo.InvariantCulture);
            return new Text(e.Value, x, y, double.Parse((string?)e.Attribute("font-size") ?? "12", CultureInfo.InvariantCulture),
                transform.Contains("rotate(-90)", StringComparison.Ordinal), (string?)e.Attribute("text-anchor") ?? "start");
        }
    }
}
