using System;
using System.Collections.Generic;
using System.Linq;
using Haniwers.Platform;
using Xunit;

namespace Haniwers.Tests.Transport
{
    /// <summary>
    /// Windows ends the process when a console handler returns, and gives the handlers about 5 s in all
    /// (docs/platforms.md, "Stopping"): the handlers' waits for the run to close its files fit in one grace.
    /// </summary>
    public class TerminationSignalsTests
    {
        [Fact]
        public void ALogoffHoldsTheProcessOnceWithinWindowsLimit()
        {
            var now = TimeSpan.Zero;
            var waits = new List<TimeSpan>();
            int stops = 0;
            var trap = new TerminationSignals(() => stops++, holdsProcess: true, () => now, timeout => { waits.Add(timeout); now += timeout; return false; });
            Assert.True(trap.OnLogoff());
            Assert.Equal(1, stops);
            Assert.Equal("logoff", trap.Received);
            // the run never closed its files: the handler returned after one grace, not two
            Assert.Equal(TimeSpan.FromSeconds(4), waits.Aggregate(TimeSpan.Zero, (a, b) => a + b));
            Assert.True(now < TimeSpan.FromSeconds(5));
            // a second event (the console closing too) does not add another grace
            Assert.True(trap.OnLogoff());
            Assert.Equal(TimeSpan.FromSeconds(4), now);
        }

        [Fact]
        public void WhereTheProcessIsNotEndedByTheHandlerNothingWaits()
        {
            var waits = new List<TimeSpan>();
            var trap = new TerminationSignals(() => { }, holdsProcess: false, () => TimeSpan.Zero, timeout => { waits.Add(timeout); return true; });
            Assert.True(trap.OnLogoff());
            Assert.Empty(waits);
        }
    }
}
