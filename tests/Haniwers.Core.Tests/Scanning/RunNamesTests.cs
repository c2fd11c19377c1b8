using System;
using System.Globalization;
using Haniwers.DataTaking;
using Haniwers.Output;
using Xunit;

namespace Haniwers.Tests.Scanning
{
    /// <summary>
    /// Names that land on disk (run ids, day folders, raw file names) are the same whatever the user's
    /// culture: Gregorian dates in ASCII digits (docs/formats.md).
    /// </summary>
    public class RunNamesTests
    {
        private static readonly DateTimeOffset Moment = new DateTimeOffset(2026, 12, 7, 15, 4, 5, TimeSpan.FromHours(9));

        [Theory]
        [InlineData("th-TH")] // Thai Buddhist calendar: the year is 2569
        [InlineData("ar-SA")] // Um Al Qura (Hijri) calendar
        [InlineData("fa-IR")] // Persian calendar
        [InlineData("en-US")]
        public void RunIdsDayFoldersAndRawFileNamesAreGregorianWhateverTheCulture(string culture)
        {
            var before = CultureInfo.CurrentCulture;
            CultureInfo.CurrentCulture = new CultureInfo(culture);
            try
            {
                Assert.Matches("^20261207-150405-[0-9a-f]{4}$", RunFolder.NewRunId(Moment));
                Assert.Equal("20261207", RunFolder.DayFolderName(Moment));
                var settings = new DaqSettings { Prefix = "osechi_data", Mac = "unknown", Suffix = ".csv" };
                Assert.Equal("osechi_data_unknown_2026-12-07_15h04m05s_0000012.csv", settings.FileName(Moment, 12));
            }
            finally
            {
                CultureInfo.CurrentCulture = before;
            }
        }
    }
}
