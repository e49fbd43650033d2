package io.flinkwatch.job.analytics.math;

import java.util.Arrays;

/**
 * A trend judged against the series' own noise: the least-squares line through the observations of
 * a range, and how far it rises compared with the noise of the series around it.
 *
 * <p>The noise is read from the differences between successive observations: independent noise of
 * standard deviation σ makes differences of standard deviation σ√2 around the trend's own step
 * (their median), measured robustly (median absolute deviation). Unlike the residuals of the fit,
 * this does not grow when the range holds the bend where a trend starts, so a clean trend counts
 * from the first evaluation where its slope turns positive, while jitter around a flat level rarely
 * rises more than a few noise widths over the range.
 *
 * <p>The fit is PromQL's {@code deriv} over every sample of the range. The noise, though, counts
 * observations only: a sample repeating its predecessor's value is the same gauge reading reported
 * again (a checkpoint gauge between checkpoints, or frozen while checkpoints fail), and counting it
 * as a difference of zero would make a noisy gauge look noiseless. (Leaving the repeats at the end
 * out of the fit as well was measured, and only delayed the figures.)
 *
 * @param observations samples fitted
 * @param slopePerSecond the least-squares slope, per second (NaN with fewer than {@link
 *     #MIN_OBSERVATIONS} observations)
 * @param rise the fitted rise from the first to the last observation fitted
 * @param noise the estimated standard deviation of the noise (0 for a series without any)
 */
public record Trend(int observations, double slopePerSecond, double rise, double noise) {

    /** Fewer observations than this say nothing about a trend. */
    public static final int MIN_OBSERVATIONS = 3;

    /** Median absolute deviation to standard deviation, for normally distributed noise. */
    private static final double MAD_TO_SD = 1.4826;

    /** Mean absolute deviation to standard deviation, for normally distributed noise. */
    private static final double MEAN_AD_TO_SD = 1.2533;

    private static final Trend NONE = new Trend(0, Double.NaN, Double.NaN, Double.NaN);

    /**
     * The trend of the samples {@code [from, to)} of the arrays (times in milliseconds, in order).
     */
    public static Trend of(long[] times, double[] values, int from, int to) {
        int n = to - from;
        if (n < MIN_OBSERVATIONS) {
            return new Trend(Math.max(n, 0), Double.NaN, Double.NaN, Double.NaN);
        }
        double slope = LeastSquares.slopePerSecond(times, values, from, to);
        double rise = slope * (times[to - 1] - times[from]) / 1000.0;
        return new Trend(n, slope, rise, noise(values, from, to));
    }

    /**
     * The trend of observations made at uneven intervals, such as the readings just after each
     * refresh of a sawtooth ({@link RefreshedTrend}): the noise is read from the differences around
     * the median rate times their interval, not around the median difference, so that a long gap
     * between two readings is not taken for a large step of noise. With even intervals this is
     * {@link #of}.
     */
    static Trend ofUneven(long[] times, double[] values, int from, int to) {
        Trend even = of(times, values, from, to);
        if (Double.isNaN(even.slopePerSecond())) {
            return even;
        }
        return new Trend(
                even.observations(),
                even.slopePerSecond(),
                even.rise(),
                noise(times, values, from, to));
    }

    /** {@link #noise(double[], int, int)} with the differences scaled to their intervals. */
    static double noise(long[] times, double[] values, int from, int to) {
        int n = Math.max(to - from, 0);
        double[] differences = new double[n];
        double[] gaps = new double[n];
        double[] rates = new double[n];
        int count = 0;
        for (int i = from + 1; i < to; i++) {
            if (values[i] != values[i - 1]) {
                differences[count] = values[i] - values[i - 1];
                gaps[count] = times[i] - times[i - 1];
                rates[count] = differences[count] / gaps[count];
                count++;
            }
        }
        if (count < 2) {
            return 0;
        }
        double rate = median(Arrays.copyOf(rates, count));
        double[] deviations = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++) {
            deviations[i] = Math.abs(differences[i] - rate * gaps[i]);
            sum += deviations[i];
        }
        double mad = median(deviations);
        double deviation = mad > 0 ? MAD_TO_SD * mad : MEAN_AD_TO_SD * sum / count;
        return deviation / Math.sqrt(2);
    }

    /** No trend: too few observations. */
    public static Trend none() {
        return NONE;
    }

    /**
     * The noise's standard deviation from the successive differences of the distinct observations
     * in {@code [from, to)}: their median absolute deviation (the mean absolute deviation when more
     * than half of them are equal), scaled to a standard deviation, over √2.
     */
    static double noise(double[] values, int from, int to) {
        double[] differences = new double[Math.max(to - from, 0)];
        int count = 0;
        for (int i = from + 1; i < to; i++) {
            if (values[i] != values[i - 1]) {
                differences[count++] = values[i] - values[i - 1];
            }
        }
        if (count < 2) {
            return 0;
        }
        double[] deviations = Arrays.copyOf(differences, count);
        double median = median(deviations);
        double sum = 0;
        for (int i = 0; i < count; i++) {
            deviations[i] = Math.abs(deviations[i] - median);
            sum += deviations[i];
        }
        double mad = median(deviations);
        // Medians, not squares: the few large steps where a trend starts (or a spike) must not pass
        // for noise. The mean is the fallback where the median collapses to 0 (quantized series).
        double deviation = mad > 0 ? MAD_TO_SD * mad : MEAN_AD_TO_SD * sum / count;
        return deviation / Math.sqrt(2);
    }

    /** The median; sorts the array. */
    private static double median(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    /** The rise in noise widths: +∞ for a rising series without noise, NaN without a trend. */
    public double significance() {
        if (Double.isNaN(rise)) {
            return Double.NaN;
        }
        if (noise > 0) {
            return rise / noise;
        }
        return rise > 0 ? Double.POSITIVE_INFINITY : rise < 0 ? Double.NEGATIVE_INFINITY : 0;
    }

    /** Whether the series rises by more than {@code noiseWidths} times its noise. */
    public boolean risesAbove(double noiseWidths) {
        return slopePerSecond > 0 && significance() > noiseWidths;
    }
}
