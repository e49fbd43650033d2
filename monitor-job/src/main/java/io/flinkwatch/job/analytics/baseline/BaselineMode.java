package io.flinkwatch.job.analytics.baseline;

/** How the expected throughput is estimated. */
public enum BaselineMode {
    /** The average over the last 7 days: the article's {@code avg_over_time(...[7d])}. */
    FLAT,
    /**
     * The same hour of the week once {@code seasonal-min-weeks} weeks exist, the same hour of the
     * day from the second day until then, flat before that.
     */
    SEASONAL
}
