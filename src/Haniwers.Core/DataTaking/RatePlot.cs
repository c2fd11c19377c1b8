using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Haniwers.DataTaking
{
    /// <summary>Draws the triple coincidence (muon) rate against time, with its errors, and the pressure on a second axis (SVG, as the fit plot).</summary>
    public static class RatePlot
    {
        public const double Width = 1000, Height = 420;

        public static void WriteSvg(IReadOnlyList<RateBin> bins, string path)
        {
            var model = new PlotModel { Title = "Triple coincidence rate and pressure", Background = OxyColors.White, PlotMargins = new OxyThickness(72, double.NaN, 86, double.NaN) };
            model.Legends.Add(new Legend { LegendPlacement = LegendPlacement.Outside, LegendPosition = LegendPosition.BottomCenter, LegendOrientation = LegendOrientation.Vertical });
            // the time labels as fine as the data's span needs: seconds for a short run, days for a long one
            double span = bins.Count > 1 ? (bins[bins.Count - 1].Time - bins[0].Time).TotalHours : 0;
            model.Axes.Add(new DateTimeAxis { Position = AxisPosition.Bottom, Title = "time", StringFormat = span < 2 ? "HH:mm:ss" : span < 72 ? "MM-dd HH:mm" : "yyyy-MM-dd" });
            model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "rate (Hz)", Key = "rate", AxisTitleDistance = 14 });
            model.Axes.Add(new LinearAxis { Position = AxisPosition.Right, Title = "pressure (hPa)", Key = "pressure", AxisTitleDistance = 18, StringFormat = "0.0", MinimumRange = 1 });
            var rate = new ScatterErrorSeries { Title = "triple rate", YAxisKey = "rate", MarkerType = MarkerType.Circle, MarkerSize = 2.5, ErrorBarColor = OxyColors.Gray };
            var corrected = new LineSeries { Title = "corrected to the mean pressure", YAxisKey = "rate", Color = OxyColors.SeaGreen };
            var pressure = new LineSeries { Title = "pressure", YAxisKey = "pressure", Color = OxyColors.SteelBlue };
            foreach (var bin in bins)
            {
                double t = DateTimeAxis.ToDouble(bin.Time.DateTime.AddSeconds(bin.IntervalSeconds / 2.0));
                if (bin.LiveSeconds > 0) rate.Points.Add(new ScatterErrorPoint(t, bin.TripleRate, 0, bin.TripleRateError));
                if (bin.CorrectedTripleRate is double c) corrected.Points.Add(new DataPoint(t, c));
                if (!double.IsNaN(bin.PressureMean)) pressure.Points.Add(new DataPoint(t, bin.PressureMean / 100));
            }
            model.Series.Add(rate);
            if (corrected.Points.Count > 0) model.Series.Add(corrected);
            model.Series.Add(pressure);
            string svg = SvgExporter.ExportToString(model, Width, Height, false, new Haniwers.Analysis.PlotTextMeasurer(), useVerticalTextAlignmentWorkaround: true);
            File.WriteAllText(path, svg, new UTF8Encoding(false));
        }
    }
}
