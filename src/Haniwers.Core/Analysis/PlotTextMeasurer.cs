using System;
using System.Collections.Generic;
using System.Linq;
using OxyPlot;

namespace Haniwers.Analysis
{
    /// <summary>
    /// Text extents for OxyPlot's SVG export as wide and as tall as the usual sans-serif fonts draw them. Without a
    /// measurer OxyPlot lays out legends and margins for text of no font, narrower and lower than a browser draws it:
    /// legend rows overlapped and legend text was cut ("triple ra"). Only measuring is done here; drawing is the
    /// exporter's.
    /// </summary>
    internal sealed class PlotTextMeasurer : RenderContextBase
    {
        /// <summary>A character's width and a line's height, in em: digits are about 0.62 em wide, most letters less.</summary>
        public const double CharacterWidth = 0.62, LineHeight = 1.3;

        public override OxySize MeasureText(string text, string fontFamily, double fontSize, double fontWeight)
        {
            if (string.IsNullOrEmpty(text)) return OxySize.Empty;
            var lines = text.Split('\n');
            double bold = fontWeight >= 600 ? 1.08 : 1;
            return new OxySize(lines.Max(l => l.Length) * fontSize * CharacterWidth * bold, lines.Length * fontSize * LineHeight);
        }

        public override int ClipCount => 0;
        public override void PushClip(OxyRect clippingRectangle) { }
        public override void PopClip() { }
        public override void DrawLine(IList<ScreenPoint> points, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[]? dashArray, LineJoin lineJoin) { }
        public override void DrawPolygon(IList<ScreenPoint> points, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode edgeRenderingMode, double[]? dashArray, LineJoin lineJoin) { }
        public override void DrawText(ScreenPoint p, string text, OxyColor fill, string fontFamily, double fontSize, double fontWeight, double rotation,
            HorizontalAlignment horizontalAlignment, VerticalAlignment verticalAlignment, OxySize? maxSize) { }
    }
}
