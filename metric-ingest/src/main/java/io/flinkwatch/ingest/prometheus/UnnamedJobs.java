package io.flinkwatch.ingest.prometheus;

import java.util.HashMap;
import java.util.Map;

/**
 * Holds back the snapshots of a job while the JobManager's REST API has not yet told its true name.
 *
 * <p>Flink's Prometheus reporter filters label values ({@code sample-orders} becomes {@code
 * sample_orders}); the bridge restores job and vertex names from the REST API, which it asks in the
 * background, so the first scrapes of a new job come before the answer. Published under the
 * filtered name, they would make a second job, which then falls silent: a false FlinkMetricsAbsent,
 * and a silent job holds the metrics partition's event time back. So a job without details waits,
 * up to a grace period after its first sample; past it (the REST API does not answer), it is
 * published under the filtered names rather than not at all. Used by one scraping thread.
 */
final class UnnamedJobs {

    private final long graceMs;
    private final Map<String, long[]> seen = new HashMap<>();

    /**
     * @param graceMs how long a job without details is held back after its first sample
     */
    UnnamedJobs(long graceMs) {
        this.graceMs = graceMs;
    }

    /** Whether the job's snapshots of this round are published; {@code now} on the wall clock. */
    boolean publish(String jobId, boolean detailsKnown, long now) {
        if (detailsKnown) {
            seen.remove(jobId);
            return true;
        }
        long[] firstAndLast = seen.computeIfAbsent(jobId, id -> new long[] {now, now});
        firstAndLast[1] = now;
        return now - firstAndLast[0] >= graceMs;
    }

    /** Forgets jobs not scraped for a while (ended ones), so that the map stays small. */
    void forgetBefore(long time) {
        seen.values().removeIf(firstAndLast -> firstAndLast[1] < time);
    }
}
