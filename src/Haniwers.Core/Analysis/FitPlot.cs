using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OxyPlot;
using OxyPlot.Annotations;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace Haniwers.Analysis
{
    /// <summary>
    /// Draws fitted S-curves with OxyPlot: one panel per channel with the data and its error bars,
    /// the fitted curve and the recommended threshold, stacked in one SVG a browser opens.
    /// </summary>
    public static class FitPlot
    {
        public const double PanelWidth = 800, PanelHeight = 360;

        public static void WriteSvg(IReadOnlyList<ThresholdFit> fits, string path, bool logScale)
        {
            var svg = new StringBuilder();
            svg.AppendLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            svg.AppendLine(string.Format(CultureInfo.InvariantCulture,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" version=\"1.1\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\">",
                PanelWidth, PanelHeight * fits.Count));
            for (int i = 0; i < fits.Count; i++)
            {
                string panel = SvgExporter.ExportToString(Panel(fits[i], logScale), PanelWidth, PanelHeight, false, new PlotTextMeasurer(), useVerticalTextAlignmentWorkaround: true);
                panel = panel.Substring(panel.IndexOf("<svg", StringComparison.Ordinal));
                // clip-path ids must be unique in the document
                string prefix = $"p{i + 1}";
                panel = panel.Replace("id=\"clipPath", $"id=\"{prefix}clipPath").Replace("url(#clipPath", $"url(#{prefix}clipPath");
                svg.AppendLine(string.Format(CultureInfo.InvariantCulture, "<g class=\"panel\" id=\"channel-{0}\" transform=\"translate(0,{1})\">",
                    fits[i].Channel, i * PanelHeight));
                svg.AppendLine(panel);
                svg.AppendLine("</g>");
            }
            svg.AppendLine("</svg>");
            File.WriteAllText(path, svg.ToString(), new UTF8Encoding(false));
        }

        private static PlotModel Panel(ThresholdFit fit, bool logScale)
        {
            var model = new PlotModel
            {
                Title = $"Channel {fit.Channel}{(fit.RunId is null ? "" : " (" + fit.RunId + ")")}: " + (fit.Threshold is int t ? $"threshold {t}" : "no threshold"),
                Subtitle = string.Format(CultureInfo.InvariantCulture, "Mean {0:0.0} ± {1:0.0}, Sigma {2:0.0} ± {3:0.0}, χ²/ndf {4:0.00}",
                    fit.Mean, fit.MeanError, fit.Sigma, fit.SigmaError, fit.ReducedChiSquare),
                Background = OxyColors.White,
                // a fixed left margin: the rate title never runs into the tick labels, and the panels line up
                PlotMargins = new OxyThickness(72, double.NaN, double.NaN, double.NaN),
            };
            model.Legends.Add(new Legend { LegendPosition = LegendPosition.RightTop });
            // the threshold title set clear of its tick labels (the SVG exporter measures text roughly)
            model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "threshold (DAC units)", AxisTitleDistance = 8 });
            double positiveMin = fit.Data.Where(p => p.Rate > 0).Select(p => p.Rate).DefaultIfEmpty(1).Min();
            model.Axes.Add(logScale
                ? new LogarithmicAxis { Position = AxisPosition.Left, Title = "rate (Hz)", Minimum = positiveMin / 2, MaximumPadding = 0.1, AxisTitleDistance = 20 }
                : (Axis)new LinearAxis { Position = AxisPosition.Left, Title = "rate (Hz)", Minimum = 0, Maximum = 1.08 * fit.Data.Max(p => p.Rate + p.RateError), AxisTitleDistance = 20 });

            var data = new ScatterErrorSeries { Title = "data", MarkerType = MarkerType.Circle, MarkerSize = 2.5, ErrorBarColor = OxyColors.Gray };
            foreach (var p in fit.Data)
            {
                double low = Math.Max(p.Rate - p.RateError, logScale ? positiveMin / 2 : 0);
                if (logScale && p.Rate <= 0) continue;
                data.Points.Add(new ScatterErrorPoint(p.Threshold, p.Rate, 0, Math.Max(p.Rate - low, p.RateError)));
            }
            model.Series.Add(data);
            model.Series.Add(new FunctionSeries(x => Math.Max(fit.RateAt(x), logScale ? positiveMin / 2 : double.MinValue),
                fit.ScanStart, fit.ScanStop, Math.Max((fit.ScanStop - fit.ScanStart) / 400, 0.05), "fit") { Color = OxyColors.SteelBlue });
            if (fit.Threshold is int threshold)
            {
                model.Annotations.Add(new LineAnnotation
                {
                    Type = LineAnnotationType.Vertical, X = threshold, Color = OxyColors.Firebrick,
                    Text = string.Format(CultureInfo.InvariantCulture, "threshold {0} ({1:0.#}σ)", threshold, fit.SigmaMultiple),
                });
            }
            return model;
        }
    }
}
