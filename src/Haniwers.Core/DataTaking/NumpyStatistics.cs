using System;

namespace Haniwers.DataTaking
{
    /// <summary>
    /// Means and standard deviations computed exactly as pandas computes them without bottleneck
    /// (numpy's pairwise summation), so that haniwers' aggregation is reproduced to the last digit
    /// (docs/daq.md, "Rates"). numpy reduces in its buffers of 8192 values: each buffer is summed
    /// pairwise, and the buffers' sums one after the other (found by comparing with numpy 1.24).
    /// </summary>
    public static class NumpyStatistics
    {
        private const int Block = 128, Buffer = 8192;

        /// <summary>numpy's pairwise_sum of values[start .. start+count).</summary>
        public static double PairwiseSum(double[] values, int start, int count)
        {
            if (count < 8)
            {
                double res = 0.0;
                for (int i = 0; i < count; i++) res += values[start + i];
                return res;
            }
            if (count <= Block)
            {
                double r0 = values[start], r1 = values[start + 1], r2 = values[start + 2], r3 = values[start + 3],
                       r4 = values[start + 4], r5 = values[start + 5], r6 = values[start + 6], r7 = values[start + 7];
                int i;
                for (i = 8; i < count - (count % 8); i += 8)
                {
                    r0 += values[start + i]; r1 += values[start + i + 1]; r2 += values[start + i + 2]; r3 += values[start + i + 3];
                    r4 += values[start + i + 4]; r5 += values[start + i + 5]; r6 += values[start + i + 6]; r7 += values[start + i + 7];
                }
                double res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
                for (; i < count; i++) res += values[start + i];
                return res;
            }
            int n2 = count / 2;
            n2 -= n2 % 8;
            return PairwiseSum(values, start, n2) + PairwiseSum(values, start + n2, count - n2);
        }

        /// <summary>numpy's sum(dtype=float64): pairwise within each buffer of 8192 values, the buffers in order.</summary>
        public static double Sum(double[] values, int count)
        {
            double total = 0.0;
            for (int start = 0; start < count; start += Buffer) total += PairwiseSum(values, start, Math.Min(Buffer, count - start));
            return total;
        }

        /// <summary>pandas' Series.mean().</summary>
        public static double Mean(double[] values, int count) =>
            count == 0 ? double.NaN : Sum(values, count) / count;

        /// <summary>pandas' Series.std() (ddof = 1): the values as float64, mean, squared deviations summed pairwise.</summary>
        public static double StandardDeviation(double[] values, int count)
        {
            int n = count;
            if (n < 2) return double.NaN;
            double average = Sum(values, n) / n;
            var squares = new double[n];
            for (int i = 0; i < n; i++)
            {
                double d = average - values[i];
                squares[i] = d * d;
            }
            return Math.Sqrt(Sum(squares, n) / (n - 1));
        }
    }
}
