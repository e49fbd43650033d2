package io.flinkwatch.job.detection.rules;

/** How a trend rule decides that a series grows. */
public enum TrendMode {
    /**
     * The least-squares slope is positive (above the rule's minimum) and the fitted rise over the
     * range exceeds a multiple of the series' own noise ({@link
     * io.flinkwatch.job.analytics.math.Trend}): jitter around a flat level is not a trend.
     */
    SIGNIFICANT,
    /** The article's PromQL: {@code deriv(series[range]) > 0}, for exact parity with Prometheus. */
    DERIV
}
