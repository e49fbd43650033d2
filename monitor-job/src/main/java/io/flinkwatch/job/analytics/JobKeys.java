package io.flinkwatch.job.analytics;

import io.flinkwatch.ingest.snapshot.MetricSnapshot;
import org.apache.flink.api.java.functions.KeySelector;

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

    /**
     * {@link #of(MetricSnapshot)} as a key selector that reuses the previous snapshot's key when it
     * is of the same job. A TaskManager reports a job's subtasks together, so most snapshots would
     * otherwise build (and Flink hash) a new key string of the same value. Each task has its own
     * instance.
     */
    public static final class SnapshotKeySelector implements KeySelector<MetricSnapshot, String> {

        private static final long serialVersionUID = 1L;

        private transient String lastCluster;
        private transient String lastJobName;
        private transient String lastKey;

        @Override
        public String getKey(MetricSnapshot snapshot) {
            String cluster = snapshot.cluster();
            String jobName = snapshot.job().name();
            if (lastKey == null || !jobName.equals(lastJobName) || !cluster.equals(lastCluster)) {
                lastKey = of(cluster, jobName);
                lastCluster = cluster;
                lastJobName = jobName;
            }
            return lastKey;
        }
    }
}
