package io.flinkwatch.job.analytics.baseline;

import java.util.Locale;

/** What an expected throughput was estimated from. */
public enum BaselineKind {
    /** The average over the baseline window: the article's {@code avg_over_time(...[7d])}. */
    FLAT,
    /** The same hour of the day on the past days of the week, capped at the most recent one. */
    HOUR_OF_DAY,
    /** The same hour of the week in past weeks. */
    HOUR_OF_WEEK;

    /** The name used in evidence: {@code flat}, {@code hour-of-day}, {@code hour-of-week}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
