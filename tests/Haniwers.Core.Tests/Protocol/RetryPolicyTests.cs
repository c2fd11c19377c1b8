using System;
using System.Linq;
using Haniwers.Protocol;
using Xunit;

namespace Haniwers.Tests.Protocol
{
    public class RetryPolicyTests
    {
        [Fact]
        public void NoPauseBeforeTheFirstAttempt()
        {
            Assert.Equal(TimeSpan.Zero, new RetryPolicy(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)).DelayBefore(1));
        }

        [Fact]
        public void PausesDoubleUpToTheCapWithoutJitter()
        {
            var policy = new RetryPolicy(6, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), jitter: 0);
            var delays = Enumerable.Range(2, 5).Select(a => policy.DelayBefore(a).TotalMilliseconds).ToArray();
            Assert.Equal(new double[] { 100, 200, 400, 500, 500 }, delays);
        }

        [Fact]
        public void JitterStaysWithinHalfThePauseAndVaries()
        {
            var policy = new RetryPolicy(3, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5), jitter: 0.5, seed: 42);
            var delays = Enumerable.Range(0, 200).Select(_ => policy.DelayBefore(2).TotalMilliseconds).ToArray();
            Assert.All(delays, d => Assert.InRange(d, 200, 400));
            Assert.True(delays.Distinct().Count() > 100);
        }

        [Fact]
        public void AtLeastOneAttemptIsRequired()
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy(0, TimeSpan.Zero, TimeSpan.Zero));
        }
    }
}
