package io.flinkwatch.ingest.rest;

import io.flinkwatch.ingest.Secrets;
import io.flinkwatch.ingest.publish.LogLimiter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last known {@link JobDetails} of each job, refreshed in the background. {@link #get} never
 * waits for the JobManager: it returns what is known and, when that is older than the refresh
 * interval, starts one refresh. Jobs not asked for during {@code forgetAfter} are forgotten.
 */
public final class JobDetailsCache {

    private static final Logger LOG = LoggerFactory.getLogger(JobDetailsCache.class);

    private final FlinkRestClient rest;
    private final long refreshMs;
    private final long forgetAfterMs;
    private final LongSupplier clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final LogLimiter failureLog;

    public JobDetailsCache(
            FlinkRestClient rest, Duration refresh, Duration forgetAfter, LongSupplier clock) {
        this.rest = rest;
        this.refreshMs = refresh.toMillis();
        this.forgetAfterMs = forgetAfter.toMillis();
        this.clock = clock;
        this.failureLog = new LogLimiter(clock);
    }

    public JobDetailsCache(FlinkRestClient rest, Duration refresh) {
        this(rest, refresh, Duration.ofMinutes(10), System::currentTimeMillis);
    }

    /** What is known of the job, or null if nothing is yet; never blocks. */
    @Nullable
    public JobDetails get(String jobId) {
        long now = clock.getAsLong();
        Entry entry = entries.computeIfAbsent(jobId, id -> new Entry());
        entry.askedAt = now;
        if (!entry.refreshing && now - entry.fetchedAt >= refreshMs) {
            entry.refreshing = true;
            entry.fetchedAt = now;
            rest.jobAsync(jobId)
                    .whenComplete(
                            (details, error) -> {
                                if (error == null) {
                                    entry.details = details;
                                } else {
                                    logFailure(jobId, error);
                                }
                                entry.refreshing = false;
                            });
        }
        entries.values().removeIf(other -> now - other.askedAt > forgetAfterMs);
        return entry.details;
    }

    private void logFailure(String jobId, Throwable error) {
        if (failureLog.permits()) {
            LOG.warn(
                    "Could not read job {} from the JobManager REST API at {}: {} (job graph and status"
                            + " are left out of snapshots until it answers; logged at most once a minute)",
                    jobId,
                    Secrets.redactUrls(String.valueOf(rest.baseUrl())),
                    error.getCause() != null ? error.getCause().toString() : error.toString());
        }
    }

    private static final class Entry {
        volatile JobDetails details;
        volatile long fetchedAt = Long.MIN_VALUE / 2;
        volatile long askedAt;
        volatile boolean refreshing;
    }
}
