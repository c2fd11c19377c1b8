using System.Globalization;
using System.Threading;
using Haniwers.Protocol;
using Xunit;

namespace Haniwers.Tests.Protocol
{
    public class EventLineParserTests
    {
        [Fact]
        public void ParsesTheProtocolExampleLine()
        {
            Assert.True(EventLineParser.TryParse("10 5 0 823 24.50 100204.50 34.50", out var e));
            Assert.Equal(10, e.Top);
            Assert.Equal(5, e.Mid);
            Assert.Equal(0, e.Btm);
            Assert.Equal(823, e.Adc);
            Assert.Equal(24.50, e.Temperature);
            Assert.Equal(100204.50, e.Pressure);
            Assert.Equal(34.50, e.Humidity);
            Assert.True(e.Hit(1));
            Assert.True(e.Hit(2));
            Assert.False(e.Hit(3));
        }

        [Theory]
        [InlineData("10\t5\t0\t823\t24.50\t100204.50\t34.50")]
        [InlineData("10   5 \t 0  823 24.50  100204.50 34.50")]
        [InlineData("10 5 0 823 24.50 100204.50 34.50\r")]
        [InlineData("  10 5 0 823 24.50 100204.50 34.50  ")]
        public void ToleratesTabsRepeatedSpacesAndCarriageReturns(string line)
        {
            Assert.True(EventLineParser.TryParse(line, out var e));
            Assert.Equal(823, e.Adc);
            Assert.Equal(34.5, e.Humidity);
        }

        [Theory]
        [InlineData("10 5 0 823 24.50 100204.50")]            // six fields
        [InlineData("10 5 0 823 24.50 100204.50 34.50 7")]    // eight fields
        [InlineData("10 5 x 823 24.50 100204.50 34.50")]      // non-numeric
        [InlineData("10 5 0 823 24,50 100204.50 34.50")]      // comma decimal
        [InlineData("10 5 0 -823 24.50 100204.50 34.50")]     // negative count
        [InlineData("10 5 0 823 24.5.0 100204.50 34.50")]     // two points
        [InlineData("")]
        public void RejectsMalformedLines(string line)
        {
            Assert.False(EventLineParser.TryParse(line, out _));
        }

        [Fact]
        public void ReadsDotDecimalsWhateverTheCurrentCulture()
        {
            var saved = CultureInfo.CurrentCulture;
            try
            {
                CultureInfo.CurrentCulture = new CultureInfo("de-DE");
                Assert.True(EventLineParser.TryParse("1 0 0 1 -3.25 99000.75 50.00", out var e));
                Assert.Equal(-3.25, e.Temperature);
                Assert.Equal(99000.75, e.Pressure);
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }

        [Theory]
        [InlineData("10 5 0 823 24.50 100204.50 34.50", LineKind.Event)]
        [InlineData("DEBUG dac write ch=1", LineKind.Debug)]
        [InlineData("{\"type\":\"response\"}", LineKind.Json)]
        [InlineData("dame", LineKind.Token)]
        [InlineData("2", LineKind.Token)]
        [InlineData("OSECHI booting", LineKind.Malformed)]
        [InlineData("   ", LineKind.Blank)]
        public void ClassifiesEveryKindOfLine(string line, LineKind kind)
        {
            Assert.Equal(kind, EventLineParser.Classify(line, out _));
        }
    }
}
