package io.flinkwatch.job.analytics;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;

/**
 * The key of a monitored job: cluster and job name. The name, not the job id, so that a job
 * resubmitted under a new id keeps its baselines and alerts; within the key, each run (job id)
 * keeps its own series (see {@link JobRuns}). The separator is a control character, which the
 * snapshot parser rejects in names, so keys cannot collide.
 */
public final class JobKeys {

    private static final char SEPARATOR = '\u001f';

    private JobKeys() {}

    public static String of(String cluster, String jobName) {
        return cluster + SEPARATOR + jobName;
    }

    public static String of(MetricSnapshot snapshot) {
        return of(snapshot.cluster(), snapshot.job().name());
    }

    /**
     * The prefix of the keys a family keeps a run's series under, within its job's key: the job id
     * and the separator, so that one run's prefix never matches another's keys.
     */
    public static String runPrefix(String jobId) {
        return jobId + SEPARATOR;
    }
}
