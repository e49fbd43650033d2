package io.flinkwatch.job.analytics.math;

/**
 * The least-squares slope of samples, per second: PromQL's {@code deriv}. Times are taken relative
 * to the first sample to keep the sums well conditioned.
 */
public final class LeastSquares {

    private LeastSquares() {}

    /**
     * The slope of the samples {@code [from, to)} of the arrays, in units per second, or NaN when
     * there are fewer than two samples (PromQL returns no result then).
     */
    public static double slopePerSecond(long[] times, double[] values, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return Double.NaN;
        }
        long origin = times[from];
        double sumX = 0;
        double sumY = 0;
        double sumXY = 0;
        double sumXX = 0;
        for (int i = from; i < to; i++) {
            double x = (times[i] - origin) / 1000.0;
            double y = values[i];
            sumX += x;
            sumY += y;
            sumXY += x * y;
            sumXX += x * x;
        }
        double covariance = n * sumXY - sumX * sumY;
        double variance = n * sumXX - sumX * sumX;
        if (variance == 0) {
            return Double.NaN;
        }
        return covariance / variance;
    }
}
