package io.flinkwatch.job.analytics.math;

/**
 * The increase of a counter over a range: PromQL's {@code increase}. A value lower than its
 * predecessor is a counter reset (the monitored job restarted and counts from 0 again), so the
 * predecessor is added back rather than counted as a decrease; the result is extrapolated to the
 * range's edges exactly as Prometheus does.
 */
public final class CounterIncrease {

    private CounterIncrease() {}

    /**
     * The increase over the range {@code (rangeStart, rangeEnd]} from the samples {@code [from,
     * to)}, which must lie in it; NaN when there are fewer than two samples.
     */
    public static double increase(
            long[] times, double[] values, int from, int to, long rangeStart, long rangeEnd) {
        int n = to - from;
        if (n < 2) {
            return Double.NaN;
        }
        double first = values[from];
        double last = values[to - 1];
        double result = last - first;
        double previous = first;
        for (int i = from + 1; i < to; i++) {
            if (values[i] < previous) {
                result += previous;
            }
            previous = values[i];
        }

        double sampledInterval = (times[to - 1] - times[from]) / 1000.0;
        if (sampledInterval <= 0) {
            return Double.NaN;
        }
        double averageBetweenSamples = sampledInterval / (n - 1);
        double durationToStart = (times[from] - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - times[to - 1]) / 1000.0;
        if (result > 0 && first >= 0) {
            // A counter cannot go below zero: do not extrapolate past the time it was zero.
            double durationToZero = sampledInterval * (first / result);
            if (durationToZero < durationToStart) {
                durationToStart = durationToZero;
            }
        }
        double threshold = averageBetweenSamples * 1.1;
        double extrapolated = sampledInterval;
        extrapolated += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
        extrapolated += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
        return result * (extrapolated / sampledInterval);
    }
}
