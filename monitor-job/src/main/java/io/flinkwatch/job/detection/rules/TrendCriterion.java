package io.flinkwatch.job.detection.rules;

import io.flinkwatch.alerts.event.Evidence;
import io.flinkwatch.job.analytics.SampleWindow;
import io.flinkwatch.job.analytics.math.RefreshedTrend;
import io.flinkwatch.job.analytics.math.Trend;
import java.io.Serializable;
import javax.annotation.Nullable;

/**
 * When a trend rule counts a series as growing: by its mode, and in mode {@link
 * TrendMode#SIGNIFICANT} by how many noise widths the fitted rise must exceed.
 *
 * @param mode significant (the default) or the article's plain deriv
 * @param noiseWidths in mode significant, the fitted rise over the range must exceed this many
 *     standard deviations of the series' noise
 */
public record TrendCriterion(TrendMode mode, double noiseWidths) implements Serializable {

    /** The default multiple: see docs/alerts.md for the measurements behind it. */
    public static final double DEFAULT_NOISE_WIDTHS = 3;

    /** The default: a significant rise of more than three noise widths. */
    public static final TrendCriterion DEFAULT =
            new TrendCriterion(TrendMode.SIGNIFICANT, DEFAULT_NOISE_WIDTHS);

    /** The article's {@code deriv() > 0}. */
    public static final TrendCriterion DERIV = new TrendCriterion(TrendMode.DERIV, 0);

    /**
     * How the series in {@code (from, to]} grows, or null when it does not count as growing faster
     * than {@code minSlopePerSecond}.
     *
     * @param positiveOnly only positive samples are values (checkpoint gauges report 0 or -1 before
     *     the first checkpoint)
     */
    @Nullable
    Growth growing(
            SampleWindow series,
            long from,
            long to,
            boolean positiveOnly,
            double minSlopePerSecond) {
        double slope =
                positiveOnly
                        ? series.slopeOfPositivePerSecond(from, to)
                        : series.slopePerSecond(to, to - from);
        if (mode == TrendMode.DERIV) {
            return slope > minSlopePerSecond ? new Growth(slope, null) : null;
        }
        if (!(slope > minSlopePerSecond)) {
            // The trend's slope is this one: no need to measure the noise (a sort) to say no.
            return null;
        }
        Trend trend = series.trend(from, to, positiveOnly);
        return trend.slopePerSecond() > minSlopePerSecond && trend.risesAbove(noiseWidths)
                ? new Growth(trend.slopePerSecond(), trend)
                : null;
    }

    /**
     * How a lag that a stale part turns into a sawtooth grows ({@link RefreshedTrend}), or null
     * when it does not count as growing faster than {@code minSlopePerSecond}. In mode {@link
     * TrendMode#DERIV} it is {@code deriv} over the range, as for any series.
     *
     * @param history samples in {@code (history, from]} are read when the range holds too few
     *     refreshes
     */
    @Nullable
    Growth growingByRefreshes(
            SampleWindow series,
            long history,
            long from,
            long to,
            RefreshedTrend.Refresh refresh,
            double minSlopePerSecond) {
        if (mode == TrendMode.DERIV) {
            return growing(series, from, to, false, minSlopePerSecond);
        }
        Trend trend = series.refreshedTrend(history, from, to, refresh);
        return trend.slopePerSecond() > minSlopePerSecond && trend.risesAbove(noiseWidths)
                ? new Growth(trend.slopePerSecond(), trend)
                : null;
    }

    /**
     * A series that counts as growing.
     *
     * @param slopePerSecond the least-squares slope
     * @param trend in mode significant, the trend it was judged by
     */
    record Growth(double slopePerSecond, @Nullable Trend trend) {

        /** Adds the noise and the rise in noise widths, when judged by them. */
        void addTo(Evidence.Builder evidence) {
            if (trend == null) {
                return;
            }
            evidence.value("noise", trend.noise());
            double significance = trend.significance();
            if (Double.isFinite(significance)) {
                evidence.value("riseInNoiseWidths", significance);
            } else {
                evidence.fact("riseInNoiseWidths", "the series has no noise");
            }
        }
    }
}
